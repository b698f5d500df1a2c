import Foundation

/// The S3-compatible server of a test run: moto, started once per run by `scripts/with-s3.sh`
/// (which `make test` wraps the run in) with signature checking on. Without it the S3 tests are
/// skipped, except in CI (`CI=true`), where a missing server must fail them.
public enum S3TestServer {
    private static var environment: [String: String] { ProcessInfo.processInfo.environment }

    /// Whether the S3 tests run.
    public static var enabled: Bool {
        environment["VIDEOGENX_TEST_S3_ENDPOINT"] != nil || environment["CI"] == "true"
    }

    /// The server's endpoint, e.g. `http://127.0.0.1:41655`.
    public static var endpoint: String { environment["VIDEOGENX_TEST_S3_ENDPOINT"] ?? "http://127.0.0.1:1" }
    /// A second server of the run that checks no signature (moto in IAM mode answers presigned
    /// GETs with 500): the end-to-end tests' clients download from presigned URLs there.
    public static var openEndpoint: String { environment["VIDEOGENX_TEST_S3_OPEN_ENDPOINT"] ?? "http://127.0.0.1:1" }
    /// The bucket made for the tests.
    public static var bucket: String { environment["VIDEOGENX_TEST_S3_BUCKET"] ?? "vgx-test" }
    /// The access key the server accepts.
    public static var accessKey: String { environment["VIDEOGENX_TEST_S3_ACCESS_KEY"] ?? "missing" }
    /// Its secret.
    public static var secretKey: String { environment["VIDEOGENX_TEST_S3_SECRET_KEY"] ?? "missing" }

    /// `s3://bucket/prefix?endpoint=…&region=us-east-1&path_style=true`, by default the run's
    /// bucket and a fresh prefix.
    public static func url(
        bucket: String = bucket, prefix: String = "t-\(UUID().uuidString.lowercased())", endpoint: String = endpoint
    ) -> String {
        "s3://\(bucket)/\(prefix)?endpoint=\(endpoint)&region=us-east-1&path_style=true"
    }

    /// The Python of the S3 tools' venv (botocore for the signing reference).
    public static var python: String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".venv-s3/bin/python").path
    }

    /// The repository's `tools/s3/` folder.
    public static var tools: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("tools/s3")
    }
}

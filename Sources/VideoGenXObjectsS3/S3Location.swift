import Foundation

/// Where an ``S3ObjectStore`` keeps objects, parsed from `objects.url`:
/// `s3://bucket/prefix?endpoint=http://127.0.0.1:9000&region=us-east-1&path_style=true`.
/// Without `endpoint`, AWS's regional endpoint (`https://s3.<region>.amazonaws.com`).
public struct S3Location: Sendable, Hashable {
    /// The bucket.
    public var bucket: String
    /// Prepended to every key (`prefix/`), empty for the bucket's root.
    public var prefix: String
    /// Scheme, host and port of the S3 API.
    public var endpoint: URL
    /// The signing region.
    public var region: String
    /// `http://endpoint/bucket/key` when true (MinIO, moto, Ceph), else `http://bucket.endpoint/key`.
    public var pathStyle: Bool
    /// Scheme, host and port put in presigned URLs instead of ``endpoint`` (a CDN or the
    /// public name of the store); `nil` for ``endpoint``.
    public var publicEndpoint: URL?

    /// Creates a location.
    public init(bucket: String, prefix: String = "", endpoint: URL, region: String, pathStyle: Bool, publicEndpoint: URL? = nil) {
        self.bucket = bucket
        self.prefix = prefix
        self.endpoint = endpoint
        self.region = region
        self.pathStyle = pathStyle
        self.publicEndpoint = publicEndpoint
    }

    /// A problem with an `s3://` URL: what is wrong, for a configuration error naming the key.
    public struct Invalid: Error, Sendable, CustomStringConvertible {
        /// What is wrong.
        public var description: String
    }

    /// Parses `s3://bucket[/prefix][?endpoint=…&region=…&path_style=true|false]`.
    /// - Throws: ``Invalid`` naming the part that is wrong.
    public init(url text: String) throws(Invalid) {
        guard let components = URLComponents(string: text), components.scheme == "s3" else {
            throw Invalid(description: "expected s3://bucket/prefix?endpoint=…&region=…, got '\(text)'")
        }
        guard let bucket = components.host, Self.isBucketName(bucket) else {
            throw Invalid(description: "the bucket must be 3–63 characters of a–z 0–9 . -, got '\(components.host ?? "")'")
        }
        var options: [String: String] = [:]
        for item in components.queryItems ?? [] {
            guard ["endpoint", "region", "path_style"].contains(item.name) else {
                throw Invalid(description: "unknown option '\(item.name)' (endpoint, region, path_style)")
            }
            options[item.name] = item.value ?? ""
        }
        let region = options["region"].flatMap { $0.isEmpty ? nil : $0 } ?? "us-east-1"
        let endpoint: URL
        if let given = options["endpoint"] {
            guard let url = URL(string: given), ["http", "https"].contains(url.scheme ?? ""), url.host != nil, url.path.isEmpty || url.path == "/" else {
                throw Invalid(description: "endpoint must be http(s)://host[:port], got '\(given)'")
            }
            endpoint = url
        } else {
            endpoint = URL(string: "https://s3.\(region).amazonaws.com")!
        }
        let pathStyle: Bool
        switch options["path_style"] {
        case nil: pathStyle = options["endpoint"] != nil
        case "true": pathStyle = true
        case "false": pathStyle = false
        case let other?: throw Invalid(description: "path_style must be true or false, got '\(other)'")
        }
        let prefix = components.path.split(separator: "/").joined(separator: "/")
        self.init(bucket: bucket, prefix: prefix, endpoint: endpoint, region: region, pathStyle: pathStyle)
    }

    private static func isBucketName(_ name: String) -> Bool {
        (3...63).contains(name.count) && name.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
        }
    }

    /// The object key in the bucket for a store key.
    func objectName(_ key: String) -> String {
        prefix.isEmpty ? key : "\(prefix)/\(key)"
    }

    /// Scheme, `Host` value and encoded path of `objectName` (empty for the bucket itself) on
    /// `base` (the endpoint, or the public one for presigned URLs).
    func address(of objectName: String, on base: URL? = nil) -> (scheme: String, host: String, path: String) {
        let base = base ?? endpoint
        let scheme = base.scheme ?? "https"
        var host = base.host ?? ""
        if let port = base.port, port != (scheme == "https" ? 443 : 80) { host += ":\(port)" }
        let encoded = SigV4Signer.encodePath(objectName)
        if pathStyle {
            return (scheme, host, "/\(bucket)" + (objectName.isEmpty ? "" : "/\(encoded)"))
        }
        return (scheme, "\(bucket).\(host)", "/\(encoded)")
    }
}

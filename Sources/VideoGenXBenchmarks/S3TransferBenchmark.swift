import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import VideoGenXClient
import VideoGenXObjects
import VideoGenXObjectsS3
import VideoGenXPlatform

/// Our S3 transfers against the AWS CLI's on the same server in the same run (issue goal:
/// ≥ 0.9×): a file of ``sizeMiB`` uploaded by ``S3ObjectStore`` (multipart above its threshold,
/// 5 MiB parts, 8 in flight) and by `aws s3 cp`, then downloaded through a presigned URL (what
/// clients do) and by `aws s3 cp`, alternating, each side with its own defaults. Reports
/// MiB/s per round, medians and ratios.
public struct S3TransferBenchmark: Sendable {
    /// Bucket and endpoint (the presigned GETs must be served: not moto in IAM mode).
    public var location: S3Location
    /// Keys both sides use.
    public var credentials: AWSCredentials
    /// Size of the file moved, in MiB. Default 200.
    public var sizeMiB: Int
    /// Rounds per side. Default 3.
    public var rounds: Int
    /// The AWS CLI's executable.
    public var aws: String

    /// Creates the benchmark.
    public init(location: S3Location, credentials: AWSCredentials, sizeMiB: Int = 200, rounds: Int = 3, aws: String) {
        self.location = location
        self.credentials = credentials
        self.sizeMiB = sizeMiB
        self.rounds = rounds
        self.aws = aws
    }

    /// MiB/s of each side per round.
    public struct Report: Sendable {
        /// Uploads by ``S3ObjectStore``.
        public var uploadOurs: [Double] = []
        /// Uploads by `aws s3 cp`.
        public var uploadAWS: [Double] = []
        /// Downloads of a presigned URL by AsyncHTTPClient.
        public var downloadOurs: [Double] = []
        /// Downloads by `aws s3 cp`.
        public var downloadAWS: [Double] = []
        /// Our median upload speed over the CLI's.
        public var uploadRatio: Double { uploadOurs.median / uploadAWS.median }
        /// Our median download speed over the CLI's.
        public var downloadRatio: Double { downloadOurs.median / downloadAWS.median }
    }

    /// A failed step: what and why.
    public struct Failure: Error, CustomStringConvertible {
        /// What failed.
        public var description: String
    }

    /// Writes the file, then runs the rounds; every object made is deleted.
    public func run(log: (String) -> Void) async throws -> Report {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vgx-s3-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let source = directory.appendingPathComponent("source.bin")
        try Self.writeRandomFile(source, bytes: sizeMiB << 20)
        let store = S3ObjectStore(location: location, credentials: credentials)
        let bytes = Double(sizeMiB)
        var report = Report()
        for round in 1...rounds {
            let ours = try ObjectKey("bench/ours-\(round).bin")
            let theirs = try ObjectKey("bench/aws-\(round).bin")
            var seconds = try await Self.timed { _ = try await store.put(ours, fromFile: source, contentType: "application/octet-stream") }
            report.uploadOurs.append(bytes / seconds)
            seconds = try await Self.timed { try await cli(["s3", "cp", "--quiet", source.path, s3URI(theirs)]) }
            report.uploadAWS.append(bytes / seconds)
            let url = try store.presignedGet(ours, expiresIn: 600)
            let downloaded = directory.appendingPathComponent("ours.bin")
            seconds = try await Self.timed { _ = try await APIClient.download(url, to: downloaded) }
            report.downloadOurs.append(bytes / seconds)
            guard (try FileManager.default.attributesOfItem(atPath: downloaded.path)[.size] as? Int) == sizeMiB << 20 else {
                throw Failure(description: "the presigned download is not \(sizeMiB) MiB")
            }
            let cliCopy = directory.appendingPathComponent("aws.bin")
            seconds = try await Self.timed { try await cli(["s3", "cp", "--quiet", s3URI(ours), cliCopy.path]) }
            report.downloadAWS.append(bytes / seconds)
            try await store.delete(ours)
            try await store.delete(theirs)
            log(String(
                format: "round %d: upload ours %.0f MiB/s, aws %.0f MiB/s; download ours %.0f MiB/s, aws %.0f MiB/s", round,
                report.uploadOurs.last!, report.uploadAWS.last!, report.downloadOurs.last!, report.downloadAWS.last!
            ))
        }
        return report
    }

    private func s3URI(_ key: ObjectKey) -> String {
        "s3://\(location.bucket)/" + (location.prefix.isEmpty ? "" : "\(location.prefix)/") + key.rawValue
    }

    /// Runs the AWS CLI against the store's endpoint with the benchmark's keys.
    private func cli(_ arguments: [String]) async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: aws)
        process.arguments = arguments + ["--endpoint-url", location.endpoint.absoluteString, "--region", location.region]
        var environment = ProcessInfo.processInfo.environment
        environment["AWS_ACCESS_KEY_ID"] = credentials.accessKeyID
        environment["AWS_SECRET_ACCESS_KEY"] = credentials.secretAccessKey
        process.environment = environment
        // Waited for with the termination handler: waitUntilExit spins a run loop on this thread.
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch { continuation.resume(throwing: error) }
        }
        guard status == 0 else { throw Failure(description: "aws \(arguments.joined(separator: " ")) exited \(status)") }
    }

    private static func timed(_ body: () async throws -> Void) async throws -> Double {
        let start = ContinuousClock.now
        try await body()
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    private static func writeRandomFile(_ url: URL, bytes: Int) throws {
        guard FileManager.default.createFile(atPath: url.path, contents: nil) else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path]) }
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        var generator = SystemRandomNumberGenerator()
        var left = bytes
        while left > 0 {
            let count = min(left, 1 << 20)
            try handle.write(contentsOf: (0..<count / 8).flatMap { _ in withUnsafeBytes(of: generator.next() as UInt64) { Array($0) } })
            left -= count
        }
    }
}

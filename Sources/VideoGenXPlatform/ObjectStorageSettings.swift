import Foundation
import VideoGenXObjectsS3

/// Where results, thumbnails and checkpoints are kept, and how (`objects.*` keys).
public struct ObjectStorageSettings: Sendable, Hashable {
    /// The store `objects.url` names: a folder (`file:///PATH`) or an S3 bucket (`s3://…`).
    public enum Location: Sendable, Hashable {
        /// A local folder (embedded mode; api and workers on one machine or one volume).
        case folder(URL)
        /// An S3-compatible bucket (cluster mode).
        case s3(S3Location)
    }

    /// `objects.url`; `nil`: the folder `objects` in the data directory.
    public var location: Location?
    /// Files larger than this go up as S3 multipart uploads (`objects.multipart_threshold_mb`). Default 100.
    public var multipartThresholdMiB = 100
    /// Bytes per multipart part, in MiB (`objects.part_size_mb`). Default 5 (S3's smallest).
    public var partSizeMiB = 5
    /// Scheme, host and port put into presigned S3 URLs instead of the endpoint's
    /// (`objects.public_endpoint`: a CDN or the public name of the store). Default none.
    public var publicEndpoint: URL?
    /// Where finished videos wait while the object store is down (`objects.spool_dir`).
    /// Default `<data_dir>/spool`.
    public var spoolDirectory: URL?
    /// Most MiB the spool holds before the worker stops claiming (`objects.spool_max_mb`). Default 10240.
    public var spoolMaxMiB = 10_240
    /// Results older than this many days are deleted and marked expired (`objects.retention_days`);
    /// `nil` keeps them. Default off.
    public var retentionDays: Int?

    /// The defaults.
    public init() {}

    /// Parses an `objects.url` value: `file:///PATH` or `s3://bucket/prefix?endpoint=…&region=…&path_style=…`.
    /// - Throws: ``ConfigurationError`` for `objects.url` naming what is wrong.
    public static func location(url text: String) throws -> Location {
        if text.hasPrefix("file://"), text.count > "file://".count {
            return .folder(URL(fileURLWithPath: String(text.dropFirst("file://".count))))
        }
        if text.hasPrefix("s3://") {
            do {
                return .s3(try S3Location(url: text))
            } catch {
                throw ConfigurationError(key: "objects.url", reason: error.description)
            }
        }
        throw ConfigurationError(
            key: "objects.url", reason: "must be file:///PATH or s3://BUCKET/PREFIX?endpoint=…&region=…&path_style=…, got '\(text.prefix(40))'"
        )
    }
}

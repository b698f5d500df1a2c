import Foundation
import Logging
import VideoGenXObjects
import VideoGenXObjectsS3

extension ServeConfiguration {
    /// The object store `objects.url` names: the folder store (its result URLs signed by
    /// `signer` and served by the API at ``baseURL``) or an S3 bucket with the standard AWS
    /// credentials (environment or shared credentials file).
    /// - Throws: ``ConfigurationError`` for `objects.url` when S3 has no credentials; the folder's
    ///   errors when it cannot be made.
    ///
    /// The store is measured (``InstrumentedObjectStore``): its metrics go to the process's
    /// metrics backend, nowhere when none is bootstrapped.
    func openObjectStore(signer: URLSigner, logger: Logger) throws -> any ObjectStore {
        switch objectsLocation {
        case .folder(let folder):
            return InstrumentedObjectStore(try FileObjectStore(root: folder, publicBaseURL: baseURL, signer: signer))
        case .s3(var location):
            guard let credentials = AWSCredentials.standard() else {
                throw ConfigurationError(
                    key: "objects.url",
                    reason: "an s3:// store needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or a profile in ~/.aws/credentials)"
                )
            }
            location.publicEndpoint = objects.publicEndpoint
            logger.info("object store: S3", metadata: [
                "objects.bucket": "\(location.bucket)", "objects.prefix": "\(location.prefix)", "objects.endpoint": "\(location.endpoint)",
                "objects.region": "\(location.region)", "aws.access_key_id": "\(credentials.accessKeyID)",
            ])
            return InstrumentedObjectStore(S3ObjectStore(
                location: location, credentials: credentials, multipartThreshold: objects.multipartThresholdMiB << 20,
                partSize: objects.partSizeMiB << 20, logger: logger
            ))
        }
    }
}

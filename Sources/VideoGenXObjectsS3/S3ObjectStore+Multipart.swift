import AsyncHTTPClient
import Crypto
import Foundation
import Logging
import NIOHTTP1
import NIOCore
import VideoGenXCore
import VideoGenXObjects

extension S3ObjectStore {
    /// Uploads `file` as a multipart upload: initiate, ``partSize`` parts with at most
    /// ``parallelParts`` in flight (each signed with its SHA-256 and retried), complete. On any
    /// failure the upload is aborted, so no parts are left behind in the bucket.
    func putMultipart(_ name: String, file: URL, size: Int, contentType: String) async throws {
        let initiated = try await retrying("initiate \(name)") {
            try await send(.POST, name, query: [("uploads", "")], headers: [("content-type", contentType)])
        }
        guard let uploadID = try await Self.document(initiated, "initiate \(name)")["UploadId"] else {
            throw ObjectStoreError(.storage, "S3 initiate \(name): no UploadId in the answer")
        }
        do {
            let partCount = (size + partSize - 1) / partSize
            var etags = [String](repeating: "", count: partCount)
            try await withThrowingTaskGroup(of: (Int, String).self) { group in
                var next = 0
                func start(_ index: Int) {
                    let slice = FileSlice(url: file, offset: index * partSize, count: min(partSize, size - index * partSize))
                    group.addTask { (index, try await uploadPart(name, uploadID: uploadID, number: index + 1, slice: slice)) }
                }
                while next < min(parallelParts, partCount) {
                    start(next)
                    next += 1
                }
                for try await (index, etag) in group {
                    etags[index] = etag
                    if next < partCount {
                        start(next)
                        next += 1
                    }
                }
            }
            let parts = etags.enumerated().map { "<Part><PartNumber>\($0.offset + 1)</PartNumber><ETag>\(S3XML.escape($0.element))</ETag></Part>" }
            let body = Array("<CompleteMultipartUpload>\(parts.joined())</CompleteMultipartUpload>".utf8)
            let completed = try await retrying("complete \(name)") {
                try await send(
                    .POST, name, query: [("uploadId", uploadID)], headers: [("content-type", "application/xml")],
                    body: .bytes(ByteBuffer(bytes: body)), payloadHash: Array(SHA256.hash(data: body)).hex
                )
            }
            // S3 can answer 200 with an <Error> body when completing fails late.
            let answer = try await Self.document(completed, "complete \(name)")
            if answer.name == "Error" {
                throw ObjectStoreError(.storage, "S3 complete \(name): \(answer["Code"] ?? ""): \(answer["Message"] ?? "")")
            }
        } catch {
            await abort(name, uploadID: uploadID)
            throw error
        }
    }

    /// Uploads part `number` and returns its ETag.
    private func uploadPart(_ name: String, uploadID: String, number: Int, slice: FileSlice) async throws -> String {
        let bytes = try slice.bytes()
        let hash = Array(SHA256.hash(data: bytes)).hex
        let response = try await retrying("part \(number) of \(name)") {
            try await send(
                .PUT, name, query: [("partNumber", String(number)), ("uploadId", uploadID)],
                body: .bytes(ByteBuffer(bytes: bytes)), payloadHash: hash
            )
        }
        try await Self.expect(response, "part \(number) of \(name)")
        guard let etag = response.headers.first(name: "etag") else {
            throw ObjectStoreError(.storage, "S3 part \(number) of \(name): no ETag in the answer")
        }
        return etag
    }

    /// Aborts an upload; a failure is logged (the bucket's lifecycle rule for incomplete
    /// uploads is the backstop).
    private func abort(_ name: String, uploadID: String) async {
        do {
            let response = try await retrying("abort \(name)") { try await send(.DELETE, name, query: [("uploadId", uploadID)]) }
            if response.status != .notFound { try await Self.expect(response, "abort \(name)") }
        } catch {
            logger.error("aborting a multipart upload failed", metadata: ["objects.key": "\(name)", "objects.upload_id": "\(uploadID)", "error": "\(error)"])
        }
    }

    /// The multipart uploads in progress under the store's prefix (keys and upload ids): what a
    /// failed upload must not leave behind.
    public func pendingUploads() async throws -> [(key: String, uploadID: String)] {
        let response = try await retrying("list uploads") { try await send(.GET, "", query: [("uploads", ""), ("prefix", location.prefix)]) }
        let xml = try await Self.document(response, "list uploads")
        return xml.children("Upload").map { ($0["Key"] ?? "", $0["UploadId"] ?? "") }
    }
}

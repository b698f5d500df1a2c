import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import VideoGenXCore
import VideoGenXObjects
import VideoGenXServer
import VideoGenXStore
import VideoGenXStoreSQLite

/// The API with authentication on: a real credential store, keys for a free, a paid and an
/// admin user, and a manual clock driving timestamps and rate limits.
final class AccessFixture: Sendable {
    let directory: URL
    let store: SQLiteTaskStore
    let credentials: SQLiteCredentialStore
    let clock: ManualWallClock
    let app: Application<RouterResponder<APIRequestContext>>
    let free: (id: String, secret: String)
    let paid: (id: String, secret: String)
    let admin: (id: String, secret: String)
    static let box = SecretBox(key: Array(repeating: 9, count: 32))

    /// Builds the fixture; `configure` adjusts the API's configuration.
    static func make(
        allowBearer: Bool = false, devices: [DeviceStatus]? = nil, configure: (inout ServerConfiguration) -> Void = { _ in }
    ) async throws -> AccessFixture {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vgx-access-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let credentials = try SQLiteCredentialStore(path: directory.appendingPathComponent("credentials.sqlite").path)
        let issuer = APIKeyIssuer(credentials: credentials, secrets: box)
        let free = try await issuer.issue(userID: "alice", tier: .free, name: "alice")
        let paid = try await issuer.issue(userID: "paula", tier: .paid, name: "paula")
        let admin = try await issuer.issue(userID: "root", tier: .admin, name: "root")
        var configuration = ServerConfiguration()
        configure(&configuration)
        return try AccessFixture(
            directory: directory, credentials: credentials, configuration: configuration, allowBearer: allowBearer, devices: devices,
            keys: [(free.key.id, free.secret), (paid.key.id, paid.secret), (admin.key.id, admin.secret)]
        )
    }

    private init(
        directory: URL, credentials: SQLiteCredentialStore, configuration: ServerConfiguration, allowBearer: Bool, devices: [DeviceStatus]?,
        keys: [(String, String)]
    ) throws {
        self.directory = directory
        self.credentials = credentials
        clock = ManualWallClock(start: Date())
        store = try SQLiteTaskStore(path: directory.appendingPathComponent("tasks.sqlite").path, durability: .normal)
        let signer = try URLSigner(secret: Array(repeating: 3, count: 32))
        let objects = try FileObjectStore(root: directory.appendingPathComponent("objects"), publicBaseURL: "http://localhost", signer: signer)
        let authenticator = APIKeyAuthenticator(credentials: credentials, secrets: Self.box, clock: clock, allowBearer: allowBearer)
        var statuses: (@Sendable () -> [DeviceStatus])?
        if let devices {
            statuses = { devices }
        }
        let api = VideoAPI(
            store: store, objects: objects, signer: signer, configuration: configuration, authenticator: authenticator, clock: clock,
            deviceStatuses: statuses, modelStatuses: { [Self.model] }
        )
        app = Application(router: api.buildRouter())
        (free, paid, admin) = (keys[0], keys[1], keys[2])
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }

    /// The warm model cache the admin devices route reports.
    static let model = ModelStatus(name: "procedural", loaded: true, inUse: 0, uses: 3, loads: 1, firstUseSeconds: 0.25, warmSeconds: 0.00001)

    /// The signature headers of a request, at the fixture's clock unless `at` says otherwise.
    func signed(
        _ key: (id: String, secret: String), _ method: HTTPRequest.Method, _ path: String, body: String = "", at: Date? = nil,
        nonce: String = RequestSignature.makeNonce()
    ) -> HTTPFields {
        let timestamp = String(Int64((at ?? clock.now()).timeIntervalSince1970))
        let signature = RequestSignature.sign(
            secret: key.secret, method: method.rawValue, pathAndQuery: path, timestamp: timestamp, nonce: nonce, body: Data(body.utf8)
        )
        return [
            HTTPField.Name(RequestSignature.keyHeader)!: key.id, HTTPField.Name(RequestSignature.timestampHeader)!: timestamp,
            HTTPField.Name(RequestSignature.nonceHeader)!: nonce, HTTPField.Name(RequestSignature.signatureHeader)!: signature,
        ]
    }

    /// The `message` of an envelope response.
    static func message(_ response: TestResponse) -> String {
        ((try? JSONSerialization.jsonObject(with: Data(response.body.readableBytesView))) as? [String: Any])?["message"] as? String ?? ""
    }
}

import PostgresNIO
import VideoGenXStore

/// Turns what postgres-nio throws into ``StoreError``s with stable codes: a lost or refused
/// connection, a server shutting down or a deadline passed become `unavailable` (retryable);
/// anything else the server refuses becomes `storage`. A ``StoreError`` thrown by the store's own
/// rules passes through unchanged.
enum PostgresErrors {
    /// SQLSTATE classes that mean "try again later": connection exceptions (08), operator
    /// intervention such as a shutdown or a server still starting (57), insufficient resources (53),
    /// and a serialization failure or deadlock (40).
    private static let transientClasses: Set<String> = ["08", "57", "53", "40"]

    /// Runs `body`, mapping its errors; `what` names the operation in messages.
    static func mapping<Result>(
        _ what: String, isolation: isolated (any Actor)? = #isolation, _ body: () async throws -> sending Result
    ) async throws -> sending Result {
        do {
            return try await body()
        } catch let error as StoreError {
            throw error
        } catch {
            throw map(error, what)
        }
    }

    /// The ``StoreError`` for `error` met while `what`.
    static func map(_ error: any Error, _ what: String) -> StoreError {
        if let error = error as? StoreError {
            return error
        }
        if let error = error as? PostgresTransactionError {
            // The closure's own error (a store rule refusing the change) wins over what the
            // rollback met.
            if let cause = error.closureError ?? error.beginError ?? error.commitError {
                return map(cause, what)
            }
            return StoreError(.unavailable, "PostgreSQL transaction failed while \(what)", underlying: error)
        }
        if let error = error as? PSQLError {
            if error.code == .server {
                let state = error.serverInfo?[.sqlState] ?? ""
                let message = error.serverInfo?[.message] ?? "server error"
                if transientClasses.contains(String(state.prefix(2))) {
                    return StoreError(.unavailable, "PostgreSQL is unavailable while \(what) (\(state): \(message))", underlying: error)
                }
                return StoreError(.storage, "PostgreSQL refused \(what) (\(state): \(message))", underlying: error)
            }
            if error.code == .connectionError {
                return StoreError(.unavailable, "cannot reach PostgreSQL while \(what)", underlying: error)
            }
            if [.serverClosedConnection, .clientClosedConnection, .poolClosed, .uncleanShutdown, .queryCancelled]
                .contains(error.code)
            {
                return StoreError(.unavailable, "PostgreSQL connection lost while \(what)", underlying: error)
            }
            return StoreError(.storage, "PostgreSQL failed while \(what): \(error.code)", underlying: error)
        }
        if error is CancellationError {
            return StoreError(.unavailable, "no PostgreSQL connection while \(what)", underlying: error)
        }
        if let error = error as? PostgresDecodingError {
            return StoreError(.storage, "unreadable column \(error.columnName) while \(what)", underlying: error)
        }
        return StoreError(.unavailable, "PostgreSQL failed while \(what): \(error)", underlying: error)
    }
}

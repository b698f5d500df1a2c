import ServiceLifecycle

/// Run as a service, the client closes its connections when the group shuts down (after the
/// services started later, such as the HTTP server, have stopped).
extension RedisClient: Service {
    public func run() async throws {
        try? await gracefulShutdown()
        await close()
    }
}

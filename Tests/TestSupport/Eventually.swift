import Testing

/// Waits, polling every 20 ms for up to `seconds` (default 30), until `condition` holds, and
/// records an issue if it never does.
public func eventually(
    seconds: Double = 30, sourceLocation: SourceLocation = #_sourceLocation, _ condition: @Sendable () async throws -> Bool
) async throws {
    for _ in 0..<Int(seconds * 50) where try await !condition() {
        try await Task.sleep(for: .milliseconds(20))
    }
    #expect(try await condition(), sourceLocation: sourceLocation)
}

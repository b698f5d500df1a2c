/// Settings of the webhook dispatcher. Every value is documented in the README's configuration
/// table with its default.
public struct CallbackConfiguration: Sendable, Hashable {
    /// Backoff and the retry window.
    public var retry: CallbackRetryPolicy
    /// How long one POST may take before it counts as failed. Default 10 s.
    public var timeoutSeconds: Double
    /// Seconds between looks for due deliveries. Default 1.
    public var pollSeconds: Double
    /// Most deliveries attempted at once. Default 16.
    public var concurrency: Int

    /// Creates a configuration; defaults as documented on each property.
    public init(retry: CallbackRetryPolicy = CallbackRetryPolicy(), timeoutSeconds: Double = 10, pollSeconds: Double = 1, concurrency: Int = 16) {
        self.retry = retry
        self.timeoutSeconds = timeoutSeconds
        self.pollSeconds = pollSeconds
        self.concurrency = concurrency
    }
}

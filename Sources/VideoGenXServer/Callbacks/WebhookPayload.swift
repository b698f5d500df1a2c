/// The body of a webhook, in the Standard Webhooks shape: `{"type", "timestamp", "data"}`, where
/// `data` is the task exactly as `GET /api/v1/video/task/{id}` shows it (with fresh result URLs).
struct WebhookPayload: Encodable, Sendable {
    /// `task.succeeded`, `task.failed` or `task.cancelled`.
    var type: String
    /// When the message was rendered, ISO 8601 UTC.
    var timestamp: String
    /// The task.
    var data: TaskView
}

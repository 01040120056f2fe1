/// OpenAPI paths: notifications, live events, jobs, admin, and the unauthenticated ops endpoints.
enum OtherPaths {
    typealias D = OpenAPIDocument
    typealias S = OpenAPISchemas

    static var all: [(String, JSONValue)] {
        [
            ("/api/v1/notifications", ["get": D.operation(
                "The caller's stored notifications, newest first", tag: "notifications", id: "listNotifications",
                parameters: [D.parameter("unread_only", in: "query", S.boolean),
                             D.parameter("limit", in: "query", S.integer(minimum: 1).merging([("maximum", 500)]))],
                responses: [("200", D.response("notifications", S.ref("NotificationList"))), D.badRequest])]),
            ("/api/v1/notifications/{id}/read", ["post": D.operation(
                "Mark a notification read", tag: "notifications", id: "markRead",
                parameters: [D.parameter("id", in: "path", S.uuid, required: true)],
                responses: [("204", D.response("marked")), D.badRequest, D.notFound])]),
            ("/api/v1/events", ["get": D.operation(
                "Live notifications as Server-Sent Events (id: sequence, event: kind, data: Notification JSON; a ': ping' comment every 15 s)",
                tag: "notifications", id: "events",
                parameters: [D.parameter("Last-Event-ID", in: "header", S.string(), "resume after this sequence"),
                             D.parameter("last_event_id", in: "query", S.string(), "the same, for EventSource URLs")],
                responses: [
                    ("200", D.response("an endless event stream").merging([
                        ("content", ["text/event-stream": ["schema": ["type": "string"]]]),
                    ])),
                    D.badRequest,
                    ("429", D.response(
                        "rate limited, or the caller already holds the most event streams one user may open at once "
                            + "(--max-event-streams-per-user, default 8; code too_many_streams); close one first",
                        S.ref("Error"), headers: [D.retryAfter])),
                ])]),
            ("/api/v1/jobs/{id}", ["get": D.operation(
                "A processing job's state and progress", tag: "jobs", id: "getJob",
                parameters: [D.parameter("id", in: "path", S.uuid, required: true)],
                responses: [("200", D.response("the job", S.ref("Job"))), D.badRequest, D.notFound])]),
            ("/api/v1/admin/metrics", ["get": D.operation(
                "Mesh health, gateway traffic, and users, files, storage and queue depth (admins only)",
                tag: "admin", id: "adminMetrics",
                responses: [("200", D.response("metrics", S.ref("AdminMetrics"))), ("403", D.error("admins only"))])]),
            ("/api/v1/openapi.json", ["get": D.operation(
                "This document", tag: "ops", id: "openapi", authenticated: false,
                responses: [("200", D.response("OpenAPI 3.0", ["type": "object"]))])]),
            ("/healthz", ["get": D.operation(
                "Liveness", tag: "ops", id: "healthz", authenticated: false,
                responses: [("200", D.response("alive").merging([("content", ["text/plain": ["schema": S.string()]])]))])]),
            ("/readyz", ["get": D.operation(
                "Readiness: Redis and the metadata service answer", tag: "ops", id: "readyz", authenticated: false,
                responses: [
                    ("200", D.response("ready").merging([("content", ["text/plain": ["schema": S.string()]])])),
                    ("503", D.response("not ready").merging([("content", ["text/plain": ["schema": S.string()]])])),
                ])]),
            ("/metrics", ["get": D.operation(
                "Prometheus metrics", tag: "ops", id: "metrics", authenticated: false,
                responses: [("200", D.response("text format 0.0.4").merging([
                    ("content", ["text/plain": ["schema": S.string()]]),
                ]))])]),
        ]
    }
}

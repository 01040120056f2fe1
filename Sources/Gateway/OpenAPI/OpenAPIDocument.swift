/// The OpenAPI 3.0 description of every route and its errors, served at `/api/v1/openapi.json`.
enum OpenAPIDocument {
    typealias S = OpenAPISchemas

    static func json(maxUploadBytes: UInt64) -> [UInt8] {
        document(maxUploadBytes: maxUploadBytes).serialized()
    }

    static func document(maxUploadBytes: UInt64) -> JSONValue {
        [
            "openapi": "3.0.3",
            "info": [
                "title": "FileFlow REST API", "version": "1.0.0",
                "description": .string("""
                    Upload, share, search and process files. Errors are {"error": {"code", "message"}}. \
                    Authenticate with Authorization: Bearer <access token> (or the ff_access cookie set at login). \
                    A file the caller may not see answers 404. Every authenticated request takes a token of the \
                    caller's rate limit (429 with Retry-After when empty). Largest upload: \(maxUploadBytes) bytes.
                    """),
            ],
            "servers": [["url": "/"]],
            "tags": .array(["auth", "users", "files", "shares", "search", "notifications", "jobs", "admin", "uploads",
                            "ops"].map { ["name": .string($0)] }),
            "paths": paths,
            "components": [
                "schemas": S.all,
                "securitySchemes": [
                    "bearerAuth": ["type": "http", "scheme": "bearer", "bearerFormat": "JWT"],
                    "cookieAuth": ["type": "apiKey", "in": "cookie", "name": "ff_access"],
                ],
            ],
        ]
    }

    // MARK: Building blocks

    static func json(_ schema: JSONValue) -> JSONValue { ["application/json": ["schema": schema]] }

    static func response(_ description: String, _ schema: JSONValue? = nil, headers: [(String, JSONValue)] = [])
        -> JSONValue
    {
        var pairs: [(String, JSONValue)] = [("description", .string(description))]
        if let schema { pairs.append(("content", json(schema))) }
        if !headers.isEmpty { pairs.append(("headers", .object(headers))) }
        return .object(pairs)
    }

    static func error(_ description: String) -> JSONValue { response(description, S.ref("Error")) }

    static func header(_ description: String, _ schema: JSONValue = S.string()) -> JSONValue {
        ["description": .string(description), "schema": schema]
    }

    static let retryAfter = ("Retry-After", header("seconds to wait", S.integer()))

    /// Errors any route may answer besides its own.
    static let commonErrors: [(String, JSONValue)] = [
        ("429", response("rate limited", S.ref("Error"), headers: [retryAfter])),
        ("500", error("internal error (details are logged, not returned)")),
        ("503", error("a backing service is unavailable; retry")),
        ("504", error("a backing service did not answer in time")),
        ("default", error("any other error, same shape")),
    ]

    static func parameter(_ name: String, in location: String, _ schema: JSONValue, required: Bool = false,
                          _ description: String? = nil) -> JSONValue
    {
        var pairs: [(String, JSONValue)] = [
            ("name", .string(name)), ("in", .string(location)), ("required", .bool(required)), ("schema", schema),
        ]
        if let description { pairs.append(("description", .string(description))) }
        return .object(pairs)
    }

    static let fileID = parameter("id", in: "path", S.uuid, required: true, "file id")
    static let limit = parameter("limit", in: "query", S.integer(minimum: 1).merging([("maximum", 1000)]))
    static let cursor = parameter("cursor", in: "query", S.string(), "next_cursor of the previous page")

    static func operation(
        _ summary: String, tag: String, id: String, authenticated: Bool = true, parameters: [JSONValue] = [],
        body: JSONValue? = nil, responses: [(String, JSONValue)]
    ) -> JSONValue {
        var pairs: [(String, JSONValue)] = [
            ("summary", .string(summary)), ("operationId", .string(id)), ("tags", [.string(tag)]),
        ]
        if !parameters.isEmpty { pairs.append(("parameters", .array(parameters))) }
        if let body { pairs.append(("requestBody", body)) }
        var all = responses
        if authenticated {
            pairs.append(("security", [["bearerAuth": []], ["cookieAuth": []]]))
            all.append(("401", error("no token, or a tampered or expired one")))
        }
        for (code, value) in commonErrors where !all.contains(where: { $0.0 == code }) { all.append((code, value)) }
        pairs.append(("responses", .object(all.sorted { $0.0 < $1.0 })))
        return .object(pairs)
    }

    static func jsonBody(_ schema: String, required: Bool = true) -> JSONValue {
        ["required": .bool(required), "content": json(S.ref(schema))]
    }

    static let badRequest = ("400", error("malformed input (the message names the field)"))
    static let notFound = ("404", error("no such resource, or one the caller may not see"))
    static let tooLarge = ("413", error("the body is over the limit"))
    static let unsupported = ("415", error("wrong Content-Type"))

    // MARK: Paths

    static var paths: JSONValue {
        .object(AuthPaths.all + FilePaths.all + TusPaths.all + OtherPaths.all)
    }
}

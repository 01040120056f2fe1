/// The component schemas of the OpenAPI document: one per REST shape of REST.md, matching `Representations/`.
enum OpenAPISchemas {
    static func string(_ description: String? = nil, format: String? = nil, values: [String]? = nil) -> JSONValue {
        var pairs: [(String, JSONValue)] = [("type", "string")]
        if let format { pairs.append(("format", .string(format))) }
        if let values { pairs.append(("enum", .array(values.map(JSONValue.string)))) }
        if let description { pairs.append(("description", .string(description))) }
        return .object(pairs)
    }

    static func integer(_ description: String? = nil, minimum: Int64? = 0) -> JSONValue {
        var pairs: [(String, JSONValue)] = [("type", "integer"), ("format", "int64")]
        if let minimum { pairs.append(("minimum", .integer(minimum))) }
        if let description { pairs.append(("description", .string(description))) }
        return .object(pairs)
    }

    static let number: JSONValue = ["type": "number"]
    static let boolean: JSONValue = ["type": "boolean"]
    static let uuid = string(format: "uuid")
    static let time = string(format: "date-time")

    static func ref(_ name: String) -> JSONValue { ["$ref": .string("#/components/schemas/\(name)")] }
    static func array(_ items: JSONValue) -> JSONValue { ["type": "array", "items": items] }
    static func nullable(_ schema: JSONValue) -> JSONValue { schema.merging([("nullable", true)]) }

    static func object(_ required: [String], _ properties: [(String, JSONValue)]) -> JSONValue {
        var pairs: [(String, JSONValue)] = [("type", "object")]
        if !required.isEmpty { pairs.append(("required", .array(required.map(JSONValue.string)))) }
        pairs.append(("properties", .object(properties)))
        return .object(pairs)
    }

    static let usernamePattern = "^[A-Za-z0-9][A-Za-z0-9._-]{2,63}$"

    static var all: JSONValue {
        .object([
            ("Error", object(["error"], [("error", object(["code", "message"], [
                ("code", string("machine-readable reason, snake_case")), ("message", string("for people")),
            ]))])),
            ("File", object(
                ["file_id", "name", "size", "content_type", "sha256", "status", "detected_type", "owner_id",
                 "owner_username", "permission", "version", "version_count", "created_at", "updated_at", "labels"],
                [
                    ("file_id", uuid), ("name", string()), ("size", integer()), ("content_type", string()),
                    ("sha256", string("SHA-256 of the content, hex")),
                    ("status", string(values: ["uploaded", "processing", "processed", "quarantined", "failed"])),
                    ("detected_type", string("type detected by processing; empty until then")),
                    ("owner_id", uuid), ("owner_username", string()),
                    ("permission", string("the caller's", values: ["owner", "write", "read"])),
                    ("version", integer()), ("version_count", integer()), ("created_at", time), ("updated_at", time),
                    ("deleted_at", string("set only while the file is in the trash", format: "date-time")),
                    ("job_id", string("on upload responses: the processing job", format: "uuid")),
                    ("labels", ["type": "object", "additionalProperties": string(),
                                "description": "the owner's key/value tags, set at upload (X-File-Labels)"]),
                ])),
            ("FilePage", object(["files", "next_cursor"], [
                ("files", array(ref("File"))), ("next_cursor", nullable(string("pass as cursor for the next page"))),
            ])),
            ("Share", object(["file_id", "user_id", "username", "permission", "created_at"], [
                ("file_id", uuid), ("user_id", uuid), ("username", string()),
                ("permission", string(values: ["read", "write"])), ("created_at", time),
            ])),
            ("ShareList", object(["shares"], [("shares", array(ref("Share")))])),
            ("Job", object(["job_id", "file_id", "state", "progress", "stage", "error"], [
                ("job_id", uuid), ("file_id", uuid), ("state", string(values: ["queued", "running", "succeeded", "failed"])),
                ("progress", number.merging([("minimum", 0), ("maximum", 1)])), ("stage", string()), ("error", string()),
            ])),
            ("Notification", object(
                ["notification_id", "kind", "file_id", "title", "body", "created_at", "read", "sequence"],
                [
                    ("notification_id", string()), ("kind", string(values: NotificationRepresentation.kinds)),
                    ("file_id", string("the file concerned; empty while an upload is in flight")),
                    ("title", string()), ("body", string()), ("created_at", time), ("read", boolean),
                    ("sequence", integer("per-user, increasing; the SSE event id (0 for transient events)")),
                    ("progress", object(["bytes_done", "bytes_total"], [
                        ("bytes_done", integer()), ("bytes_total", integer()),
                    ])),
                ])),
            ("NotificationList", object(["notifications"], [("notifications", array(ref("Notification")))])),
            ("Profile", object(["user_id", "username", "email", "display_name", "is_admin", "quota"], [
                ("user_id", uuid), ("username", string()), ("email", string()), ("display_name", string()),
                ("is_admin", boolean),
                ("quota", object(["used_bytes", "limit_bytes"], [
                    ("used_bytes", integer()), ("limit_bytes", integer("0 means no limit")),
                ])),
            ])),
            ("TokenPair", object(["access_token", "refresh_token", "token_type", "expires_in"], [
                ("access_token", string("JWT, HS256")), ("refresh_token", string("JWT; single use (rotation)")),
                ("token_type", string(values: ["Bearer"])), ("expires_in", integer("seconds")),
            ])),
            ("Registered", object(["user_id"], [("user_id", uuid)])),
            ("SearchResults", object(["hits", "total", "took_ms"], [
                ("hits", array(object(["file", "score", "snippet"], [
                    ("file", ref("File")), ("score", number), ("snippet", string()),
                ]))),
                ("total", integer()), ("took_ms", number),
            ])),
            ("AdminMetrics", object(
                ["services", "uploads_total", "bytes_uploaded", "bytes_downloaded", "requests_total", "error_rate",
                 "storage_bytes", "users", "files", "queue_depth", "stats_error"],
                [
                    ("services", [
                        "type": "object",
                        "additionalProperties": object(["up", "target"], [("up", boolean), ("target", string())]),
                    ]),
                    ("uploads_total", integer()), ("bytes_uploaded", integer()), ("bytes_downloaded", integer()),
                    ("requests_total", integer()), ("error_rate", number),
                    ("storage_bytes", nullable(integer(
                        "bytes the block store holds (unique blocks, compressed size where compressed); "
                            + "null when the metadata service could not answer (see stats_error)"))),
                    ("users", nullable(integer("registered users; null as storage_bytes"))),
                    ("files", nullable(integer("files not in the trash; null as storage_bytes"))),
                    ("queue_depth", nullable(integer(
                        "processing jobs queued or running plus events not yet published; null as storage_bytes"))),
                    ("stats_error", nullable(string("why the figures above are null; null when they are present"))),
                ])),
            ("RegisterRequest", object(["username", "password"], [
                ("username", string().merging([("pattern", .string(usernamePattern))])),
                ("password", string("at least 8 characters, 4 distinct, not containing the username")
                    .merging([("minLength", 8), ("maxLength", 1024)])),
                ("email", string().merging([("maxLength", 254)])),
            ])),
            ("LoginRequest", object(["username", "password"], [("username", string()), ("password", string())])),
            ("RefreshRequest", object(["refresh_token"], [("refresh_token", string())])),
            ("LogoutRequest", object([], [("refresh_token", string("revokes this token's whole family"))])),
            ("ProfileUpdate", object([], [
                ("email", string().merging([("maxLength", 254)])),
                ("display_name", string().merging([("maxLength", 256)])),
            ])),
            ("ShareRequest", object(["username", "permission"], [
                ("username", string().merging([("pattern", .string(usernamePattern))])),
                ("permission", string(values: ["read", "write"])),
            ])),
        ])
    }
}

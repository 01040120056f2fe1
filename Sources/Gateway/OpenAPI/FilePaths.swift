/// OpenAPI paths: files, their content and their shares.
enum FilePaths {
    typealias D = OpenAPIDocument
    typealias S = OpenAPISchemas

    static let fileNameHeader = D.parameter(
        "X-File-Name", in: "header", S.string().merging([("maxLength", 765)]), required: false,
        "percent-encoded UTF-8 file name, required for raw bodies: one path component, at most 255 bytes, no control characters")
    static let labelsHeader = D.parameter(
        "X-File-Labels", in: "header", S.string().merging([("maxLength", 16384)]), required: false,
        "the file's labels, form-encoded (`team=data&env=prod`): at most 32; keys of 1 to 63 letters, digits, `.`, `_`, "
            + "`-` or `/` starting with a letter or digit; values of at most 256 bytes without control characters")
    static let sortParameter = D.parameter(
        "sort", in: "query", S.string(values: ["created_desc", "created_asc", "name_asc", "size_desc"]))
    static let idempotencyKey = D.parameter(
        "Idempotency-Key", in: "header", S.string().merging([("maxLength", 100)]), required: false,
        "a retried upload with the same key commits once")

    static let content = D.response(
        "the content (or the requested range)", nil,
        headers: [("ETag", D.header("\"<sha256 hex>\"")), ("Content-Disposition", D.header("attachment"))]
    ).merging([("content", ["*/*": ["schema": ["type": "string", "format": "binary"]]])])

    /// What a new file's id and job id lead to (schemathesis' stateful phase follows these).
    static var uploadLinks: JSONValue {
        let byFile = ["getFile", "downloadFile", "headFile", "deleteFile", "restoreFile", "shareFile", "listShares"]
        var links: [(String, JSONValue)] = byFile.map { operation in
            (operation.prefix(1).uppercased() + operation.dropFirst(),
             ["operationId": .string(operation), "parameters": ["id": "$response.body#/file_id"]])
        }
        links.append(("GetJob", ["operationId": "getJob", "parameters": ["id": "$response.body#/job_id"]]))
        return .object(links)
    }

    static var all: [(String, JSONValue)] {
        [
            ("/api/v1/files", [
                "get": D.operation(
                    "The caller's files, paginated", tag: "files", id: "listFiles",
                    parameters: [D.limit, D.cursor, sortParameter],
                    responses: [("200", D.response("a page", S.ref("FilePage"))), D.badRequest]),
                "post": D.operation(
                    "Upload a file: the raw body, or the `file` part of a multipart form, streamed", tag: "files",
                    id: "uploadFile", parameters: [fileNameHeader, labelsHeader, idempotencyKey],
                    body: [
                        "required": true,
                        "content": [
                            "application/octet-stream": ["schema": ["type": "string", "format": "binary"]],
                            "multipart/form-data": ["schema": S.object(["file"], [
                                ("file", ["type": "string", "format": "binary"]),
                            ])],
                        ],
                    ],
                    responses: [
                        ("201", D.response("stored; processing has started", S.ref("File"),
                                           headers: [("Location", D.header("the file's URL"))])
                            .merging([("links", uploadLinks)])),
                        ("400", D.error("bad file name (empty, too long, a path, control characters) or labels, malformed multipart, or a body that does not match its declared length")),
                        ("413", D.error("the file is larger than the upload limit")),
                        ("507", D.error("the upload would pass the caller's quota")),
                    ]),
            ]),
            ("/api/v1/files/{id}", [
                "get": D.operation("A file's metadata and processing status", tag: "files", id: "getFile",
                                   parameters: [D.fileID],
                                   responses: [("200", D.response("the file", S.ref("File"))), D.badRequest, D.notFound]),
                "delete": D.operation("Move a file to the trash", tag: "files", id: "deleteFile", parameters: [D.fileID],
                                      responses: [("204", D.response("trashed")), D.badRequest, D.notFound,
                                                  ("403", D.error("only the owner may delete"))]),
            ]),
            ("/api/v1/files/{id}/restore", ["post": D.operation(
                "Restore a file from the trash", tag: "files", id: "restoreFile", parameters: [D.fileID],
                responses: [("200", D.response("the restored file", S.ref("File"))), D.badRequest, D.notFound,
                            ("403", D.error("only the owner may restore")),
                            ("409", D.error("the file is not in the trash, or was purged"))])]),
            ("/api/v1/files/{id}/content", [
                "get": D.operation(
                    "Download the content", tag: "files", id: "downloadFile",
                    parameters: [
                        D.fileID, D.parameter("Range", in: "header", S.string(), "one range: bytes=first-last, first-, or -suffix"),
                        D.parameter("If-None-Match", in: "header", S.string(), "an ETag from an earlier download"),
                        D.parameter("If-Range", in: "header", S.string()),
                    ],
                    responses: [
                        ("200", content), ("206", content.merging([("description", "the requested range")])),
                        ("304", D.response("not modified", headers: [("ETag", D.header("\"<sha256 hex>\""))])),
                        D.badRequest, D.notFound, ("409", D.error("the file is quarantined")),
                        ("416", D.error("the range lies outside the content")),
                    ]),
                "head": D.operation(
                    "The content's headers (size, ETag) without the body", tag: "files", id: "headFile",
                    parameters: [D.fileID],
                    responses: [("200", D.response("headers only")), ("304", D.response("not modified")),
                                D.badRequest, D.notFound, ("409", D.response("the file is quarantined")),
                                ("416", D.response("the range lies outside the content"))]),
            ]),
            ("/api/v1/files/{id}/shares", [
                "post": D.operation(
                    "Share a file with another user", tag: "shares", id: "shareFile", parameters: [D.fileID],
                    body: D.jsonBody("ShareRequest"),
                    responses: [("201", D.response("shared", S.ref("Share"))), D.badRequest,
                                ("403", D.error("only the owner may share")),
                                ("404", D.error("no such file (or not visible), or no such user")),
                                D.tooLarge, D.unsupported]),
                "get": D.operation(
                    "Who a file is shared with (owner only)", tag: "shares", id: "listShares", parameters: [D.fileID],
                    responses: [("200", D.response("shares", S.ref("ShareList"))), D.badRequest, D.notFound,
                                ("403", D.error("only the owner sees shares"))]),
            ]),
            ("/api/v1/files/{id}/shares/{username}", ["delete": D.operation(
                "Revoke a share", tag: "shares", id: "revokeShare",
                parameters: [D.fileID, D.parameter("username", in: "path", S.string(), required: true)],
                responses: [("204", D.response("revoked")), D.badRequest, D.notFound,
                            ("403", D.error("only the owner may revoke"))])]),
            ("/api/v1/shared-with-me", ["get": D.operation(
                "Files others shared with the caller: newest share first, or in `sort` order", tag: "shares",
                id: "sharedWithMe", parameters: [D.limit, D.cursor, sortParameter],
                responses: [("200", D.response("a page", S.ref("FilePage"))), D.badRequest])]),
            ("/api/v1/search", ["get": D.operation(
                "Ranked search over names and extracted text of the files the caller may read", tag: "search",
                id: "search",
                parameters: [
                    D.parameter("q", in: "query", S.string().merging([("minLength", 1), ("maxLength", 1024)]),
                                required: true, "terms (AND), OR, \"phrases\", prefix*"),
                    D.parameter("type", in: "query", S.string(), "detected type, e.g. pdf"),
                    D.parameter("owner", in: "query", S.string(), "a username or user id"),
                    D.parameter("limit", in: "query", S.integer(minimum: 1).merging([("maximum", 100)])),
                ],
                responses: [("200", D.response("hits, best first", S.ref("SearchResults"))), D.badRequest])]),
        ]
    }
}

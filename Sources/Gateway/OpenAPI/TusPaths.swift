/// OpenAPI paths: TUS 1.0.0 resumable uploads.
enum TusPaths {
    typealias D = OpenAPIDocument
    typealias S = OpenAPISchemas

    static let tusResumable = D.parameter(
        "Tus-Resumable", in: "header", S.string(values: ["1.0.0"]), required: true, "412 for any other version")
    static let uploadID = D.parameter(
        "id", in: "path", S.string().merging([("pattern", "^[0-9a-f]{32}$")]), required: true, "upload id")
    static let resumable = ("Tus-Resumable", D.header("1.0.0"))
    static let preconditionFailed = ("412", D.error("unsupported Tus-Resumable version"))
    static let notFound = ("404", D.error("no such upload (or another user's)"))
    static let gone = ("410", D.error("the upload expired"))
    static let octets: JSONValue = [
        "application/offset+octet-stream": ["schema": ["type": "string", "format": "binary"]],
    ]

    static var all: [(String, JSONValue)] {
        [
            ("/api/v1/uploads", [
                "options": D.operation(
                    "TUS discovery", tag: "uploads", id: "tusOptions", authenticated: false,
                    responses: [("204", D.response("capabilities", headers: [
                        ("Tus-Version", D.header("1.0.0")), ("Tus-Extension", D.header(GatewayAPI.tusExtensions)),
                        ("Tus-Max-Size", D.header("bytes", S.integer())),
                        ("Tus-Checksum-Algorithm", D.header(TusChecksum.algorithms)),
                    ]))]),
                "post": D.operation(
                    "TUS creation (with optional first bytes: creation-with-upload)", tag: "uploads", id: "tusCreate",
                    parameters: [
                        tusResumable,
                        D.parameter("Upload-Length", in: "header", S.integer(), required: true),
                        D.parameter("Upload-Metadata", in: "header", S.string(),
                                    "filename, filetype and labels (form-encoded, as X-File-Labels), each base64"),
                        D.parameter("Upload-Checksum", in: "header", S.string(), "sha256 <base64> of the body"),
                    ],
                    body: ["required": false, "content": octets],
                    responses: [
                        ("201", D.response("created", headers: [("Location", D.header("the upload URL")), resumable])),
                        ("400", D.error("missing or malformed Upload-Length or Upload-Metadata")), preconditionFailed,
                        ("413", D.error("Upload-Length is over Tus-Max-Size")),
                        ("460", D.error("the body does not match Upload-Checksum")),
                        ("507", D.error("the upload would pass the caller's quota")),
                    ]),
            ]),
            ("/api/v1/uploads/{id}", [
                "head": D.operation(
                    "TUS offset (commits a complete upload whose commit failed before)", tag: "uploads", id: "tusHead",
                    parameters: [tusResumable, uploadID],
                    responses: [("200", D.response("Upload-Offset, Upload-Length; X-File-Id once committed",
                                                   headers: [resumable])),
                                ("400", D.response("the content did not match")), ("404", D.response("no such upload")),
                                ("410", D.response("expired")), ("412", D.response("unsupported version")),
                                ("507", D.response("over quota"))]),
                "patch": D.operation(
                    "TUS append at Upload-Offset", tag: "uploads", id: "tusPatch",
                    parameters: [
                        tusResumable, uploadID, D.parameter("Upload-Offset", in: "header", S.integer(), required: true),
                        D.parameter("Upload-Checksum", in: "header", S.string(), "sha256 <base64> (or sha1) of the body"),
                    ],
                    body: ["required": true, "content": octets],
                    responses: [
                        ("204", D.response("stored; X-File-Id once the last byte committed the file",
                                           headers: [("Upload-Offset", D.header("new offset", S.integer())), resumable])),
                        ("400", D.error("malformed headers, unsupported checksum algorithm, or content that does not match")),
                        notFound, ("409", D.error("Upload-Offset is not the upload's offset")), gone, preconditionFailed,
                        ("413", D.error("the body goes past Upload-Length")), D.unsupported,
                        ("460", D.error("the body does not match Upload-Checksum")),
                        ("507", D.error("the upload would pass the caller's quota")),
                    ]),
                "delete": D.operation(
                    "TUS termination", tag: "uploads", id: "tusDelete", parameters: [tusResumable, uploadID],
                    responses: [("204", D.response("terminated", headers: [resumable])), notFound, gone,
                                preconditionFailed]),
                "post": D.operation(
                    "PATCH, DELETE or HEAD through X-HTTP-Method-Override", tag: "uploads", id: "tusOverride",
                    parameters: [
                        tusResumable, uploadID,
                        D.parameter("X-HTTP-Method-Override", in: "header", S.string(values: ["PATCH", "DELETE", "HEAD"]),
                                    required: true),
                        D.parameter("Upload-Offset", in: "header", S.integer()),
                    ],
                    body: ["required": false, "content": octets],
                    responses: [("200", D.response("as HEAD")), ("204", D.response("as PATCH or DELETE")),
                                ("400", D.error("malformed headers")), notFound,
                                ("405", D.error("no or an unknown override")), ("409", D.error("offset mismatch")), gone,
                                preconditionFailed, ("413", D.error("past Upload-Length")), D.unsupported,
                                ("460", D.error("checksum mismatch")), ("507", D.error("over quota"))]),
                "options": D.operation(
                    "TUS discovery", tag: "uploads", id: "tusOptionsUpload", authenticated: false,
                    parameters: [uploadID], responses: [("204", D.response("capabilities"))]),
            ]),
        ]
    }
}

import MeshRPC

/// Converts between gRPC's header conventions and `Metadata`/`Status` (PROTOCOL-HTTP2.md).
enum GRPCHeaders {
    static let contentType = "application/grpc"

    /// Headers the protocol owns; they never appear in application metadata. A switch, not a `Set`: most names are
    /// short enough to compare as two words, cheaper than hashing each header of every call.
    private static func isReserved(_ name: String) -> Bool {
        switch name {
        case "content-type", "te", "grpc-timeout", "grpc-encoding", "grpc-accept-encoding", "grpc-status",
            "grpc-message", "content-length", "connection", "host":
            return true
        default:
            return false
        }
    }

    /// Application metadata from received fields; a `-bin` value that is not base64 is dropped.
    static func metadata(from fields: [HeaderField]) -> Metadata {
        var metadata = Metadata()
        for field in fields where !field.name.hasPrefix(":") && !isReserved(field.name) {
            if field.name.hasSuffix("-bin") {
                // A -bin header may repeat values joined with commas (HTTP/2 field folding).
                for part in field.value.split(separator: ",", omittingEmptySubsequences: false) {
                    if let bytes = Base64.decode(part.drop(while: { $0 == " " })) {
                        metadata.add(field.name, bytes: bytes)
                    }
                }
            } else {
                metadata.add(field.name, field.value)
            }
        }
        return metadata
    }

    static func append(_ metadata: Metadata, to fields: inout [HeaderField]) {
        for element in metadata where !isReserved(element.key) && !element.key.hasPrefix(":") {
            switch element.value {
            case .string(let text): fields.append(HeaderField(element.key, text))
            case .binary(let bytes): fields.append(HeaderField(element.key, Base64.encode(bytes)))
            }
        }
    }

    static func request(
        path: String,
        authority: String,
        metadata: Metadata,
        timeout: Duration?
    ) -> [HeaderField] {
        var fields = [
            HeaderField(":method", "POST"), HeaderField(":scheme", "http"), HeaderField(":path", path),
            HeaderField(":authority", authority), HeaderField("content-type", contentType),
            HeaderField("te", "trailers"), HeaderField("user-agent", "meshrpc-swift/1.0"),
            HeaderField("grpc-accept-encoding", "identity"),
        ]
        if let timeout { fields.append(HeaderField("grpc-timeout", GRPCTimeout.encode(timeout))) }
        append(metadata, to: &fields)
        return fields
    }

    static func responseHead(metadata: Metadata) -> [HeaderField] {
        var fields = [HeaderField(":status", "200"), HeaderField("content-type", contentType)]
        append(metadata, to: &fields)
        return fields
    }

    static func trailers(_ status: Status, metadata: Metadata) -> [HeaderField] {
        var fields = [HeaderField("grpc-status", String(status.code.rawValue))]
        if !status.message.isEmpty { fields.append(HeaderField("grpc-message", GRPCStatusMessage.encode(status.message))) }
        append(metadata, to: &fields)
        return fields
    }

    /// A response that is only trailers: one HEADERS frame with END_STREAM.
    static func trailersOnly(_ status: Status, metadata: Metadata, httpStatus: Int = 200) -> [HeaderField] {
        [HeaderField(":status", String(httpStatus)), HeaderField("content-type", contentType)]
            + trailers(status, metadata: metadata)
    }

    /// The status in received trailers, or nil without `grpc-status`.
    static func status(from fields: [HeaderField]) -> Status? {
        guard let codeText = fields.first("grpc-status") else { return nil }
        let message = fields.first("grpc-message").map { GRPCStatusMessage.decode($0[...]) } ?? ""
        guard let raw = Int(codeText) else {
            return Status(code: .unknown, message: "Invalid grpc-status '\(codeText)'. \(message)")
        }
        return Status(code: RPCError.Code(rawValue: raw), message: message)
    }

    /// The gRPC code for a non-200 HTTP status without grpc-status (PROTOCOL-HTTP2.md's table).
    static func code(forHTTPStatus status: Int) -> RPCError.Code {
        switch status {
        case 400: return .internalError
        case 401: return .unauthenticated
        case 403: return .permissionDenied
        case 404: return .unimplemented
        case 429, 502, 503, 504: return .unavailable
        default: return .unknown
        }
    }

    /// The gRPC code for an RST_STREAM error code (PROTOCOL-HTTP2.md's table).
    static func code(forResetCode errorCode: UInt32) -> RPCError.Code {
        switch errorCode {
        case 0x7: return .unavailable  // REFUSED_STREAM
        case 0x8: return .cancelled  // CANCEL
        case 0xB: return .resourceExhausted  // ENHANCE_YOUR_CALM
        case 0xC: return .permissionDenied  // INADEQUATE_SECURITY
        default: return .internalError
        }
    }
}

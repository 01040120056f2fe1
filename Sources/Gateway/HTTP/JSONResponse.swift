import Foundation
internal import Hummingbird

/// JSON out: snake_case keys from Swift property names (`fileID` → `file_id`), UTF-8, no escaping of `/`.
enum JSONResponse {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return encoder
    }()

    static func make(_ status: HTTPResponse.Status = .ok, _ value: some Encodable, headers: HTTPFields = [:])
        -> Response
    {
        let bytes: Data
        do {
            bytes = try encoder.encode(value)
        } catch {
            // Only non-finite numbers fail to encode; the representations never hold any.
            bytes = Data(#"{"error":{"code":"internal","message":"response could not be encoded"}}"#.utf8)
            return make(raw: bytes, status: .internalServerError, headers: headers)
        }
        return make(raw: bytes, status: status, headers: headers)
    }

    static func make(raw bytes: some Collection<UInt8>, status: HTTPResponse.Status, headers: HTTPFields = [:])
        -> Response
    {
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        fields[.cacheControl] = fields[.cacheControl] ?? "no-store"
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    static func noContent(headers: HTTPFields = [:]) -> Response {
        Response(status: .noContent, headers: headers)
    }
}

internal import FlowJSON
import Foundation
internal import Hummingbird

/// A representation whose `CodingKeys` spell its JSON names (snake_case) themselves, so that no key is converted:
/// converting every key of every file of a listing cost the gateway a twentieth of its CPU.
protocol SnakeCaseCodingKeys: Encodable {}

/// A representation of the responses served most (file listings, file objects) that writes its own JSON members:
/// `JSONEncoder` was a fifth of the gateway's CPU serving a listing.
protocol JSONWritable {
    /// A typical encoding's size in bytes, so the buffer rarely grows.
    var expectedJSONBytes: Int { get }
    func writeMembers(into object: inout JSONText)
}

/// JSON out: snake_case keys from Swift property names (`fileID` → `file_id`), UTF-8, no escaping of `/`.
enum JSONResponse {
    static let encoder = makeEncoder(convertingKeys: true)
    static let snakeCaseEncoder = makeEncoder(convertingKeys: false)

    static func makeEncoder(convertingKeys: Bool) -> JSONEncoder {
        let encoder = JSONEncoder()
        if convertingKeys { encoder.keyEncodingStrategy = .convertToSnakeCase }
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return encoder
    }

    static func make(_ status: HTTPResponse.Status = .ok, _ value: some Encodable, headers: HTTPFields = [:])
        -> Response
    {
        make(status, value, encoder: encoder, headers: headers)
    }

    static func make(_ status: HTTPResponse.Status = .ok, _ value: some SnakeCaseCodingKeys, headers: HTTPFields = [:])
        -> Response
    {
        make(status, value, encoder: snakeCaseEncoder, headers: headers)
    }

    private static func make(_ status: HTTPResponse.Status, _ value: some Encodable, encoder: JSONEncoder, headers: HTTPFields)
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

    static func make(
        _ status: HTTPResponse.Status = .ok, writing value: some JSONWritable, headers: HTTPFields = [:]
    ) -> Response {
        var object = JSONText(capacity: value.expectedJSONBytes)
        value.writeMembers(into: &object)
        return make(raw: object.finishedBytes(), status: status, headers: headers)
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

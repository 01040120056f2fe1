import Foundation
internal import Hummingbird

/// JSON in: bodies are small by contract, so they are collected up to `maxJSONBytes` (413 beyond, refused from
/// `Content-Length` before anything is read) and decoded strictly enough to answer 400 with a clear reason.
enum JSONRequest {
    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return decoder
    }()

    static func decode<T: Decodable>(_ type: T.Type, from request: Request, limit: Int) async throws -> T {
        guard let bytes = try await collect(request, limit: limit) else {
            throw APIError.invalid("a JSON body is required", code: "invalid_json")
        }
        return try decode(type, bytes)
    }

    /// A JSON body that may be absent (no body at all decodes as nil).
    static func decodeIfPresent<T: Decodable>(_ type: T.Type, from request: Request, limit: Int) async throws -> T? {
        guard let bytes = try await collect(request, limit: limit) else { return nil }
        return try decode(type, bytes)
    }

    private static func decode<T: Decodable>(_ type: T.Type, _ bytes: ByteBuffer) throws -> T {
        do {
            return try decoder.decode(T.self, from: Data(bytes.readableBytesView))
        } catch let DecodingError.keyNotFound(key, _) {
            throw APIError.invalid("\(snakeCase(key.stringValue)) is required", code: "invalid_json")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            let field = context.codingPath.map { snakeCase($0.stringValue) }.joined(separator: ".")
            throw APIError.invalid("\(field.isEmpty ? "the body" : field) has the wrong type", code: "invalid_json")
        } catch {
            throw APIError.invalid("the body is not valid JSON", code: "invalid_json")
        }
    }

    private static func collect(_ request: Request, limit: Int) async throws -> ByteBuffer? {
        if let type = request.headers[.contentType], !type.isEmpty,
            !type.lowercased().hasPrefix("application/json")
        {
            throw APIError(.unsupportedMediaType, "unsupported_media_type", "send the body as application/json")
        }
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw APIError.bodyTooLarge(limit: limit)
        }
        var collected = ByteBuffer()
        for try await piece in request.body {
            guard collected.readableBytes + piece.readableBytes <= limit else { throw APIError.bodyTooLarge(limit: limit) }
            collected.writeImmutableBuffer(piece)
        }
        return collected.readableBytes == 0 ? nil : collected
    }

    private static func snakeCase(_ key: String) -> String {
        var result = ""
        for character in key {
            if character.isUppercase {
                if !result.isEmpty && !result.hasSuffix("_") { result.append("_") }
                result.append(contentsOf: character.lowercased())
            } else {
                result.append(character)
            }
        }
        return result
    }
}

public import MeshRPC
import PostgresStore

/// The rules a file's name and content type follow, checked wherever a file is named (upload and commit), so
/// that an upload is refused before its bytes are stored for the same reasons its commit would be.
public enum FileNaming {
    public static func validate(name: String, contentType: String) throws {
        guard !name.isEmpty else { throw RPCError.invalid("name must not be empty") }
        guard name.utf8.count <= FileFlowStore.Limits.nameBytes else {
            throw RPCError.invalid("name is longer than \(FileFlowStore.Limits.nameBytes) bytes")
        }
        guard !name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw RPCError.invalid("name must not contain control characters")
        }
        guard contentType.utf8.count <= 255 else { throw RPCError.invalid("content_type is too long") }
    }
}

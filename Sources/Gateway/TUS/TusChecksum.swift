internal import Crypto
import Foundation

/// The checksum extension: `Upload-Checksum: <algorithm> <base64 digest>` of one PATCH body. sha256 is what
/// FileFlow clients use; sha1 is there because the protocol requires every server to support it.
struct TusChecksum {
    static let algorithms = "sha256,sha1"

    enum Hasher {
        case sha256(SHA256)
        case sha1(Insecure.SHA1)

        mutating func update(_ bytes: some Collection<UInt8>) {
            let contiguous = Array(bytes)
            switch self {
            case .sha256(var hash):
                hash.update(data: contiguous)
                self = .sha256(hash)
            case .sha1(var hash):
                hash.update(data: contiguous)
                self = .sha1(hash)
            }
        }

        func finalize() -> [UInt8] {
            switch self {
            case .sha256(let hash): Array(hash.finalize())
            case .sha1(let hash): Array(hash.finalize())
            }
        }
    }

    let expected: [UInt8]
    private let algorithm: String

    /// nil without the header; 400 for an unknown algorithm or a malformed digest.
    init?(_ header: String?) throws {
        guard let header else { return nil }
        let parts = header.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 2, let digest = Data(base64Encoded: String(parts[1])) else {
            throw APIError.invalid("Upload-Checksum must be '<algorithm> <base64 digest>'", code: "invalid_checksum")
        }
        algorithm = String(parts[0])
        expected = Array(digest)
        let size = switch algorithm {
        case "sha256": 32
        case "sha1": 20
        default: throw APIError.invalid("checksum algorithm \(algorithm) is not supported; use sha256 or sha1",
                                        code: "unsupported_checksum")
        }
        guard expected.count == size else { throw APIError.invalid("the \(algorithm) digest has the wrong length", code: "invalid_checksum") }
    }

    func makeHasher() -> Hasher {
        algorithm == "sha1" ? .sha1(Insecure.SHA1()) : .sha256(SHA256())
    }
}


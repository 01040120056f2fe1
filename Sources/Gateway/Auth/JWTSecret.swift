import Foundation

/// The token signing key: given by configuration, or generated once and kept in the data directory so that a
/// restarted gateway still accepts the sessions it issued.
public enum JWTSecret {
    static let fileName = "jwt-secret"
    static let minimumBytes = 32

    /// `configured` when set (at least 32 bytes), else the key in `<dataDirectory>/jwt-secret`, created with
    /// 32 random bytes (mode 0600) when missing.
    public static func resolve(configured: String?, dataDirectory: String) throws -> [UInt8] {
        if let configured, !configured.isEmpty {
            let bytes = Array(configured.utf8)
            guard bytes.count >= minimumBytes else {
                throw GatewayStartupError("the JWT secret must be at least \(minimumBytes) bytes")
            }
            return bytes
        }
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        let path = URL(fileURLWithPath: dataDirectory).appendingPathComponent(fileName).path
        if let existing = FileManager.default.contents(atPath: path) {
            guard existing.count >= minimumBytes else { throw GatewayStartupError("\(path) holds too short a key") }
            return Array(existing)
        }
        var key = [UInt8](repeating: 0, count: minimumBytes)
        var generator = SystemRandomNumberGenerator()
        for index in key.indices { key[index] = UInt8.random(in: .min ... .max, using: &generator) }
        let temporary = path + ".tmp"
        guard FileManager.default.createFile(
            atPath: temporary, contents: Data(key), attributes: [.posixPermissions: 0o600])
        else { throw GatewayStartupError("cannot write \(temporary)") }
        // link(2) fails when another gateway created the key first; then both use that one.
        if link(temporary, path) != 0, let winner = FileManager.default.contents(atPath: path) {
            unlink(temporary)
            return Array(winner)
        }
        unlink(temporary)
        return key
    }
}

/// A configuration problem found while starting; the message says what to fix.
public struct GatewayStartupError: Error, CustomStringConvertible {
    public let description: String

    init(_ description: String) { self.description = description }
}

/// What the gateway accepts as a new account (stricter than the store, so names are safe in URLs, logs and keys).
enum CredentialRules {
    static let usernameLength = 3...64
    static let minimumPasswordCharacters = 8
    static let maximumPasswordBytes = 1024
    static let maximumEmailBytes = 254
    static let maximumDisplayNameBytes = 256

    /// Letters, digits, `.`, `_` and `-`, starting with a letter or digit.
    static func checkUsername(_ username: String) throws {
        let scalars = Array(username.unicodeScalars)
        guard usernameLength.contains(scalars.count) else {
            throw APIError.invalid("username must be \(usernameLength.lowerBound) to \(usernameLength.upperBound) characters")
        }
        guard scalars.allSatisfy({ $0.isASCII && (isAlphanumeric($0) || "._-".unicodeScalars.contains($0)) }),
            isAlphanumeric(scalars[0])
        else {
            throw APIError.invalid("username may contain only letters, digits, '.', '_' and '-', starting with a letter or digit")
        }
    }

    /// Weak passwords are refused: too short, too few distinct characters, or containing the username.
    static func checkPassword(_ password: String, username: String) throws {
        guard password.count >= minimumPasswordCharacters else {
            throw APIError.invalid("password must be at least \(minimumPasswordCharacters) characters", code: "weak_password")
        }
        guard password.utf8.count <= maximumPasswordBytes else {
            throw APIError.invalid("password must be at most \(maximumPasswordBytes) bytes", code: "weak_password")
        }
        guard Set(password).count >= 4 else {
            throw APIError.invalid("password must use at least 4 different characters", code: "weak_password")
        }
        guard !password.lowercased().contains(username.lowercased()) else {
            throw APIError.invalid("password must not contain the username", code: "weak_password")
        }
    }

    static func checkEmail(_ email: String) throws {
        guard !email.isEmpty else { return }
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard email.utf8.count <= maximumEmailBytes, parts.count == 2, !parts[0].isEmpty, parts[1].contains("."),
            !parts[1].hasPrefix("."), !parts[1].hasSuffix("."),
            !email.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.value < 0x20 || $0.value == 0x7F })
        else { throw APIError.invalid("email is not a valid address") }
    }

    static func checkDisplayName(_ name: String) throws {
        guard name.utf8.count <= maximumDisplayNameBytes,
            !name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F })
        else { throw APIError.invalid("display_name must be at most \(maximumDisplayNameBytes) bytes of printable text") }
    }

    private static func isAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
    }
}

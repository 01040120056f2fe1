import Testing
@testable import MetadataService

@Suite struct PasswordHasherTests {
    /// Cheap parameters keep the suite fast; the format and comparison are the same as production's.
    let hasher = PasswordHasher(log2Rounds: 10, blockSize: 8, parallelism: 1)

    @Test func verifiesTheRightPasswordOnly() throws {
        let stored = try hasher.hash("correct horse")
        #expect(stored.hasPrefix("scrypt$10$8$1$"))
        #expect(hasher.verify("correct horse", against: stored))
        #expect(!hasher.verify("correct horsE", against: stored))
        #expect(!hasher.verify("", against: stored))
    }

    @Test func saltsEachHash() throws {
        #expect(try hasher.hash("same") != hasher.hash("same"))
    }

    /// Read from the parameters rather than by hashing with them: two 80 MiB scrypt runs take seconds in a debug
    /// build of BoringSSL, holding a thread the deadline-bound tests beside this one need. The stored form follows
    /// the parameters, as `verifiesTheRightPasswordOnly` shows.
    @Test func defaultsAreOWASPsSixteenMebibyteRow() {
        let defaults = PasswordHasher()
        #expect([defaults.log2Rounds, defaults.blockSize, defaults.parallelism] == [14, 8, 5])
    }

    @Test(arguments: [
        "", "scrypt", "bcrypt$10$8$1$00$00", "scrypt$10$8$1$zz$00", "scrypt$99$8$1$00$00",
        "scrypt$10$8$1$0011$" + String(repeating: "0", count: 63), "scrypt$10$8$1$$",
    ])
    func malformedStoredHashesNeverMatch(stored: String) {
        #expect(!hasher.verify("anything", against: stored))
    }
}

@Suite struct PageTokenTests {
    @Test func roundTrips() throws {
        let id = "0b7c9e5e-3f4a-4b8e-9d51-3c2f1e0a9b77"
        let tokens: [PageToken] = [
            .after(sort: 1, fileID: id, key: "1700000000123456"), .after(sort: 3, fileID: id, key: "a.b.c — naïve"),
            .offset(40),
        ]
        for token in tokens {
            #expect(try PageToken.parse(token.encoded) == token)
        }
        #expect(try PageToken.parse("") == nil)
    }

    @Test(arguments: [
        "zz", "abc", hex(Array("k.1.not-a-uuid.5".utf8)), hex(Array("k.x.0b7c9e5e-3f4a-4b8e-9d51-3c2f1e0a9b77.5".utf8)),
        hex(Array("o.-1".utf8)), hex(Array("x.1".utf8)), hex(Array("o.99999999999".utf8)), hex([0xFF, 0xFE]),
        String(repeating: "a", count: 5000),
    ])
    func rejectsHostileTokens(token: String) {
        #expect(throws: (any Error).self) { try PageToken.parse(token) }
    }

    @Test func clampsPageSize() {
        #expect(PageToken.pageSize(0) == PageToken.defaultPageSize)
        #expect(PageToken.pageSize(5) == 5)
        #expect(PageToken.pageSize(.max) == PageToken.maxPageSize)
    }
}

/// Why a block operation failed; `corrupt` is loud on purpose — the bytes on disk no longer match their address.
public struct BlockStoreError: Error, CustomStringConvertible, Sendable {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let description: String
        private init(_ name: String) { description = name }

        public static let notFound = Code("notFound")
        /// The stored bytes hash to something other than their name: disk corruption or tampering.
        public static let corrupt = Code("corrupt")
        public static let invalidDigest = Code("invalidDigest")
        /// A block over `maxBlockSize`, or a range outside the block.
        public static let invalidRange = Code("invalidRange")
        public static let tooLarge = Code("tooLarge")
        /// A system call failed; the message names it and errno.
        public static let io = Code("io")
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "BlockStoreError.\(code): \(message)" }
}

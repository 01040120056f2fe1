/// Why a protobuf decode was refused: truncated, malformed or hostile input, or input past a configured limit.
///
/// Decoding never traps and never allocates by a length it has not checked against the bytes it was given; every
/// refusal lands here, so the RPC layer can answer `INTERNAL`/`INVALID_ARGUMENT` and keep serving everyone else.
public struct ProtoDecodingError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of refusal; a struct rather than an enum so new kinds do not break exhaustive switches.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let name: String

        @inlinable
        init(_ name: String) { self.name = name }

        public var description: String { name }

        /// The input ended inside a tag, varint or fixed-width value.
        public static let truncated = Code("truncated")
        /// A length prefix claims more bytes than the input (or the enclosing message) has left.
        public static let lengthExceedsInput = Code("lengthExceedsInput")
        /// A varint longer than 10 bytes, or a tag longer than 5 bytes / above 2^32-1.
        public static let malformedVarint = Code("malformedVarint")
        /// Wire type 6 or 7, which protobuf never defined.
        public static let invalidWireType = Code("invalidWireType")
        /// Field number 0, which protobuf reserves.
        public static let invalidFieldNumber = Code("invalidFieldNumber")
        /// Wire type 3 or 4 (proto2 groups): refused on purpose, proto3 never writes them.
        public static let groupsNotSupported = Code("groupsNotSupported")
        /// A `string` field whose bytes are not valid UTF-8.
        public static let invalidUTF8 = Code("invalidUTF8")
        /// A packed fixed-width field whose length is not a multiple of the element size, or a packed varint
        /// run that ends in the middle of a value.
        public static let malformedPackedField = Code("malformedPackedField")
        /// Sub-messages nested deeper than `ProtoDecodingOptions.maxDepth`.
        public static let depthLimitExceeded = Code("depthLimitExceeded")
        /// The whole input is larger than `ProtoDecodingOptions.maxMessageSize`.
        public static let messageTooLarge = Code("messageTooLarge")
    }

    public var code: Code
    public var message: String
    /// Byte offset into the outermost input where the problem was found.
    public var offset: Int

    @inlinable
    public init(_ code: Code, _ message: String, offset: Int) {
        self.code = code
        self.message = message
        self.offset = offset
    }

    public var description: String { "ProtoDecodingError(\(code)) at offset \(offset): \(message)" }
}

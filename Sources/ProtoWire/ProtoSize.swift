/// Encoded sizes, shared by the size pass of generated code and the codecs.
public enum ProtoSize {
    @inlinable
    public static func varint(_ value: UInt64) -> Int {
        // 1 + (index of the highest set bit) / 7, branch-free.
        (64 - (value | 1).leadingZeroBitCount + 6) / 7
    }

    /// A length prefix plus the bytes it announces.
    @inlinable
    public static func lengthDelimited(_ count: Int) -> Int { varint(UInt64(count)) + count }
}

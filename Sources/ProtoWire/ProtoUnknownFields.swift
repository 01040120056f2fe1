/// Fields a message did not recognise, kept as their raw wire bytes (tag included) in the order they arrived.
///
/// Re-emitted after the known fields on encode, as Google's encoders do, so a service that relays a newer peer's
/// message does not silently drop what it does not understand. Empty costs nothing: an empty array allocates
/// nothing.
public struct ProtoUnknownFields: Hashable, Sendable {
    @usableFromInline var storage: [UInt8]

    @inlinable
    public init() { storage = [] }

    @inlinable
    public init(bytes: [UInt8]) { storage = bytes }

    /// The raw fields, tags included, as they would be re-emitted.
    @inlinable
    public var bytes: [UInt8] { storage }

    @inlinable
    public var isEmpty: Bool { storage.isEmpty }

    @inlinable
    mutating func append(_ raw: UnsafeRawBufferPointer) { storage.append(contentsOf: raw) }
}

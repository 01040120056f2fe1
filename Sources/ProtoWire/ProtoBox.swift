/// An immutable heap cell that lets a message hold itself, directly or through other messages.
///
/// Swift value types cannot contain themselves; generated code stores a singular field whose type leads back to
/// the containing message in one of these. Immutable, so copies share it safely and a set allocates a new one.
public final class ProtoBox<Value: Hashable & Sendable>: Hashable, Sendable {
    public let value: Value

    @inlinable
    public init(_ value: Value) { self.value = value }

    @inlinable
    public static func == (lhs: ProtoBox, rhs: ProtoBox) -> Bool { lhs === rhs || lhs.value == rhs.value }

    @inlinable
    public func hash(into hasher: inout Hasher) { value.hash(into: &hasher) }
}

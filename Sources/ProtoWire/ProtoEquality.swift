/// Bit-pattern equality for floating-point fields, used by generated `==`.
///
/// A message equals another when they carry the same wire values; IEEE `==` would make a message holding NaN
/// unequal to itself and break every decode/encode round-trip check.
public enum ProtoEquality {
    @inlinable
    public static func same(_ lhs: Float, _ rhs: Float) -> Bool { lhs.bitPattern == rhs.bitPattern }

    @inlinable
    public static func same(_ lhs: Double, _ rhs: Double) -> Bool { lhs.bitPattern == rhs.bitPattern }

    @inlinable
    public static func same(_ lhs: Float?, _ rhs: Float?) -> Bool { lhs?.bitPattern == rhs?.bitPattern }

    @inlinable
    public static func same(_ lhs: Double?, _ rhs: Double?) -> Bool { lhs?.bitPattern == rhs?.bitPattern }

    @inlinable
    public static func same(_ lhs: [Float], _ rhs: [Float]) -> Bool {
        lhs.elementsEqual(rhs) { $0.bitPattern == $1.bitPattern }
    }

    @inlinable
    public static func same(_ lhs: [Double], _ rhs: [Double]) -> Bool {
        lhs.elementsEqual(rhs) { $0.bitPattern == $1.bitPattern }
    }

    @inlinable
    public static func same<Key>(_ lhs: [Key: Float], _ rhs: [Key: Float]) -> Bool {
        lhs.count == rhs.count && lhs.allSatisfy { rhs[$0.key]?.bitPattern == $0.value.bitPattern }
    }

    @inlinable
    public static func same<Key>(_ lhs: [Key: Double], _ rhs: [Key: Double]) -> Bool {
        lhs.count == rhs.count && lhs.allSatisfy { rhs[$0.key]?.bitPattern == $0.value.bitPattern }
    }
}

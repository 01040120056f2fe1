/// A proto3 enum: open, so every `Int32` is a value and numbers this build does not know survive a round trip.
///
/// Generated enums have a case per declared value plus `UNRECOGNIZED(Int32)`; `init(rawValue:)` never fails.
/// Two values are equal when their numbers are, whichever case spelled them.
public protocol ProtoEnum: RawRepresentable, Hashable, Sendable, CaseIterable where RawValue == Int32 {
    /// The default value (number 0).
    init()
    init(rawValue: Int32)
    var rawValue: Int32 { get }
}

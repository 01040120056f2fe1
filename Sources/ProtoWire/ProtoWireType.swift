/// The low three bits of a field tag: how the value that follows is framed.
public enum ProtoWireType: UInt32, Hashable, Sendable {
    case varint = 0
    case fixed64 = 1
    case lengthDelimited = 2
    case startGroup = 3
    case endGroup = 4
    case fixed32 = 5
}

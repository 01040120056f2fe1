/// Everything the message generator needs to emit one field: its Swift names and types, its codec, its tags,
/// and the code for its declaration, decode case, size and (back-to-front) encode.
struct FieldGenerator {
    /// How a value type travels: the codec naming it in generated code and the Swift type it decodes to.
    struct ValueType {
        var swiftType: String
        var codec: String
        var wireType: UInt32
        /// Default value literal.
        var zero: String
        /// Packable: varint, fixed32 or fixed64 encoded.
        var isPackable: Bool
        var isFloatingPoint: Bool
        var isMessage: Bool
        /// An expression true when `value` differs from the default (implicit presence).
        var nonDefault: (String) -> String
    }

    enum Shape {
        /// proto3 singular scalar or enum: implicit presence.
        case implicit
        /// Message field or proto3 `optional`: stored as an optional (boxed when recursive).
        case explicit(boxed: Bool)
        case repeated(packed: Bool)
        case map(key: ValueType, value: ValueType)
        /// A member of the oneof property `property` (enum type `enumType`).
        case oneofMember(property: String, enumType: String, indirect: Bool)
    }

    let decl: FieldDecl
    let value: ValueType
    let shape: Shape
    /// The public property name (escaped when needed).
    let property: String
    /// The stored property for explicit presence (`_currentVersion`).
    let storage: String

    /// References in generated method bodies go through `self.` so that locals (`value`, `size`, `key`) never
    /// shadow a field of the same name.
    var ref: String { "self." + property }
    var storageRef: String { "self." + storage }

    init(decl: FieldDecl, message: MessageDecl, context: GeneratorContext) throws {
        self.decl = decl
        property = Naming.propertyName(decl.name)
        storage = "_" + Naming.unescaped(property)
        switch decl.type {
        case .map(let key, let valueType):
            let keyType = try Self.valueType(.scalar(key), context: context)
            let mapValue = try Self.valueType(valueType, context: context)
            value = mapValue
            shape = .map(key: keyType, value: mapValue)
            return
        default:
            value = try Self.valueType(decl.type, context: context)
        }
        if let index = decl.oneofIndex {
            let oneof = message.oneofs[index]
            let boxed = context.boxedFields.contains(.init(message: message.fullName, number: decl.number))
            shape = .oneofMember(
                property: Naming.propertyName(oneof.name), enumType: Naming.oneofTypeName(oneof.name), indirect: boxed)
        } else if decl.label == .repeated {
            let unpacked = decl.options.contains { $0.name == "packed" && $0.value == "false" }
            shape = .repeated(packed: value.isPackable && !unpacked)
        } else if decl.label == .optional || value.isMessage {
            let boxed = context.boxedFields.contains(.init(message: message.fullName, number: decl.number))
            shape = .explicit(boxed: boxed)
        } else {
            shape = .implicit
        }
    }

    static func valueType(_ type: FieldType, context: GeneratorContext) throws -> ValueType {
        func number(_ swift: String, _ codec: String, _ wire: UInt32, float: Bool = false) -> ValueType {
            ValueType(
                swiftType: swift, codec: codec, wireType: wire, zero: "0", isPackable: true, isFloatingPoint: float,
                isMessage: false, nonDefault: float ? { "\($0).bitPattern != 0" } : { "\($0) != 0" })
        }
        switch type {
        case .scalar(let scalar):
            switch scalar {
            case .double: return number("Double", "WireDouble", 1, float: true)
            case .float: return number("Float", "WireFloat", 5, float: true)
            case .int32: return number("Int32", "WireInt32", 0)
            case .int64: return number("Int64", "WireInt64", 0)
            case .uint32: return number("UInt32", "WireUInt32", 0)
            case .uint64: return number("UInt64", "WireUInt64", 0)
            case .sint32: return number("Int32", "WireSInt32", 0)
            case .sint64: return number("Int64", "WireSInt64", 0)
            case .fixed32: return number("UInt32", "WireFixed32", 5)
            case .fixed64: return number("UInt64", "WireFixed64", 1)
            case .sfixed32: return number("Int32", "WireSFixed32", 5)
            case .sfixed64: return number("Int64", "WireSFixed64", 1)
            case .bool:
                return ValueType(
                    swiftType: "Bool", codec: "WireBool", wireType: 0, zero: "false", isPackable: true,
                    isFloatingPoint: false, isMessage: false, nonDefault: { $0 })
            case .string:
                return ValueType(
                    swiftType: "String", codec: "WireString", wireType: 2, zero: "\"\"", isPackable: false,
                    isFloatingPoint: false, isMessage: false, nonDefault: { "!\($0).isEmpty" })
            case .bytes:
                return ValueType(
                    swiftType: "[UInt8]", codec: "WireBytes", wireType: 2, zero: "[]", isPackable: false,
                    isFloatingPoint: false, isMessage: false, nonDefault: { "!\($0).isEmpty" })
            }
        case .enumeration(let name):
            let swift = try context.swiftName(name)
            return ValueType(
                swiftType: swift, codec: "WireEnum<\(swift)>", wireType: 0, zero: context.enumDefault(name),
                isPackable: true,
                isFloatingPoint: false, isMessage: false, nonDefault: { "\($0).rawValue != 0" })
        case .message(let name):
            let swift = try context.swiftName(name)
            return ValueType(
                swiftType: swift, codec: "WireMessage<\(swift)>", wireType: 2, zero: "\(swift)()",
                isPackable: false, isFloatingPoint: false, isMessage: true, nonDefault: { _ in "true" })
        case .map:
            throw GeneratorError("a map cannot be the value of a map")
        }
    }

    var number: Int32 { decl.number }

    func tag(_ wireType: UInt32) -> UInt32 { UInt32(decl.number) << 3 | wireType }

    /// The tag this field is written with.
    var writeTag: UInt32 {
        switch shape {
        case .repeated(packed: true), .map: return tag(2)
        default: return tag(value.wireType)
        }
    }

    var tagSize: Int {
        var size = 1
        var rest = writeTag >> 7
        while rest > 0 {
            size += 1
            rest >>= 7
        }
        return size
    }

    /// True when `==` must compare this field by bit pattern.
    var needsBitwiseEquality: Bool {
        switch shape {
        case .map(_, let mapValue): return mapValue.isFloatingPoint
        case .oneofMember: return false
        default: return value.isFloatingPoint
        }
    }

    /// Stored properties `==` compares for this field (none for oneof members: the oneof property covers them).
    var storedProperty: String? {
        switch shape {
        case .explicit: return storage
        case .oneofMember: return nil
        default: return property
        }
    }

    var swiftType: String {
        switch shape {
        case .repeated: return "[\(value.swiftType)]"
        case .map(let key, let mapValue): return "[\(key.swiftType): \(mapValue.swiftType)]"
        default: return value.swiftType
        }
    }

    // MARK: Declaration

    func declare(_ out: inout CodeWriter) {
        out.docComment(decl.comments)
        let name = Naming.unescaped(property)
        let suffix = Naming.accessorSuffix(decl.name)
        switch shape {
        case .implicit:
            out.line("public var \(property): \(value.swiftType) = \(value.zero)")
        case .repeated:
            out.line("public var \(property): \(swiftType) = []")
        case .map:
            out.line("public var \(property): \(swiftType) = [:]")
        case .explicit(let boxed):
            out.block("public var \(property): \(value.swiftType)") { out in
                out.line("get { \(storage)\(boxed ? "?.value" : "") ?? \(value.zero) }")
                out.line("set { \(storage) = \(boxed ? "ProtoBox(newValue)" : "newValue") }")
            }
            out.line("/// Whether `\(name)` was set (explicit presence).")
            out.line("public var has\(suffix): Bool { \(storage) != nil }")
            out.line("/// Resets `\(name)` to unset.")
            out.line("public mutating func clear\(suffix)() { \(storage) = nil }")
        case .oneofMember(let oneof, let enumType, _):
            out.block("public var \(property): \(value.swiftType)") { out in
                out.block("get") { out in
                    out.line("if case .\(property)(let value)? = self.\(oneof) { return value }")
                    out.line("return \(value.zero)")
                }
                out.line("set { self.\(oneof) = \(enumType).\(property)(newValue) }")
            }
        }
    }

    /// The private stored property behind an explicit-presence field.
    func declareStorage(_ out: inout CodeWriter) {
        guard case .explicit(let boxed) = shape else { return }
        let stored = boxed ? "ProtoBox<\(value.swiftType)>" : value.swiftType
        out.line("fileprivate var \(storage): \(stored)? = nil")
    }

    // MARK: Decoding

    /// `case` arms of the message's tag switch.
    func decodeCases(_ out: inout CodeWriter) {
        switch shape {
        case .implicit:
            out.line("case \(tag(value.wireType)): \(ref) = try \(value.codec).read(from: &reader)")
        case .explicit(let boxed):
            if value.isMessage {
                out.caseBlock("case \(tag(2)):") { out in
                    out.line("var value = \(storageRef)\(boxed ? "?.value" : "") ?? \(value.zero)")
                    out.line("\(storageRef) = nil")
                    out.line("try reader.readMessage(into: &value)")
                    out.line("\(storageRef) = \(boxed ? "ProtoBox(value)" : "value")")
                }
            } else {
                out.line("case \(tag(value.wireType)): \(storageRef) = try \(value.codec).read(from: &reader)")
            }
        case .repeated:
            out.line("case \(tag(value.wireType)): \(ref).append(try \(value.codec).read(from: &reader))")
            if value.isPackable {
                out.line("case \(tag(2)): try reader.readPacked(\(value.codec).self, into: &\(ref))")
            }
        case .map(let key, let mapValue):
            out.caseBlock("case \(tag(2)):") { out in
                out.line("let entry = try reader.beginNested()")
                out.line("var complete = true")
                out.line("var key: \(key.swiftType) = \(key.zero)")
                out.line("var value: \(mapValue.swiftType) = \(mapValue.zero)")
                out.block("while !reader.isAtEnd") { out in
                    out.line("let entryTag = try reader.readTag()")
                    out.switchBlock("switch entryTag") { out in
                        out.line("case \(8 | key.wireType): key = try \(key.codec).read(from: &reader)")
                        if mapValue.isMessage {
                            out.line("case 18: try reader.readMessage(into: &value)")
                        } else {
                            out.line(
                                "case \(16 | mapValue.wireType): value = try \(mapValue.codec).read(from: &reader)")
                        }
                        out.caseBlock("default:") { out in
                            out.line("try reader.skipMapEntryField(entryTag)")
                            out.line("complete = false")
                        }
                    }
                }
                out.line("reader.endNested(entry)")
                out.block("guard complete else") { out in
                    out.line("reader.preserveNestedField(entry, in: &self.unknownFields)")
                    out.line("continue")
                }
                out.line("\(ref)[key] = value")
            }
        case .oneofMember(let oneof, let enumType, _):
            if value.isMessage {
                out.caseBlock("case \(tag(2)):") { out in
                    out.line("var value = \(value.zero)")
                    out.block("if case .\(property)(let existing)? = self.\(oneof)") { out in
                        out.line("value = existing")
                        out.line("self.\(oneof) = nil")
                    }
                    out.line("try reader.readMessage(into: &value)")
                    out.line("self.\(oneof) = \(enumType).\(property)(value)")
                }
            } else {
                out.line(
                    "case \(tag(value.wireType)): "
                        + "self.\(oneof) = \(enumType).\(property)(try \(value.codec).read(from: &reader))"
                )
            }
        }
    }

    // MARK: Size

    func size(_ out: inout CodeWriter) {
        let codec = value.codec
        switch shape {
        case .implicit:
            out.line("if \(value.nonDefault(ref)) { size += \(tagSize) + \(codec).size(of: \(ref)) }")
        case .explicit(let boxed):
            let value = boxed ? "value.value" : "value"
            out.line("if let value = \(storageRef) { size += \(tagSize) + \(codec).size(of: \(value)) }")
        case .repeated(let packed):
            if packed {
                out.block("if !\(ref).isEmpty") { out in
                    if value.wireType == 0 {
                        out.line("var length = 0")
                        out.line("for value in \(ref) { length += \(codec).size(of: value) }")
                    } else {
                        out.line("let length = \(ref).count * \(value.wireType == 5 ? 4 : 8)")
                    }
                    out.line("size += \(tagSize) + ProtoSize.lengthDelimited(length)")
                }
            } else if value.wireType == 0 || value.wireType == 2 {
                out.line("for value in \(ref) { size += \(tagSize) + \(codec).size(of: value) }")
            } else {
                out.line("size += \(ref).count * \(tagSize + (value.wireType == 5 ? 4 : 8))")
            }
        case .map(let key, let mapValue):
            out.block("for (key, value) in \(ref)") { out in
                out.line("let entry = 2 + \(key.codec).size(of: key) + \(mapValue.codec).size(of: value)")
                out.line("size += \(tagSize) + ProtoSize.lengthDelimited(entry)")
            }
        case .oneofMember(let oneof, _, _):
            out.line(
                "if case .\(property)(let value)? = self.\(oneof) { size += \(tagSize) + \(codec).size(of: value) }")
        }
    }

    // MARK: Encoding (back to front: the tag is written after, that is before, the value)

    func encode(_ out: inout CodeWriter) {
        let codec = value.codec
        let writeTag = "writer.writeTag(\(self.writeTag))"
        switch shape {
        case .implicit:
            out.block("if \(value.nonDefault(ref))") { out in
                out.line("\(codec).write(\(ref), to: &writer)")
                out.line(writeTag)
            }
        case .explicit(let boxed):
            out.block("if let value = \(storageRef)") { out in
                out.line("\(codec).write(value\(boxed ? ".value" : ""), to: &writer)")
                out.line(writeTag)
            }
        case .repeated(let packed):
            if packed {
                out.block("if !\(ref).isEmpty") { out in
                    out.line("let mark = writer.offset")
                    out.line("for value in \(ref).reversed() { \(codec).write(value, to: &writer) }")
                    out.line("writer.writeLength(since: mark)")
                    out.line(writeTag)
                }
            } else {
                out.block("for value in \(ref).reversed()") { out in
                    out.line("\(codec).write(value, to: &writer)")
                    out.line(writeTag)
                }
            }
        case .map(let key, let mapValue):
            out.closure("ProtoMapOrder.forEachInReverseWriteOrder(\(ref))", parameters: "key, value") { out in
                out.line("let mark = writer.offset")
                out.line("\(mapValue.codec).write(value, to: &writer)")
                out.line("writer.writeTag(\(16 | mapValue.wireType))")
                out.line("\(key.codec).write(key, to: &writer)")
                out.line("writer.writeTag(\(8 | key.wireType))")
                out.line("writer.writeLength(since: mark)")
                out.line(writeTag)
            }
        case .oneofMember(let oneof, _, _):
            out.block("if case .\(property)(let value)? = self.\(oneof)") { out in
                out.line("\(codec).write(value, to: &writer)")
                out.line(writeTag)
            }
        }
    }
}

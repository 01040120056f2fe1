import ProtoWire
import Testing

/// What the generator emits, exercised through the fixture messages of Fixtures/features.proto.
@Suite struct GeneratedMessageTests {
    @Test func explicitPresence() throws {
        var message = Protowire_Test_Optionals()
        #expect(!message.hasMaybeInt && message.maybeInt == 0)
        #expect(message.serializedBytes().isEmpty)

        message.maybeInt = 0  // set to the default: present, so written
        message.maybeString = ""
        message.maybeEnum = .unspecified
        message.maybeDouble = 0
        #expect(message.hasMaybeInt && message.hasMaybeString && message.hasMaybeEnum && message.hasMaybeDouble)
        let reference = try Protoc.encode(
            "protowire.test.Optionals", #"maybe_int: 0 maybe_string: "" maybe_enum: COLOR_UNSPECIFIED maybe_double: 0"#)
        #expect(message.serializedBytes() == reference)
        #expect(try Protowire_Test_Optionals(serializedBytes: reference) == message)

        message.clearMaybeInt()
        #expect(!message.hasMaybeInt)
        #expect(!message.hasChild)
        message.child.fInt32 = 3  // setting through the accessor makes it present
        #expect(message.hasChild)
        message.clearChild()
        message.child = Protowire_Test_Scalars()  // an empty sub-message is still present and written
        #expect(message.serializedBytes().suffix(2) == [0x2a, 0x00])
    }

    @Test func implicitPresenceSkipsDefaults() {
        var message = Protowire_Test_Scalars()
        message.fInt32 = 0
        message.fString = ""
        message.fEnum = .unspecified
        #expect(message.serializedBytes().isEmpty)
    }

    @Test func oneofs() throws {
        var message = Protowire_Test_Choice()
        #expect(message.pick == nil && message.text == "")
        message.text = "hi"
        #expect(message.pick == .text("hi"))
        message.number = 0  // a oneof member set to its default is still written
        #expect(message.pick == .number(0) && message.text == "")
        #expect(message.serializedBytes() == [0x10, 0x00])
        message.ratio = .nan
        #expect(try Protowire_Test_Choice(serializedBytes: message.serializedBytes()) == message)

        // The last member on the wire wins; a repeated message member merges.
        let bytes = try Protoc.encode("protowire.test.Choice", #"text: "a" after: "z""#)
            + Protoc.encode("protowire.test.Choice", "scalars { f_int32: 1 }")
            + Protoc.encode("protowire.test.Choice", #"scalars { f_string: "s" }"#)
        let decoded = try Protowire_Test_Choice(serializedBytes: bytes)
        #expect(decoded.scalars.fInt32 == 1 && decoded.scalars.fString == "s" && decoded.after == "z")
        guard case .scalars? = decoded.pick else {
            Issue.record("expected the scalars member, got \(String(describing: decoded.pick))")
            return
        }
    }

    @Test func mergeRules() throws {
        // Concatenated messages merge: scalars overwrite, repeated fields append, sub-messages merge.
        let first = try Protoc.encode("protowire.test.Optionals", #"maybe_int: 1 child { f_int32: 1 f_string: "a" }"#)
        let second = try Protoc.encode("protowire.test.Optionals", "maybe_int: 2 child { f_int64: 2 }")
        let merged = try Protowire_Test_Optionals(serializedBytes: first + second)
        #expect(merged.maybeInt == 2)
        #expect(merged.child.fInt32 == 1 && merged.child.fString == "a" && merged.child.fInt64 == 2)

        let lists = try Protowire_Test_Repeated(
            serializedBytes: Protoc.encode("protowire.test.Repeated", "r_int32: [1, 2]")
                + Protoc.encode("protowire.test.Repeated", "r_int32: 3"))
        #expect(lists.rInt32 == [1, 2, 3])

        var target = Protowire_Test_Optionals()
        target.maybeString = "kept"
        try second.withUnsafeBytes { try target.merge(serializedBytes: $0) }
        #expect(target.maybeString == "kept" && target.maybeInt == 2)
    }

    @Test func openEnumsKeepUnknownNumbers() throws {
        var message = Protowire_Test_Scalars()
        message.fEnum = Protowire_Test_Color(rawValue: 42)
        #expect(message.fEnum == .UNRECOGNIZED(42))
        #expect(Protowire_Test_Color(rawValue: 2) == .green)
        #expect(Protowire_Test_Color.UNRECOGNIZED(1) == .red, "equality is by number")
        #expect(Protowire_Test_Color.allCases == [.unspecified, .red, .green])
        let decoded = try Protowire_Test_Scalars(serializedBytes: message.serializedBytes())
        #expect(decoded.fEnum.rawValue == 42)
        #expect(try Protoc.decode("protowire.test.Scalars", decoded.serializedBytes()).contains("f_enum: 42"))

        #expect(Protowire_Test_Aliased.uno == .one)
        #expect(Protowire_Test_Aliased.allCases.count == 2)
        #expect(Protowire_Test_Color() == .unspecified)
    }

    @Test func mapsEncodeInTheDeterministicOrderOfPythonProtobuf() throws {
        var message = Protowire_Test_Maps()
        message.byName = ["b": 2, "a": 1, "ab": 3, "": 4, "é": 5]
        message.byNumber = [5: "five", -3: "minus three", 0: "zero", .min: "min"]
        var flagged = Protowire_Test_Scalars()
        flagged.fBool = true
        message.byFlag = [false: Protowire_Test_Scalars(), true: flagged]
        message.colors = [7: .red, 1: .UNRECOGNIZED(9)]
        message.ratios = ["x": -0.5]
        message.blobs = [-1: [1, 2], 1: []]
        let bytes = message.serializedBytes()
        // upb's order (see ProtoMapOrder): "ab" before "a", "" last; integers descending as unsigned.
        let names = try Protowire_Test_Maps.entryKeys(bytes, field: 1)
        #expect(names == ["ab", "a", "b", "é", ""])
        #expect(try Protowire_Test_Maps.entryKeys(bytes, field: 2).count == 4)
        let decoded = try Protowire_Test_Maps(serializedBytes: bytes)
        #expect(decoded == message)
        #expect(message.serializedBytes() == bytes, "encoding is reproducible")
        // Google's decoder reads our maps back the same.
        let text = try Protoc.decode("protowire.test.Maps", bytes)
        #expect(text.contains(#"key: "\303\251""#) || text.contains(#"key: "é""#))
        #expect(text.contains("key: -9223372036854775808"))
        let reencoded = try Protoc.encode("protowire.test.Maps", text)
        #expect(try Protowire_Test_Maps(serializedBytes: reencoded) == message)
    }

    @Test func mapEntriesWithMissingOrUnknownParts() throws {
        // An entry without key or value gets the defaults.
        let empty = try Protowire_Test_Maps(serializedBytes: [0x0a, 0x00, 0x1a, 0x02, 0x08, 0x01])
        #expect(empty.byName == ["": 0])
        #expect(empty.byFlag == [true: Protowire_Test_Scalars()])
        // An entry with a field it cannot place (here field 3) stays whole in unknownFields, as upb keeps it.
        let entry: [UInt8] = [0x0a, 0x05, 0x0a, 0x01, 0x61, 0x18, 0x01]
        let decoded = try Protowire_Test_Maps(serializedBytes: entry)
        #expect(decoded.byName.isEmpty)
        #expect(decoded.unknownFields.bytes == entry)
        #expect(decoded.serializedBytes() == entry)
    }

    @Test func unknownFieldsSurviveARoundTrip() throws {
        var full = Protowire_Test_Scalars()
        full.fInt32 = -5
        full.fString = "x"
        full.fFixed64 = 9
        full.fFar = 1
        let bytes = full.serializedBytes()
        let empty = try Protowire_Test_Empty(serializedBytes: bytes)
        #expect(empty.unknownFields.bytes == bytes)
        #expect(empty.serializedBytes() == bytes)
        #expect(empty != Protowire_Test_Empty())

        // Known fields come first on re-encode, unknown ones after, in arrival order.
        let mixed: [UInt8] = [0xa0, 0x06, 0x01, 0x0a, 0x01, 0x61, 0xa8, 0x06, 0x02]  // 100: 1, text "a", 101: 2
        let choice = try Protowire_Test_Choice(serializedBytes: mixed)
        #expect(choice.text == "a")
        #expect(choice.serializedBytes() == [0x0a, 0x01, 0x61, 0xa0, 0x06, 0x01, 0xa8, 0x06, 0x02])

        // A known field arriving with another wire type is kept as unknown, not misread.
        let wrongType: [UInt8] = [0x0d, 0x01, 0x02, 0x03, 0x04]  // Choice.text (1) as fixed32
        let kept = try Protowire_Test_Choice(serializedBytes: wrongType)
        #expect(kept.pick == nil && kept.serializedBytes() == wrongType)
    }

    @Test func recursiveMessages() throws {
        var tree = Protowire_Test_Tree()
        tree.name = "root"
        tree.left.name = "l"
        tree.left.left.name = "ll"
        tree.right.alternative.name = "alt"
        tree.children = [tree.left, Protowire_Test_Tree()]
        tree.named = ["self": tree.left]
        tree.leaf = 3
        var copy = tree
        copy.left.left.name = "changed"
        #expect(tree.left.left.name == "ll", "value semantics survive boxing")
        let decoded = try Protowire_Test_Tree(serializedBytes: tree.serializedBytes())
        #expect(decoded == tree)
        #expect(decoded != copy)
        #expect(!decoded.right.hasLeft && decoded.right.alternative.name == "alt")
        let text = try Protoc.decode("protowire.test.Tree", tree.serializedBytes())
        #expect(text.contains(#"name: "ll""#) && text.contains("leaf: 3"))

        var ping = Protowire_Test_Ping()
        ping.pong.ping.pong.ping.depth = 4
        #expect(try Protowire_Test_Ping(serializedBytes: ping.serializedBytes()).pong.ping.pong.ping.depth == 4)
    }

    @Test func nestedTypesAndKeywordNames() throws {
        var outer = Protowire_Test_Outer()
        outer.inner.kind = .something
        outer.inners = [Protowire_Test_Outer.Inner()]
        outer.kind = Protowire_Test_Outer.Inner.Kind.something
        #expect(try Protowire_Test_Outer(serializedBytes: outer.serializedBytes()) == outer)

        var keywords = Protowire_Test_Keywords()
        keywords.default = "d"
        keywords.class = 1
        keywords.type = "t"
        keywords.self_p = true
        keywords.unknownFields_p = [1]
        keywords.size = 2
        keywords.value = "v"
        keywords.key = ["k": "v"]
        let reference = try Protoc.encode(
            "protowire.test.Keywords",
            #"default: "d" class: 1 type: "t" self: true unknown_fields: "\001" size: 2 value: "v""#
                + #" key { key: "k" value: "v" }"#)
        #expect(keywords.serializedBytes() == reference)
        #expect(try Protowire_Test_Keywords(serializedBytes: reference) == keywords)
        #expect(Protowire_Test_Keywords.protoMessageName == "protowire.test.Keywords")
        #expect(Protowire_Test_Outer.Inner.protoMessageName == "protowire.test.Outer.Inner")
    }

    @Test func decodingFromOtherByteContainers() throws {
        var message = Protowire_Test_Scalars()
        message.fString = "slice"
        let bytes = [0xff] + message.serializedBytes()
        #expect(try Protowire_Test_Scalars(serializedBytes: bytes[1...]) == message)
        #expect(try Protowire_Test_Scalars(serializedBytes: AnyCollection(bytes.dropFirst())) == message)
        var buffer = [UInt8](repeating: 0, count: message.serializedSize() + 4)
        let written = buffer.withUnsafeMutableBytes { message.serialize(into: $0, size: message.serializedSize()) }
        #expect(Array(buffer[..<written]) == message.serializedBytes())
    }

    @Test func serviceDescriptors() {
        let service = Protowire_Test_Echo.descriptor
        #expect(service.fullName == "protowire.test.Echo" && service.name == "Echo")
        #expect(service.methods.map(\.name) == ["Unary", "Collect", "Expand", "Chat"])
        #expect(service.methods.map(\.path) == [
            "/protowire.test.Echo/Unary", "/protowire.test.Echo/Collect", "/protowire.test.Echo/Expand",
            "/protowire.test.Echo/Chat",
        ])
        #expect(service.methods.map { [$0.clientStreaming, $0.serverStreaming] } == [
            [false, false], [true, false], [false, true], [true, true],
        ])
        let collect = Protowire_Test_Echo.Method.Collect.descriptor
        #expect(collect.inputType == "protowire.test.Scalars" && collect.outputType == "protowire.test.Repeated")
        #expect(Protowire_Test_Echo.Method.Collect.Output.protoMessageName == "protowire.test.Repeated")
        #expect(inputName(of: Protowire_Test_Echo.Method.Unary.self) == "protowire.test.Scalars")
    }

    private func inputName<Method: ProtoRPCMethod>(of _: Method.Type) -> String { Method.Input.protoMessageName }
}

extension Protowire_Test_Maps {
    /// The keys of a string- or int64-keyed map field in wire order, read with the runtime's own reader.
    static func entryKeys(_ bytes: [UInt8], field: Int32) throws -> [String] {
        var keys: [String] = []
        var rest = bytes[...]
        while !rest.isEmpty {
            let tag = rest.removeFirst()
            var length = 0
            var shift = 0
            while true {
                let byte = rest.removeFirst()
                length |= Int(byte & 0x7f) << shift
                shift += 7
                if byte < 0x80 { break }
            }
            let entry = Array(rest.prefix(length))
            rest = rest.dropFirst(length)
            guard tag >> 3 == field else { continue }
            let single = try Protowire_Test_Maps(serializedBytes: [tag, UInt8(entry.count)] + entry)
            keys.append(contentsOf: field == 1 ? Array(single.byName.keys) : single.byNumber.keys.map { "\($0)" })
        }
        return keys
    }
}

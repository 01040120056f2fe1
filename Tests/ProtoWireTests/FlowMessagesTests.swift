import FlowMessages
import ProtoWire
import Testing

/// The product messages generated from Protos/: round trips, byte identity with protoc, registry, services.
@Suite struct FlowMessagesTests {
    static let common = "fileflow/v1/common.proto"

    func sampleFile() -> Fileflow_V1_FileMetadata {
        var file = Fileflow_V1_FileMetadata()
        file.fileID = "0192f0c4-7d3a-7b2e-9a41-5f1c2d3e4f50"
        file.ownerID = "u-42"
        file.ownerUsername = "ada"
        file.name = "report-2026.pdf"
        file.contentType = "application/pdf"
        file.size = 1_234_567
        file.sha256 = [UInt8](repeating: 0xab, count: 32)
        file.status = .processed
        file.currentVersion.version = 2
        file.currentVersion.blocks = [
            { var block = Fileflow_V1_BlockRef(); block.size = 4 << 20; block.sha256 = [1, 2, 3]; return block }(),
            { var block = Fileflow_V1_BlockRef(); block.offset = 4 << 20; block.compression = .zlib; return block }(),
        ]
        file.createdAt.seconds = 1_790_000_000
        file.createdAt.nanos = 5
        file.permission = .owner
        file.labels = ["team": "infra", "kind": "report"]
        return file
    }

    @Test func fileMetadataMatchesProtocByteForByte() throws {
        let file = sampleFile()
        let bytes = file.serializedBytes()
        let text = try Protoc.decode(
            "fileflow.v1.FileMetadata", bytes, file: Self.common, includePath: Protoc.productProtos)
        #expect(text.contains(#"name: "report-2026.pdf""#) && text.contains("status: FILE_STATUS_PROCESSED"))
        // protoc re-encodes the text in field order and, for maps, in the text's (= our) order.
        let reference = try Protoc.encode(
            "fileflow.v1.FileMetadata", text, file: Self.common, includePath: Protoc.productProtos)
        #expect(hex(bytes) == hex(reference))
        #expect(try Fileflow_V1_FileMetadata(serializedBytes: bytes) == file)
    }

    @Test func scalarOnlyMessage() throws {
        var progress = Fileflow_V1_TransferProgress()
        progress.bytesDone = 1 << 40
        progress.bytesTotal = .max
        progress.blocksDone = 3
        progress.bytesPerSecond = 1.5e9
        progress.etaMillis = -1
        progress.startedAtMicros = 1_790_000_000_000_000
        progress.finished = true
        let text = """
            bytes_done: 1099511627776 bytes_total: 18446744073709551615 blocks_done: 3 bytes_per_second: 1.5e9
            eta_millis: -1 started_at_micros: 1790000000000000 finished: true
            """
        let reference = try Protoc.encode(
            "fileflow.v1.TransferProgress", text, file: Self.common, includePath: Protoc.productProtos)
        #expect(progress.serializedBytes() == reference)
        #expect(try Fileflow_V1_TransferProgress(serializedBytes: reference) == progress)
    }

    @Test func oneofAndOptionalInProductMessages() throws {
        var request = Fileflow_V1_GetUserRequest()
        request.username = "ada"
        #expect(try Fileflow_V1_GetUserRequest(serializedBytes: request.serializedBytes()).key == .username("ada"))

        var update = Fileflow_V1_UpdateUserRequest()
        update.userID = "u1"
        update.email = ""
        let decoded = try Fileflow_V1_UpdateUserRequest(serializedBytes: update.serializedBytes())
        #expect(decoded.hasEmail && !decoded.hasDisplayName)
    }

    @Test func grpcTestingMessages() throws {
        var request = Grpc_Testing_SimpleRequest()
        request.responseSize = 314_159
        request.payload.body = [UInt8](repeating: 0, count: 271_828)
        request.responseCompressed.value = true
        let bytes = request.serializedBytes()
        let decoded = try Grpc_Testing_SimpleRequest(serializedBytes: bytes)
        #expect(decoded == request)
        #expect(decoded.hasResponseCompressed && !decoded.hasExpectCompressed)
        #expect(Grpc_Testing_Empty().serializedBytes().isEmpty)
    }

    @Test func registryListsEveryMessageUnderItsOwnName() {
        let types = FlowMessagesRegistry.messageTypes
        for (name, type) in types {
            #expect(type.protoMessageName == name)
        }
        for name in [
            "fileflow.v1.FileMetadata", "fileflow.v1.BlockRef", "google.protobuf.Timestamp", "google.protobuf.Empty",
            "grpc.testing.SimpleRequest", "grpc.health.v1.HealthCheckResponse",
            "grpc.testing.LoadBalancerAccumulatedStatsResponse.MethodStats",
        ] {
            #expect(types[name] != nil, "\(name) missing from the registry")
        }
    }

    @Test func registryDecodesByName() throws {
        let bytes = sampleFile().serializedBytes()
        let type = try #require(FlowMessagesRegistry.messageTypes["fileflow.v1.FileMetadata"])
        #expect(try type.init(serializedBytes: bytes).serializedBytes() == bytes)
    }

    @Test func serviceDescriptorsMatchTheProtos() {
        let metadata = Fileflow_V1_MetadataService.descriptor
        #expect(metadata.fullName == "fileflow.v1.MetadataService")
        #expect(metadata.methods.first?.path == "/fileflow.v1.MetadataService/CreateUser")
        let getFile = Fileflow_V1_MetadataService.Method.GetFile.descriptor
        #expect(getFile.inputType == "fileflow.v1.GetFileRequest" && getFile.outputType == "fileflow.v1.FileMetadata")
        #expect(Grpc_Health_V1_Health.Method.Watch.descriptor.serverStreaming)
        #expect(!Grpc_Health_V1_Health.Method.Watch.descriptor.clientStreaming)
        let test = Grpc_Testing_TestService.descriptor.methods
        #expect(test.contains { $0.name == "FullDuplexCall" && $0.clientStreaming && $0.serverStreaming })
    }
}

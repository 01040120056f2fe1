/// A protobuf service as data: its full name and methods, for the RPC layer to build clients and routers from.
public struct ProtoServiceDescriptor: Hashable, Sendable {
    /// `fileflow.v1.MetadataService`.
    public var fullName: String
    public var methods: [ProtoMethodDescriptor]

    public init(fullName: String, methods: [ProtoMethodDescriptor]) {
        self.fullName = fullName
        self.methods = methods
    }

    /// The simple name (`MetadataService`).
    public var name: Substring { fullName.split(separator: ".").last ?? Substring(fullName) }
}

/// One RPC method: its name, its HTTP/2 `:path`, its message types and its streaming shape.
public struct ProtoMethodDescriptor: Hashable, Sendable {
    public var name: String
    /// `/fileflow.v1.MetadataService/GetFile`.
    public var path: String
    /// Fully qualified message names.
    public var inputType: String
    public var outputType: String
    public var clientStreaming: Bool
    public var serverStreaming: Bool

    public init(
        name: String, path: String, inputType: String, outputType: String, clientStreaming: Bool,
        serverStreaming: Bool
    ) {
        self.name = name
        self.path = path
        self.inputType = inputType
        self.outputType = outputType
        self.clientStreaming = clientStreaming
        self.serverStreaming = serverStreaming
    }
}

/// A method known at compile time: generated per RPC so the RPC layer can be generic over input and output.
public protocol ProtoRPCMethod {
    associatedtype Input: ProtoMessage
    associatedtype Output: ProtoMessage
    static var descriptor: ProtoMethodDescriptor { get }
}

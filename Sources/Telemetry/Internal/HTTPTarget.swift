import Foundation

/// Where spans are posted: host, port and path of a plain `http://` URL.
struct HTTPTarget: Sendable, Equatable {
    var host: String
    var port: UInt16
    var path: String

    init(url: String) throws {
        guard let components = URLComponents(string: url), components.scheme == "http",
            let host = components.host, !host.isEmpty
        else {
            throw TelemetryError(code: .invalidEndpoint, message: "Zipkin endpoint must be an http:// URL: \(url)")
        }
        let port = components.port ?? 80
        guard (1...65535).contains(port) else {
            throw TelemetryError(code: .invalidEndpoint, message: "Zipkin endpoint port out of range: \(url)")
        }
        self.host = host
        self.port = UInt16(port)
        self.path = components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath
    }
}

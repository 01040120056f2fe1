#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore
import NIOPosix

/// Resolves a host name to every address it has (not just the first), so a channel can balance
/// over all replicas behind one DNS name.
enum AddressResolver {
    static func resolve(host: String, port: Int) async throws -> [SocketAddress] {
        if let literal = try? SocketAddress(ipAddress: host, port: port) { return [literal] }
        return try await NIOThreadPool.singleton.runIfActive {
            var hints = addrinfo()
            hints.ai_family = AF_UNSPEC
            #if canImport(Glibc)
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
            #else
            hints.ai_socktype = SOCK_STREAM
            #endif
            var result: UnsafeMutablePointer<addrinfo>?
            let code = getaddrinfo(host, String(port), &hints, &result)
            guard code == 0, let first = result else {
                throw ResolutionError(host: host, message: String(cString: gai_strerror(code)))
            }
            defer { freeaddrinfo(first) }
            var addresses: [SocketAddress] = []
            var cursor: UnsafeMutablePointer<addrinfo>? = first
            while let info = cursor {
                if let address = info.pointee.ai_addr {
                    switch info.pointee.ai_family {
                    case AF_INET:
                        address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
                            addresses.append(SocketAddress($0.pointee, host: host))
                        }
                    case AF_INET6:
                        address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) {
                            addresses.append(SocketAddress($0.pointee, host: host))
                        }
                    default:
                        break
                    }
                }
                cursor = info.pointee.ai_next
            }
            var unique: [SocketAddress] = []
            for address in addresses where !unique.contains(address) { unique.append(address) }
            return unique
        }
    }

    struct ResolutionError: Error, CustomStringConvertible {
        let host: String
        let message: String
        var description: String { "Could not resolve \(host): \(message)" }
    }
}

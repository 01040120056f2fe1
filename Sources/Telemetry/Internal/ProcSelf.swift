import Glibc

/// Reads what the kernel says about this process under /proc/self (Linux only, like the deployment).
///
/// The parsers take the file text, so tests feed them hostile and odd input (a command name with spaces and
/// parentheses, short lines) without a kernel.
enum ProcSelf {
    static func read(_ path: String) -> String? {
        guard let file = fopen(path, "r") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = fread(&chunk, 1, chunk.count, file)
            if count <= 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func residentBytes() -> Int? {
        read("/proc/self/statm").flatMap { residentBytes(statm: $0, pageSize: Int(sysconf(Int32(_SC_PAGESIZE)))) }
    }

    /// `/proc/self/statm`: sizes in pages; the second field is the resident set.
    static func residentBytes(statm: String, pageSize: Int) -> Int? {
        let fields = statm.split(separator: " ")
        guard fields.count >= 2, let pages = Int(fields[1]) else { return nil }
        return pages * pageSize
    }

    static func maxFileDescriptors() -> Int? {
        var limit = rlimit()
        guard getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return nil }
        return limit.rlim_cur == rlim_t.max ? nil : Int(clamping: limit.rlim_cur)
    }

    struct Stat: Equatable {
        var cpuSeconds: Double
        /// Seconds since the Unix epoch.
        var startTime: Double
    }

    static func stat() -> Stat? {
        guard let stat = read("/proc/self/stat"), let system = read("/proc/stat") else { return nil }
        return parseStat(stat, systemStat: system, ticksPerSecond: Double(sysconf(Int32(_SC_CLK_TCK))))
    }

    /// `/proc/self/stat` fields after the command name (which may itself hold spaces and `)`), and `btime` of
    /// `/proc/stat`: utime and stime are fields 14 and 15, starttime 22, all in clock ticks.
    static func parseStat(_ text: String, systemStat: String, ticksPerSecond: Double) -> Stat? {
        guard let close = text.lastIndex(of: ")"), ticksPerSecond > 0 else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 19, let user = Double(fields[11]), let system = Double(fields[12]),
            let started = Double(fields[19])
        else { return nil }
        let bootLine = systemStat.split(separator: "\n").first { $0.hasPrefix("btime ") }
        guard let boot = bootLine.flatMap({ Double($0.dropFirst("btime ".count)) }) else { return nil }
        return Stat(cpuSeconds: (user + system) / ticksPerSecond, startTime: boot + started / ticksPerSecond)
    }

    /// The open descriptors, and the inodes of those that are sockets (`socket:[inode]` links).
    static func fileDescriptors() -> (count: Int, socketInodes: Set<UInt64>) {
        guard let directory = opendir("/proc/self/fd") else { return (0, []) }
        defer { closedir(directory) }
        let own = dirfd(directory)
        var count = 0
        var sockets: Set<UInt64> = []
        var target = [CChar](repeating: 0, count: 64)
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) {
                String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard let fd = Int32(name), fd != own else { continue }
            count += 1
            let length = readlink("/proc/self/fd/\(name)", &target, target.count - 1)
            guard length > 0 else { continue }
            let link = String(decoding: target[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if let inode = socketInode(link) { sockets.insert(inode) }
        }
        return (count, sockets)
    }

    static func socketInode(_ link: String) -> UInt64? {
        guard link.hasPrefix("socket:["), link.hasSuffix("]") else { return nil }
        return UInt64(link.dropFirst("socket:[".count).dropLast())
    }

    static func tcpConnections(socketInodes: Set<UInt64>) -> (inbound: Int, outbound: Int) {
        let tables = ["/proc/self/net/tcp", "/proc/self/net/tcp6"].compactMap(read)
        return tcpConnections(tables: tables, socketInodes: socketInodes)
    }

    /// Established connections among `socketInodes` in `/proc/net/tcp`-format tables; a connection is inbound
    /// when its local port is one this process listens on.
    static func tcpConnections(tables: [String], socketInodes: Set<UInt64>) -> (inbound: Int, outbound: Int) {
        var listening: Set<Substring> = []
        var established: [Substring] = []
        for table in tables {
            for line in table.split(separator: "\n").dropFirst() {
                // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ...
                let fields = line.split(separator: " ")
                guard fields.count >= 10, let inode = UInt64(fields[9]), socketInodes.contains(inode),
                    let colon = fields[1].lastIndex(of: ":")
                else { continue }
                let port = fields[1][fields[1].index(after: colon)...]
                switch fields[3] {
                case "0A": listening.insert(port)
                case "01": established.append(port)
                default: break
                }
            }
        }
        let inbound = established.filter(listening.contains).count
        return (inbound, established.count - inbound)
    }

    static func diskUsage(path: String) -> (free: Int, size: Int)? {
        var info = statvfs()
        guard statvfs(path, &info) == 0 else { return nil }
        let unit = Int(info.f_frsize)
        return (Int(clamping: info.f_bavail) * unit, Int(clamping: info.f_blocks) * unit)
    }
}

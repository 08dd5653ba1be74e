/// Where a `log` line sends, parsed from the target as written.
///
/// Manual, `log <address>`: an IPv4/IPv6 address with an optional UDP port
/// (514 by default), a UNIX datagram socket path, `fd@N`, `stdout`,
/// `stderr`; plus our `file@PATH` extension.
public enum LogDestination: Sendable, Hashable {
    case udp(host: String, port: Int)
    case unix(path: String)
    case fd(Int32)
    case file(path: String)

    /// Parses the target string of a `log` line.
    /// - Throws: `LogConfigError` for ring buffers, stream targets and bad addresses.
    public init(parsing target: String) throws {
        if target == "stdout" { self = .fd(1); return }
        if target == "stderr" { self = .fd(2); return }
        if target.hasPrefix("fd@") {
            guard let n = Int32(target.dropFirst(3)), n >= 0 else {
                throw LogConfigError("invalid file descriptor in log target '\(target)'")
            }
            self = .fd(n)
            return
        }
        if target.hasPrefix("file@") {
            let path = String(target.dropFirst(5))
            guard path.hasPrefix("/") else {
                throw LogConfigError("log target '\(target)' needs an absolute path")
            }
            self = .file(path: path)
            return
        }
        if target.hasPrefix("unix@") { self = .unix(path: String(target.dropFirst(5))); return }
        if target.hasPrefix("/") { self = .unix(path: target); return }
        for prefix in ["ring@", "tcp@", "tcp4@", "tcp6@", "uxst@", "abns@"] where target.hasPrefix(prefix) {
            throw LogConfigError("log target '\(target)': '\(prefix)' targets are not supported")
        }
        var rest = Substring(target)
        for prefix in ["udp@", "udp4@", "udp6@", "ipv4@", "ipv6@"] where rest.hasPrefix(prefix) {
            rest = rest.dropFirst(prefix.count)
            break
        }
        var host = String(rest), port = 514
        if rest.hasPrefix("["), let close = rest.firstIndex(of: "]") {
            host = String(rest[rest.index(after: rest.startIndex)..<close])
            let after = rest[rest.index(after: close)...]
            if after.hasPrefix(":") {
                guard let p = Int(after.dropFirst()), (1...65535).contains(p) else {
                    throw LogConfigError("invalid port in log target '\(target)'")
                }
                port = p
            }
        } else if let colon = rest.lastIndex(of: ":") {
            let portText = rest[rest.index(after: colon)...]
            let hostPart = rest[..<colon]
            // An IPv6 address "followed by a colon and optionally a UDP port".
            host = String(hostPart)
            if !portText.isEmpty {
                guard let p = Int(portText), (1...65535).contains(p) else {
                    throw LogConfigError("invalid port in log target '\(target)'")
                }
                port = p
            }
        }
        guard LogAddress(host) != .none else {
            throw LogConfigError("unable to parse address '\(host)' in log target '\(target)'")
        }
        self = .udp(host: host, port: port)
    }
}

/// A `log` line the logging module refuses.
public struct LogConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

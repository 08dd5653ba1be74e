/// An address a listener binds or a socket path, as written after `bind` or
/// `stats socket`, with the family prefix resolved.
///
/// Manual section 11 "Address formats": `ipv4@`, `ipv6@`, `unix@`, `abns@`,
/// `fd@`, an absolute path meaning `unix@`.
public enum ListenAddress: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// An IPv4 or IPv6 literal (or `*`/empty for any) and one port.
    case inet(host: String, port: Int, family: AddressFamily)
    case unix(path: String)
    case abstract(name: String)
    /// An inherited descriptor, `fd@N`, or `fd@${name}` once expanded.
    case fd(Int32)

    public enum AddressFamily: Sendable, Equatable, Hashable {
        /// Chosen from the literal: IPv6 when it contains a colon.
        case any, ipv4, ipv6
    }

    public var description: String {
        switch self {
        case .inet(let host, let port, _):
            return host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        case .unix(let path): return path
        case .abstract(let name): return "abns@\(name)"
        case .fd(let fd): return "fd@\(fd)"
        }
    }
}

/// The types of fetch and converter arguments (manual 7.3: "arguments are
/// strongly typed and are checked when the configuration is parsed").
public enum SampleArgumentType: Sendable, Equatable {
    case string
    case int
    case ipv4
    case ipv4Mask
    case ipv6
    case ipv6Mask
    /// A backend name, resolved by the configuration parser (`nbsrv(b)`).
    case backend
    /// `backend/server` or `server` (in the current proxy): `srv_is_up`.
    case server
    /// A regular expression, compiled by the converter that takes it.
    case regex
    /// A `userlist` section's name, checked once the configuration is
    /// read (a list may be declared after the proxy using it).
    case userlist

    /// The name 2.6 prints in `failed to parse 'x' as type '...'`.
    public var name: String {
        switch self {
        case .string: return "string"
        case .int: return "integer"
        case .ipv4: return "IPv4 address"
        case .ipv4Mask: return "IPv4 mask"
        case .ipv6: return "IPv6 address"
        case .ipv6Mask: return "IPv6 mask"
        case .backend: return "backend"
        case .server: return "server"
        case .regex: return "regex"
        case .userlist: return "user list"
        }
    }
}

/// A parsed argument. Optional arguments left out are absent from the
/// list, so `arguments.count` tells how many were written.
public enum SampleArgument: Sendable, Equatable {
    case string([UInt8])
    case int(Int64)
    case ipv4(IPv4Address)
    /// A mask, from `24` or `255.255.255.0`.
    case ipv4Mask(IPv4Address)
    case ipv6(IPv6Address)
    case ipv6Mask(IPv6Address)
    case backend(String)
    /// `backend` nil: the proxy the expression is declared in.
    case server(backend: String?, server: String)
    case regex(String)
    /// A userlist name (empty when none was written).
    case userlist(String)
    /// An optional argument written empty (`field(1,a,)`).
    case absent

    /// The argument's text for string-like arguments.
    public var text: String? {
        switch self {
        case .string(let bytes): return String(decoding: bytes, as: UTF8.self)
        case .backend(let name): return name
        case .regex(let pattern): return pattern
        case .userlist(let name): return name
        default: return nil
        }
    }

    public var bytes: [UInt8]? {
        if case .string(let bytes) = self { return bytes }
        return nil
    }

    public var int: Int64? {
        if case .int(let value) = self { return value }
        return nil
    }
}

extension Array where Element == SampleArgument {
    /// The argument at `index`, nil when it was left out.
    public subscript(argument index: Int) -> SampleArgument? {
        guard index < count, self[index] != .absent else { return nil }
        return self[index]
    }

    public func int(at index: Int) -> Int64? { self[argument: index]?.int }
    public func bytes(at index: Int) -> [UInt8]? { self[argument: index]?.bytes }
    public func text(at index: Int) -> String? { self[argument: index]?.text }
}

/// A keyword's argument refused by its own check (`uuid(3)`): `message`
/// follows `invalid args in fetch method 'uuid' : `.
public struct SampleArgumentError: Error, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
}

/// A value produced by a sample fetch and transformed by converters
/// (manual section 7.3): the currency of ACLs, maps, variables and rules.
///
/// Strings and binaries are bytes, never Swift Strings: header values are
/// not guaranteed to be UTF-8 and the hot path should not validate them.
public enum Sample: Sendable, Equatable, Hashable {
    case bool(Bool)
    /// HAProxy's `sint`: a signed 64-bit integer.
    case int(Int64)
    case ipv4(IPv4Address)
    case ipv6(IPv6Address)
    case string([UInt8])
    case binary([UInt8])

    public var type: SampleType {
        switch self {
        case .bool: return .bool
        case .int: return .int
        case .ipv4: return .ipv4
        case .ipv6: return .ipv6
        case .string: return .string
        case .binary: return .binary
        }
    }
}

/// Sample types as the manual names them in its fetch and converter tables.
public enum SampleType: String, Sendable, Equatable, CaseIterable {
    case bool = "boolean"
    case int = "integer"
    case ipv4 = "ipv4"
    case ipv6 = "ipv6"
    case string = "string"
    case binary = "binary"
    /// Accepts any type (converters such as `bool` or `concat` inputs).
    case any = "any"
    /// An address of either family (`src`, `dst`, `hdr_ip`).
    case address = "addr"

    /// A small number per type, for cheap hashing.
    var code: UInt8 {
        switch self {
        case .bool: return 0
        case .int: return 1
        case .ipv4: return 2
        case .ipv6: return 3
        case .string: return 4
        case .binary: return 5
        case .any: return 6
        case .address: return 7
        }
    }
}

/// An IPv4 address in host byte order (`0x7f000001` is 127.0.0.1).
public struct IPv4Address: Sendable, Equatable, Hashable {
    public var value: UInt32
    public init(_ value: UInt32) { self.value = value }
}

/// An IPv6 address as its 16 bytes in network order, split in two halves.
public struct IPv6Address: Sendable, Equatable, Hashable {
    public var high: UInt64
    public var low: UInt64
    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }
}

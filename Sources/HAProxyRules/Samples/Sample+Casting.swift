#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// HAProxy 2.6's implicit casts between sample types, applied before each
/// converter and by ACLs: found with `haproxy -c` on chains such as
/// `bool(1),ipmask(24)` (refused: "converter 'ipmask' cannot be applied")
/// and `int(1),ipmask(24)` (accepted).
///
/// | from \ to | bool | int | ipv4 | ipv6 | string | binary |
/// |-----------|------|-----|------|------|--------|--------|
/// | bool      |  =   | yes |      |      |  yes   |  yes   |
/// | int       | yes  |  =  | yes  | yes  |  yes   |  yes   |
/// | ipv4      |      | yes |  =   | yes  |  yes   |  yes   |
/// | ipv6      |      |     | yes* |  =   |  yes   |  yes   |
/// | string    | yes  | yes | yes  | yes  |   =    |  yes   |
/// | binary    |      |     |      |      |  yes   |   =    |
///
/// (*) only a v4-mapped address converts, at run time.
///
/// At run time a string becomes an integer from its leading digits
/// (`"12abc"` is 12, `"abc"` is 0, `""` does not convert, overflow
/// saturates); an integer becomes 8 big-endian bytes as a binary.
extension SampleType {
    /// Whether a sample of this type can feed something that takes `target`.
    public func canCast(to target: SampleType) -> Bool {
        if self == target || target == .any || self == .any { return true }
        switch target {
        case .address:
            return self == .ipv4 || self == .ipv6 || self == .address || canCast(to: .ipv4)
        case .bool:
            return self == .int || self == .string
        case .int:
            return self == .bool || self == .ipv4 || self == .string || self == .address
        case .ipv4:
            return self == .int || self == .ipv6 || self == .string || self == .address
        case .ipv6:
            return self == .int || self == .ipv4 || self == .string || self == .address
        case .string, .binary:
            return true
        case .any:
            return true
        }
    }
}

extension Sample {
    /// The sample converted to `target` as 2.6 converts it; nil when the
    /// value does not convert (`str(abc)` to an address).
    public func cast(to target: SampleType) -> Sample? {
        if target == .any || type == target { return self }
        switch (self, target) {
        case (.ipv4, .address), (.ipv6, .address):
            return self
        case (_, .address):
            if case .string(let bytes) = self {
                if let v4 = IPv4Address(text: bytes) { return .ipv4(v4) }
                return IPv6Address(text: bytes).map { .ipv6($0) }
            }
            return cast(to: .ipv4)

        case (.bool(let b), .int): return .int(b ? 1 : 0)
        case (.bool(let b), .string): return .string(b ? [0x31] : [0x30])
        case (.bool(let b), .binary): return .binary(Sample.bigEndian(b ? 1 : 0))

        case (.int(let i), .bool): return .bool(i != 0)
        case (.int(let i), .string): return .string(Array(String(i).utf8))
        case (.int(let i), .binary): return .binary(Sample.bigEndian(i))
        case (.int(let i), .ipv4): return .ipv4(IPv4Address(UInt32(truncatingIfNeeded: i)))
        case (.int(let i), .ipv6): return .ipv6(IPv4Address(UInt32(truncatingIfNeeded: i)).mapped)

        case (.ipv4(let a), .int): return .int(Int64(a.value))
        case (.ipv4(let a), .string): return .string(a.textBytes)
        case (.ipv4(let a), .binary): return .binary(a.networkBytes)
        case (.ipv4(let a), .ipv6): return .ipv6(a.mapped)

        case (.ipv6(let a), .ipv4): return a.ipv4.map { .ipv4($0) }
        case (.ipv6(let a), .string): return .string(a.textBytes)
        case (.ipv6(let a), .binary): return .binary(a.networkBytes)

        case (.string(let s), .bool): return Sample.parseLeadingInt(s).map { .bool($0 != 0) }
        case (.string(let s), .int): return Sample.parseLeadingInt(s).map { .int($0) }
        case (.string(let s), .ipv4): return IPv4Address(text: s).map { .ipv4($0) }
        case (.string(let s), .ipv6): return IPv6Address(text: s).map { .ipv6($0) }
        case (.string(let s), .binary): return .binary(s)

        case (.binary(let b), .string): return .string(b)
        default: return nil
        }
    }

    /// The bytes of a string or binary sample, or of its string form.
    public var stringBytes: [UInt8]? {
        switch self {
        case .string(let bytes), .binary(let bytes): return bytes
        default:
            if case .string(let bytes)? = cast(to: .string) { return bytes }
            return nil
        }
    }

    /// The integer value, cast when needed (`"12"` is 12).
    public var intValue: Int64? {
        if case .int(let i) = self { return i }
        if case .int(let i)? = cast(to: .int) { return i }
        return nil
    }

    /// 8 bytes, big endian.
    static func bigEndian(_ value: Int64) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: value >> (56 - 8 * $0)) }
    }

    /// A decimal integer at the start of `bytes`, with an optional sign;
    /// what follows the digits is ignored and no digit at all is 0. nil
    /// for an empty string.
    static func parseLeadingInt(_ bytes: [UInt8]) -> Int64? {
        if bytes.isEmpty { return nil }
        var index = 0
        var negative = false
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
            negative = bytes[index] == UInt8(ascii: "-")
            index += 1
        }
        let start = index
        var value: Int64 = 0
        while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 {
            let digit = Int64(bytes[index] - 0x30)
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (s, o2) = negative ? m.subtractingReportingOverflow(digit) : m.addingReportingOverflow(digit)
            if o1 || o2 { return negative ? Int64.min : Int64.max }
            value = s
            index += 1
        }
        _ = start
        return value
    }
}

extension IPv4Address {
    /// Parses dotted-quad text (`inet_pton`).
    public init?(text: some Collection<UInt8>) {
        guard text.count <= 15, !text.contains(0) else { return nil }
        var raw = in_addr()
        let ok = withCString(text) { inet_pton(AF_INET, $0, &raw) } == 1
        guard ok else { return nil }
        self.init(UInt32(bigEndian: raw.s_addr))
    }

    /// The address in network order.
    public var networkBytes: [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xff), UInt8(value >> 8 & 0xff), UInt8(value & 0xff)]
    }

    /// `a.b.c.d`.
    public var textBytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(15)
        for (i, byte) in networkBytes.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ".")) }
            out.append(contentsOf: String(byte).utf8)
        }
        return out
    }

    /// `::ffff:a.b.c.d`.
    public var mapped: IPv6Address {
        IPv6Address(high: 0, low: 0xffff_0000_0000 | UInt64(value))
    }
}

extension IPv6Address {
    /// Parses IPv6 text (`inet_pton`).
    public init?(text: some Collection<UInt8>) {
        guard text.count <= 45, !text.contains(0) else { return nil }
        var raw = in6_addr()
        let ok = withCString(text) { inet_pton(AF_INET6, $0, &raw) } == 1
        guard ok else { return nil }
        let bytes = withUnsafeBytes(of: raw) { Array($0) }
        self.init(networkBytes: bytes)
    }

    /// From 16 bytes in network order.
    public init(networkBytes bytes: [UInt8]) {
        var high: UInt64 = 0
        var low: UInt64 = 0
        for i in 0..<8 { high = high << 8 | UInt64(bytes[i]) }
        for i in 8..<16 { low = low << 8 | UInt64(bytes[i]) }
        self.init(high: high, low: low)
    }

    public var networkBytes: [UInt8] {
        var out = [UInt8](repeating: 0, count: 16)
        for i in 0..<8 { out[i] = UInt8(truncatingIfNeeded: high >> (56 - 8 * i)) }
        for i in 0..<8 { out[8 + i] = UInt8(truncatingIfNeeded: low >> (56 - 8 * i)) }
        return out
    }

    /// The canonical text (`inet_ntop`).
    public var textBytes: [UInt8] {
        var raw = in6_addr()
        let bytes = networkBytes
        withUnsafeMutableBytes(of: &raw) { $0.copyBytes(from: bytes) }
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        guard inet_ntop(AF_INET6, &raw, &buffer, socklen_t(buffer.count)) != nil else { return [] }
        return buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
    }

    /// The IPv4 address inside a v4-mapped address (`::ffff:a.b.c.d`);
    /// 2.6 converts no other form (neither `::a.b.c.d` nor 6to4).
    public var ipv4: IPv4Address? {
        if high == 0 && low >> 32 == 0xffff { return IPv4Address(UInt32(truncatingIfNeeded: low)) }
        return nil
    }
}

/// Calls `body` with `bytes` as a NUL-terminated C string.
private func withCString<R>(_ bytes: some Collection<UInt8>, _ body: (UnsafePointer<CChar>) -> R) -> R {
    var buffer = [CChar](repeating: 0, count: bytes.count + 1)
    var i = 0
    for byte in bytes {
        buffer[i] = CChar(bitPattern: byte)
        i += 1
    }
    return buffer.withUnsafeBufferPointer { body($0.baseAddress!) }
}

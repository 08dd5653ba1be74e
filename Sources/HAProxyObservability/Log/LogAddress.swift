#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore

/// An address as HAProxy logs it (`%ci`, `%fi`, `%si`, `%bi`), kept as raw
/// bytes so a log line formats it without building a String.
public enum LogAddress: Sendable, Equatable {
    /// Unknown or not applicable: logged as `-`.
    case none
    /// IPv4 in network byte order (as in `in_addr.s_addr`).
    case ipv4(UInt32)
    /// IPv6, 16 bytes in network order packed big-endian into two words.
    case ipv6(UInt64, UInt64)
    /// A UNIX socket: logged as `unix`.
    case unix

    /// IPv4 from dotted text, for tests and configuration values.
    public init(_ text: String) {
        var a = in_addr()
        if inet_pton(AF_INET, text, &a) == 1 {
            self = .ipv4(a.s_addr)
            return
        }
        var a6 = in6_addr()
        if inet_pton(AF_INET6, text, &a6) == 1 {
            self = withUnsafeBytes(of: &a6) { LogAddress(ipv6Bytes: $0) }
            return
        }
        self = .none
    }

    init(ipv6Bytes b: UnsafeRawBufferPointer) {
        var hi: UInt64 = 0, lo: UInt64 = 0
        for i in 0..<8 { hi = hi << 8 | UInt64(b[i]) }
        for i in 8..<16 { lo = lo << 8 | UInt64(b[i]) }
        self = .ipv6(hi, lo)
    }

    /// The address and port of a NIO socket address (port 0 for UNIX).
    public static func from(_ address: SocketAddress?) -> (LogAddress, Int) {
        switch address {
        case .v4(let a)?:
            return (.ipv4(a.address.sin_addr.s_addr), Int(UInt16(bigEndian: a.address.sin_port)))
        case .v6(let a)?:
            var sa = a.address
            let addr = withUnsafeBytes(of: &sa.sin6_addr) { LogAddress(ipv6Bytes: $0) }
            return (addr, Int(UInt16(bigEndian: sa.sin6_port)))
        case .unixDomainSocket?:
            return (.unix, 0)
        case nil:
            return (.none, 0)
        }
    }

    /// Appends the text form (`127.0.0.1`, `::1`, `unix`, `-`).
    func appendText(to out: inout [UInt8]) {
        switch self {
        case .none: out.append(0x2D)
        case .unix: out.append(contentsOf: "unix".utf8)
        case .ipv4(let s):
            let b = withUnsafeBytes(of: s) { Array($0) }
            for i in 0..<4 {
                if i > 0 { out.append(0x2E) }
                LogBytes.appendDecimal(Int(b[i]), to: &out)
            }
        case .ipv6(let hi, let lo):
            var a6 = in6_addr()
            withUnsafeMutableBytes(of: &a6) { p in
                for i in 0..<8 { p[i] = UInt8(truncatingIfNeeded: hi >> (56 - 8 * UInt64(i))) }
                for i in 0..<8 { p[8 + i] = UInt8(truncatingIfNeeded: lo >> (56 - 8 * UInt64(i))) }
            }
            var buf = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
            if inet_ntop(AF_INET6, &a6, &buf, socklen_t(buf.count)) != nil {
                for c in buf { if c == 0 { break }; out.append(UInt8(bitPattern: c)) }
            }
        }
    }

    /// Appends the `+X` form: `%08X` of the IPv4 address, 32 hex digits for IPv6.
    func appendHex(to out: inout [UInt8]) {
        switch self {
        case .none: out.append(0x2D)
        case .unix: out.append(contentsOf: "unix".utf8)
        case .ipv4(let s):
            LogBytes.appendHex(UInt64(UInt32(bigEndian: s)), width: 8, to: &out)
        case .ipv6(let hi, let lo):
            LogBytes.appendHex(hi, width: 16, to: &out)
            LogBytes.appendHex(lo, width: 16, to: &out)
        }
    }
}

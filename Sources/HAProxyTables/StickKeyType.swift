/// The type of a stick table's keys (manual 4.2 `stick-table type`).
public enum StickKeyType: Sendable, Equatable {
    case ip
    case ipv6
    case integer
    /// Strings up to `length` bytes (32 by default); longer ones are cut.
    case string(length: Int)
    /// Binary blocks of `length` bytes (32 by default), padded with zeros.
    case binary(length: Int)

    /// The word in `show table`'s summary line.
    public var name: String {
        switch self {
        case .ip: return "ip"
        case .ipv6: return "ipv6"
        case .integer: return "integer"
        case .string: return "string"
        case .binary: return "binary"
        }
    }
}

/// A key as stored: addresses and integers in two words, strings and
/// binary blocks in bytes (already cut or padded to the table's length).
public struct StickKey: Hashable, Sendable {
    public var high: UInt64
    public var low: UInt64
    public var bytes: [UInt8]?

    public init(high: UInt64 = 0, low: UInt64 = 0, bytes: [UInt8]? = nil) {
        self.high = high
        self.low = low
        self.bytes = bytes
    }

    public static func ipv4(_ value: UInt32) -> StickKey { StickKey(low: UInt64(value)) }
    public static func ipv6(high: UInt64, low: UInt64) -> StickKey { StickKey(high: high, low: low) }
    public static func integer(_ value: Int32) -> StickKey { StickKey(low: UInt64(UInt32(bitPattern: value))) }

    /// Key order: addresses and integers by value, bytes as `memcmp`.
    public func precedes(_ other: StickKey) -> Bool {
        if let a = bytes, let b = other.bytes { return a.lexicographicallyPrecedes(b) }
        return (high, low) < (other.high, other.low)
    }

    /// The key as `show table` prints it for a table of type `type`.
    public func text(for type: StickKeyType) -> String {
        switch type {
        case .ip:
            let v = UInt32(truncatingIfNeeded: low)
            return "\(v >> 24).\((v >> 16) & 0xff).\((v >> 8) & 0xff).\(v & 0xff)"
        case .ipv6:
            return Self.ipv6Text(high: high, low: low)
        case .integer:
            return String(Int32(bitPattern: UInt32(truncatingIfNeeded: low)))
        case .string:
            return String(decoding: bytes ?? [], as: UTF8.self)
        case .binary:
            let digits = Array("0123456789ABCDEF".utf8)
            var out: [UInt8] = []
            for b in bytes ?? [] {
                out.append(digits[Int(b >> 4)])
                out.append(digits[Int(b & 15)])
            }
            return String(decoding: out, as: UTF8.self)
        }
    }

    /// RFC 5952 text: the longest run of two or more zero groups is `::`.
    static func ipv6Text(high: UInt64, low: UInt64) -> String {
        var groups: [UInt16] = []
        for i in 0..<4 { groups.append(UInt16(truncatingIfNeeded: high >> UInt64(48 - 16 * i))) }
        for i in 0..<4 { groups.append(UInt16(truncatingIfNeeded: low >> UInt64(48 - 16 * i))) }
        if high == 0, low >> 32 == 0xffff {
            let v = UInt32(truncatingIfNeeded: low)
            return "::ffff:\(v >> 24).\((v >> 16) & 0xff).\((v >> 8) & 0xff).\(v & 0xff)"
        }
        var bestStart = -1, bestLength = 0, i = 0
        while i < 8 {
            if groups[i] == 0 {
                var j = i
                while j < 8, groups[j] == 0 { j += 1 }
                if j - i > bestLength, j - i >= 2 { (bestStart, bestLength) = (i, j - i) }
                i = j
            } else {
                i += 1
            }
        }
        func hex(_ range: Range<Int>) -> String {
            groups[range].map { String($0, radix: 16) }.joined(separator: ":")
        }
        guard bestStart >= 0 else { return hex(0..<8) }
        return hex(0..<bestStart) + "::" + hex((bestStart + bestLength)..<8)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension StickKey {
    /// A key typed on the CLI (`show table t key 10.0.0.1`), nil when it
    /// is not one of `type`.
    public static func parse(_ text: String, as type: StickKeyType) -> StickKey? {
        switch type {
        case .ip:
            var a = in_addr()
            guard inet_pton(AF_INET, text, &a) == 1 else { return nil }
            return .ipv4(UInt32(bigEndian: a.s_addr))
        case .ipv6:
            var a = in6_addr()
            guard inet_pton(AF_INET6, text, &a) == 1 else { return nil }
            let bytes = withUnsafeBytes(of: &a) { Array($0) }
            return fromIPv6Bytes(bytes)
        case .integer:
            guard let v = Int32(text) else { return nil }
            return .integer(v)
        case .string(let length):
            return string(Array(text.utf8), length: length)
        case .binary(let length):
            var bytes: [UInt8] = []
            var chars = Array(text.utf8)[...]
            guard chars.count % 2 == 0 else { return nil }
            while let h = chars.popFirst(), let l = chars.popFirst() {
                guard let hi = hexValue(h), let lo = hexValue(l) else { return nil }
                bytes.append(hi << 4 | lo)
            }
            return binary(bytes, length: length)
        }
    }

    public static func fromIPv6Bytes(_ bytes: [UInt8]) -> StickKey {
        var high: UInt64 = 0, low: UInt64 = 0
        for i in 0..<8 { high = high << 8 | UInt64(bytes[i]) }
        for i in 8..<16 { low = low << 8 | UInt64(bytes[i]) }
        return .ipv6(high: high, low: low)
    }

    /// A string key, cut to the table's length.
    public static func string(_ bytes: [UInt8], length: Int) -> StickKey {
        StickKey(bytes: bytes.count > length ? Array(bytes.prefix(length)) : bytes)
    }

    /// A binary key, cut or padded with zeros to the table's length.
    public static func binary(_ bytes: [UInt8], length: Int) -> StickKey {
        var b = Array(bytes.prefix(length))
        if b.count < length { b += [UInt8](repeating: 0, count: length - b.count) }
        return StickKey(bytes: b)
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x41...0x46: return c - 0x37
        case 0x61...0x66: return c - 0x57
        default: return nil
        }
    }
}

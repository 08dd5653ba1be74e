/// Base64 (RFC 4648 section 4) and its URL-safe alphabet without padding
/// (section 5), for `base64`, `b64dec`, `ub64enc` and `ub64dec`.
public enum Base64 {
    private static let standard = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    private static let urlSafe = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    public static func encode(_ bytes: [UInt8], url: Bool) -> [UInt8] {
        let alphabet = url ? urlSafe : standard
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var i = 0
        while i < bytes.count {
            let b0 = UInt32(bytes[i])
            let b1 = i + 1 < bytes.count ? UInt32(bytes[i + 1]) : 0
            let b2 = i + 2 < bytes.count ? UInt32(bytes[i + 2]) : 0
            let v = b0 << 16 | b1 << 8 | b2
            out.append(alphabet[Int(v >> 18 & 63)])
            out.append(alphabet[Int(v >> 12 & 63)])
            if i + 1 < bytes.count { out.append(alphabet[Int(v >> 6 & 63)]) } else if !url { out.append(UInt8(ascii: "=")) }
            if i + 2 < bytes.count { out.append(alphabet[Int(v & 63)]) } else if !url { out.append(UInt8(ascii: "=")) }
            i += 3
        }
        return out
    }

    /// nil on a byte outside the alphabet or a length that cannot be
    /// base64 (standard: a multiple of 4 with padding; URL: no padding).
    public static func decode(_ bytes: [UInt8], url: Bool) -> [UInt8]? {
        var input = bytes[...]
        if !url {
            guard bytes.count % 4 == 0 else { return nil }
            while input.last == UInt8(ascii: "=") { input = input.dropLast() }
            guard bytes.count - input.count <= 2 else { return nil }
        } else {
            guard bytes.count % 4 != 1 else { return nil }
        }
        var out: [UInt8] = []
        out.reserveCapacity(input.count * 3 / 4)
        var accumulator: UInt32 = 0
        var bits = 0
        for c in input {
            let value: UInt32
            switch c {
            case 0x41...0x5a: value = UInt32(c - 0x41)
            case 0x61...0x7a: value = UInt32(c - 0x61 + 26)
            case 0x30...0x39: value = UInt32(c - 0x30 + 52)
            case UInt8(ascii: "+") where !url, UInt8(ascii: "-") where url: value = 62
            case UInt8(ascii: "/") where !url, UInt8(ascii: "_") where url: value = 63
            default: return nil
            }
            accumulator = accumulator << 6 | value
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
            }
        }
        return out
    }
}

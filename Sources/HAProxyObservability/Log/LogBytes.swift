/// Small byte-appending helpers shared by the log formatters, so a log line
/// is built into one reused `[UInt8]` without a String per field.
enum LogBytes {
    static let hexDigits: [UInt8] = Array("0123456789ABCDEF".utf8)

    @inline(__always)
    static func appendDecimal(_ value: Int, to out: inout [UInt8]) {
        if value < 0 {
            out.append(0x2D)
            if value == Int.min { out.append(contentsOf: "9223372036854775808".utf8); return }
            appendDecimal(-value, to: &out)
            return
        }
        if value < 10 { out.append(0x30 + UInt8(value)); return }
        var tmp: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                  UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var n = value, i = 20
        withUnsafeMutableBytes(of: &tmp) { p in
            while n > 0 { i -= 1; p[i] = 0x30 + UInt8(n % 10); n /= 10 }
            out.append(contentsOf: p[i..<20])
        }
    }

    /// Decimal left-padded with zeros to `width` digits.
    @inline(__always)
    static func appendPadded(_ value: Int, width: Int, to out: inout [UInt8]) {
        var digits = 1, v = value
        while v >= 10 { digits += 1; v /= 10 }
        if digits < width { for _ in 0..<(width - digits) { out.append(0x30) } }
        appendDecimal(value, to: &out)
    }

    /// Upper-case hex left-padded to `width` digits (HAProxy's `%0*X`).
    static func appendHex(_ value: UInt64, width: Int, to out: inout [UInt8]) {
        var digits = 1, v = value
        while v >= 16 { digits += 1; v >>= 4 }
        let n = max(width, digits)
        for i in stride(from: n - 1, through: 0, by: -1) {
            out.append(hexDigits[Int((value >> (4 * UInt64(i))) & 0xF)])
        }
    }

    @inline(__always)
    static func append(_ s: String, to out: inout [UInt8]) {
        var s = s
        s.withUTF8 { out.append(contentsOf: $0) }
    }
}

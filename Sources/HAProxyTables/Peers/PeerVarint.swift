/// The variable-length integers of the peers protocol (peers-v2.0.txt,
/// "Encoded Integer"): below 240 one byte; above, a first byte of 240 +
/// the low 4 bits, then 7 bits per byte, the high bit set while more follow.
public enum PeerVarint {
    public static func encode(_ value: UInt64, into out: inout [UInt8]) {
        var v = value
        guard v >= 240 else {
            out.append(UInt8(v))
            return
        }
        out.append(UInt8(truncatingIfNeeded: v) | 240)
        v = (v - 240) >> 4
        while v >= 128 {
            out.append(UInt8(truncatingIfNeeded: v) | 128)
            v = (v - 128) >> 7
        }
        out.append(UInt8(v))
    }

    /// The integer at `index`, which moves past it; nil when the bytes end
    /// first (or it does not fit 64 bits).
    public static func decode(_ bytes: ArraySlice<UInt8>, at index: inout Int) -> UInt64? {
        guard index < bytes.endIndex else { return nil }
        var value = UInt64(bytes[index])
        index += 1
        guard value >= 240 else { return value }
        var shift: UInt64 = 4
        while true {
            guard index < bytes.endIndex, shift < 64 else { return nil }
            let b = UInt64(bytes[index])
            index += 1
            value &+= b << shift
            shift += 7
            if b < 128 { return value }
        }
    }
}

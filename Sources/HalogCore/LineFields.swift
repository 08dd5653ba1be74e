/// Navigation inside one log line, HAProxy halog's way: fields are
/// separated by runs of spaces, numbers are read with `str2ic` (an optional
/// minus sign then digits; anything else ends the number, "+5" reads as 0).
struct LineFields {
    typealias P = UnsafePointer<UInt8>
    let start: P
    let end: P

    /// The start of the field `k` fields after the one at `p` (0: the field
    /// at `p` itself, leading spaces skipped); `end` when there is none.
    @inline(__always)
    func field(_ p: P, _ k: Int) -> P {
        var p = p
        var k = k
        while true {
            while p < end && p.pointee == 0x20 { p += 1 }
            if k == 0 || p == end { return p }
            k -= 1
            p = nextSpace(p)
        }
    }

    /// The first space at or after `p`, or `end`: eight bytes per step
    /// (a word-wide zero-byte test on the bytes XOR 0x20), never reading
    /// past `end`.
    @inline(__always)
    func nextSpace(_ p: P) -> P {
        var p = p
        while end - p >= 8 {
            // Byte order fixed so that the first byte in memory is the lowest.
            let x = UInt64(littleEndian: UnsafeRawPointer(p).loadUnaligned(as: UInt64.self)) ^ 0x2020_2020_2020_2020
            // The lowest set bit marks the first zero byte of x exactly.
            let zeros = (x &- 0x0101_0101_0101_0101) & ~x & 0x8080_8080_8080_8080
            if zeros != 0 { return p + (zeros.trailingZeroBitCount >> 3) }
            p += 8
        }
        while p < end && p.pointee != 0x20 { p += 1 }
        return p
    }

    /// The end of the field starting at `p`.
    @inline(__always)
    func fieldEnd(_ p: P) -> P {
        var p = p
        while p < end && p.pointee > 0x20 { p += 1 }
        return p
    }

    @inline(__always)
    func str2ic(_ p: P) -> Int {
        var p = p
        var neg = false
        if p < end && p.pointee == 0x2D { neg = true; p += 1 }
        var v = 0
        while p < end {
            let d = p.pointee &- 0x30
            if d > 9 { break }
            v = v &* 10 &+ Int(d)
            p += 1
        }
        return neg ? -v : v
    }

    /// Reads up to five `/`-separated timers of the field at `p`.
    /// - Returns: the number of timers read; negative ones are stored as -1
    ///   and reported through `negative`.
    @inline(__always)
    func timers(_ p: P, _ t: inout (Int, Int, Int, Int, Int), negative: inout Bool) -> Int {
        var p = p
        var f = 0
        negative = false
        while p < end && p.pointee > 0x20 {
            var v = str2ic(p)
            if v < 0 { v = -1; negative = true }
            switch f {
            case 0: t.0 = v
            case 1: t.1 = v
            case 2: t.2 = v
            case 3: t.3 = v
            default: t.4 = v
            }
            f += 1
            if f == 5 { break }
            while p < end && p.pointee > 0x20 && p.pointee != 0x2F { p += 1 }
            if p < end && p.pointee == 0x2F { p += 1 }
        }
        return f
    }
}

/// Reads an accept date `dd/Mmm/yyyy:hh:mm:ss[.mmm]` as seconds since the
/// epoch (UTC, the date being taken as written).
enum AcceptDate {
    static let months: [(UInt8, UInt8, UInt8)] = [
        (74, 97, 110), (70, 101, 98), (77, 97, 114), (65, 112, 114), (77, 97, 121), (74, 117, 110),
        (74, 117, 108), (65, 117, 103), (83, 101, 112), (79, 99, 116), (78, 111, 118), (68, 101, 99),
    ]

    static func parse(_ p: UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>) -> Int? {
        guard end - p >= 20 else { return nil }
        func num(_ at: Int, _ n: Int) -> Int? {
            var v = 0
            for i in 0..<n {
                let d = p[at + i] &- 0x30
                if d > 9 { return nil }
                v = v * 10 + Int(d)
            }
            return v
        }
        guard let day = num(0, 2), let year = num(7, 4), let hh = num(12, 2), let mm = num(15, 2),
              let ss = num(18, 2) else { return nil }
        guard let month = months.firstIndex(where: { $0.0 == p[3] && $0.1 == p[4] && $0.2 == p[5] }) else { return nil }
        // Days from civil (Howard Hinnant's algorithm).
        let y = month < 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let m = month + 1
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146097 + doe - 719468
        return days * 86400 + hh * 3600 + mm * 60 + ss
    }

    /// Reads the time of day of an accept date field (from its `[`) as
    /// milliseconds since midnight, the date being ignored, as halog's
    /// convert_date() does: the hour starts after the first ':', each
    /// number ends at any non-digit, which is skipped whatever it is, and
    /// milliseconds follow only a '.'. Reading goes on past the field, up
    /// to the end of the line, which is an error.
    /// - Returns: nil on error or when the 32-bit result is negative.
    static func millisecondsOfDay(_ p: UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>) -> UInt32? {
        var e = p
        @inline(__always) func next() -> UInt8 {
            if e >= end { return 0 }
            let c = e.pointee
            e += 1
            return c
        }
        while true {
            let c = next()
            if c == UInt8(ascii: ":") { break }
            if c == 0 { return nil }
        }
        var c: UInt8 = 0
        func number() -> UInt32? {
            var v: UInt32 = 0
            while true {
                c = next() &- 0x30
                if c > 9 { break }
                v = v &* 10 &+ UInt32(c)
            }
            return c == 0 &- 0x30 ? nil : v
        }
        guard let h = number(), let m = number(), let s = number() else { return nil }
        var ms: UInt32 = 0
        if c == UInt8(ascii: ".") &- 0x30 {
            guard let v = number() else { return nil }
            ms = v
        }
        let t = ((h &* 60 &+ m) &* 60 &+ s) &* 1000 &+ ms
        return Int32(bitPattern: t) < 0 ? nil : t
    }
}

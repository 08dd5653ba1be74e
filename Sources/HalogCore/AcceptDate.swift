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
}

import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Reads the datagrams recorded from the real HAProxy 2.6 by
/// Golden/capture.sh (one Python `repr()` of the bytes per line).
enum GoldenLines {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    static func load(_ name: String) throws -> [String] {
        let text = try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
        return text.split(separator: "\n").map { line in
            var s = String(line.dropFirst(2).dropLast(1)) // b'...'
            s = s.replacingOccurrences(of: "\\n", with: "\n")
            s = s.replacingOccurrences(of: "\\'", with: "'")
            s = s.replacingOccurrences(of: "\\\\", with: "\\")
            return s
        }
    }

    /// Pins the process time zone to UTC, as on the host that recorded them.
    static func useUTC() {
        setenv("TZ", "UTC", 1)
        tzset()
    }

    /// Microseconds since the epoch of a UTC date.
    static func micros(_ y: Int, _ mo: Int, _ d: Int, _ h: Int, _ mi: Int, _ s: Int, ms: Int) -> Int64 {
        var t = tm()
        t.tm_year = Int32(y - 1900); t.tm_mon = Int32(mo - 1); t.tm_mday = Int32(d)
        t.tm_hour = Int32(h); t.tm_min = Int32(mi); t.tm_sec = Int32(s)
        return Int64(timegm(&t)) * 1_000_000 + Int64(ms) * 1000
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Calendar fields of a log date, from `localtime_r` or `gmtime_r`.
struct LogCalendarDate {
    var year = 1970, month = 0, day = 1, hour = 0, minute = 0, second = 0
    /// Offset from UTC in seconds (0 for GMT).
    var utcOffset = 0
}

/// Formats dates for log lines, caching the calendar breakdown of the last
/// second seen (a busy proxy logs many lines per second).
///
/// The time zone is read once by `LogClock.loadTimeZone()`, which the
/// process calls before `chroot` so local times stay right inside it.
struct LogClock {
    static let monthNames: [[UInt8]] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"].map { Array($0.utf8) }

    private var localSecond = Int.min
    private var local = LogCalendarDate()
    private var gmtSecond = Int.min
    private var gmt = LogCalendarDate()

    /// Loads the time zone (tzset and one localtime call) so later calls
    /// never need /etc/localtime, which a chroot hides.
    static func loadTimeZone() {
        tzset()
        var t = time(nil)
        var tmv = tm()
        _ = localtime_r(&t, &tmv)
    }

    static func nowMicros() -> Int64 {
        var tv = timeval()
        gettimeofday(&tv, nil)
        return Int64(tv.tv_sec) * 1_000_000 + Int64(tv.tv_usec)
    }

    mutating func localDate(_ seconds: Int) -> LogCalendarDate {
        if seconds != localSecond {
            var t = time_t(seconds)
            var tmv = tm()
            _ = localtime_r(&t, &tmv)
            local = LogCalendarDate(year: Int(tmv.tm_year) + 1900, month: Int(tmv.tm_mon), day: Int(tmv.tm_mday),
                                    hour: Int(tmv.tm_hour), minute: Int(tmv.tm_min), second: Int(tmv.tm_sec),
                                    utcOffset: Int(tmv.tm_gmtoff))
            localSecond = seconds
        }
        return local
    }

    mutating func gmtDate(_ seconds: Int) -> LogCalendarDate {
        if seconds != gmtSecond {
            var t = time_t(seconds)
            var tmv = tm()
            _ = gmtime_r(&t, &tmv)
            gmt = LogCalendarDate(year: Int(tmv.tm_year) + 1900, month: Int(tmv.tm_mon), day: Int(tmv.tm_mday),
                                  hour: Int(tmv.tm_hour), minute: Int(tmv.tm_min), second: Int(tmv.tm_sec))
            gmtSecond = seconds
        }
        return gmt
    }

    @inline(__always)
    private static func split(_ micros: Int64) -> (Int, Int) {
        let s = micros >= 0 ? micros / 1_000_000 : (micros - 999_999) / 1_000_000
        return (Int(s), Int(micros - s * 1_000_000))
    }

    /// `25/Nov/2026:18:02:29.269` in local time (`%t`, `%tr`).
    mutating func appendLogDate(_ micros: Int64, to out: inout [UInt8]) {
        let (s, us) = Self.split(micros)
        let d = localDate(s)
        appendDMYHMS(d, to: &out)
        out.append(0x2E)
        LogBytes.appendPadded(us / 1000, width: 3, to: &out)
    }

    /// `25/Nov/2026:18:01:55 +0000` (`%T`, `%trg`) or with the local offset (`%Tl`, `%trl`).
    mutating func appendCLFDate(_ micros: Int64, local: Bool, to out: inout [UInt8]) {
        let (s, _) = Self.split(micros)
        let d = local ? localDate(s) : gmtDate(s)
        appendDMYHMS(d, to: &out)
        out.append(0x20)
        Self.appendOffset(d.utcOffset, colon: false, to: &out)
    }

    /// `Nov 25 18:02:29`, the RFC 3164 timestamp (day padded with a space).
    mutating func appendRFC3164Date(_ micros: Int64, to out: inout [UInt8]) {
        let (s, _) = Self.split(micros)
        let d = localDate(s)
        out.append(contentsOf: Self.monthNames[d.month])
        out.append(0x20)
        if d.day < 10 { out.append(0x20) }
        LogBytes.appendDecimal(d.day, to: &out)
        out.append(0x20)
        appendHMS(d, to: &out)
    }

    /// `2026-11-25T18:02:29.272225+00:00`, RFC 5424 / ISO 8601 local time.
    mutating func appendISODate(_ micros: Int64, to out: inout [UInt8]) {
        let (s, us) = Self.split(micros)
        let d = localDate(s)
        LogBytes.appendPadded(d.year, width: 4, to: &out)
        out.append(0x2D)
        LogBytes.appendPadded(d.month + 1, width: 2, to: &out)
        out.append(0x2D)
        LogBytes.appendPadded(d.day, width: 2, to: &out)
        out.append(0x54)
        appendHMS(d, to: &out)
        out.append(0x2E)
        LogBytes.appendPadded(us, width: 6, to: &out)
        Self.appendOffset(d.utcOffset, colon: true, to: &out)
    }

    private func appendDMYHMS(_ d: LogCalendarDate, to out: inout [UInt8]) {
        LogBytes.appendPadded(d.day, width: 2, to: &out)
        out.append(0x2F)
        out.append(contentsOf: Self.monthNames[d.month])
        out.append(0x2F)
        LogBytes.appendPadded(d.year, width: 4, to: &out)
        out.append(0x3A)
        appendHMS(d, to: &out)
    }

    private func appendHMS(_ d: LogCalendarDate, to out: inout [UInt8]) {
        LogBytes.appendPadded(d.hour, width: 2, to: &out)
        out.append(0x3A)
        LogBytes.appendPadded(d.minute, width: 2, to: &out)
        out.append(0x3A)
        LogBytes.appendPadded(d.second, width: 2, to: &out)
    }

    private static func appendOffset(_ offset: Int, colon: Bool, to out: inout [UInt8]) {
        out.append(offset < 0 ? 0x2D : 0x2B)
        let m = abs(offset) / 60
        LogBytes.appendPadded(m / 60, width: 2, to: &out)
        if colon { out.append(0x3A) }
        LogBytes.appendPadded(m % 60, width: 2, to: &out)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import HAProxyBase

/// When this process started, for `show info`'s Uptime and Start_time_sec.
///
/// Read from /proc/self/stat (start time in clock ticks since boot) so that
/// it does not depend on when the runtime API was first used.
enum ProcessClock {
    /// Seconds since the epoch at process start.
    static let startTime: Double = {
        let now = ProcessEnvironment.now
        guard let stat = SystemFile.text(atPath: "/proc/self/stat"),
            let close = stat.lastIndex(of: ")")
        else { return now }
        // Fields after "(comm)": state is field 3; starttime is field 22.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 19, let ticks = Double(fields[19]),
            let uptimeText = SystemFile.text(atPath: "/proc/uptime"),
            let uptime = Double(uptimeText.split(separator: " ").first ?? "")
        else { return now }
        let hz = Double(sysconf(Int32(_SC_CLK_TCK)))
        return now - uptime + ticks / max(hz, 1)
    }()

    static var uptimeSeconds: Int { max(0, Int(ProcessEnvironment.now - startTime)) }

    /// `0d 0h03m42s`, as `show info` prints it.
    static func uptimeText(_ seconds: Int) -> String {
        let d = seconds / 86400, h = (seconds / 3600) % 24, m = (seconds / 60) % 60, s = seconds % 60
        return "\(d)d \(h)h\(m.zeroPadded(2))m\(s.zeroPadded(2))s"
    }
}

import HAProxyConfig

/// When each health check and agent check runs first, spread as 2.6
/// spreads them rather than all at once.
///
/// Recorded from 2.6.12 (each server's first check timed by the server):
/// the checks and agent checks of every backend, in the order of the file
/// (a server's check, then its agent), are numbered 0..<n; the one at
/// position p starts after `max(m, interval) * p / n` ms, where `interval`
/// is the one it starts with and `m` the smallest starting interval of at
/// least 1 s among them all (0 when none is that long: short intervals
/// space only their own start). Four servers with `inter 2s` start 0, 500,
/// 1000 and 1500 ms in; with `inter 500`, 0, 125, 250 and 375 ms in; one of
/// two backends with `inter 4s` after two with `inter 2s`, at 2000 and
/// 3000 ms. `spread-checks` varies only the intervals after the first check.
public enum CheckStartSchedule {
    /// Intervals below this do not set the spacing of the others.
    static let thresholdMs = 1000

    /// The delays before the first run of checks that start with
    /// `intervals`, in the order they are numbered.
    public static func delays(_ intervals: [Int]) -> [Int] {
        let count = intervals.count
        let spacing = intervals.filter { $0 >= thresholdMs }.min() ?? 0
        return intervals.enumerated().map { position, interval in
            max(spacing, interval) * position / count
        }
    }

    /// The interval a server's check starts with: its health starts at
    /// `rise` (UP) or 0 (DOWN from a state file), so `fastinter` applies
    /// when that is not the top of the counter, `downinter` at 0.
    public static func checkInterval(_ options: ServerOptions, startsUp: Bool) -> Int {
        if !startsUp { return options.downinterMs ?? options.interMs }
        if options.fall == 1 { return options.interMs }
        return options.fastinterMs ?? options.interMs
    }
}

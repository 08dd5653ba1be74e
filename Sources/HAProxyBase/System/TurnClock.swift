#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The time of an event loop's turn, as HAProxy dates everything it does
/// after a poll with the time it read once when the poll returned: each of
/// the two clocks is read from the system at most once per turn, by the
/// first reader, and the loop calls `advance()` when it wakes up.
///
/// A loop's clock belongs to that loop's thread. `TurnClock.live` caches
/// nothing and is read from any thread: every read asks the system (tests
/// of the HTTP state machine and code off the driver's loops use it).
public final class TurnClock: @unchecked Sendable {
    /// A clock without turns: every read is a system call (or its vDSO).
    public static let live = TurnClock(caching: false)

    private let caching: Bool
    /// CLOCK_MONOTONIC in nanoseconds, 0 until read in this turn.
    private var monotonic: UInt64 = 0
    /// The wall clock in microseconds since the epoch, 0 until read in this turn.
    private var wall: Int64 = 0

    public init(caching: Bool = true) {
        self.caching = caching
    }

    /// A new turn: the next reads ask the system again (nothing to do
    /// for `live`, which other threads read).
    @inline(__always)
    public func advance() {
        guard caching else { return }
        monotonic = 0
        wall = 0
    }

    /// The monotonic clock (`NIODeadline.now()`'s) in nanoseconds.
    public var uptimeNanoseconds: UInt64 {
        if monotonic != 0 { return monotonic }
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        let value = UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
        if caching { monotonic = value }
        return value
    }

    /// The wall clock in microseconds since the epoch (`gettimeofday`).
    public var wallMicroseconds: Int64 {
        if wall != 0 { return wall }
        var tv = timeval()
        gettimeofday(&tv, nil)
        let value = Int64(tv.tv_sec) * 1_000_000 + Int64(tv.tv_usec)
        if caching { wall = value }
        return value
    }
}

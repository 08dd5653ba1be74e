/// Events over a period of `P` milliseconds, as 2.6's `freq_ctr` with a
/// period (`http_req_rate(10s)`): the count of the current period plus
/// the share of the previous period's count still inside the last `P`
/// milliseconds. The per-second `FrequencyCounter` of the runtime is the
/// same measure with `P` = 1000.
///
/// A plain value: updating it allocates nothing. Its owner keeps it under
/// the lock that guards its table.
public struct PeriodCounter: Sendable, Equatable {
    public private(set) var periodStart: UInt64 = 0
    public private(set) var current: UInt32 = 0
    public private(set) var previous: UInt32 = 0

    public init() {}

    /// A counter kept as two words (a table entry's storage).
    init(packed start: UInt64, _ counts: UInt64) {
        periodStart = start
        current = UInt32(truncatingIfNeeded: counts >> 32)
        previous = UInt32(truncatingIfNeeded: counts)
    }

    var packedCounts: UInt64 { UInt64(current) << 32 | UInt64(previous) }

    /// Counts `events` at `now` (milliseconds of a monotonic clock).
    public mutating func add(_ events: UInt32 = 1, period: UInt64, now: UInt64) {
        rotate(period: period, now: now)
        current &+= events
    }

    /// The events of the last period at `now` (`read_freq_ctr_period`).
    public func rate(period: UInt64, now: UInt64) -> UInt32 {
        guard period > 0 else { return current }
        var copy = self
        copy.rotate(period: period, now: now)
        let elapsed = now >= copy.periodStart ? now - copy.periodStart : 0
        let remaining = period > elapsed ? period - elapsed : 0
        let total = UInt64(copy.current) + (UInt64(copy.previous) * remaining + period - 1) / period
        return UInt32(clamping: total)
    }

    /// Sets the rate to `value` as `set table ... data.<rate>` does: the
    /// current period holds it, the previous one is forgotten.
    public mutating func set(_ value: UInt32, now: UInt64) {
        periodStart = now
        current = value
        previous = 0
    }

    private mutating func rotate(period: UInt64, now: UInt64) {
        guard now >= periodStart &+ period else { return }
        if now < periodStart &+ 2 * period {
            previous = current
            periodStart &+= period
        } else {
            previous = 0
            periodStart = now
        }
        current = 0
    }
}

/// Events per second, measured as HAProxy's `freq_ctr` (include/haproxy/freq_ctr.h).
///
/// It keeps the events of the current one-second period and the count of
/// the previous one. The rate it reports blends both: all of the current
/// period, plus the share of the previous period that is still inside the
/// last second. So the rate moves smoothly instead of falling to zero at
/// each period boundary, and a limit applies from the first event on (the
/// manual's "rate-limit sessions": "the session rate is measured every
/// millisecond").
///
/// A plain value of three integers: updating it allocates nothing. The
/// owner keeps it under the lock that guards its other counters. Time is
/// passed in, in milliseconds of a monotonic clock (`RateClock.now`), so
/// tests drive it with any clock.
struct FrequencyCounter {
    /// The measuring period, in milliseconds.
    static let period: UInt64 = 1000

    /// Start of the current period.
    private(set) var periodStart: UInt64 = 0
    /// Events counted in the current period.
    private(set) var current: UInt32 = 0
    /// Events counted in the period before.
    private(set) var previous: UInt32 = 0
    /// The most events seen in one period (`rate_max`, `MaxConnRate`).
    private(set) var peak: UInt32 = 0

    init() {}

    /// Counts `events` at `now`; returns the events of the current period,
    /// which is what HAProxy's maximums record.
    @discardableResult @inline(__always)
    mutating func add(_ events: UInt32 = 1, now: UInt64) -> UInt32 {
        if now >= periodStart &+ Self.period {
            // As update_freq_ctr_period(): the next period follows this one,
            // unless a whole period went by without events.
            if now < periodStart &+ 2 * Self.period {
                previous = current
                periodStart += Self.period
            } else {
                previous = 0
                periodStart = now
            }
            current = 0
        }
        current &+= events
        peak = max(peak, current)
        return current
    }

    /// The events of the last second at `now` (`read_freq_ctr`).
    func rate(now: UInt64) -> UInt32 {
        UInt32(clamping: weightedTotal(now: now) / Self.period)
    }

    /// How many more events fit under `limit` per second at `now`
    /// (`freq_ctr_remain`): 0 when the limit is reached.
    func remaining(under limit: UInt32, now: UInt64) -> UInt32 {
        limit - min(limit, rate(now: now))
    }

    /// Milliseconds from `now` until one more event fits under `limit`;
    /// 0 when one fits now.
    ///
    /// HAProxy's `next_event_delay` assumes the previous period's weight
    /// drains at a steady pace and asks again every millisecond until the
    /// current period ends; here the wait is solved over the rest of this
    /// period and the next one, so a held listener wakes up once.
    func delayUntilNextEvent(under limit: UInt32, now: UInt64) -> UInt64 {
        let p = Self.period
        guard limit > 0 else { return p }
        let view = self.view(at: now)
        // One more event fits while the weighted total stays below this.
        let ceiling = UInt64(limit) * p - 1
        let currentWeight = view.current * p
        if currentWeight + view.previous * (p - view.elapsed) <= ceiling { return 0 }
        if currentWeight <= ceiling, view.previous > 0 {
            // Still in this period: the previous period's share shrinks.
            let elapsed = p - (ceiling - currentWeight) / view.previous
            return elapsed - view.elapsed
        }
        // In the next period the current count becomes the previous one.
        let untilNext = p - view.elapsed
        guard view.current > 0 else { return untilNext }
        return untilNext + p - min(p, ceiling / view.current)
    }

    /// Forgets the peak (`clear counters`); the rate itself goes on.
    mutating func clearPeak() {
        peak = 0
    }

    /// The weighted events of the last second, in event-milliseconds:
    /// current × period + previous × (the part of it still inside the last
    /// second), as `freq_ctr_total`.
    private func weightedTotal(now: UInt64) -> UInt64 {
        let view = self.view(at: now)
        return view.current * Self.period + view.previous * (Self.period - view.elapsed)
    }

    /// The counts as they are at `now`, periods rotated as `add` would.
    private func view(at now: UInt64) -> (current: UInt64, previous: UInt64, elapsed: UInt64) {
        guard now >= periodStart else { return (UInt64(current), UInt64(previous), 0) }
        let elapsed = now - periodStart
        if elapsed < Self.period { return (UInt64(current), UInt64(previous), elapsed) }
        if elapsed < 2 * Self.period { return (0, UInt64(current), elapsed - Self.period) }
        return (0, 0, 0)
    }
}

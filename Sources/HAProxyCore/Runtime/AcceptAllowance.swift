/// What the connection and session rate limits let a listener accept now
/// (HAProxy's `freq_ctr_remain` / `next_event_delay` in `listener_accept`).
enum AcceptAllowance: Equatable {
    /// No limit applies.
    case unlimited
    /// This many connections fit (at least one).
    case upTo(UInt32)
    /// None fits before this many milliseconds.
    case wait(milliseconds: UInt64)

    /// The allowance under `limit` events per second (0: no limit) for `counter`.
    static func under(_ limit: UInt32, _ counter: FrequencyCounter, now: UInt64) -> AcceptAllowance {
        guard limit > 0 else { return .unlimited }
        let room = counter.remaining(under: limit, now: now)
        if room > 0 { return .upTo(room) }
        return .wait(milliseconds: max(1, counter.delayUntilNextEvent(under: limit, now: now)))
    }

    /// What both allowances permit: the smaller room, or the longer wait.
    func combined(with other: AcceptAllowance) -> AcceptAllowance {
        switch (self, other) {
        case (.unlimited, _): return other
        case (_, .unlimited): return self
        case let (.wait(a), .wait(b)): return .wait(milliseconds: max(a, b))
        case (.wait, _): return self
        case (_, .wait): return other
        case let (.upTo(a), .upTo(b)): return .upTo(min(a, b))
        }
    }
}

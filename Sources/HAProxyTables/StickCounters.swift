/// The entries a stream tracks (`track-sc0` to `track-sc2`) and the
/// counters it updates in them (manual 4.2, 7.3.3 `sc_*`).
///
/// Trackers set by `tcp-request connection|session` rules belong to the
/// session and last as long as the connection; those set by `tcp-request
/// content` and `http-request` rules belong to the stream, which in HTTP
/// is one request: `endStream()` releases them, as 2.6 does.
public final class StickCounters {
    public static let slots = 3

    public struct Tracker {
        public let table: StickTable
        public let entry: StickEntry
    }

    /// Three trackers in place (no array to allocate per stream).
    struct Slots {
        var a: Tracker?, b: Tracker?, c: Tracker?

        subscript(_ i: Int) -> Tracker? {
            get { i == 0 ? a : i == 1 ? b : c }
            set {
                switch i {
                case 0: a = newValue
                case 1: b = newValue
                default: c = newValue
                }
            }
        }

        var isEmpty: Bool { a == nil && b == nil && c == nil }
    }

    private var session = Slots()
    private var stream = Slots()
    /// In a copy made for a log line: the session's trackers, seen by the
    /// fetches but not released by the copy.
    private var borrowed = Slots()

    public init() {}

    /// The tracker of `slot` the fetches see: the stream's, else the session's.
    public func tracker(_ slot: Int) -> Tracker? {
        guard slot >= 0, slot < Self.slots else { return nil }
        return stream[slot] ?? session[slot] ?? borrowed[slot]
    }

    /// Whether `slot` tracks an entry (without copying its tracker).
    public func isTracking(_ slot: Int) -> Bool {
        switch slot {
        case 0: return stream.a != nil || session.a != nil || borrowed.a != nil
        case 1: return stream.b != nil || session.b != nil || borrowed.b != nil
        case 2: return stream.c != nil || session.c != nil || borrowed.c != nil
        default: return false
        }
    }

    /// A copy for the transaction's log line, written after the stream
    /// ended: the stream's trackers move into it (their entries are let go
    /// when the copy goes, once the line is written, as 2.6 logs before it
    /// releases them), the session's are only seen through it.
    public func detachForLog() -> StickCounters {
        let copy = StickCounters()
        copy.stream = stream
        copy.borrowed = session
        stream = Slots()
        return copy
    }

    public var isEmpty: Bool { session.isEmpty && stream.isEmpty }

    /// `track-scN`: tracks `key` in `table` unless the slot already tracks
    /// something; counts the connection (`conn_cnt`, `conn_rate`,
    /// `conn_cur`), the session at session level (`sess_cnt`), and the
    /// current request when an `http-request` rule tracks.
    public func track(
        slot: Int, key: StickKey, in table: StickTable, sessionLevel: Bool, countsRequest: Bool,
        now: UInt64 = StickTable.now
    ) {
        guard slot >= 0, slot < Self.slots, stream[slot] == nil, session[slot] == nil,
              let entry = table.track(key, now: now, { access in
                  access.add(.connCount)
                  access.add(.connCurrent)
                  if sessionLevel { access.add(.sessionCount) }
                  if countsRequest { access.add(.httpRequestCount) }
              })?.entry else { return }
        if sessionLevel { session[slot] = Tracker(table: table, entry: entry) } else { stream[slot] = Tracker(table: table, entry: entry) }
    }

    /// Adds to `type` (and its rate) in every tracked entry.
    public func count(_ type: StickDataType, _ amount: UInt64 = 1, now: UInt64? = nil) {
        var time = now
        for i in 0..<Self.slots {
            if let t = session[i], t.table.counts(type) {
                let now = time ?? StickTable.now
                time = now
                t.table.update(t.entry, now: now) { $0.add(type, amount) }
            }
            if let t = stream[i], t.table.counts(type) {
                let now = time ?? StickTable.now
                time = now
                t.table.update(t.entry, now: now) { $0.add(type, amount) }
            }
        }
    }

    /// The stream ended: its trackers let their entries go (`conn_cur` drops).
    public func endStream(now: UInt64? = nil) {
        guard !stream.isEmpty else { return }
        let now = now ?? StickTable.now
        for i in 0..<Self.slots { if let t = stream[i] { Self.release(t, now: now); stream[i] = nil } }
    }

    /// The connection ended: every tracker lets go.
    public func endSession(now: UInt64? = nil) {
        guard !stream.isEmpty || !session.isEmpty else { return }
        let now = now ?? StickTable.now
        endStream(now: now)
        for i in 0..<Self.slots { if let t = session[i] { Self.release(t, now: now); session[i] = nil } }
    }

    private static func release(_ tracker: Tracker, now: UInt64) {
        tracker.table.release(tracker.entry, now: now) { $0.decrement(.connCurrent) }
    }

    deinit { endSession() }
}

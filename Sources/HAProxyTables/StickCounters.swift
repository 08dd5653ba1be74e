/// The entries a stream tracks (`track-sc0` to `track-sc2`) and the
/// counters it updates in them (manual 4.2, 7.3.3 `sc_*`).
///
/// Trackers set by `tcp-request connection|session` rules belong to the
/// session and last as long as the connection; those set by `tcp-request
/// content` and `http-request` rules belong to the stream, which in HTTP
/// is one request: `endStream()` releases them, as 2.6 does.
public final class StickCounters {
    public static let slots = 3

    /// A tracked entry and its table. The slot that holds it owns one
    /// reference to each (taken by `track`, given back when the tracker
    /// is released), so that copying a tracker counts no references.
    public struct Tracker {
        let tableRef: Unmanaged<StickTable>
        let entryRef: Unmanaged<StickEntry>

        init(retaining table: StickTable, _ entry: StickEntry) {
            tableRef = .passRetained(table)
            entryRef = .passRetained(entry)
        }

        public var table: StickTable { tableRef.takeUnretainedValue() }
        public var entry: StickEntry { entryRef.takeUnretainedValue() }

        /// `StickTable.update` on the entry, without counting references.
        @inline(__always)
        public func update<R>(now: UInt64 = StickTable.now, _ body: (StickEntryAccess) -> R) -> R {
            tableRef._withUnsafeGuaranteedRef { table in
                entryRef._withUnsafeGuaranteedRef { entry in table.update(entry, now: now, body) }
            }
        }

        /// `StickTable.read` on the entry, without counting references.
        @inline(__always)
        public func read<R>(now: UInt64 = StickTable.now, _ body: (StickEntryAccess) -> R) -> R {
            tableRef._withUnsafeGuaranteedRef { table in
                entryRef._withUnsafeGuaranteedRef { entry in table.read(entry, now: now, body) }
            }
        }

        /// Whether adding to `type` changes anything in the table.
        @inline(__always)
        func counts(_ type: StickDataType) -> Bool {
            tableRef._withUnsafeGuaranteedRef { $0.counts(type) }
        }

        /// Gives back the slot's references.
        func releaseReferences() {
            tableRef.release()
            entryRef.release()
        }

        /// One more reference to each, for another owner.
        func retainReferences() {
            _ = tableRef.retain()
            _ = entryRef.retain()
        }
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
    /// fetches but not released by the copy (which holds its own
    /// references to their entries and tables).
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
        for i in 0..<Self.slots { session[i]?.retainReferences() }
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
        let tracker = Tracker(retaining: table, entry)
        if sessionLevel { session[slot] = tracker } else { stream[slot] = tracker }
    }

    /// Adds to `type` (and its rate) in every tracked entry.
    public func count(_ type: StickDataType, _ amount: UInt64 = 1, now: UInt64? = nil) {
        var time = now
        @inline(__always)
        func add(_ tracker: Tracker?) {
            guard let tracker, tracker.counts(type) else { return }
            let now = time ?? StickTable.now
            time = now
            tracker.update(now: now) { $0.add(type, amount) }
        }
        // Slot by slot, the session's tracker before the stream's.
        add(session.a)
        add(stream.a)
        add(session.b)
        add(stream.b)
        add(session.c)
        add(stream.c)
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
        tracker.tableRef._withUnsafeGuaranteedRef { table in
            tracker.entryRef._withUnsafeGuaranteedRef { entry in
                table.release(entry, now: now) { $0.decrement(.connCurrent) }
            }
        }
        tracker.releaseReferences()
    }

    deinit {
        endSession()
        for i in 0..<Self.slots { borrowed[i]?.releaseReferences() }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A stick table (manual 4.2 `stick-table`): entries by key, each with the
/// data types the table stores, forgotten `expire` after their last use
/// unless a stream tracks them, the least recently used ones dropped when
/// `size` is reached (unless `nopurge`).
///
/// Shared by every event loop: one lock per table guards its entries and
/// their data; an update is a lookup and a few integer writes under it.
public final class StickTable: @unchecked Sendable {
    public let definition: StickTableDefinition
    public var name: String { definition.name }
    /// Where each data type lives in an entry: an index into `values`
    /// (counters) or `rates`, -1 when the table does not store it; an
    /// array's elements follow one another from there.
    private(set) var slot = [Int](repeating: -1, count: StickDataType.allCases.count)
    /// How many values of each type an entry holds (0: not stored).
    private(set) var length = [Int](repeating: 0, count: StickDataType.allCases.count)
    /// By type: the table stores it or its rate (`counts`).
    private var countsType = [Bool](repeating: false, count: StickDataType.allCases.count)
    private var period = [UInt64](repeating: 0, count: StickDataType.allCases.count)
    private let valueSlots: Int
    private let rateSlots: Int

    private var entries = StickEntryIndex()
    /// `server_key` of the entries that have one (tables storing it).
    private var serverKeys: [ObjectIdentifier: String] = [:]
    /// The most and the least recently used entries.
    private var newestRef: Unmanaged<StickEntry>?
    private var oldestRef: Unmanaged<StickEntry>?
    private var oldest: StickEntry? { oldestRef?.takeUnretainedValue() }
    private let lock: UnsafeMutablePointer<pthread_mutex_t>
    /// Called under the lock each time an entry is created or changed
    /// here (traffic, the CLI), not when a peer's update is applied: the
    /// peers push these entries (`StickTable+Peers`).
    public var onChange: ((StickEntry) -> Void)?
    var applyingPeerUpdate = false

    public init(_ definition: StickTableDefinition) {
        self.definition = definition
        var values = 0, rates = 0
        for (type, p) in definition.stored {
            let n = definition.length(of: type)
            length[type.rawValue] = n
            if type.isRate {
                slot[type.rawValue] = rates
                period[type.rawValue] = p
                rates += n
            } else {
                slot[type.rawValue] = values
                values += n
            }
        }
        valueSlots = values
        rateSlots = rates
        let slots = slot
        for type in StickDataType.allCases {
            countsType[type.rawValue] = slots[type.rawValue] >= 0 || type.rate.map { slots[$0.rawValue] >= 0 } ?? false
        }
        lock = .allocate(capacity: 1)
        pthread_mutex_init(lock, nil)
    }

    deinit {
        entries.destroy()
        pthread_mutex_destroy(lock)
        lock.deallocate()
    }

    @inline(__always)
    func locked<R>(_ body: () throws -> R) rethrows -> R {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        return try body()
    }

    public func stores(_ type: StickDataType) -> Bool { slot[type.rawValue] >= 0 }

    /// Whether adding to `type` changes anything here: the table stores
    /// it or its rate (read without the lock: the slots never change).
    @inline(__always)
    public func counts(_ type: StickDataType) -> Bool {
        countsType[type.rawValue]
    }

    /// Whether an entry holds element `index` of `type` (0 for the types
    /// that are not arrays).
    public func stores(_ type: StickDataType, at index: Int) -> Bool { index >= 0 && index < length[type.rawValue] }

    /// Where the fetches and actions of a legacy type (`gpc0`, `gpc1_rate`,
    /// `gpt0`...) find it: the type itself when stored, else the array
    /// element standing for it (`gpc(2)`: `gpc1` is element 1); nil when
    /// neither is stored.
    public func resolve(_ type: StickDataType) -> (type: StickDataType, index: Int)? {
        if stores(type) { return (type, 0) }
        if let (array, index) = type.arrayElement, stores(array, at: index) { return (array, index) }
        return nil
    }

    /// Milliseconds of the monotonic clock, the tables' time: the coarse
    /// clock (a few milliseconds of resolution, as 2.6's time of the
    /// current poll loop), cheaper to read on every update.
    public static var now: UInt64 {
        var ts = timespec()
        #if os(Linux)
        clock_gettime(CLOCK_MONOTONIC_COARSE, &ts)
        #else
        clock_gettime(CLOCK_MONOTONIC, &ts)
        #endif
        return UInt64(ts.tv_sec) * 1000 + UInt64(ts.tv_nsec) / 1_000_000
    }

    // MARK: Entries

    /// Entries in use (`used:` of `show table`), expired ones dropped first.
    public func count(now: UInt64 = StickTable.now) -> Int {
        locked {
            purgeExpired(now: now)
            return entries.count
        }
    }

    /// Finds or creates the entry of `key` and marks it used by one more
    /// tracker (`track-sc*`); nil when the table is full and cannot make
    /// room.
    public func track(_ key: StickKey, now: UInt64 = StickTable.now) -> StickEntry? {
        locked {
            guard let entry = findOrCreate(key, now: now) else { return nil }
            entry.useCount += 1
            return entry
        }
    }

    /// `track(_:now:)` and an update of the entry (what tracking counts),
    /// under one lock.
    public func track<R>(
        _ key: StickKey, now: UInt64 = StickTable.now, _ body: (StickEntryAccess) -> R
    ) -> (entry: StickEntry, result: R)? {
        locked {
            guard let entry = findOrCreate(key, now: now) else { return nil }
            entry.useCount += 1
            return (entry, body(StickEntryAccess(table: self, entry: entry, now: now)))
        }
    }

    /// A tracker is done with `entry`: it expires `expire` from now when
    /// no other tracks it.
    public func release(_ entry: StickEntry, now: UInt64 = StickTable.now) {
        locked {
            entry.useCount -= 1
            if entry.linked { touch(entry, now: now) }
        }
    }

    /// An update of the entry (`conn_cur` dropping), then `release`, under one lock.
    public func release(_ entry: StickEntry, now: UInt64 = StickTable.now, _ body: (StickEntryAccess) -> Void) {
        locked {
            body(StickEntryAccess(table: self, entry: entry, now: now))
            entry.useCount -= 1
            if entry.linked { touch(entry, now: now) }
        }
    }

    /// Runs `body` on the entry of `key`, created when `create` is set;
    /// nil when there is none (or no room for it). Reading does not
    /// refresh an entry's expiry, creating or updating does.
    public func withEntry<R>(
        _ key: StickKey, create: Bool, now: UInt64 = StickTable.now, _ body: (StickEntryAccess) -> R
    ) -> R? {
        locked {
            purgeExpired(now: now)
            let entry: StickEntry?
            if create { entry = findOrCreate(key, now: now) } else { entry = entries.find(key) }
            guard let entry else { return nil }
            return body(StickEntryAccess(table: self, entry: entry, now: now))
        }
    }

    /// Runs `body` on an entry already held (a tracked one), under the lock.
    public func update<R>(_ entry: StickEntry, now: UInt64 = StickTable.now, _ body: (StickEntryAccess) -> R) -> R {
        locked {
            defer { if let onChange, !applyingPeerUpdate { onChange(entry) } }
            return body(StickEntryAccess(table: self, entry: entry, now: now))
        }
    }

    /// Runs `body` on an entry already held, under the lock, for reading:
    /// nothing changes, so no change is reported.
    public func read<R>(_ entry: StickEntry, now: UInt64 = StickTable.now, _ body: (StickEntryAccess) -> R) -> R {
        locked { body(StickEntryAccess(table: self, entry: entry, now: now)) }
    }

    /// Every entry in key order (as 2.6's dump walks its key tree), read
    /// under the lock; expired ones are dropped first.
    public func forEachEntry(now: UInt64 = StickTable.now, _ body: (StickEntryAccess) -> Void) {
        locked {
            purgeExpired(now: now)
            var list: [StickEntry] = []
            list.reserveCapacity(entries.count)
            entries.forEach { list.append($0) }
            for e in list.sorted(by: { $0.key.precedes($1.key) }) {
                body(StickEntryAccess(table: self, entry: e, now: now))
            }
        }
    }

    /// Removes the entries `body` selects that no stream tracks; returns
    /// how many went.
    @discardableResult
    public func removeEntries(now: UInt64 = StickTable.now, where body: (StickEntryAccess) -> Bool) -> Int {
        locked {
            purgeExpired(now: now)
            var removed = 0
            var entry = oldest
            while let e = entry {
                entry = e.newer
                if e.useCount == 0, body(StickEntryAccess(table: self, entry: e, now: now)) {
                    remove(e)
                    removed += 1
                }
            }
            return removed
        }
    }

    // MARK: Internals (under the lock)

    func findOrCreate(_ key: StickKey, now: UInt64) -> StickEntry? {
        if let entry = entries.find(key) {
            touch(entry, now: now)
            return entry
        }
        purgeExpired(now: now)
        if entries.count >= definition.size {
            guard !definition.noPurge, evictOldestUnused() else { return nil }
        }
        let entry = StickEntry.make(key: key, words: valueSlots + 2 * rateSlots)
        entries.insert(entry)
        touch(entry, now: now)
        return entry
    }

    /// Moves `entry` to the front and sets its expiry.
    /// The most recently used entry stays where it is (a client's
    /// requests in a row touch the same entry each time).
    func touch(_ entry: StickEntry, now: UInt64) {
        if let expire = definition.expire { entry.expiresAt = now + UInt64(expire) }
        let this = Unmanaged.passUnretained(entry)
        if !entry.linked || newestRef?.toOpaque() != this.toOpaque() {
            if entry.linked { unlink(entry) }
            entry.olderRef = newestRef
            entry.newerRef = nil
            newestRef?._withUnsafeGuaranteedRef { $0.newerRef = this }
            newestRef = this
            if oldestRef == nil { oldestRef = this }
            entry.linked = true
        }
        if let onChange, !applyingPeerUpdate { onChange(entry) }
    }

    /// Takes an entry out of the table (the index, the recency list and
    /// the server keys).
    private func remove(_ entry: StickEntry) {
        unlink(entry)
        entries.remove(entry)
        if !serverKeys.isEmpty { serverKeys[ObjectIdentifier(entry)] = nil }
    }

    private func unlink(_ entry: StickEntry) {
        let newer = entry.newerRef, older = entry.olderRef
        if let newer { newer._withUnsafeGuaranteedRef { $0.olderRef = older } } else { newestRef = older }
        if let older { older._withUnsafeGuaranteedRef { $0.newerRef = newer } } else { oldestRef = newer }
        entry.newerRef = nil
        entry.olderRef = nil
        entry.linked = false
    }

    /// Entries are refreshed with the same `expire` on each use, so the
    /// least recently used ones expire first: walk from the oldest.
    private func purgeExpired(now: UInt64) {
        guard definition.expire != nil else { return }
        var entry = oldest
        while let e = entry, e.expiresAt <= now {
            entry = e.newer
            guard e.useCount == 0 else { continue }
            remove(e)
        }
    }

    private func evictOldestUnused() -> Bool {
        var entry = oldest
        while let e = entry {
            if e.useCount == 0 {
                remove(e)
                return true
            }
            entry = e.newer
        }
        return false
    }

    // MARK: Data (under the lock)

    func value(_ type: StickDataType, at element: Int = 0, of entry: StickEntry, now: UInt64) -> UInt64? {
        guard stores(type, at: element) else { return nil }
        let index = slot[type.rawValue] + element
        if type.isRate { return UInt64(rate(entry, index).rate(period: period[type.rawValue], now: now)) }
        return entry.data[index]
    }

    /// The events counted in a rate's current period (what incrementing
    /// a rate without its counter returns in 2.6).
    func currentPeriodCount(_ type: StickDataType, at element: Int, of entry: StickEntry, now: UInt64) -> UInt64? {
        guard type.isRate, stores(type, at: element) else { return nil }
        var counter = rate(entry, slot[type.rawValue] + element)
        counter.add(0, period: period[type.rawValue], now: now)
        return UInt64(counter.current)
    }

    func setValue(_ type: StickDataType, at element: Int = 0, _ value: UInt64, of entry: StickEntry, now: UInt64) {
        guard stores(type, at: element) else { return }
        let index = slot[type.rawValue] + element
        if type.isRate {
            var counter = rate(entry, index)
            counter.set(UInt32(truncatingIfNeeded: value), now: now)
            setRate(entry, index, counter)
        } else {
            // Values of 32 bits, but the byte counters (64), as in 2.6.
            let wide = type == .bytesInCount || type == .bytesOutCount
            entry.data[index] = wide ? value : UInt64(UInt32(truncatingIfNeeded: value))
        }
    }

    /// Adds `amount` to a counter and to its rate, when stored.
    func add(_ type: StickDataType, at element: Int = 0, _ amount: UInt64, to entry: StickEntry, now: UInt64) {
        addExactly(type, at: element, amount, to: entry, now: now)
        if let rate = type.rate { addExactly(rate, at: element, amount, to: entry, now: now) }
    }

    /// Adds `amount` to one value: a counter, or the current period of a rate.
    func addExactly(_ type: StickDataType, at element: Int, _ amount: UInt64, to entry: StickEntry, now: UInt64) {
        guard stores(type, at: element) else { return }
        let index = slot[type.rawValue] + element
        if type.isRate {
            var counter = rate(entry, index)
            counter.add(UInt32(truncatingIfNeeded: amount), period: period[type.rawValue], now: now)
            setRate(entry, index, counter)
        } else if type == .bytesInCount || type == .bytesOutCount {
            // Counters of 32 bits wrap as 2.6's do; byte counters are 64.
            entry.data[index] &+= amount
        } else {
            entry.data[index] = UInt64(UInt32(truncatingIfNeeded: entry.data[index] &+ amount))
        }
    }

    func period(of type: StickDataType) -> UInt64 { period[type.rawValue] }

    func serverKey(of entry: StickEntry) -> String? {
        stores(.serverKey) ? serverKeys[ObjectIdentifier(entry)] : nil
    }

    func setServerKey(_ name: String?, of entry: StickEntry) {
        guard stores(.serverKey), entry.linked else { return }
        serverKeys[ObjectIdentifier(entry)] = name
    }

    @inline(__always)
    func rate(_ entry: StickEntry, _ index: Int) -> PeriodCounter {
        let at = valueSlots + 2 * index
        return PeriodCounter(packed: entry.data[at], entry.data[at + 1])
    }

    @inline(__always)
    func setRate(_ entry: StickEntry, _ index: Int, _ counter: PeriodCounter) {
        let at = valueSlots + 2 * index
        entry.data[at] = counter.periodStart
        entry.data[at + 1] = counter.packedCounts
    }
}

/// An entry as seen under its table's lock.
public struct StickEntryAccess {
    // Valid only inside the table's locked call that hands it over, while
    // the table and the entry are held: no reference counting here, and
    // the methods lend both to the table's (`with`).
    private let tableRef: Unmanaged<StickTable>
    private let entryRef: Unmanaged<StickEntry>
    public let now: UInt64

    init(table: StickTable, entry: StickEntry, now: UInt64) {
        tableRef = .passUnretained(table)
        entryRef = .passUnretained(entry)
        self.now = now
    }

    public var table: StickTable { tableRef.takeUnretainedValue() }
    public var entry: StickEntry { entryRef.takeUnretainedValue() }

    @inline(__always)
    private func with<R>(_ body: (StickTable, StickEntry) -> R) -> R {
        tableRef._withUnsafeGuaranteedRef { table in entryRef._withUnsafeGuaranteedRef { entry in body(table, entry) } }
    }

    public var key: StickKey { with { $1.key } }

    /// `StickTable.resolve` on the entry's table.
    public func resolve(_ type: StickDataType) -> (type: StickDataType, index: Int)? {
        with { table, _ in table.resolve(type) }
    }

    /// Whether the entry's table stores element `index` of `type`.
    public func stores(_ type: StickDataType, at index: Int) -> Bool {
        with { table, _ in table.stores(type, at: index) }
    }

    /// The value of `type` (element `index` of an array), nil when the
    /// table does not store it.
    public func value(_ type: StickDataType, at index: Int = 0) -> UInt64? {
        with { $0.value(type, at: index, of: $1, now: now) }
    }

    /// Sets a value (a rate: its current period) and refreshes the entry.
    public func set(_ type: StickDataType, at index: Int = 0, _ value: UInt64) {
        with { table, entry in
            table.setValue(type, at: index, value, of: entry, now: now)
            table.touch(entry, now: now)
        }
    }

    /// Adds to a counter and its rate (`gpc0` and `gpc0_rate`, element
    /// `index` of `gpc` and `gpc_rate`...).
    public func add(_ type: StickDataType, at index: Int = 0, _ amount: UInt64 = 1) {
        with { table, entry in
            guard table.counts(type) else { return }
            table.add(type, at: index, amount, to: entry, now: now)
        }
    }

    /// Adds to one value only: a counter, or a rate's current period.
    public func addExactly(_ type: StickDataType, at index: Int = 0, _ amount: UInt64 = 1) {
        with { $0.addExactly(type, at: index, amount, to: $1, now: now) }
    }

    /// The events a rate counted in its current period, nil when not stored.
    public func currentPeriodCount(_ type: StickDataType, at index: Int = 0) -> UInt64? {
        with { $0.currentPeriodCount(type, at: index, of: $1, now: now) }
    }

    /// `server_key`: the server's name, when the table stores it.
    public var serverKey: String? {
        get { table.serverKey(of: entry) }
        nonmutating set { table.setServerKey(newValue, of: entry) }
    }

    /// Streams tracking the entry (`use=`).
    public var useCount: Int32 { with { $1.useCount } }

    /// Lowers `conn_cur` by one, stopping at zero.
    public func decrement(_ type: StickDataType) {
        with { table, entry in
            guard table.counts(type) else { return }
            guard let v = table.value(type, of: entry, now: now), v > 0 else { return }
            table.setValue(type, v - 1, of: entry, now: now)
        }
    }

    /// Milliseconds left before the entry expires (`exp=`), 0 without `expire`.
    public var expiresIn: UInt64 {
        guard table.definition.expire != nil, entry.expiresAt > now else { return 0 }
        return entry.expiresAt - now
    }

    /// Refreshes the entry's expiry and recency.
    public func touch() { with { $0.touch($1, now: now) } }
}

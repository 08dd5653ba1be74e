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
    /// (counters) or `rates`, -1 when the table does not store it.
    private(set) var slot = [Int](repeating: -1, count: StickDataType.allCases.count)
    private var period = [UInt64](repeating: 0, count: StickDataType.allCases.count)
    private let valueSlots: Int
    private let rateSlots: Int

    private var entries: [StickKey: StickEntry] = [:]
    /// The most and the least recently used entries.
    private unowned(unsafe) var newest: StickEntry?
    private unowned(unsafe) var oldest: StickEntry?
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
            if type.isRate {
                slot[type.rawValue] = rates
                period[type.rawValue] = p
                rates += 1
            } else {
                slot[type.rawValue] = values
                values += 1
            }
        }
        valueSlots = values
        rateSlots = rates
        lock = .allocate(capacity: 1)
        pthread_mutex_init(lock, nil)
    }

    deinit {
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

    /// Milliseconds of the monotonic clock, the tables' time.
    public static var now: UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
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

    /// A tracker is done with `entry`: it expires `expire` from now when
    /// no other tracks it.
    public func release(_ entry: StickEntry, now: UInt64 = StickTable.now) {
        locked {
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
            if create { entry = findOrCreate(key, now: now) } else { entry = entries[key] }
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

    /// Every entry in key order (as 2.6's dump walks its key tree), read
    /// under the lock; expired ones are dropped first.
    public func forEachEntry(now: UInt64 = StickTable.now, _ body: (StickEntryAccess) -> Void) {
        locked {
            purgeExpired(now: now)
            for e in entries.values.sorted(by: { $0.key.precedes($1.key) }) {
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
                    unlink(e)
                    entries[e.key] = nil
                    removed += 1
                }
            }
            return removed
        }
    }

    // MARK: Internals (under the lock)

    func findOrCreate(_ key: StickKey, now: UInt64) -> StickEntry? {
        if let entry = entries[key] {
            touch(entry, now: now)
            return entry
        }
        purgeExpired(now: now)
        if entries.count >= definition.size {
            guard !definition.noPurge, evictOldestUnused() else { return nil }
        }
        let entry = StickEntry(key: key, valueSlots: valueSlots, rateSlots: rateSlots)
        entries[key] = entry
        touch(entry, now: now)
        return entry
    }

    /// Moves `entry` to the front and sets its expiry.
    func touch(_ entry: StickEntry, now: UInt64) {
        if let expire = definition.expire { entry.expiresAt = now + UInt64(expire) }
        if entry.linked { unlink(entry) }
        entry.older = newest
        entry.newer = nil
        newest?.newer = entry
        newest = entry
        if oldest == nil { oldest = entry }
        entry.linked = true
        if let onChange, !applyingPeerUpdate { onChange(entry) }
    }

    private func unlink(_ entry: StickEntry) {
        if let newer = entry.newer { newer.older = entry.older } else { newest = entry.older }
        if let older = entry.older { older.newer = entry.newer } else { oldest = entry.newer }
        entry.newer = nil
        entry.older = nil
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
            unlink(e)
            entries[e.key] = nil
        }
    }

    private func evictOldestUnused() -> Bool {
        var entry = oldest
        while let e = entry {
            if e.useCount == 0 {
                unlink(e)
                entries[e.key] = nil
                return true
            }
            entry = e.newer
        }
        return false
    }

    // MARK: Data (under the lock)

    func value(_ type: StickDataType, of entry: StickEntry, now: UInt64) -> UInt64? {
        let index = slot[type.rawValue]
        guard index >= 0 else { return nil }
        if type.isRate { return UInt64(rate(entry, index).rate(period: period[type.rawValue], now: now)) }
        return entry.data[index]
    }

    func setValue(_ type: StickDataType, _ value: UInt64, of entry: StickEntry, now: UInt64) {
        let index = slot[type.rawValue]
        guard index >= 0 else { return }
        if type.isRate {
            var counter = rate(entry, index)
            counter.set(UInt32(truncatingIfNeeded: value), now: now)
            setRate(entry, index, counter)
        } else {
            entry.data[index] = value
        }
    }

    /// Adds `amount` to a counter and to its rate, when stored.
    func add(_ type: StickDataType, _ amount: UInt64, to entry: StickEntry, now: UInt64) {
        let index = slot[type.rawValue]
        if index >= 0 {
            // Counters of 32 bits wrap as 2.6's do; byte counters are 64.
            if type == .bytesInCount || type == .bytesOutCount {
                entry.data[index] &+= amount
            } else {
                entry.data[index] = UInt64(UInt32(truncatingIfNeeded: entry.data[index] &+ amount))
            }
        }
        if let rate = type.rate {
            let r = slot[rate.rawValue]
            if r >= 0 {
                var counter = self.rate(entry, r)
                counter.add(UInt32(truncatingIfNeeded: amount), period: period[rate.rawValue], now: now)
                setRate(entry, r, counter)
            }
        }
    }

    func period(of type: StickDataType) -> UInt64 { period[type.rawValue] }

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
    let table: StickTable
    public let entry: StickEntry
    public let now: UInt64

    public var key: StickKey { entry.key }

    /// The value of `type`, nil when the table does not store it.
    public func value(_ type: StickDataType) -> UInt64? { table.value(type, of: entry, now: now) }

    public func set(_ type: StickDataType, _ value: UInt64) {
        table.setValue(type, value, of: entry, now: now)
        table.touch(entry, now: now)
    }

    /// Adds to a counter and its rate (`gpc0` and `gpc0_rate`...).
    public func add(_ type: StickDataType, _ amount: UInt64 = 1) { table.add(type, amount, to: entry, now: now) }

    /// `server_key`: the server's name, when the table stores it.
    public var serverKey: String? {
        get { table.stores(.serverKey) ? entry.serverKey : nil }
        nonmutating set { if table.stores(.serverKey) { entry.serverKey = newValue } }
    }

    /// Lowers `conn_cur` by one, stopping at zero.
    public func decrement(_ type: StickDataType) {
        guard let v = value(type), v > 0 else { return }
        table.setValue(type, v - 1, of: entry, now: now)
    }

    /// Milliseconds left before the entry expires (`exp=`), 0 without `expire`.
    public var expiresIn: UInt64 {
        guard table.definition.expire != nil, entry.expiresAt > now else { return 0 }
        return entry.expiresAt - now
    }

    /// Refreshes the entry's expiry and recency.
    public func touch() { table.touch(entry, now: now) }
}

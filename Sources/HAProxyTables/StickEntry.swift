/// One entry of a stick table: its key, its data and its place in the
/// table's recency list. Read and written only under the table's lock.
public final class StickEntry {
    public let key: StickKey
    /// Streams tracking the entry (`use=` in `show table`): it does not
    /// expire while they do.
    public internal(set) var useCount: Int32 = 0
    /// When it expires, in milliseconds of the monotonic clock.
    public internal(set) var expiresAt: UInt64 = 0
    /// Counters and values by slot (`StickTable.slot`), then each rate in
    /// two words (period start; current and previous counts): one
    /// allocation for all of an entry's data.
    var data: [UInt64]
    /// `server_key`: the name of the server the entry sticks to.
    var serverKey: String?
    // The recency list: `newer` toward the most recently used entry.
    unowned(unsafe) var newer: StickEntry?
    unowned(unsafe) var older: StickEntry?
    var linked = false

    init(key: StickKey, valueSlots: Int, rateSlots: Int) {
        self.key = key
        data = Array(repeating: 0, count: valueSlots + 2 * rateSlots)
    }
}

/// One entry of a stick table: its key, its data and its place in the
/// table's recency list and hash chain. Read and written only under the
/// table's lock.
///
/// One allocation per entry: the fields below, then the data words
/// (`data`): each counter or value in a word, each rate in two (period
/// start; current and previous counts), in the order of the table's
/// slots (`StickTable.slot`).
public final class StickEntry: ManagedBuffer<StickEntry.Fields, UInt64> {
    public struct Fields {
        let key: StickKey
        var expiresAt: UInt64 = 0
        // The recency list: `newer` toward the most recently used entry.
        // Unmanaged: moving an entry in the list counts no references.
        var newerRef: Unmanaged<StickEntry>?
        var olderRef: Unmanaged<StickEntry>?
        /// The next entry in the same bucket of the table's index.
        unowned(unsafe) var next: StickEntry?
        var useCount: Int32 = 0
        var linked = false

        init(key: StickKey) { self.key = key }
    }

    /// A new entry with `words` data words, all 0.
    static func make(key: StickKey, words: Int) -> StickEntry {
        let entry = unsafeDowncast(
            StickEntry.create(minimumCapacity: words) { _ in Fields(key: key) }, to: StickEntry.self)
        entry.withUnsafeMutablePointerToElements { $0.initialize(repeating: 0, count: words) }
        return entry
    }

    public var key: StickKey { header.key }
    /// Streams tracking the entry (`use=` in `show table`): it does not
    /// expire while they do.
    public internal(set) var useCount: Int32 {
        get { header.useCount }
        set { header.useCount = newValue }
    }
    /// When it expires, in milliseconds of the monotonic clock.
    public internal(set) var expiresAt: UInt64 {
        get { header.expiresAt }
        set { header.expiresAt = newValue }
    }
    /// Whether the entry is in its table (false once removed).
    var linked: Bool {
        get { header.linked }
        set { header.linked = newValue }
    }
    /// The next entry toward the most recently used one (walks from the oldest).
    var newer: StickEntry? { header.newerRef?.takeUnretainedValue() }
    var newerRef: Unmanaged<StickEntry>? {
        get { header.newerRef }
        set { header.newerRef = newValue }
    }
    var olderRef: Unmanaged<StickEntry>? {
        get { header.olderRef }
        set { header.olderRef = newValue }
    }
    /// The data words (the entry's own storage, valid as long as it lives).
    var data: UnsafeMutablePointer<UInt64> { withUnsafeMutablePointerToElements { $0 } }
}

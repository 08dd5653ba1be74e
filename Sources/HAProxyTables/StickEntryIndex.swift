/// A stick table's entries by key: a power-of-two array of buckets, each
/// the head of a chain through the entries' `next` field. It holds one
/// reference to each entry it contains. Used under the table's lock.
///
/// Per entry it costs one or two bucket words (the array doubles when
/// there are more entries than buckets), where a `Dictionary` keeps the
/// key and the reference in a slot and a quarter of its slots free. Keys
/// of addresses and integers hash with a multiply-xorshift mix seeded at
/// random per table; string and binary keys through `Hasher`.
struct StickEntryIndex {
    private var buckets: UnsafeMutablePointer<Unmanaged<StickEntry>?>
    private var mask: Int
    private(set) var count = 0
    private let seed: (UInt64, UInt64)

    init() {
        var random = SystemRandomNumberGenerator()
        seed = (random.next(), random.next())
        mask = 15
        buckets = .allocate(capacity: mask + 1)
        buckets.initialize(repeating: nil, count: mask + 1)
    }

    @inline(__always)
    private func bucket(_ key: StickKey) -> Int {
        if let bytes = key.bytes {
            var hasher = Hasher()
            hasher.combine(seed.0)
            bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
            return hasher.finalize() & mask
        }
        var h = key.low &+ seed.0
        h = (h ^ (h >> 32)) &* 0xd6e8_feb8_6659_fd93
        h ^= key.high &+ seed.1
        h = (h ^ (h >> 32)) &* 0xd6e8_feb8_6659_fd93
        return Int(truncatingIfNeeded: h ^ (h >> 32)) & mask
    }

    func find(_ key: StickKey) -> StickEntry? {
        var entry = buckets[bucket(key)]?.takeUnretainedValue()
        while let e = entry {
            if e.header.key == key { return e }
            entry = e.header.next
        }
        return nil
    }

    /// Adds `entry`, whose key is not in the index yet.
    mutating func insert(_ entry: StickEntry) {
        if count > mask { grow() }
        let b = bucket(entry.header.key)
        entry.header.next = buckets[b]?.takeUnretainedValue()
        buckets[b] = Unmanaged.passRetained(entry)
        count += 1
    }

    /// Takes `entry` out of the index (and lets go of its reference).
    mutating func remove(_ entry: StickEntry) {
        let b = bucket(entry.header.key)
        guard var current = buckets[b]?.takeUnretainedValue() else { return }
        if current === entry {
            buckets[b] = entry.header.next.map { Unmanaged.passUnretained($0) }
        } else {
            while let next = current.header.next, next !== entry { current = next }
            guard current.header.next === entry else { return }
            current.header.next = entry.header.next
        }
        entry.header.next = nil
        count -= 1
        Unmanaged.passUnretained(entry).release()
    }

    func forEach(_ body: (StickEntry) -> Void) {
        for b in 0...mask {
            var entry = buckets[b]?.takeUnretainedValue()
            while let e = entry {
                entry = e.header.next
                body(e)
            }
        }
    }

    private mutating func grow() {
        let old = buckets, oldMask = mask
        mask = 2 * mask + 1
        buckets = .allocate(capacity: mask + 1)
        buckets.initialize(repeating: nil, count: mask + 1)
        for b in 0...oldMask {
            var entry = old[b]?.takeUnretainedValue()
            while let e = entry {
                entry = e.header.next
                let nb = bucket(e.header.key)
                e.header.next = buckets[nb]?.takeUnretainedValue()
                buckets[nb] = Unmanaged.passUnretained(e)
            }
        }
        old.deallocate()
    }

    /// Lets go of every entry and of the buckets (the table's end).
    mutating func destroy() {
        for b in 0...mask {
            var entry = buckets[b]?.takeUnretainedValue()
            while let e = entry {
                entry = e.header.next
                e.header.next = nil
                Unmanaged.passUnretained(e).release()
            }
        }
        buckets.deallocate()
        count = 0
    }
}

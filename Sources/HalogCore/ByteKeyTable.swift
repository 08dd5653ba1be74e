#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An open-addressing hash table keyed by byte strings, storing the keys in
/// one arena so that looking up a key read from a line allocates nothing.
///
/// halog aggregates per server, per URL and per client address; the keys
/// come from the input buffer and are only copied the first time they are
/// seen.
struct ByteKeyTable {
    private var arena: [UInt8] = []
    private var offsets: [Int] = []      // per entry: start in arena
    private var lengths: [Int] = []
    private var slots: [Int32]           // -1 empty, else entry index
    private var hashes: [UInt64] = []
    private var mask: Int

    var count: Int { offsets.count }

    init(capacity: Int = 1024) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = [Int32](repeating: -1, count: size)
        mask = size - 1
        arena.reserveCapacity(capacity * 16)
    }

    @inline(__always)
    static func hash(_ p: UnsafePointer<UInt8>, _ n: Int) -> UInt64 {
        var h: UInt64 = 0xcbf29ce484222325
        for i in 0..<n {
            h = (h ^ UInt64(p[i])) &* 0x100000001b3
        }
        return h
    }

    /// Returns the index of the entry for the key, inserting it if new.
    mutating func index(of p: UnsafePointer<UInt8>, count n: Int) -> (index: Int, inserted: Bool) {
        let h = ByteKeyTable.hash(p, n)
        var s = Int(truncatingIfNeeded: h) & mask
        while true {
            let e = Int(slots[s])
            if e < 0 { break }
            if hashes[e] == h && lengths[e] == n {
                let same = arena.withUnsafeBufferPointer { memcmp($0.baseAddress! + offsets[e], p, n) == 0 }
                if same { return (e, false) }
            }
            s = (s + 1) & mask
        }
        let e = offsets.count
        offsets.append(arena.count)
        lengths.append(n)
        hashes.append(h)
        arena.append(contentsOf: UnsafeBufferPointer(start: p, count: n))
        slots[s] = Int32(e)
        if offsets.count * 2 > slots.count { grow() }
        return (e, true)
    }

    private mutating func grow() {
        let size = slots.count * 2
        slots = [Int32](repeating: -1, count: size)
        mask = size - 1
        for e in 0..<offsets.count {
            var s = Int(truncatingIfNeeded: hashes[e]) & mask
            while slots[s] >= 0 { s = (s + 1) & mask }
            slots[s] = Int32(e)
        }
    }

    /// The bytes of entry `e`.
    func key(_ e: Int) -> ArraySlice<UInt8> {
        arena[offsets[e]..<(offsets[e] + lengths[e])]
    }

    /// Entry indexes sorted by key bytes (memcmp, shorter first on a tie:
    /// the order of strcmp on the NUL-terminated keys).
    func sortedByKey() -> [Int] {
        arena.withUnsafeBufferPointer { a in
            (0..<offsets.count).sorted { x, y in
                let lx = lengths[x], ly = lengths[y]
                let c = memcmp(a.baseAddress! + offsets[x], a.baseAddress! + offsets[y], min(lx, ly))
                return c != 0 ? c < 0 : lx < ly
            }
        }
    }
}

/// A table in which each server appears `weight` times, spread out evenly:
/// the structure behind `static-rr` and map-based hashing (`hash % total`).
///
/// Built once per change of the eligible group. Slot `o` goes to the server
/// whose running score, in units of the total weight, is highest, the first
/// declared winning ties; this reproduces haproxy 2.6's tables (weights 3,1
/// give a a a b; 1,2,3 give a c b c b c), so keys hash to the same servers
/// as with haproxy.
struct WeightedMap {
    private(set) var slots: [LBServer] = []

    var totalWeight: Int { slots.count }

    init() {}

    init(servers: [LBServer]) {
        let total = servers.reduce(0) { $0 + $1.weight }
        guard total > 0 else { return }
        slots.reserveCapacity(total)
        if total == 1 {
            slots = servers.filter { $0.weight > 0 }
            return
        }
        var score = Array(repeating: 0, count: servers.count)
        for _ in 0..<total {
            var best = -1
            var bestLevel = 0
            for (i, s) in servers.enumerated() where s.weight > 0 {
                score[i] += s.weight
                // Comparing coarse levels rather than raw scores keeps the
                // first-declared server ahead among near-equal scores.
                let level = (score[i] + total) / total
                if best < 0 || level > bestLevel {
                    best = i
                    bestLevel = level
                }
            }
            slots.append(servers[best])
            score[best] -= total
        }
    }

    @inline(__always)
    subscript(hash: UInt32) -> LBServer {
        slots[Int(hash % UInt32(slots.count))]
    }

    /// Next server in table order from `cursor` that has a free slot,
    /// preferring one other than `avoiding`. Advances the cursor past it.
    mutating func next(cursor: inout Int, avoiding: LBServer?) -> LBServer? {
        let count = slots.count
        guard count > 0 else { return nil }
        if cursor >= count { cursor %= count }
        var fallback: (server: LBServer, next: Int)?
        var i = cursor
        for _ in 0..<count {
            let s = slots[i]
            i += 1
            if i == count { i = 0 }
            guard s.hasFreeSlot else { continue }
            if s === avoiding {
                if fallback == nil { fallback = (s, i) }
                continue
            }
            cursor = i
            return s
        }
        if let fallback {
            cursor = fallback.next
            return fallback.server
        }
        return nil
    }
}

import NIOCore
import NIOConcurrencyHelpers

/// Idle keep-alive connections to one server, kept per event loop so a
/// stream reuses only connections of its own loop (no cross-thread I/O).
///
/// Each loop's connections are kept oldest first: a stream takes the most
/// recently used one (the least likely to have been closed by the server's
/// keep-alive timeout), and a full pool closes its oldest to keep the new.
final class IdleConnectionPool {
    private let lock = NIOLock()
    /// An idle connection of the I/O driver, in clear or TLS.
    struct Entry {
        let connection: PooledConnection
        /// It served a stream after the one that opened it: a safe one to
        /// reuse (`http-reuse safe`, `safe_conn_cur`).
        var reused = false
    }

    /// Each loop's connections, oldest first. A handful of loops: a list
    /// searched in order costs less per request than hashing the key.
    private var byLoop: [(loop: ObjectIdentifier, entries: [Entry])] = []
    /// Upper bound of idle connections kept per loop and server.
    static let maxIdlePerLoop = 1024
    /// `pool-max-conn`: idle connections kept for the server, all loops
    /// together (nil: no limit but `maxIdlePerLoop`).
    let limit: Int?
    /// Connections kept now, all loops together (under the lock).
    private var total = 0

    init(limit: Int? = nil) {
        self.limit = limit
    }

    @inline(__always)
    private func slot(_ key: ObjectIdentifier) -> Int? {
        for i in byLoop.indices where byLoop[i].loop == key { return i }
        return nil
    }

    /// Takes the most recently used idle connection of `loop`, if any.
    func take(on loop: EventLoop) -> Entry? {
        let key = ObjectIdentifier(loop)
        return lock.withLock {
            guard let i = slot(key) else { return nil }
            while let entry = byLoop[i].entries.popLast() {
                total -= 1
                if entry.connection.isActive { return entry }
            }
            return nil
        }
    }

    /// Keeps `entry`, a connection of `loop`, for reuse. When the loop's
    /// pool is full, or the server's pools already hold `need` connections
    /// (the most streams the server had at once), the loop's oldest
    /// connections leave the pool and are returned for the caller to close;
    /// when the server keeps `pool-max-conn` already, `entry` itself is
    /// returned, as 2.6 closes the connection it has no room for.
    func put(_ entry: Entry, on loop: EventLoop, need: Int = .max) -> [Entry] {
        let key = ObjectIdentifier(loop)
        return lock.withLock {
            if let limit, total >= limit { return [entry] }
            let i: Int
            if let found = slot(key) {
                i = found
            } else {
                byLoop.append((key, []))
                i = byLoop.count - 1
            }
            var evicted: [Entry] = []
            // Only a full pool pays this move of its entries.
            if byLoop[i].entries.count >= Self.maxIdlePerLoop {
                evicted.append(byLoop[i].entries.removeFirst())
                total -= 1
            }
            while total >= need, !byLoop[i].entries.isEmpty {
                evicted.append(byLoop[i].entries.removeFirst())
                total -= 1
            }
            byLoop[i].entries.append(entry)
            total += 1
            return evicted
        }
    }

    /// Forgets `connection` (it closed while idle). The server's keep-alive
    /// timeout closes the oldest first: the search starts there. (A plain
    /// array: NIO's CircularBuffer checks its invariants on every removal
    /// in debug builds, which made a server's death stall the loop.)
    func remove(_ connection: PooledConnection, on loop: EventLoop) {
        let key = ObjectIdentifier(loop)
        lock.withLock {
            if let i = slot(key), let j = byLoop[i].entries.firstIndex(where: { $0.connection === connection }) {
                byLoop[i].entries.remove(at: j)
                total -= 1
            }
        }
    }

    /// Closes every idle connection (server down, shutdown).
    func closeAll() {
        let all = lock.withLock { () -> [PooledConnection] in
            let all = byLoop.flatMap { $0.entries.map(\.connection) }
            byLoop.removeAll()
            total = 0
            return all
        }
        for connection in all { connection.closeFromAnyThread() }
    }

    var count: Int { lock.withLock { total } }

    /// The idle connections by kind, as 2.6's `show stat` counts them:
    /// `safe` ones have served a stream after the one that opened them
    /// (`safe_conn_cur`), the others are `unsafe` (`idle_conn_cur`).
    var counts: (unsafe: Int, safe: Int) {
        lock.withLock {
            var safe = 0, all = 0
            for slot in byLoop {
                all += slot.entries.count
                for entry in slot.entries where entry.reused { safe += 1 }
            }
            return (all - safe, safe)
        }
    }
}

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
    /// An idle connection and its pipeline's single handler.
    struct Entry {
        let channel: Channel
        let handler: RelayHandler
    }

    private var byLoop: [ObjectIdentifier: [Entry]] = [:]
    /// Upper bound of idle connections kept per loop and server.
    static let maxIdlePerLoop = 1024

    /// Takes the most recently used idle connection of `loop`, if any.
    func take(on loop: EventLoop) -> Entry? {
        let key = ObjectIdentifier(loop)
        return lock.withLock {
            while let entry = byLoop[key]?.popLast() {
                if entry.channel.isActive { return entry }
            }
            return nil
        }
    }

    /// Keeps `entry` for reuse. When the loop's pool is full, its oldest
    /// connection leaves the pool and is returned for the caller to close.
    func put(_ entry: Entry) -> Entry? {
        let key = ObjectIdentifier(entry.channel.eventLoop)
        return lock.withLock {
            var evicted: Entry?
            if byLoop[key] == nil { byLoop[key] = [] }
            // Only a full pool pays this move of its entries.
            if byLoop[key]!.count >= Self.maxIdlePerLoop { evicted = byLoop[key]!.removeFirst() }
            byLoop[key]!.append(entry)
            return evicted
        }
    }

    /// Forgets `channel` (it closed while idle). The server's keep-alive
    /// timeout closes the oldest first: the search starts there. (A plain
    /// array: NIO's CircularBuffer checks its invariants on every removal
    /// in debug builds, which made a server's death stall the loop.)
    func remove(_ channel: Channel) {
        let key = ObjectIdentifier(channel.eventLoop)
        lock.withLock {
            if let i = byLoop[key]?.firstIndex(where: { $0.channel === channel }) {
                byLoop[key]!.remove(at: i)
            }
        }
    }

    /// Closes every idle connection (server down, shutdown).
    func closeAll() {
        let all = lock.withLock { () -> [Channel] in
            let all = byLoop.values.flatMap { $0.map(\.channel) }
            byLoop.removeAll()
            return all
        }
        for channel in all { channel.close(promise: nil) }
    }

    var count: Int { lock.withLock { byLoop.values.reduce(0) { $0 + $1.count } } }
}

import NIOCore
import NIOConcurrencyHelpers

/// Idle keep-alive connections to one server, kept per event loop so a
/// stream reuses only connections of its own loop (no cross-thread I/O).
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

    /// Keeps `channel` for reuse; returns false when the pool is full.
    func put(_ entry: Entry) -> Bool {
        let key = ObjectIdentifier(entry.channel.eventLoop)
        return lock.withLock {
            if byLoop[key] == nil { byLoop[key] = [] }
            guard byLoop[key]!.count < Self.maxIdlePerLoop else { return false }
            byLoop[key]!.append(entry)
            return true
        }
    }

    /// Forgets `channel` (it closed while idle).
    func remove(_ channel: Channel) {
        let key = ObjectIdentifier(channel.eventLoop)
        lock.withLock {
            if let i = byLoop[key]?.firstIndex(where: { $0.channel === channel }) {
                byLoop[key]?.remove(at: i)
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

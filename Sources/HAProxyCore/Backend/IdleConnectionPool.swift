import NIOCore
import NIOConcurrencyHelpers

/// Idle keep-alive connections to one server, kept per event loop so a
/// stream reuses only connections of its own loop (no cross-thread I/O).
final class IdleConnectionPool {
    private let lock = NIOLock()
    private var byLoop: [ObjectIdentifier: [Channel]] = [:]
    /// Upper bound of idle connections kept per loop and server.
    static let maxIdlePerLoop = 1024

    /// Takes the most recently used idle connection of `loop`, if any.
    func take(on loop: EventLoop) -> Channel? {
        let key = ObjectIdentifier(loop)
        return lock.withLock {
            while let channel = byLoop[key]?.popLast() {
                if channel.isActive { return channel }
            }
            return nil
        }
    }

    /// Keeps `channel` for reuse; returns false when the pool is full.
    func put(_ channel: Channel) -> Bool {
        let key = ObjectIdentifier(channel.eventLoop)
        return lock.withLock {
            var list = byLoop[key, default: []]
            guard list.count < Self.maxIdlePerLoop else { return false }
            list.append(channel)
            byLoop[key] = list
            return true
        }
    }

    /// Forgets `channel` (it closed while idle).
    func remove(_ channel: Channel) {
        let key = ObjectIdentifier(channel.eventLoop)
        lock.withLock {
            if let i = byLoop[key]?.firstIndex(where: { $0 === channel }) {
                byLoop[key]?.remove(at: i)
            }
        }
    }

    /// Closes every idle connection (server down, shutdown).
    func closeAll() {
        let all = lock.withLock { () -> [Channel] in
            let all = byLoop.values.flatMap { $0 }
            byLoop.removeAll()
            return all
        }
        for channel in all { channel.close(promise: nil) }
    }

    var count: Int { lock.withLock { byLoop.values.reduce(0) { $0 + $1.count } } }
}

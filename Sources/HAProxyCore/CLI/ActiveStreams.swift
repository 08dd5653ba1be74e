#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import HAProxyIO
import NIOConcurrencyHelpers
import NIOCore

/// A stream as `show sess` and `shutdown session(s)` reach it.
protocol ActiveStream: AnyObject {
    /// Backend name and server, read on the stream's loop.
    var currentRoute: (backend: String?, server: Server?) { get }
    /// Ends the stream, on its loop: `shutdown session(s)` and the page's
    /// "Kill Sessions", or its server going down under `on-marked-down
    /// shutdown-sessions` (`serverDown`).
    func kill(serverDown: Bool)
    /// Where `ActiveStreams` keeps it (-1 when not registered).
    var activeSlot: Int { get set }
}

/// The streams alive right now, for `show sess` and `shutdown session(s)`.
///
/// A frontend registers each stream when it accepts its connection and
/// removes it when the stream ends. Everything a stream owns is read on
/// the stream's own event loop. Registering costs no allocation once the
/// table has grown: the streams sit in reused slots, each stream knowing
/// its own.
final class ActiveStreams {
    /// What `show sess` needs to find and describe a stream.
    struct Entry {
        let id: UInt
        let stream: ActiveStream
        let frontend: Frontend
        /// The loop the stream runs on, and its client's address.
        let eventLoop: IOLoop
        let clientAddress: SocketAddress?
        let accepted: NIODeadline

        /// Backend name and server, read on `eventLoop`.
        func route() -> (backend: String?, server: Server?) { stream.currentRoute }
        /// Ends the stream, on `eventLoop`.
        func kill(serverDown: Bool = false) { stream.kill(serverDown: serverDown) }
    }

    private let lock = NIOLock()
    private var slots: [Entry?] = []
    private var freeSlots: [Int] = []

    func add(_ stream: ActiveStream, frontend: Frontend, client: StreamConnection, on eventLoop: IOLoop) {
        // The stream's address, as 2.6 shows its streams (not a hash of it:
        // hashing costs about a hundred instructions a connection).
        let entry = Entry(
            id: UInt(bitPattern: ObjectIdentifier(stream)), stream: stream, frontend: frontend,
            eventLoop: eventLoop, clientAddress: client.remoteAddress, accepted: eventLoop.now)
        stream.activeSlot = lock.withLock {
            if let slot = freeSlots.popLast() {
                slots[slot] = entry
                return slot
            }
            slots.append(entry)
            return slots.count - 1
        }
    }

    func remove(_ stream: ActiveStream) {
        let slot = stream.activeSlot
        guard slot >= 0 else { return }
        stream.activeSlot = -1
        lock.withLockVoid {
            slots[slot] = nil
            freeSlots.append(slot)
        }
    }

    var all: [Entry] { lock.withLock { slots.compactMap { $0 } }.sorted { $0.accepted < $1.accepted } }

    func entry(_ id: UInt) -> Entry? { lock.withLock { slots.first { $0?.id == id } ?? nil } }

    /// Ends every stream whose route matches.
    func shutdown(serverDown: Bool = false, where matches: @escaping (_ route: (backend: String?, server: Server?)) -> Bool) {
        for entry in all {
            entry.eventLoop.execute {
                if matches(entry.route()) { entry.kill(serverDown: serverDown) }
            }
        }
    }

    /// Ends one stream, on its event loop.
    func shutdown(_ entry: Entry) {
        entry.eventLoop.execute { entry.kill() }
    }

    /// The route of a stream, read on its event loop: the caller waits
    /// for it (the driver's loops never wait on NIO's, where the CLI runs).
    static func route(of entry: Entry) -> (backend: String?, server: Server?)? {
        let loop = entry.eventLoop
        if loop.inEventLoop { return entry.route() }
        return try? loop.submit { entry.route() }.wait()
    }
}

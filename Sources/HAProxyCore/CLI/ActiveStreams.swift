#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import HAProxyIO
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// The streams alive right now, for `show sess` and `shutdown session(s)`.
///
/// A frontend registers each stream when it accepts its connection and
/// removes it when the stream ends. Everything a stream owns is read on
/// the stream's own event loop.
final class ActiveStreams {
    /// What `show sess` needs to find and describe a stream.
    struct Entry {
        let id: UInt
        let frontend: Frontend
        /// The loop the stream runs on, and its client's address.
        let eventLoop: EventLoop
        let clientAddress: SocketAddress?
        let accepted: NIODeadline
        /// Backend name and server, read on `eventLoop`.
        let route: () -> (backend: String?, server: Server?)
        /// Ends the stream (`shutdown session(s)`, the page's "Kill
        /// Sessions"), on `eventLoop`.
        let kill: () -> Void
    }

    private let lock = NIOLock()
    private var entries: [UInt: Entry] = [:]

    /// Registers a stream; `kill` ends it (by default its client
    /// connection is closed).
    func add(_ owner: AnyObject, frontend: Frontend, client: StreamConnection, on eventLoop: EventLoop,
             kill: (() -> Void)? = nil, route: @escaping () -> (backend: String?, server: Server?)) {
        let id = UInt(bitPattern: ObjectIdentifier(owner).hashValue)
        let entry = Entry(id: id, frontend: frontend, eventLoop: eventLoop, clientAddress: client.remoteAddress,
                          accepted: .now(), route: route, kill: kill ?? { client.close() })
        lock.withLock { entries[id] = entry }
    }

    func remove(_ owner: AnyObject) {
        let id = UInt(bitPattern: ObjectIdentifier(owner).hashValue)
        _ = lock.withLock { entries.removeValue(forKey: id) }
    }

    var all: [Entry] { lock.withLock { entries.values.sorted { $0.accepted < $1.accepted } } }

    func entry(_ id: UInt) -> Entry? { lock.withLock { entries[id] } }

    /// Ends every stream whose route matches.
    func shutdown(where matches: @escaping (_ route: (backend: String?, server: Server?)) -> Bool) {
        for entry in all {
            entry.eventLoop.execute {
                if matches(entry.route()) { entry.kill() }
            }
        }
    }

    /// Ends one stream, on its event loop.
    func shutdown(_ entry: Entry) {
        entry.eventLoop.execute { entry.kill() }
    }

    /// The route of a stream, read on its event loop; nil when the caller
    /// is another event loop (waiting there could deadlock).
    static func route(of entry: Entry) -> (backend: String?, server: Server?)? {
        let loop = entry.eventLoop
        if loop.inEventLoop { return entry.route() }
        // A NIO loop waiting on another could deadlock; the driver's loops
        // never wait on NIO's.
        if MultiThreadedEventLoopGroup.currentEventLoop != nil, !(loop is IOLoop) { return nil }
        return try? loop.submit { entry.route() }.wait()
    }
}

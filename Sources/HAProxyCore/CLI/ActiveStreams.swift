#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
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
        let client: Channel
        let accepted: NIODeadline
        /// Backend name and server, read on `client.eventLoop`.
        let route: () -> (backend: String?, server: Server?)
        /// Ends the stream (`shutdown session(s)`, the page's "Kill
        /// Sessions"), on `client.eventLoop`.
        let kill: () -> Void
    }

    private let lock = NIOLock()
    private var entries: [UInt: Entry] = [:]

    /// Registers a stream; `kill` ends it (by default its client
    /// connection is closed).
    func add(_ owner: AnyObject, frontend: Frontend, client: Channel, kill: (() -> Void)? = nil,
             route: @escaping () -> (backend: String?, server: Server?)) {
        let id = UInt(bitPattern: ObjectIdentifier(owner).hashValue)
        let entry = Entry(id: id, frontend: frontend, client: client, accepted: .now(), route: route,
                          kill: kill ?? { client.close(promise: nil) })
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
            entry.client.eventLoop.execute {
                if matches(entry.route()) { entry.kill() }
            }
        }
    }

    /// Ends one stream, on its event loop.
    func shutdown(_ entry: Entry) {
        entry.client.eventLoop.execute { entry.kill() }
    }

    /// The route of a stream, read on its event loop; nil when the caller
    /// is another event loop (waiting there could deadlock).
    static func route(of entry: Entry) -> (backend: String?, server: Server?)? {
        let loop = entry.client.eventLoop
        if loop.inEventLoop { return entry.route() }
        if MultiThreadedEventLoopGroup.currentEventLoop != nil { return nil }
        return try? loop.submit { entry.route() }.wait()
    }
}

import Synchronization

/// A listening socket as fetches see it: the `name` of its bind line
/// (`so_name`), its number (`so_id`) and the connections it holds now
/// (`dst_conn`). Shared by the listener and the streams it accepted,
/// which run on several threads: the count is atomic.
public final class ListenerView: Sendable {
    public let name: String?
    /// 2.6 numbers a proxy's listeners from 1 in the order of its bind
    /// lines, one number per address (`bind :80,:81` is 1 and 2); this
    /// build refuses `id` on a bind line, so no number is ever taken.
    public let id: Int
    private let connections = Atomic<Int>(0)

    public init(name: String?, id: Int) {
        self.name = name
        self.id = id
    }

    /// Connections accepted on the socket and not closed yet, the one
    /// asking included (2.6 counts it from its accept).
    public var currentConnections: Int { connections.load(ordering: .relaxed) }

    public func connectionOpened() { connections.add(1, ordering: .relaxed) }

    public func connectionClosed() { connections.subtract(1, ordering: .relaxed) }
}

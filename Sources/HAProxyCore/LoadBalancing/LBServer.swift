/// A server as the load balancer sees it.
///
/// The runtime owns one per `server` line and keeps it on the backend's
/// event loop: it flips `isUsable` or `weight` and then tells the
/// `LoadBalancer` (`serverStateChanged`, `weightChanged`), and it reports
/// connections through `LoadBalancer.connectionStarted` / `connectionEnded`
/// so that leastconn and random see the current load.
public final class LBServer {
    /// Position in the backend (0-based, declaration order).
    public let index: Int
    /// Numeric identifier (the `id` server keyword); defaults to position + 1.
    /// Orders servers for `first` and seeds their points on the consistent ring.
    public let id: Int
    public let name: String
    /// Weight from the configuration (0...256).
    public let configuredWeight: Int
    /// Current weight (0...256); 0 means the server takes no load-balanced traffic.
    public var weight: Int {
        didSet { weight = min(max(weight, 0), LBServer.maxWeight) }
    }
    /// A backup server only receives traffic when no active server is usable.
    public let isBackup: Bool
    /// UP and neither in maintenance nor draining. Set by the runtime.
    public var isUsable: Bool
    /// `maxconn` of the server; 0 means unlimited.
    public var maxConnections: Int
    /// Connections currently served; changed through the `LoadBalancer`.
    public internal(set) var activeConnections: Int = 0
    /// Requests waiting in this server's queue; counted as load by leastconn
    /// and random, as haproxy does. Changed through the `LoadBalancer`.
    public internal(set) var queuedConnections: Int = 0

    public static let maxWeight = 256

    public init(
        index: Int,
        id: Int? = nil,
        name: String,
        weight: Int = 1,
        isBackup: Bool = false,
        isUsable: Bool = true,
        maxConnections: Int = 0
    ) {
        self.index = index
        self.id = id ?? index + 1
        self.name = name
        let clamped = min(max(weight, 0), LBServer.maxWeight)
        self.configuredWeight = clamped
        self.weight = clamped
        self.isBackup = isBackup
        self.isUsable = isUsable
        self.maxConnections = maxConnections
    }

    /// Whether the server may take load-balanced traffic right now.
    @inlinable
    public var isEligible: Bool { isUsable && weight > 0 }

    /// The key that places this server's points on the consistent-hash ring:
    /// its `id`, so that load balancers with the same ids agree (manual,
    /// `hash-type consistent`).
    @inlinable
    public var hashKey: UInt32 { UInt32(truncatingIfNeeded: id) }

    /// Connections plus queued requests: the load compared by leastconn and random.
    @inlinable
    public var load: Int { activeConnections + queuedConnections }

    /// Whether `maxconn` leaves room for one more connection.
    @inlinable
    public var hasFreeSlot: Bool { maxConnections == 0 || activeConnections < maxConnections }
}

extension LBServer: CustomStringConvertible {
    public var description: String { name }
}

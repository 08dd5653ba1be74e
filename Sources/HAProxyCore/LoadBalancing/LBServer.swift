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
    /// Current weight (0...256); 0 means the server takes no load-balanced
    /// traffic. The algorithms read it: `userWeight`, less during a warm-up.
    public var weight: Int {
        didSet { weight = min(max(weight, 0), LBServer.maxWeight) }
    }
    /// The weight the configuration, the CLI, an agent or DNS gave
    /// (2.6's `uweight`); setting it sets `weight` through the warm-up.
    public var userWeight: Int {
        didSet {
            userWeight = min(max(userWeight, 0), LBServer.maxWeight)
            applyWarmup()
        }
    }
    /// `maxconn` as configured or set since (0: none); `maxConnections`
    /// is it through the warm-up.
    public var userMaxConnections: Int {
        didSet { applyWarmup() }
    }
    /// `slowstart`: how far the server is into its warm-up after coming
    /// back up (0 to 1), nil at full speed; `rampsWeight` when the
    /// algorithm's weights are dynamic (2.6 ramps maxconn anyway).
    public private(set) var warmup: (ratio: Double, rampsWeight: Bool)?
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
        self.userWeight = clamped
        self.userMaxConnections = maxConnections
        self.isBackup = isBackup
        self.isUsable = isUsable
        self.maxConnections = maxConnections
    }

    /// Sets how far the warm-up is (nil: over), and the weight and
    /// maxconn it allows: both grow linearly from 1 to their full value
    /// (manual 5.2, `slowstart`).
    public func setWarmup(_ warmup: (ratio: Double, rampsWeight: Bool)?) {
        self.warmup = warmup
        applyWarmup()
    }

    private func applyWarmup() {
        guard let warmup else {
            weight = userWeight
            maxConnections = userMaxConnections
            return
        }
        weight = userWeight == 0 || !warmup.rampsWeight
            ? userWeight : max(1, Int((Double(userWeight) * warmup.ratio).rounded(.up)))
        maxConnections = userMaxConnections == 0 ? 0 : max(1, Int(Double(userMaxConnections) * warmup.ratio))
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

import HAProxyConfig
import HAProxyIO
import HAProxyRules
import HAProxyHTTP
import NIOConcurrencyHelpers
import NIOCore

/// Something waiting for a server connection slot: a stream whose backend
/// or chosen server is at its `maxconn`.
protocol ServerSlotWaiter: AnyObject {
    var eventLoop: IOLoop { get }
    /// Called on `eventLoop` once a slot on `server` is reserved for the waiter.
    func slotGranted(_ server: Server, position: QueuePosition)
}

/// Where a stream left a queue, as the log's `%sq` and `%bq` show it: the
/// streams taken from that queue between its arrival and its own
/// departure, itself included (0 for the queue it did not wait in).
struct QueuePosition {
    var server = 0
    var backend = 0
}

struct PendingStream {
    let waiter: ServerSlotWaiter
    /// The queue's `dequeued` count when the stream joined it.
    var ticket: Int
}

/// A backend at run time: its servers, load balancer, queue and counters.
///
/// Server selection, slot accounting and the queue are guarded by one lock,
/// uncontended with the default single event loop; everything else a stream
/// touches stays on the stream's own loop.
public final class Backend {
    /// Outcome of asking for a server.
    enum Acquisition {
        case server(Server)
        case queued
        case noServer
    }

    public let config: ProxyConfig
    public var name: String { config.name }
    /// `option srvtcpka`/`tcpka` with `srvtcpka-*`, for its server connections.
    let serverKeepAlive: TCPKeepAlive?
    /// `source`: the local address connections to the servers (and their
    /// checks) are bound to.
    let sourceAddress: SocketAddress?
    /// The backend's servers, in declaration then creation order (without
    /// servers removed by `del server`).
    public internal(set) var servers: [Server] = []
    /// Every server ever attached, deleted ones included: `slots[i].lb.index == i`,
    /// the position the load balancer reports (see Backend+Dynamic.swift).
    var slots: [Server] = []
    public internal(set) var loadBalancer: LoadBalancer!
    /// The proxy's own error responses (`errorfile` or built-in), by status.
    /// What the HTTP transactions this backend serves ask of it.
    let httpPolicy: HTTPBackendPolicy

    let lock = NIOLock()
    private var queue = CircularBuffer<PendingStream>()
    /// Streams taken from `queue` so far (under `lock`).
    private var dequeued = 0

    // Counters (under `lock`).
    public internal(set) var currentStreams = 0
    public internal(set) var totalStreams = 0
    public internal(set) var maxQueued = 0
    public internal(set) var connectionErrors = 0
    /// Streams that found no usable server at all: counted as connection
    /// errors and not as load-balancing decisions, as 2.6 counts them.
    public internal(set) var streamsWithoutServer = 0
    public internal(set) var responseErrors = 0
    /// Transfers cut by the client or by the server once a server was
    /// chosen (`cli_abrt`, `srv_abrt`).
    public internal(set) var clientAborts = 0
    public internal(set) var serverAborts = 0
    /// Responses refused by a `tcp-response content` or `http-response`
    /// rule (`dresp`).
    public internal(set) var deniedResponses = 0
    /// Requests the rules denied once this backend was chosen (`dreq`).
    public internal(set) var deniedRequests = 0
    /// `comp_in`, `comp_out`, `comp_rsp` (see `Frontend.compression`).
    public internal(set) var compression = CompressionCounters()
    public internal(set) var bytesIn: UInt64 = 0
    public internal(set) var bytesOut: UInt64 = 0
    public internal(set) var lastDown = NIODeadline.now()
    /// `chkdown` of the backend row: the times it lost its last usable
    /// server (2.6 counts them; a backend down from the start has none).
    public internal(set) var downTransitions = 0
    /// Time the whole backend spent without a usable server, up to the
    /// last time it got one back (`downtime`).
    var downtimeBefore: TimeAmount = .zero
    /// Streams given to this backend per second (`rate`, `rate_max`).
    var sessionRate = FrequencyCounter()
    /// HTTP responses to the streams of this backend, by class (`hrsp_*`),
    /// whether a server or the proxy answered.
    var responses = HTTPResponseCounters()
    /// HTTP requests that ended with a response (`req_tot`).
    var httpRequests = 0
    /// Most streams at once (`smax`).
    var maxStreams = 0
    /// `RateClock` time of the last stream given a server (`lastsess`).
    var lastSessionMs: UInt64?
    /// Its servers' connections established and taken over (`connect`, `reuse`).
    var newConnections = 0
    var reusedConnections = 0
    /// Times of the streams its servers served (`qtime` ... `ttime_max`).
    var times = StreamTimeStats()
    /// Called when the last usable server goes away (for the log message).
    var onNoServerAvailable: ((Backend) -> Void)?
    /// Where the steps of the servers' warm-ups run (`slowstart`); set by
    /// the runtime once its loops exist.
    var warmupLoop: EventLoop?

    init(config: ProxyConfig, addresses: [SocketAddress], httpPolicy: HTTPBackendPolicy) {
        self.config = config
        self.httpPolicy = httpPolicy
        self.serverKeepAlive = TCPKeepAlive(
            enabled: config.options.serverTCPKeepAlive, config.serverKeepAliveTimers)
        // An address literal, checked by the parser.
        sourceAddress = config.source.flatMap { try? SocketAddress(ipAddress: $0.host, port: $0.port) }
        var servers: [Server] = []
        for (i, server) in config.servers.enumerated() {
            servers.append(Server(config: server, index: i, address: addresses[i], backend: self))
        }
        self.servers = servers
        self.slots = servers
        self.loadBalancer = LoadBalancer(
            servers: servers.map(\.lb), config: config.balance, allBackups: config.options.allBackups)
    }

    public func server(named name: String) -> Server? { servers.first { $0.name == name } }

    /// The server a stick table entry names (by name, else by id).
    func server(_ target: Sticking.Target) -> Server? {
        switch target {
        case .name(let name): return server(named: name)
        case .id(let id): return servers.first { $0.lb.id == id }
        }
    }

    var queuedCount: Int { lock.withLock { queue.count } }
    /// The backend queue's length; the caller holds `lock`.
    var queuedCountLocked: Int { queue.count }

    /// What a log line shows of this backend and the stream's server
    /// (`beconn`, `srv_conn`), read together under the lock.
    func logCounts(server: Server?) -> (streams: Int, serverConnections: Int) {
        guard let server, server.backend !== self else {
            return lock.withLock { (currentStreams, server?.currentConnections ?? 0) }
        }
        let serverConnections = server.connectionCount
        return lock.withLock { (currentStreams, serverConnections) }
    }

    /// Number of servers taking traffic (active, backup).
    public var usableCounts: (active: Int, backup: Int) {
        lock.withLock {
            var active = 0, backup = 0
            for s in servers where s.isUsable {
                if s.isBackup { backup += 1 } else { active += 1 }
            }
            return (active, backup)
        }
    }

    /// Whether a server other than `server` takes traffic.
    func hasUsableServer(otherThan server: Server) -> Bool {
        lock.withLock { servers.contains { $0 !== server && $0.isUsable } }
    }

    // MARK: Slots

    /// Chooses a server and reserves a connection slot on it, or queues the
    /// waiter when every eligible server is full.
    ///
    /// - Parameter pick: asks the load balancer, with the request's hash key.
    /// - Parameter avoiding: the server a redispatch leaves; the stream is
    ///   already counted in this backend then.
    /// - Parameter now: `RateClock` time for the session rates (a time the
    ///   caller already read, to spare a clock read per request).
    func acquire(
        for waiter: ServerSlotWaiter, avoiding: Server? = nil, now: UInt64,
        pick: (LoadBalancer, LBServer?) -> LBServer?
    ) -> Acquisition {
        lock.withLock {
            if avoiding == nil {
                totalStreams += 1
                currentStreams += 1
                maxStreams = max(maxStreams, currentStreams)
                sessionRate.add(now: now)
            }
            guard let chosen = pick(loadBalancer, avoiding?.lb) else {
                if let avoiding { countLeaving(avoiding, for: nil) }
                if loadBalancer.hasEligibleServers {
                    queue.append(PendingStream(waiter: waiter, ticket: dequeued))
                    maxQueued = max(maxQueued, queue.count)
                    return .queued
                }
                if avoiding == nil {
                    connectionErrors += 1
                    streamsWithoutServer += 1
                }
                return .noServer  // the caller ends the stream with `abandon`
            }
            let server = slots[chosen.index]
            if let avoiding { countLeaving(avoiding, for: server) }
            if server.lb.hasFreeSlot && server.queue.isEmpty {
                takeSlotLocked(server, now: now, picked: server !== avoiding)
                return .server(server)
            }
            if server.config.options.maxqueue > 0 && server.queue.count >= server.config.options.maxqueue {
                queue.append(PendingStream(waiter: waiter, ticket: dequeued))
                return .queued
            }
            server.queue.append(PendingStream(waiter: waiter, ticket: server.dequeued))
            loadBalancer.queueChanged(server.lb, queued: server.queue.count)
            return .queued
        }
    }

    /// A redispatch left `left` for `chosen` (nil: no server, the stream
    /// waits in the backend queue): a redispatch for the server left, or a
    /// retry when the load balancer chose it again (a hash keeps the
    /// client there), as HAProxy counts them (`wredis`, `wretr`).
    private func countLeaving(_ left: Server, for chosen: Server?) {
        if chosen === left {
            left.retries += 1
        } else {
            left.redispatches += 1
        }
    }

    /// Reserves a slot on a specific server, as a stream the load balancer
    /// sent there would hold it.
    func acquire(specific server: Server) {
        let now = RateClock.now
        lock.withLock { takeSlotLocked(server, now: now) }
    }

    /// Counts a new connection attempt on the server a stream already
    /// holds a slot on, after a failed one (`retries`): HAProxy counts
    /// each attempt as a session of the server (`stot`) and the retry
    /// (`wretr`), not a load-balancing decision (`lbtot`).
    func countRetry(on server: Server) {
        lock.withLock {
            server.retries += 1
            server.totalConnections += 1
        }
    }

    /// Counts a `retry-on` retry of a request `server` failed (`wretr`);
    /// the new attempt counts as a connection retry or a redispatch.
    func countResponseRetry(on server: Server) {
        lock.withLock { server.retries += 1 }
    }

    /// Counts a stream that gave up connecting to `server` (`econ` of the
    /// server and of the backend): no retry was left.
    func countConnectionError(on server: Server) {
        lock.withLock {
            server.connectionErrors += 1
            connectionErrors += 1
        }
    }

    /// - Parameter picked: the load balancer chose the server (`lbtot`);
    ///   false for a redispatch that chose the same server again.
    private func takeSlotLocked(_ server: Server, now: UInt64, picked: Bool = true) {
        server.currentConnections += 1
        server.totalConnections += 1
        if picked { server.loadBalanced += 1 }
        server.sessionRate.add(now: now)
        server.lastSessionMs = now
        lastSessionMs = now
        server.maxSeenConnections = max(server.maxSeenConnections, server.currentConnections)
        loadBalancer.connectionStarted(server.lb)
    }

    /// Gives a slot back; the next waiter of that server, or of the backend,
    /// inherits it.
    /// Returns the server's connections and their maximum as the release
    /// left them, read under the same lock (what its idle pools may keep).
    @discardableResult
    func release(_ server: Server, endStream: Bool = true) -> (current: Int, maxSeen: Int) {
        var grant: (ServerSlotWaiter, Server, QueuePosition)?
        let counts: (current: Int, maxSeen: Int) = lock.withLock {
            server.currentConnections -= 1
            loadBalancer.connectionEnded(server.lb)
            if endStream { currentStreams -= 1 }
            grant = nextWaiterLocked(for: server)
            return (server.currentConnections, server.maxSeenConnections)
        }
        if let (waiter, server, position) = grant { notify(waiter, server, position) }
        return counts
    }

    /// Ends a stream that never got a server (queue timeout, client gone).
    func abandon(_ waiter: ServerSlotWaiter) {
        lock.withLock {
            currentStreams -= 1
            if let i = queue.firstIndex(where: { $0.waiter === waiter }) {
                queue.remove(at: i)
                return
            }
            for server in servers {
                if let i = server.queue.firstIndex(where: { $0.waiter === waiter }) {
                    server.queue.remove(at: i)
                    loadBalancer.queueChanged(server.lb, queued: server.queue.count)
                    return
                }
            }
        }
    }

    private func nextWaiterLocked(for server: Server) -> (ServerSlotWaiter, Server, QueuePosition)? {
        guard server.acceptsPersistent, server.lb.hasFreeSlot else { return nil }
        var position = QueuePosition()
        let next: PendingStream
        if let own = server.queue.popFirst() {
            loadBalancer.queueChanged(server.lb, queued: server.queue.count)
            server.dequeued += 1
            position.server = server.dequeued - own.ticket
            next = own
        } else if server.isUsable, let waiting = queue.popFirst() {
            dequeued += 1
            position.backend = dequeued - waiting.ticket
            next = waiting
        } else {
            return nil
        }
        takeSlotLocked(server, now: RateClock.now)
        return (next.waiter, server, position)
    }

    private func notify(_ waiter: ServerSlotWaiter, _ server: Server, _ position: QueuePosition) {
        if waiter.eventLoop.inEventLoop {
            waiter.slotGranted(server, position: position)
        } else {
            waiter.eventLoop.execute { waiter.slotGranted(server, position: position) }
        }
    }

    // MARK: State changes

    /// What a server state change did (for the UP/DOWN messages).
    struct StateChange {
        /// The server's usability changed.
        var changed = false
        /// Streams moved from the server's own queue to the backend's.
        var requeued = 0
        /// Streams still waiting in the server's own queue.
        var remainingInQueue = 0
        /// The backend has no usable server left (reported by the caller
        /// when it asked `setState` not to).
        var lostAll = false
    }

    /// Applies a health-check or admin change.
    ///
    /// A server that stops taking traffic hands the streams of its own
    /// queue (those a hash or persistence sent to it) to the backend's
    /// queue with `option redispatch`; without it they keep waiting for
    /// this server, as in HAProxy 2.6 ("N requeued, M remaining in queue").
    @discardableResult
    func setState(
        _ server: Server, up: Bool? = nil, admin: Server.AdminState? = nil, resolution: Bool? = nil,
        agentDown: Bool? = nil, stopping: Bool? = nil, inherited: (maintenance: Bool, drain: Bool)? = nil,
        reportsNoServer: Bool = true
    ) -> StateChange {
        var grants: [(ServerSlotWaiter, Server, QueuePosition)] = []
        var requeue: [PendingStream] = []
        var lostAll = false
        var warming = false
        let change: StateChange = lock.withLock {
            let before = server.isUsable
            // Down or in maintenance, not merely drained or NOLB: coming
            // back from there starts a `slowstart` warm-up.
            let wasStopped = !server.isUp || server.agentDown || server.isInMaintenance
                || server.inResolutionMaintenance
            if let up { server.isUp = up }
            if let admin { server.adminState = admin }
            if let resolution { server.inResolutionMaintenance = resolution }
            if let agentDown { server.agentDown = agentDown }
            if let stopping { server.healthStopping = stopping }
            if let inherited {
                server.inheritedMaintenance = inherited.maintenance
                server.inheritedDrain = inherited.drain
            }
            let after = server.isUsable
            guard before != after else { return StateChange(remainingInQueue: server.queue.count) }
            let now = NIODeadline.now()
            if after {
                server.downtimeBefore = server.downtimeBefore + (now - server.lastStateChange)
                if !loadBalancer.hasEligibleServers { downtimeBefore = downtimeBefore + (now - lastDown) }
            }
            server.lastStateChange = now
            // Weight and maxconn ramp from 1 before the algorithm takes the
            // server back; a server leaving stops its warm-up.
            warming = after && wasStopped && startWarmupLocked(server, now: now)
            if !after { stopWarmupLocked(server) }
            server.lb.isUsable = after
            loadBalancer.serverStateChanged(server.lb)
            if after {
                while let grant = nextWaiterLocked(for: server) { grants.append(grant) }
            } else {
                server.downTransitions += 1
                if config.options.redispatch {
                    requeue = Array(server.queue)
                    server.queue.removeAll()
                    loadBalancer.queueChanged(server.lb, queued: 0)
                }
                if !loadBalancer.hasEligibleServers {
                    lostAll = true
                    lastDown = .now()
                    downTransitions += 1
                }
            }
            return StateChange(changed: true, requeued: requeue.count, remainingInQueue: server.queue.count)
        }
        if !server.isUsable { server.idlePool.closeAll() }
        if warming { scheduleWarmupStep(server) }
        for (waiter, s, position) in grants { notify(waiter, s, position) }
        if !requeue.isEmpty {
            lock.withLock {
                for p in requeue { queue.append(PendingStream(waiter: p.waiter, ticket: dequeued)) }
            }
            redistributeQueue()
        }
        if lostAll && reportsNoServer { onNoServerAvailable?(self) }
        var result = change
        result.lostAll = lostAll
        return result
    }

    /// Hands queued streams to any server with free slots.
    func redistributeQueue() {
        var grants: [(ServerSlotWaiter, Server, QueuePosition)] = []
        lock.withLock {
            for server in servers {
                while let grant = nextWaiterLocked(for: server) { grants.append(grant) }
            }
        }
        for (waiter, s, position) in grants { notify(waiter, s, position) }
    }

    func setWeight(_ server: Server, _ weight: Int) {
        lock.withLock {
            server.lb.userWeight = weight
            loadBalancer.weightChanged(server.lb)
        }
    }

    func count(_ update: (Backend) -> Void) {
        lock.withLock { update(self) }
    }

    /// Counts a transfer cut by the client or by the server on the backend
    /// and on `server` (`cli_abrt`, `srv_abrt`); the caller holds `lock`.
    func countAbortLocked(byClient: Bool, server: Server?) {
        if byClient {
            clientAborts += 1
            server?.clientAborts += 1
        } else {
            serverAborts += 1
            server?.serverAborts += 1
        }
    }

    /// Adds what a stream that had `server` measured to the server's and
    /// the backend's connection and time counters; the caller holds `lock`.
    func countServerUseLocked(_ server: Server, _ log: borrowing StreamLogInfo, isHTTP: Bool, now: NIODeadline) {
        let sample = log.timeSample(isHTTP: isHTTP, now: now)
        let new = Int(log.newServerConnections), reused = Int(log.reusedServerConnections)
        server.newConnections += new
        server.reusedConnections += reused
        server.times.add(sample)
        newConnections += new
        reusedConnections += reused
        times.add(sample)
    }
}

import HAProxyConfig
import NIOCore

/// The values of one `show stat` line, read from a frontend, a server or a
/// backend under its lock. `ShowStat.row` turns any of them into the CSV
/// columns, each column written in one place; a nil value is a column the
/// object does not have (printed empty, left out of `typed` and `json`).
struct StatSnapshot {
    /// The object a line describes; the raw value is the `type` column.
    enum Kind: Int {
        case frontend = 0
        case backend = 1
        case server = 2
    }

    var kind: Kind
    var proxyName: String
    /// `FRONTEND`, `BACKEND` or the server's name.
    var serviceName: String
    var proxyID: Int
    var serverID = 0
    var mode: ProxyMode

    var queueCurrent: Int?
    var queueMax: Int?
    var sessionsCurrent = 0
    var sessionsMax = 0
    var sessionLimit: Int?
    var sessionsTotal = 0
    var bytesIn: UInt64 = 0
    var bytesOut: UInt64 = 0
    var deniedRequests: Int?
    /// `dresp`: responses refused by `tcp-response content` rules.
    var deniedResponses = 0
    /// `comp_in`, `comp_out`, `comp_rsp` of a frontend or backend.
    var compression = CompressionCounters()
    /// A frontend's `conn_tot`, `dcon` and `dses`.
    var connectionsTotal = 0
    var deniedConnections = 0
    var deniedSessions = 0
    var interceptedRequests = 0
    /// A frontend's `ereq`.
    var requestErrors: Int?
    var connectionErrors: Int?
    var responseErrors: Int?
    /// `cli_abrt` and `srv_abrt` of a backend or server.
    var aborts: (client: Int, server: Int)?
    var retries: Int?
    var redispatches: Int?
    var status = ""
    var weight: Int?
    var active: Int?
    var backup: Int?
    /// Health-check columns of a checked server.
    var check: (downTransitions: Int, rise: Int, fall: Int, health: Int)?
    /// `chkdown` of a backend row.
    var backendDownTransitions = 0
    /// A server's connections (`srv_icur`, `idle_conn_cur`,
    /// `safe_conn_cur`, `used_conn_cur`, `need_conn_est`): idle ones in
    /// its pools by kind, those streams use now, and the estimate of those
    /// needed, the most streams it had at once.
    var serverConnections: (unsafe: Int, safe: Int, used: Int, needed: Int)?
    /// A checked server in maintenance for DNS resolution: its checks do
    /// not run and 2.6 leaves their columns empty (`chkdown` stays).
    var checkSuspended = false
    /// A server's `pool-max-conn` when it sets one (`src_ilim`); its idle
    /// connections are in `serverConnections`.
    var idleLimit: Int?
    /// `tracked`: the `backend/server` a tracking server follows.
    var tracked: String?
    /// A checked server's last check result (none before its first check).
    var lastCheck: HealthCheckResult?
    /// `agent_health` of a server with `agent-check` (0 when the agent said down).
    var agentHealth: Int?
    /// Its last agent check result (none before the first one).
    var lastAgentCheck: HealthCheckResult?
    /// Seconds since the last UP/DOWN change.
    var lastChange: Int?
    /// `chkfail` of a checked server.
    var failedChecks = 0
    /// Seconds spent down (`downtime`): a checked server's, or the
    /// whole backend's.
    var downtime: Int?
    var queueLimit: Int?
    /// Times the load balancer picked this server or backend.
    var loadBalanced: Int?
    var address: String?
    /// A server's persistence cookie value, a backend's cookie name.
    var cookie: String?
    var algorithm: String?
    var userWeight: Int?
    /// `slowstart`: the share of its weight and maxconn a warming server
    /// has, in percent (`throttle`); nil at full speed.
    var throttle: Int?
    /// New sessions per second, and the most seen in one second.
    var sessionRate: UInt32 = 0
    var sessionRateMax: UInt32 = 0
    /// A frontend's `rate-limit sessions` (0: none).
    var sessionRateLimit: UInt32?
    /// A frontend's HTTP requests per second, and the most in one second.
    var requestRate: UInt32?
    var requestRateMax: UInt32?
    /// HTTP requests received (frontend) or answered (backend, server).
    var requestsTotal: Int?
    /// HTTP responses by class; nil outside `mode http`.
    var responses: HTTPResponseCounters?
    /// Seconds since the last stream given a server (-1: none yet).
    var lastSession: Int?
    /// Server connections established and taken over (`connect`, `reuse`).
    var connections: (new: Int, reused: Int)?
    /// Average and longest queue, connect, response and total times.
    var times: StreamTimeStats?

    var isHTTP: Bool { mode == .http }
}

extension StatSnapshot {
    init(frontend: Frontend, iid: Int, globalMaxconn: Int, now: UInt64) {
        self.init(kind: .frontend, proxyName: frontend.name, serviceName: "FRONTEND", proxyID: iid,
                  mode: frontend.config.mode)
        let http = isHTTP
        frontend.withCounters { frontend in
            sessionsCurrent = frontend.currentConnections
            sessionsMax = frontend.maxSeenConnections
            sessionLimit = frontend.maxconn ?? globalMaxconn
            sessionsTotal = frontend.totalSessions
            connectionsTotal = frontend.totalConnections
            deniedConnections = frontend.deniedConnections
            deniedSessions = frontend.deniedSessions
            deniedResponses = frontend.deniedResponses
            compression = frontend.compression
            bytesIn = frontend.bytesIn
            bytesOut = frontend.bytesOut
            deniedRequests = frontend.deniedRequests
            interceptedRequests = frontend.interceptedRequests
            requestErrors = frontend.requestErrors
            status = frontend.adminDisabled ? "PAUSED" : "OPEN"
            sessionRate = frontend.sessionRate.rate(now: now)
            sessionRateMax = frontend.sessionRate.peak
            sessionRateLimit = frontend.config.rateLimitSessions
            requestRate = frontend.requestRate.rate(now: now)
            requestRateMax = frontend.requestRate.peak
            requestsTotal = frontend.totalRequests
            if http { responses = frontend.responses }
        }
    }

    init(server: Server, backend: Backend, iid: Int, now: UInt64) {
        self.init(kind: .server, proxyName: backend.name, serviceName: server.name, proxyID: iid,
                  serverID: server.lb.id, mode: backend.config.mode)
        let options = server.config.options
        let http = isHTTP
        backend.lock.withLock {
            sessionRate = server.sessionRate.rate(now: now)
            sessionRateMax = server.sessionRate.peak
            if http {
                requestsTotal = server.httpRequests
                responses = server.responses
            }
            queueCurrent = server.queue.count
            queueMax = 0
            sessionsCurrent = server.currentConnections
            sessionsMax = server.maxSeenConnections
            let idle = server.idlePool.counts
            serverConnections = (idle.unsafe, idle.safe, server.currentConnections, server.maxSeenConnections)
            // `set maxconn server` and agents change the server's limit.
            if server.lb.userMaxConnections > 0 { sessionLimit = server.lb.userMaxConnections }
            sessionsTotal = server.totalConnections
            bytesIn = server.bytesIn
            bytesOut = server.bytesOut
            connectionErrors = server.connectionErrors
            responseErrors = server.responseErrors
            aborts = (server.clientAborts, server.serverAborts)
            deniedResponses = server.deniedResponses
            retries = server.retries
            redispatches = server.redispatches
            status = ShowStat.statusText(server, checked: options.check || server.tracked != nil)
            tracked = server.tracked.map { "\($0.backend.name)/\($0.name)" }
            idleLimit = server.idlePool.limit
            weight = server.lb.weight
            active = server.isBackup ? 0 : 1
            backup = server.isBackup ? 1 : 0
            if options.check {
                let health = server.isUp ? options.rise + options.fall - 1 : 0
                check = (server.downTransitions, options.rise, options.fall, health)
                // 2.6 leaves the check columns of a server in maintenance empty.
                checkSuspended = server.inResolutionMaintenance || server.adminState == .maintenance
                lastCheck = server.lastCheck
                failedChecks = server.failedChecks
                let current = server.isUsable ? TimeAmount.zero : NIODeadline.now() - server.lastStateChange
                downtime = Int((server.downtimeBefore + current).nanoseconds / 1_000_000_000)
            }
            if options.agentCheck && !server.agentDisabled {
                agentHealth = server.agentDown ? 0 : 1
                lastAgentCheck = server.lastAgentCheck
            }
            lastChange = ShowStat.seconds(since: server.lastStateChange)
            if options.maxqueue > 0 { queueLimit = options.maxqueue }
            loadBalanced = server.loadBalanced
            lastSession = ShowStat.seconds(sinceMs: server.lastSessionMs, now: now)
            connections = (server.newConnections, server.reusedConnections)
            times = server.times
            address = ShowStat.addressText(server)
            cookie = options.cookie
            userWeight = server.lb.userWeight
            throttle = server.throttle(at: .now())
        }
    }

    init(backend: Backend, iid: Int, feeders: [Frontend], globalMaxconn: Int, now: UInt64) {
        self.init(kind: .backend, proxyName: backend.name, serviceName: "BACKEND", proxyID: iid,
                  mode: backend.config.mode)
        let queued = backend.queuedCount
        let http = isHTTP
        // `set maxconn frontend` changes it under the frontend's lock.
        let feederMaxconn = feeders.reduce(0) { sum, frontend in
            sum + (frontend.withCounters { $0.maxconn } ?? globalMaxconn)
        }
        backend.lock.withLock {
            sessionRate = backend.sessionRate.rate(now: now)
            sessionRateMax = backend.sessionRate.peak
            if http {
                requestsTotal = backend.httpRequests
                responses = backend.responses
            }
            var active = 0, backup = 0, activeWeight = 0, backupWeight = 0, retries = 0, redispatches = 0
            for s in backend.servers {
                retries += s.retries
                redispatches += s.redispatches
                guard s.isUsable else { continue }
                if s.isBackup {
                    backup += 1
                    backupWeight += s.lb.weight
                } else {
                    active += 1
                    activeWeight += s.lb.weight
                }
            }
            queueCurrent = queued
            queueMax = backend.maxQueued
            sessionsCurrent = backend.currentStreams
            sessionsMax = backend.maxStreams
            sessionLimit = backend.config.fullconn
                ?? max(1, (feederMaxconn + 9) / 10)
            sessionsTotal = backend.totalStreams
            bytesIn = backend.bytesIn
            bytesOut = backend.bytesOut
            deniedRequests = backend.deniedRequests
            connectionErrors = backend.connectionErrors
            responseErrors = backend.responseErrors
            aborts = (backend.clientAborts, backend.serverAborts)
            deniedResponses = backend.deniedResponses
            compression = backend.compression
            self.retries = retries
            self.redispatches = redispatches
            // A backend without any server is UP, as in HAProxy 2.6.
            status = active + backup > 0 || backend.servers.isEmpty ? "UP" : "DOWN"
            weight = active > 0 ? activeWeight : backupWeight
            self.active = active
            self.backup = backup
            lastChange = ShowStat.seconds(since: backend.lastDown)
            backendDownTransitions = backend.downTransitions
            // 2.6 prints no downtime for a backend without servers.
            if !backend.servers.isEmpty {
                let current = active + backup > 0 ? TimeAmount.zero : NIODeadline.now() - backend.lastDown
                downtime = Int((backend.downtimeBefore + current).nanoseconds / 1_000_000_000)
            }
            // Each stream's first choice, then each move to another server.
            loadBalanced = backend.totalStreams - backend.streamsWithoutServer + redispatches
            lastSession = ShowStat.seconds(sinceMs: backend.lastSessionMs, now: now)
            connections = (backend.newConnections, backend.reusedConnections)
            times = backend.times
            algorithm = ShowStat.algorithmName(backend.config.balance.algorithm)
            cookie = backend.config.cookie?.name
            userWeight = backend.servers.filter { $0.isUsable && $0.isBackup == (active == 0) }
                .reduce(0) { $0 + $1.lb.weight }
        }
    }
}

import HAProxyConfig
import HAProxyObservability
import NIOCore

extension ProxyRuntime {
    /// Starts one `HealthChecker` per server with `check` and one
    /// `AgentChecker` per server with `agent-check`, their first runs
    /// spread over the configuration as 2.6 spreads them
    /// (`CheckStartSchedule`); state changes update the load balancer and
    /// are logged as HAProxy logs them.
    func startHealthChecks() throws {
        var intervals: [Int] = []
        for backend in backends {
            for server in backend.servers {
                let options = server.config.options
                if options.check { intervals.append(CheckStartSchedule.checkInterval(options, startsUp: server.isUp)) }
                if options.agentCheck { intervals.append(options.agentInterMs) }
            }
        }
        var delays = CheckStartSchedule.delays(intervals)[...]
        for backend in backends {
            for server in backend.servers {
                let options = server.config.options
                if options.check {
                    let checker = try HealthChecker(
                        eventLoop: group.next(), backendName: backend.name, serverName: server.name,
                        serverAddress: server.address, config: backend.config.healthCheck,
                        options: options, timeouts: backend.config.timeouts,
                        spreadChecksPercent: configuration.global.spreadChecks,
                        startsUp: server.isUp  // DOWN when restored so from a state file
                    ) { [weak self, unowned backend, unowned server] event in
                        self?.healthEvent(event, backend: backend, server: server)
                    }
                    checker.isSuspended = { [unowned backend, unowned server] in
                        backend.lock.withLock { server.inResolutionMaintenance }
                    }
                    if backend.config.healthCheck.sendState {
                        let node = ShowInfo.nodeName(configuration.global)
                        checker.serverState = { [unowned backend, unowned server] state in
                            Self.serverStateHeader(state, backend: backend, server: server, node: node)
                        }
                    }
                    checker.tls = server.checkTLS
                    checker.source = backend.sourceAddress
                    checker.tlsServerName = options.tls.checkSNI
                    checker.start(initialDelayMs: delays.popFirst() ?? 0)
                    server.checker = checker
                }
                if options.agentCheck {
                    let agent = try AgentChecker(
                        eventLoop: group.next(), serverAddress: server.address, options: options,
                        timeouts: backend.config.timeouts
                    ) { [weak self, unowned backend, unowned server] result, transition in
                        self?.agentResult(result, transition, backend: backend, server: server)
                    }
                    agent.spreadChecksPercent = configuration.global.spreadChecks
                    agent.source = backend.sourceAddress
                    // Set before the first result can arrive on the agent's loop.
                    server.agent = agent
                    agent.start(initialDelayMs: delays.popFirst() ?? 0)
                }
            }
        }
    }

    /// `x-haproxy-server-state` (manual, `http-check send-state`; recorded
    /// from 2.6: `UP 1/3; address=127.0.0.1; port=8080; name=be/s1;
    /// node=lb1; weight=5/6; scur=0/0; qcur=0`). The farm's weight counts
    /// the usable active servers, the backups when none is left; `scur`
    /// is the server's connections over the backend's.
    static func serverStateHeader(_ state: HealthCheckState, backend: Backend, server: Server, node: String) -> String {
        backend.lock.withLock {
            var active = 0, backup = 0, sessions = 0
            for s in backend.servers {
                sessions += s.currentConnections
                guard s.isUsable else { continue }
                if s.isBackup { backup += s.lb.weight } else { active += s.lb.weight }
            }
            let config = server.config
            let unix = config.port == nil && config.host.hasPrefix("/")
            return "\(state.headerState(stopping: server.healthStopping)); address=\(unix ? "unix" : config.host); "
                + "port=\(unix ? "unix" : String(config.port ?? 0)); name=\(backend.name)/\(server.name); node=\(node); "
                + "weight=\(server.lb.userWeight)/\(active > 0 ? active : backup); "
                + "scur=\(server.currentConnections)/\(sessions); qcur=\(server.queue.count)"
        }
    }

    func stopHealthChecks() {
        for backend in backends {
            for server in backend.servers {
                if let checker = server.checker {
                    checker.eventLoop.execute { checker.stop() }
                }
                if let agent = server.agent {
                    agent.eventLoop.execute { agent.stop() }
                }
            }
        }
    }

    private func healthEvent(_ event: HealthCheckEvent, backend: Backend, server: Server) {
        defer { backend.advanceWarmup(server) }
        // Under the backend's lock, where the stats snapshots read it.
        backend.lock.withLock {
            server.lastCheck = event.check
            server.failedChecks = event.failedChecks
        }
        // `http-check disable-on-404`: a 404 puts a running server in NOLB.
        if event.check.code == .L7OKC {
            if event.isUp, !backend.lock.withLock({ server.healthStopping }) { stopOn404(event, backend: backend, server: server) }
            // Reported like any check under `option log-health-checks`.
            if event.kind != .check { return }
        }
        // A server forced NOLB is UP again at the next check that passes.
        if event.kind != .stateChange, event.isUp, event.check.code.isSuccess, event.check.code != .L7OKC,
           backend.lock.withLock({ server.healthStopping }) {
            var up = event
            up.kind = .stateChange
            return healthEvent(up, backend: backend, server: server)
        }
        switch event.kind {
        case .stateChange:
            let sessions = server.connectionCount
            // While its agent says down, 2.6 says nothing of the check's changes.
            if backend.lock.withLock({ server.agentDown && !server.agentDisabled }) {
                backend.setState(server, up: event.isUp, stopping: false)
                return
            }
            // 2.6 says why before saying the backend has no server left,
            // then passes the change on to the servers tracking this one.
            defer { propagateTrackedState(from: server) }
            let wasStopping = backend.lock.withLock { server.healthStopping }
            let change = backend.setState(server, up: event.isUp, stopping: false, reportsNoServer: false)
            defer { if change.lostAll { reportNoServer(backend) } }
            let usable = backend.usableCounts
            // "remaining in queue" of a DOWN message is the server's own queue.
            let counts = HealthCheckCounts(
                activeServers: usable.active, backupServers: usable.backup, sessionsActive: sessions,
                requeued: event.isUp ? 0 : change.requeued,
                queued: event.isUp ? backend.queuedCount : change.remainingInQueue)
            let text = event.message(
                isBackup: server.isBackup, counts: counts, logHealthChecks: backend.config.healthCheck.logHealthChecks)
            let none = usable.active == 0 && usable.backup == 0
            onMessage(.warning, text)
            // The manual: a server failing while in NOLB (`disable-on-404`)
            // is told at notice level, not as a warning or an alert.
            let level: SyslogLevel = event.isUp || wasStopping ? .notice : (none ? .alert : .warning)
            logger?.logOperational(level, text, proxy: backend.name)
            if !event.isUp { shutDownSessionsIfAsked(server) }
        case .result:
            break
        case .check:
            if backend.config.healthCheck.logHealthChecks || backend.config.options.logHealthChecks {
                let text = event.message(isBackup: server.isBackup, logHealthChecks: true)
                // 2.6 writes these to stderr as warnings too, and logs them at notice level.
                onMessage(.warning, text)
                logger?.logOperational(.notice, text, proxy: backend.name)
            }
        }
    }

    /// A running server answered its HTTP check with a 404 under
    /// `http-check disable-on-404`: NOLB, told as 2.6 tells it ("Server
    /// b/s is stopping, reason: Layer7 check conditionally passed, code:
    /// 404, ..."), at notice level.
    private func stopOn404(_ event: HealthCheckEvent, backend: Backend, server: Server) {
        let shown = backend.lock.withLock {
            server.adminState != .maintenance && !server.inResolutionMaintenance && !server.agentDown
        }
        defer { propagateTrackedState(from: server) }
        let change = backend.setState(server, stopping: true, reportsNoServer: false)
        defer { if change.lostAll { reportNoServer(backend) } }
        guard shown else { return }
        let usable = backend.usableCounts
        let text = HealthCheckMessages.serverUp(
            backend: backend.name, server: server.name, isBackup: server.isBackup, reasonText: event.check.reasonText,
            activeOnline: usable.active, backupOnline: usable.backup, requeued: change.requeued,
            queued: backend.queuedCount, stopping: true)
        onMessage(.warning, text)
        logger?.logOperational(.notice, text, proxy: backend.name)
    }

    /// `on-marked-down shutdown-sessions`: the streams using `server` end,
    /// after its DOWN is told, as 2.6 orders them.
    func shutDownSessionsIfAsked(_ server: Server) {
        guard server.config.options.shutdownSessionsWhenDown else { return }
        streams.shutdown(serverDown: true) { $0.server === server }
    }

    /// Applies what an agent replied (manual 5.2, `agent-check`) in 2.6's
    /// order and words: weight, maxconn, the up/down word, then the
    /// administrative state. Failing to reach the agent changes nothing.
    private func agentResult(
        _ result: HealthCheckResult, _ transition: HealthCheckState.Transition, backend: Backend, server: Server
    ) {
        backend.lock.withLock {
            if result.keepsPreviousCode, var previous = server.lastAgentCheck {
                previous.info = result.info
                previous.durationMs = result.durationMs
                server.lastAgentCheck = previous
            } else {
                server.lastAgentCheck = result
            }
        }
        guard let reply = result.agentReply else { return }
        let name = "\(server.isBackup ? "Backup Server" : "Server") \(backend.name)/\(server.name)"
        let notify = { (level: SyslogLevel, text: String) in
            self.onMessage(.warning, text)
            self.logger?.logOperational(level, text, proxy: backend.name)
        }
        let configured = server.lb.configuredWeight
        // 2.6 caps the weight at 256 ("1000%" of 40 gives 256).
        if let weight = reply.weight(configured: configured).map({ min($0, LBServer.maxWeight) }),
            backend.loadBalancer.isDynamic || weight == 0 || weight == configured
        {
            let lost: Bool = backend.lock.withLock {
                let before = backend.loadBalancer.hasEligibleServers
                server.lb.userWeight = weight
                backend.loadBalancer.weightChanged(server.lb)
                return before && !backend.loadBalancer.hasEligibleServers
            }
            if lost { reportNoServer(backend) }
        }
        if let maxconn = reply.maxconn {
            backend.lock.withLock { server.lb.userMaxConnections = maxconn }
            backend.redistributeQueue()
        }
        let logHealthChecks = backend.config.healthCheck.logHealthChecks || backend.config.options.logHealthChecks
        if logHealthChecks, reply.status != nil, let agent = server.agent, agent.state.lastRecordIsReportable {
            // 2.6 words it as a health check's line, "Agent check for server b/s failed, ...".
            let text = HealthCheckMessages.checkReport(
                backend: backend.name, server: server.name, isBackup: server.isBackup, result: result,
                statusText: agent.state.statusText)
            notify(.notice, "Agent" + text.dropFirst("Health".count))
        }
        switch transition {
        case .none:
            break
        case .wentDown(let r), .wentUp(let r):
            let up = server.agent?.isUp ?? true
            let (wasShown, sessions) = backend.lock.withLock {
                (server.isUp && server.adminState != .maintenance && !server.inResolutionMaintenance, server.currentConnections)
            }
            // Trackers follow once the server's own change is told.
            defer { propagateTrackedState(from: server) }
            let change = backend.setState(server, agentDown: !up, reportsNoServer: false)
            // 2.6 says why before saying the backend has no server left.
            defer { if change.lostAll { reportNoServer(backend) } }
            if wasShown {
                let usable = backend.usableCounts
                let counts = HealthCheckCounts(
                    activeServers: usable.active, backupServers: usable.backup, sessionsActive: sessions,
                    requeued: up ? 0 : change.requeued, queued: up ? backend.queuedCount : change.remainingInQueue)
                let event = HealthCheckEvent(
                    kind: .stateChange, backendName: backend.name, serverName: server.name, isUp: up, check: r,
                    statusText: server.agent?.state.statusText ?? "")
                let text = event.message(isBackup: server.isBackup, counts: counts, logHealthChecks: logHealthChecks)
                let none = usable.active == 0 && usable.backup == 0
                notify(up ? .notice : (none ? .alert : .warning), text)
            }
            if !up && change.changed { shutDownSessionsIfAsked(server) }
        }
        guard let admin = reply.admin else { return }
        defer { propagateTrackedAdmin(from: server) }
        let (current, sessions) = backend.lock.withLock { (server.adminState, server.currentConnections) }
        switch (admin, current) {
        case (.drain, .drain):
            notify(.notice, "\(name) remains in forced drain mode.")
        case (.drain, .ready):
            let change = backend.setState(server, admin: .drain, reportsNoServer: false)
            defer { if change.lostAll { reportNoServer(backend) } }
            let usable = backend.usableCounts
            notify(.notice, "\(name) enters drain state. \(usable.active) active and \(usable.backup) backup servers online. "
                + "\(change.requeued) sessions requeued, \(backend.queuedCount) total in queue.")
        case (.maint, .ready), (.maint, .drain):
            let change = backend.setState(server, admin: .maintenance, reportsNoServer: false)
            defer { if change.lostAll { reportNoServer(backend) } }
            let usable = backend.usableCounts
            let none = usable.active == 0 && usable.backup == 0
            notify(none ? .alert : .warning, "\(name) is going DOWN for maintenance. \(usable.active) active and \(usable.backup) backup servers left. "
                + "\(sessions) sessions active, \(change.requeued) requeued, \(change.remainingInQueue) remaining in queue.")
        case (.ready, .drain):
            backend.setState(server, admin: .ready)
            let up = backend.lock.withLock { server.isUp && !server.agentDown }
            notify(.notice, "\(name) is \(up ? "UP" : "DOWN") (leaving forced drain).")
        case (.ready, .maintenance):
            backend.setState(server, admin: .ready)
            let up = backend.lock.withLock { server.isUp && !server.agentDown }
            notify(.notice, "\(name) is \(up ? "UP" : "DOWN")/READY (leaving forced maintenance).")
        default:
            break
        }
    }

    /// What `set server <b>/<s> health` and the page's "Health: force"
    /// actions set.
    enum ForcedHealth { case up, stopping, down }

    /// `set server <b>/<s> health up|stopping|down` (`origin` "CLI") and
    /// the page's hrunn, hnolb, hdown ("Web interface"), for a server with
    /// `check`: UP, NOLB (up, out of load balancing) or DOWN until the
    /// checks say otherwise; the change logged as 2.6 logs it ("Server b/s
    /// is stopping, changed from CLI.").
    func setCheckHealth(_ health: ForcedHealth, backend: Backend, server: Server, origin: String) {
        guard let checker = server.checker else { return }
        checker.eventLoop.execute { checker.force(up: health != .down) }
        let (wasShown, sessions, wasUp, wasStopping) = backend.lock.withLock {
            (server.adminState != .maintenance && !server.inResolutionMaintenance && !server.agentDown,
             server.currentConnections, server.isUp, server.healthStopping)
        }
        defer { propagateTrackedState(from: server) }
        let change = backend.setState(server, up: health != .down, stopping: health == .stopping, reportsNoServer: false)
        defer { if change.lostAll { reportNoServer(backend) } }
        let changed: Bool
        switch health {
        case .up: changed = !wasUp || wasStopping
        case .stopping: changed = !wasStopping
        case .down: changed = wasUp
        }
        guard wasShown, changed else { return }
        let usable = backend.usableCounts
        let none = usable.active == 0 && usable.backup == 0
        let text: String
        if health == .down {
            text = HealthCheckMessages.serverDown(
                backend: backend.name, server: server.name, isBackup: server.isBackup, reasonText: nil,
                activeLeft: usable.active, backupLeft: usable.backup, sessionsActive: sessions,
                requeued: change.requeued, queued: change.remainingInQueue
            ).replacing(" is DOWN.", with: " is DOWN, changed from \(origin).")
        } else {
            text = HealthCheckMessages.serverUp(
                backend: backend.name, server: server.name, isBackup: server.isBackup, reasonText: nil,
                activeOnline: usable.active, backupOnline: usable.backup, requeued: change.requeued,
                queued: backend.queuedCount
            ).replacing(" is UP.", with: health == .up ? " is UP, changed from \(origin)." : " is stopping, changed from \(origin).")
        }
        onMessage(.warning, text)
        logger?.logOperational(health == .down ? (none ? .alert : .warning) : .notice, text, proxy: backend.name)
    }

    /// `set server <b>/<s> agent up|down`: the agent's health is set and the
    /// change logged as 2.6 logs it ("Server b/s is DOWN, changed from CLI.").
    func setAgentHealth(up: Bool, backend: Backend, server: Server, origin: String = "CLI") {
        guard let agent = server.agent else { return }
        agent.eventLoop.execute { agent.force(up: up) }
        let (wasShown, sessions) = backend.lock.withLock {
            (server.isUp && server.adminState != .maintenance && !server.inResolutionMaintenance, server.currentConnections)
        }
        let was = backend.lock.withLock { server.agentDown }
        defer { propagateTrackedState(from: server) }
        let change = backend.setState(server, agentDown: !up, reportsNoServer: false)
        defer { if change.lostAll { reportNoServer(backend) } }
        guard wasShown, was == up else { return }
        let usable = backend.usableCounts
        let none = usable.active == 0 && usable.backup == 0
        let text: String
        if up {
            text = HealthCheckMessages.serverUp(
                backend: backend.name, server: server.name, isBackup: server.isBackup, reasonText: nil,
                activeOnline: usable.active, backupOnline: usable.backup, requeued: 0, queued: backend.queuedCount
            ).replacing(" is UP.", with: " is UP, changed from \(origin).")
        } else {
            text = HealthCheckMessages.serverDown(
                backend: backend.name, server: server.name, isBackup: server.isBackup, reasonText: nil,
                activeLeft: usable.active, backupLeft: usable.backup, sessionsActive: sessions,
                requeued: change.requeued, queued: change.remainingInQueue
            ).replacing(" is DOWN.", with: " is DOWN, changed from \(origin).")
        }
        onMessage(.warning, text)
        logger?.logOperational(up ? .notice : (none ? .alert : .warning), text, proxy: backend.name)
    }

    /// "backend X has no server available!" to the logs (emerg) and stderr.
    func reportNoServer(_ backend: Backend) {
        onMessage(.alert, HealthCheckMessages.noServerAvailableAlert(backend: backend.name))
        logger?.logOperational(.emerg, HealthCheckMessages.noServerAvailable(backend: backend.name), proxy: backend.name)
    }
}

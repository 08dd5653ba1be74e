import HAProxyConfig
import HAProxyObservability
import NIOCore

extension ProxyRuntime {
    /// Starts one `HealthChecker` per server with `check`, spread over the
    /// inter interval; state changes update the load balancer and are logged
    /// as HAProxy logs them.
    func startHealthChecks() throws {
        for backend in backends {
            let checked = backend.servers.filter { $0.config.options.check }
            for (position, server) in checked.enumerated() {
                let loop = group.next()
                let checker = try HealthChecker(
                    eventLoop: loop, backendName: backend.name, serverName: server.name,
                    serverAddress: server.address, config: backend.config.healthCheck,
                    options: server.config.options, timeouts: backend.config.timeouts,
                    spreadChecksPercent: configuration.global.spreadChecks,
                    startsUp: server.isUp  // DOWN when restored so from a state file
                ) { [weak self, unowned backend, unowned server] event in
                    self?.healthEvent(event, backend: backend, server: server)
                }
                checker.isSuspended = { [unowned backend, unowned server] in
                    backend.lock.withLock { server.inResolutionMaintenance }
                }
                checker.tls = server.checkTLS
                checker.tlsServerName = server.config.options.tls.checkSNI
                let delay = HealthChecker.staggeredDelay(
                    position: position, count: checked.count, interMs: server.config.options.interMs)
                checker.start(initialDelayMs: delay)
                server.checker = checker
            }
        }
    }

    func stopHealthChecks() {
        for backend in backends {
            for server in backend.servers {
                if let checker = server.checker {
                    checker.eventLoop.execute { checker.stop() }
                }
            }
        }
    }

    private func healthEvent(_ event: HealthCheckEvent, backend: Backend, server: Server) {
        // Under the backend's lock, where the stats snapshots read it.
        backend.lock.withLock {
            server.lastCheck = event.check
            server.failedChecks = event.failedChecks
        }
        switch event.kind {
        case .stateChange:
            let sessions = server.connectionCount
            let change = backend.setState(server, up: event.isUp)
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
            logger?.logOperational(event.isUp ? .notice : (none ? .alert : .warning), text, proxy: backend.name)
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

    /// "backend X has no server available!" to the logs (emerg) and stderr.
    func reportNoServer(_ backend: Backend) {
        onMessage(.alert, HealthCheckMessages.noServerAvailableAlert(backend: backend.name))
        logger?.logOperational(.emerg, HealthCheckMessages.noServerAvailable(backend: backend.name), proxy: backend.name)
    }
}

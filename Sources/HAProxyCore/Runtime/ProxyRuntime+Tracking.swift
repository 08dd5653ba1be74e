import HAProxyConfig
import HAProxyObservability

/// `track [<backend>/]<server>` (manual 5.2): a server without checks of
/// its own takes the operational state of the server it tracks.
extension ProxyRuntime {
    /// Points each tracking server at its tracked server and back; the
    /// configuration checker has made sure every name resolves and no
    /// chain loops.
    static func linkTrackedServers(_ backends: [String: Backend]) {
        for backend in backends.values {
            for server in backend.servers {
                guard let text = server.config.options.track else { continue }
                var backendName = Substring(backend.name)
                var serverName = Substring(text)
                if let slash = text.lastIndex(of: "/") {
                    backendName = text[..<slash]
                    serverName = text[text.index(after: slash)...]
                }
                guard let target = backends[String(backendName)]?.servers.first(where: { $0.name == serverName })
                else { continue }
                server.tracked = target
                target.trackers.append(server)
                target.isTrackedInConfiguration = true
            }
        }
    }

    /// The servers tracking `server` take its operational state; each
    /// change is logged as 2.6 logs it (`Server b2/s1 is DOWN via b1/s1.
    /// 1 active and 0 backup servers left. ...`), then passed on to their
    /// own trackers, depth first, as 2.6 walks the chain.
    /// - Parameter restoring: the lines go to this warning sink instead,
    ///   without "has no server available!" (a server state file applied
    ///   at start, as 2.6 words it there).
    func propagateTrackedState(from server: Server, restoring: ((String) -> Void)? = nil) {
        // `del server` takes a tracking server off the list, under the lock.
        let (trackers, up) = server.backend.lock.withLock { (server.trackers, server.isUp && !server.agentDown) }
        guard !trackers.isEmpty else { return }
        let via = "\(server.backend.name)/\(server.name)"
        for tracker in trackers {
            let backend = tracker.backend
            let (was, shown, sessions) = backend.lock.withLock {
                (tracker.isUp, !tracker.isInMaintenance && !tracker.inResolutionMaintenance,
                 tracker.currentConnections)
            }
            guard was != up else { continue }
            let change = backend.setState(tracker, up: up, reportsNoServer: false)
            if shown {
                let usable = backend.usableCounts
                let text: String
                if up {
                    text = HealthCheckMessages.serverUp(
                        backend: backend.name, server: tracker.name, isBackup: tracker.isBackup, reasonText: nil,
                        via: via, activeOnline: usable.active, backupOnline: usable.backup,
                        requeued: change.requeued, queued: backend.queuedCount)
                } else {
                    text = HealthCheckMessages.serverDown(
                        backend: backend.name, server: tracker.name, isBackup: tracker.isBackup, reasonText: nil,
                        via: via, activeLeft: usable.active, backupLeft: usable.backup, sessionsActive: sessions,
                        requeued: change.requeued, queued: change.remainingInQueue)
                }
                let none = usable.active == 0 && usable.backup == 0
                if let restoring {
                    restoring(text)
                } else {
                    onMessage(.warning, text)
                    logger?.logOperational(up ? .notice : (none ? .alert : .warning), text, proxy: backend.name)
                }
            }
            if change.lostAll && restoring == nil { reportNoServer(backend) }
            if !up { shutDownSessionsIfAsked(tracker) }
            propagateTrackedState(from: tracker, restoring: restoring)
        }
    }

    /// The servers tracking `server` take its maintenance and drain (forced
    /// or taken from its own tracked server) as 2.6's IMAINT and IDRAIN,
    /// logged as 2.6 logs them (`Server b2/s1 is going DOWN for maintenance
    /// via b1/s1. ...`, `... is UP/READY (leaving maintenance).`), then
    /// passed on down the chain.
    /// - Parameter quietly: nothing is logged (a server state file applied
    ///   at start: 2.6 says only what the operational state did).
    func propagateTrackedAdmin(from server: Server, quietly: Bool = false) {
        let (trackers, maintenance, drain) = server.backend.lock.withLock {
            (server.trackers, server.isInMaintenance, server.adminState == .drain || server.inheritedDrain)
        }
        guard !trackers.isEmpty else { return }
        let via = "\(server.backend.name)/\(server.name)"
        for tracker in trackers {
            let backend = tracker.backend
            let (wasMaintenance, wasDrain, forced, sessions) = backend.lock.withLock {
                (tracker.inheritedMaintenance, tracker.inheritedDrain, tracker.adminState, tracker.currentConnections)
            }
            guard wasMaintenance != maintenance || wasDrain != drain else { continue }
            let change = backend.setState(tracker, inherited: (maintenance, drain), reportsNoServer: false)
            let name = "\(tracker.isBackup ? "Backup Server" : "Server") \(backend.name)/\(tracker.name)"
            let usable = backend.usableCounts
            let none = usable.active == 0 && usable.backup == 0
            var lines: [(SyslogLevel, String)] = []
            if forced != .maintenance && maintenance != wasMaintenance {
                if maintenance {
                    lines.append((none ? .alert : .warning,
                        "\(name) is going DOWN for maintenance via \(via). \(usable.active) active and \(usable.backup) backup servers left. "
                            + "\(sessions) sessions active, \(change.requeued) requeued, \(change.remainingInQueue) remaining in queue."))
                } else {
                    let up = backend.lock.withLock { tracker.isUp && !tracker.agentDown }
                    lines.append((.notice, "\(name) is \(up ? "UP" : "DOWN")/READY (leaving maintenance)."))
                }
            }
            if forced == .ready && !maintenance && drain != wasDrain {
                if drain {
                    lines.append((.notice,
                        "\(name) enters drain state via \(via). \(usable.active) active and \(usable.backup) backup servers online. "
                            + "\(change.requeued) sessions requeued, \(backend.queuedCount) total in queue."))
                } else {
                    let up = backend.lock.withLock { tracker.isUp && !tracker.agentDown }
                    lines.append((.notice, "\(name) is \(up ? "UP" : "DOWN") (leaving forced drain)."))
                }
            }
            for (level, text) in lines where !quietly {
                onMessage(.warning, text)
                logger?.logOperational(level, text, proxy: backend.name)
            }
            if change.lostAll && !quietly { reportNoServer(backend) }
            propagateTrackedAdmin(from: tracker, quietly: quietly)
        }
    }
}

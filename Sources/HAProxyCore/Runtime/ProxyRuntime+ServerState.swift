#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import HAProxyConfig
import HAProxyObservability
import NIOCore

/// `load-server-state-from-file`: at start, before handling traffic, each
/// backend that asks for it takes its servers' weights and states from the
/// global `server-state-file` or from a file of its own, as HAProxy 2.6's
/// `apply_server_state()` does. Problems are warnings; nothing fails.
extension ProxyRuntime {
    /// Applies the state files; `warn` receives each warning as HAProxy
    /// words it (without the `config : ` context).
    public func loadServerState(warn: (String) -> Void) {
        let global = configuration.global
        let wanted = backends.filter { $0.config.loadServerState == .global || $0.config.loadServerState == .local }
        guard !wanted.isEmpty else { return }
        var globalFile: ServerStateFile?
        if wanted.contains(where: { $0.config.loadServerState == .global }), let path = ServerStateFile.globalPath(global) {
            let loaded = ServerStateFile.load(path: path) { failure in
                switch failure {
                case .cannotOpen(let reason): return "config: Can't open global server state file '\(path)': \(reason)"
                case .noVersion: return "config: Can't get version of the global server state file '\(path)'."
                case .corrupted(let line): return "config: corrupted global server state file '\(path)' at line \(line)."
                }
            }
            switch loaded {
            case .success(let file): globalFile = file
            case .failure(let message): warn(message.text)
            }
        }
        let ids = ProxyNumbering.ids(configuration)
        for backend in wanted {
            switch backend.config.loadServerState {
            case .global:
                guard let globalFile else { continue }
                // Matched by backend and server names only.
                for entry in globalFile.firstEntries where entry.backendName == backend.name {
                    guard let server = backend.server(named: entry.serverName) else { continue }
                    applyServerState(entry, to: server, in: backend, warn: warn)
                }
            case .local:
                let path = ServerStateFile.localPath(backend.config, global: global)
                let name = backend.name
                let loaded = ServerStateFile.load(path: path) { failure in
                    switch failure {
                    case .cannotOpen(let reason): return "Proxy '\(name)': Can't open server state file '\(path)': \(reason)."
                    case .noVersion: return "Proxy '\(name)': Can't get version of the server state file '\(path)'."
                    case .corrupted(let line): return "Proxy '\(name)': corrupted server state file '\(path)' at line \(line)."
                    }
                }
                guard case .success(let file) = loaded else {
                    if case .failure(let message) = loaded { warn(message.text) }
                    continue
                }
                let backendID = ids[name] ?? 0
                var seen = Set<String>()
                for entry in file.entries {
                    if entry.backendID != "\(backendID)" {
                        warn("Proxy '\(name)': backend ID mismatch: from server state file: '\(entry.backendID)', from running config '\(backendID)'")
                        continue
                    }
                    if entry.backendName != name {
                        warn("Proxy '\(name)': backend name mismatch: from server state file: '\(entry.backendName)', from running config '\(name)'")
                        continue
                    }
                    guard seen.insert(entry.serverName).inserted else { continue }
                    guard let server = backend.server(named: entry.serverName) else {
                        warn("Proxy '\(name)': can't find server '\(entry.serverName)' in backend '\(name)'")
                        continue
                    }
                    applyServerState(entry, to: server, in: backend, warn: warn)
                }
            default:
                continue
            }
        }
    }

    /// Applies one line: an SRV slot's record, the operational state
    /// (stopped servers go DOWN; running ones get 2.6's full health), the
    /// administrative state (maintenance, drain), the user weight when
    /// the configured weight did not change, and the time of the last change.
    func applyServerState(_ entry: ServerStateFile.Entry, to server: Server, in backend: Backend, warn: (String) -> Void) {
        let values: ServerStateValues
        switch ServerStateValues.parse(entry.parameters) {
        case .success(let v): values = v
        case .failure(let error):
            warn("server-state application failed for server '\(backend.name)/\(server.name)'\(error.text)")
            return
        }
        let options = server.config.options
        restoreServiceRecord(entry, to: server, in: backend)
        let admin = ServerStateValues.adminState(
            fileBits: values.adminBits, fileInitialWeight: values.initialWeight,
            configDisabled: options.disabled, configWeight: server.lb.configuredWeight)
        let stopped = values.operationalState == 0 || values.operationalState == 3
        // A server without checks that was only down because of maintenance
        // comes back when it leaves maintenance (its state file says 0 then).
        let goesDown = stopped && (options.check || admin.state != .maintenance)
        // Said for a checked server in maintenance too (2.6.12, after `disable server`).
        if goesDown && server.isUp && values.operationalState == 0 {
            backend.setState(server, up: false)
            let usable = backend.usableCounts
            let text = HealthCheckMessages.serverDown(
                backend: backend.name, server: server.name, isBackup: server.isBackup, reasonText: nil,
                activeLeft: usable.active, backupLeft: usable.backup, sessionsActive: 0, requeued: 0,
                queued: backend.queuedCount)
            warn(text.replacing(" is DOWN.", with: " is DOWN, changed from server-state after a reload."))
        } else if goesDown {
            backend.setState(server, up: false)
        }
        backend.setState(server, admin: admin.state)
        if admin.forcedDrain {
            warn("\(server.isBackup ? "Backup Server" : "Server") \(backend.name)/\(server.name) remains in forced drain mode.")
        }
        if values.operationalState == 2 && !goesDown {
            backend.lock.withLock { server.healthFromState = options.rise + options.fall - 1 }
        }
        if values.initialWeight == server.lb.configuredWeight {
            backend.setWeight(server, values.userWeight)
        }
        let since = values.secondsSinceLastChange
        backend.lock.withLock {
            server.lastStateChange = .now() - .seconds(Int64(min(since, Int(Int32.max))))
        }
        // The servers tracking it follow, as in 2.6: "Server b2/s1 is DOWN
        // via b1/s1. ..." among the warnings; maintenance without a word.
        withoutActuallyEscaping(warn) { propagateTrackedState(from: server, restoring: $0) }
        propagateTrackedAdmin(from: server, quietly: true)
    }
}

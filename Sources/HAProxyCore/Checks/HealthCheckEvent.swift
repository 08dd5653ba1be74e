/// What a `HealthChecker` reports: a server going UP or DOWN, or (for
/// `option log-health-checks`) one check that changed the health counter
/// or the result code.
public struct HealthCheckEvent: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// The server changed state; `isUp` is the new state.
        case stateChange
        /// A check worth logging with `option log-health-checks`.
        case check
        /// Any other check's result, for the statistics' last check.
        case result
    }

    public var kind: Kind
    public var backendName: String
    public var serverName: String
    /// The server's state after this check.
    public var isUp: Bool
    public var result: CheckResultCode { check.code }
    /// The check that caused the event.
    public var check: HealthCheckResult
    /// `Layer4 connection problem, info: "Connection refused", check duration: 0ms`.
    public var reasonText: String { check.reasonText }
    /// `3/3 UP`, `0/2 DOWN`...
    public var statusText: String

    /// Checks failed while the server was up so far (`chkfail`).
    public var failedChecks = 0

    public init(kind: Kind, backendName: String, serverName: String, isUp: Bool, check: HealthCheckResult, statusText: String) {
        self.kind = kind
        self.backendName = backendName
        self.serverName = serverName
        self.isUp = isUp
        self.check = check
        self.statusText = statusText
    }

    /// The line HAProxy logs for this event.
    /// - Parameters:
    ///   - counts: the backend's figures after the change (ignored for `.check`).
    ///   - logHealthChecks: `option log-health-checks` is on: state changes
    ///     then omit the reason, which the `.check` line already gave.
    public func message(isBackup: Bool = false, counts: HealthCheckCounts = HealthCheckCounts(), logHealthChecks: Bool = false) -> String {
        switch kind {
        case .check, .result:
            return HealthCheckMessages.checkReport(
                backend: backendName, server: serverName, isBackup: isBackup, result: check, statusText: statusText)
        case .stateChange:
            let reason = logHealthChecks ? nil : reasonText
            if isUp {
                return HealthCheckMessages.serverUp(
                    backend: backendName, server: serverName, isBackup: isBackup, reasonText: reason,
                    activeOnline: counts.activeServers, backupOnline: counts.backupServers,
                    requeued: counts.requeued, queued: counts.queued)
            }
            return HealthCheckMessages.serverDown(
                backend: backendName, server: serverName, isBackup: isBackup, reasonText: reason,
                activeLeft: counts.activeServers, backupLeft: counts.backupServers,
                sessionsActive: counts.sessionsActive, requeued: counts.requeued, queued: counts.queued)
        }
    }
}

/// The backend's figures HAProxy prints in a server's UP/DOWN line, taken
/// by the runtime after it applied the change.
public struct HealthCheckCounts: Sendable, Equatable {
    /// Usable active servers ("N active and ... servers left/online").
    public var activeServers: Int
    /// Usable backup servers.
    public var backupServers: Int
    /// Sessions still on the server that went down.
    public var sessionsActive: Int
    /// Sessions moved to other servers.
    public var requeued: Int
    /// Requests left in the queue ("remaining in queue" / "total in queue").
    public var queued: Int

    public init(activeServers: Int = 0, backupServers: Int = 0, sessionsActive: Int = 0, requeued: Int = 0, queued: Int = 0) {
        self.activeServers = activeServers
        self.backupServers = backupServers
        self.sessionsActive = sessionsActive
        self.requeued = requeued
        self.queued = queued
    }
}

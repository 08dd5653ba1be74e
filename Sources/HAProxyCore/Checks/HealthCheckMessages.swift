/// The log lines HAProxy 2.6 writes about server health, recorded from the
/// real binary (`log stdout format raw local0`, warnings on stderr too).
///
/// Without `option log-health-checks` a state change carries its reason:
///
///     Server be/s1 is DOWN, reason: Layer4 connection problem, info: "Connection refused", check duration: 0ms. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.
///     Server be/s1 is UP, reason: Layer7 check passed, code: 200, check duration: 1ms. 1 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.
///
/// With it, every check that changes the health or the result code is
/// logged (`checkReport`) and the state change drops the reason
/// (`Server be/s1 is DOWN. 0 active and ...`). Backup servers are
/// `Backup Server be/b ...`; ` Running on backup.` follows the counts when
/// only backup servers are left.
public enum HealthCheckMessages {
    /// `Server be/s1 is DOWN, reason: ..., check duration: Nms. A active and B backup servers left. S sessions active, R requeued, Q remaining in queue.`
    /// - Parameter reasonText: `HealthCheckResult.reasonText`, or nil to omit
    ///   it (with `option log-health-checks`, or for a change not caused by a check).
    /// - Parameter via: the tracked server (`track`) the change came from:
    ///   `Server b2/s1 is DOWN via b1/s1. ...`.
    public static func serverDown(
        backend: String, server: String, isBackup: Bool = false, reasonText: String?, via: String? = nil,
        activeLeft: Int, backupLeft: Int, sessionsActive: Int, requeued: Int, queued: Int
    ) -> String {
        var s = "\(isBackup ? "Backup Server" : "Server") \(backend)/\(server) is DOWN"
        if let via { s += " via \(via)" }
        if let reasonText { s += ", reason: \(reasonText)" }
        s += ". \(activeLeft) active and \(backupLeft) backup servers left."
        if activeLeft == 0 && backupLeft > 0 { s += " Running on backup." }
        s += " \(sessionsActive) sessions active, \(requeued) requeued, \(queued) remaining in queue."
        return s
    }

    /// `Server be/s1 is UP, reason: ..., check duration: Nms. A active and B backup servers online. R sessions requeued, Q total in queue.`
    /// `stopping`: the same words for a server going NOLB ("is stopping").
    public static func serverUp(
        backend: String, server: String, isBackup: Bool = false, reasonText: String?, via: String? = nil,
        activeOnline: Int, backupOnline: Int, requeued: Int, queued: Int, stopping: Bool = false
    ) -> String {
        var s = "\(isBackup ? "Backup Server" : "Server") \(backend)/\(server) is \(stopping ? "stopping" : "UP")"
        if let via { s += " via \(via)" }
        if let reasonText { s += ", reason: \(reasonText)" }
        s += ". \(activeOnline) active and \(backupOnline) backup servers online."
        if activeOnline == 0 && backupOnline > 0 { s += " Running on backup." }
        s += " \(requeued) sessions requeued, \(queued) total in queue."
        return s
    }

    /// One check with `option log-health-checks`:
    /// `Health check for server be/s1 failed, reason: ..., check duration: 0ms, status: 0/2 DOWN.`
    /// (`Health check for backup server` for a backup server.)
    public static func checkReport(
        backend: String, server: String, isBackup: Bool = false, result: HealthCheckResult, statusText: String
    ) -> String {
        "Health check for \(isBackup ? "backup " : "")server \(backend)/\(server) \(result.isSuccess ? "succeeded" : "failed"), reason: \(result.reasonText), status: \(statusText)."
    }

    /// The log line when the last server of a backend went down:
    /// `backend be has no server available!`.
    public static func noServerAvailable(backend: String) -> String {
        "backend \(backend) has no server available!"
    }

    /// The same event as printed on stderr with `[ALERT]`: `backend 'be' has no server available!`.
    public static func noServerAvailableAlert(backend: String) -> String {
        "backend '\(backend)' has no server available!"
    }
}

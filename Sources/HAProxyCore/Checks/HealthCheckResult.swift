/// What one health check found: a result code, the layer 7 code (HTTP
/// status, or 0 for tcp-check), an optional "info" text and how long it took.
public struct HealthCheckResult: Sendable, Equatable {
    public var code: CheckResultCode
    /// Printed as `code: N` when `code.carriesCode`.
    public var statusCode: Int
    /// Printed as `info: "..."` when present.
    public var info: String?
    /// Milliseconds from the start of the check to its outcome.
    public var durationMs: Int
    /// Whether `show stat`'s `last_chk` shows the info: 2.6 logs the
    /// version a MySQL check read and an LDAP bind's "Success" but leaves
    /// them out of `last_chk`.
    public var infoInStats = true
    /// What an agent check's line said (agent checks only).
    public var agentReply: AgentReply?
    /// An agent's incomplete line: 2.6 keeps the previous result and only
    /// replaces its info.
    public var keepsPreviousCode = false

    public init(code: CheckResultCode, statusCode: Int = 0, info: String? = nil, durationMs: Int = 0) {
        self.code = code
        self.statusCode = statusCode
        self.info = info
        self.durationMs = durationMs
    }

    public var isSuccess: Bool { code.isSuccess }

    /// The reason as HAProxy logs it, without the duration, e.g.
    /// `Layer7 wrong status, code: 503, info: "Service Unavailable"`.
    public var reason: String {
        var s = code.reasonDescription
        if code.carriesCode { s += ", code: \(statusCode)" }
        if let info, !info.isEmpty { s += ", info: \"\(HealthCheckResult.escapeInfo(info))\"" }
        return s
    }

    /// `reason` followed by `, check duration: Nms`, as in HAProxy's
    /// "Server ... is DOWN, reason: ..." and "Health check for server ..." lines.
    public var reasonText: String { "\(reason), check duration: \(durationMs)ms" }

    /// Keeps the info printable: control bytes become spaces.
    static func escapeInfo(_ s: String) -> String {
        guard s.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else { return s }
        return String(String.UnicodeScalarView(s.unicodeScalars.map { ($0.value < 0x20 || $0.value == 0x7F) ? " " : $0 }))
    }
}

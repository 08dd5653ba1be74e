import HAProxyConfig

/// What one server's checks do and how long they may take, prepared once
/// from the configuration (regular expressions compiled) and reused by
/// every `HealthCheckProbe`.
///
/// Timeouts (manual, `timeout check` and server `inter`): without `timeout
/// check`, `inter` bounds the whole check, connection included. With it,
/// the connection must be established within min(`timeout connect`,
/// `inter`), and the answer is awaited until the later of that deadline and
/// `timeout check` after the connection (HAProxy 2.6.12 recorded: check 150
/// ms, connect 300 ms, inter 1 s gives up after 300 ms; check 600 ms gives
/// up after 600 ms; check 2 s after 2 s).
public struct HealthCheckPlan {
    public enum Kind: Sendable, Equatable { case tcpConnect, http, tcpCheck, agent }
    // A protocol check runs as a tcp-check script of its own.

    public let kind: Kind
    public let interMs: Int
    public let connectTimeoutMs: Int?
    public let checkTimeoutMs: Int?
    let http: HTTPCheckExchange?
    let script: TCPCheckScript?
    /// `agent-send`: what an agent check sends once connected.
    var agentSend: [UInt8]

    /// An `agent-check`: connect, send `agent-send`, read one line. The
    /// timeouts are those of the server's checks with `agent-inter`.
    public init(agentSend: String?, interMs: Int, timeouts: Timeouts) {
        kind = .agent
        self.interMs = max(interMs, 1)
        connectTimeoutMs = timeouts.connect
        checkTimeoutMs = timeouts.check
        http = nil
        script = nil
        self.agentSend = Array((agentSend ?? "").utf8)
    }

    /// - Throws: a syntax error from an `rstatus`/`rstring` regular expression.
    public init(config: HealthCheckConfig, interMs: Int, timeouts: Timeouts) throws {
        self.interMs = max(interMs, 1)
        connectTimeoutMs = timeouts.connect
        checkTimeoutMs = timeouts.check
        agentSend = []
        switch config.kind {
        case .tcpConnect:
            kind = .tcpConnect
            http = nil
            script = nil
        case .http:
            kind = .http
            http = try HTTPCheckExchange(config: config)
            script = nil
        case .tcpCheck:
            kind = .tcpCheck
            http = nil
            script = try TCPCheckScript(rules: config.tcpRules)
        case .protocolCheck:
            kind = .tcpCheck
            http = nil
            if let check = config.protocolCheck {
                script = TCPCheckScript(protocolCheck: check)
            } else {
                script = try TCPCheckScript(rules: [])
            }
        }
    }

    /// Milliseconds from the start of the check to give up connecting.
    public var connectPhaseMs: Int {
        guard checkTimeoutMs != nil else { return interMs }
        return min(connectTimeoutMs ?? interMs, interMs)
    }
}

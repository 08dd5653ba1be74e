/// One `tcp-request connection|session|content` or `tcp-response content`
/// action (manual 4.2), compiled when the configuration is read.
public enum TCPAction: Sendable {
    /// Stops evaluating this rule set; the connection (contents) goes on.
    case accept
    /// Closes the connection: at connection and session level at once
    /// (a reset, nothing logged), at content level with a log line.
    case reject
    /// `silent-drop`: the client connection goes away without the client
    /// being told (`IOConnection.silentDrop`); counted as a denied
    /// request at every level, as 2.6 counts it.
    case silentDrop
    /// `tcp-response content close`: the server connection is closed
    /// once what it sent is forwarded.
    case close
    /// `tcp-request connection expect-proxy layer4`: a PROXY protocol
    /// header comes first on this connection.
    case expectProxy
    /// `set-var(NAME[,cond...]) EXPR`.
    case setVariable(VariableName, SampleExpression, conditions: [SetVariableCondition])
    /// `set-var-fmt(NAME) FORMAT`.
    case setVariableFormat(VariableName, SampleFormat)
    case unsetVariable(VariableName)
    /// `tcp-request content set-log-level <level>`.
    case setLogLevel(LogLevelOverride)
    /// `set-mark` / `set-tos`: an option of the client's socket.
    case setClientSocket(ClientSocketOption)
    /// `tcp-request content capture <sample> len <n>`: into a new request
    /// capture slot of the frontend (`%hr`, `capture.req.hdr(N)`).
    case capture(HTTPCapture)
    /// `track-sc*`, `sc-inc-gpc0/1`, `sc-set-gpt0`.
    case stickCounter(StickCounterAction)

    /// Whether the action ends the rule set when it runs.
    public var isFinal: Bool {
        switch self {
        case .accept, .reject, .silentDrop, .close: return true
        default: return false
        }
    }

    /// Whether the action writes the transaction's log slots (`set-log-level`).
    public var writesTransactionLog: Bool {
        if case .setLogLevel = self { return true }
        if case .capture = self { return true }
        return false
    }
}

/// A TCP rule: an action and its condition.
public struct TCPRule: Sendable {
    public var action: TCPAction
    public var condition: Condition?
    /// `file:line` of the rule, for messages.
    public var location: String

    public init(action: TCPAction, condition: Condition?, location: String) {
        self.action = action
        self.condition = condition
        self.location = location
    }
}

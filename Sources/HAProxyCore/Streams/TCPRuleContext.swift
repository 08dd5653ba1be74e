import HAProxyConfig
import HAProxyHTTP
import HAProxyRules
import HAProxyTables
import NIOCore

/// A connection or a `mode tcp` stream as TCP rules and `use_backend`
/// conditions see it: addresses, proxies, variables and the contents
/// held back for inspection. In a TCP stream the HTTP fetches parse the
/// held request bytes themselves (manual 4.2 `tcp-request content`: an
/// HTTP ACL on a TCP proxy preliminarily parses the buffer, and does not
/// match when it is not HTTP).
final class TCPRuleContext: SampleContext, LogVariableRendering {
    let source: SocketEndpoint?
    let destination: SocketEndpoint?
    private let clientAddress: SocketAddress?
    private let localAddress: SocketAddress?
    /// The stream's log when the rules run, when some format needs it
    /// (see `SampleFormat.rulesRenderLogVariables`), or at the end for
    /// the log line's unique ID.
    var logInfo: StreamLogInfo?
    let listener: ListenerView?
    var clientConnection: (any ClientConnectionView)?
    /// The number of the loop running the stream (`thread`).
    var threadIndex = 0
    var isStopping: Bool { frontend.runtime?.isStopping ?? false }
    /// The stream's last final rule, and the one a rule set ends with.
    var lastFinalRule: String?
    func noteFinalRule(_ location: String) { lastFinalRule = location }
    var bindName: String? { listener?.name }
    let frontend: Frontend
    var backend: Backend?
    var serverName: String?
    let variables: StreamVariables
    var stickCounters: StickCounters? { variables.stickCounters }
    /// Client bytes held back, for `req.*` content fetches.
    var requestPayload: ByteBuffer?
    /// Server bytes held back, for `res.*` content fetches.
    var responsePayload: ByteBuffer?
    /// Set while more contents may come (the inspection delay runs).
    var pendingContent: PendingContent?
    /// The stream's log level (`tcp-request content set-log-level`).
    var transactionLog: TransactionLog?
    /// The TLS layers of the client and server connections (`ssl_fc`, `ssl_bc`).
    var clientTLS: (any TLSSessionView)?
    var serverTLS: (any TLSSessionView)?

    func setLogLevel(_ level: LogLevelOverride) {
        transactionLog?.level = level
    }

    init(frontend: Frontend, client: SocketAddress?, local: SocketAddress?, listener: ListenerView?,
         variables: StreamVariables) {
        self.frontend = frontend
        self.source = SocketEndpoint(client)
        self.destination = SocketEndpoint(local)
        clientAddress = client
        localAddress = local
        self.listener = listener
        self.variables = variables
    }

    var frontendName: String { frontend.name }
    var backendName: String? { backend?.name }
    var frontendConnections: Int { frontend.currentConnectionCount }
    func frontendRates(named name: String?) -> FrontendRates? { frontend.frontendRates(named: name) }
    var frontHTTPMajorVersion: Int? { frontend.config.mode == .http ? 1 : nil }

    /// The held request bytes parsed as an HTTP/1 request head, when they
    /// hold a complete one; a head still incomplete is a miss.
    var request: (any HTTPMessageReader)? {
        guard let payload = requestPayload else { return nil }
        var parser = HTTPHeadParser.request(limits: frontend.httpPolicy.headLimits)
        switch parser.parse(payload) {
        case .complete(let head):
            return HTTPMessage(head: head, bytes: payload.getSlice(at: payload.readerIndex, length: head.length)!)
        case .needMore:
            pendingContent?.mayChange()
            return nil
        case .error:
            return nil
        }
    }

    var response: (any HTTPMessageReader)? { nil }

    func withRequestPayload<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R? {
        guard let payload = requestPayload else { return body(UnsafeRawBufferPointer(start: nil, count: 0)) }
        return payload.withUnsafeReadableBytes(body)
    }

    func withResponsePayload<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R? {
        guard let payload = responsePayload else { return body(UnsafeRawBufferPointer(start: nil, count: 0)) }
        return payload.withUnsafeReadableBytes(body)
    }

    func backendState(named name: String?) -> BackendState? {
        frontend.backendState(named: name, current: backend?.httpPolicy)
    }

    func serverIsUp(backend: String, server: String) -> Bool? {
        frontend.serverIsUp(backend: backend, server: server)
    }

    func variable(_ name: VariableName) -> Sample? { variables.get(name) }

    func setVariable(_ name: VariableName, to value: Sample?) { variables.set(name, value) }

    /// `unique-id-format` and the stream's ID, shared by its contexts.
    var uniqueIDFormat: SampleFormat?
    var uniqueIDCell: UniqueIDCell?

    /// The stream's unique ID, made now if not made yet (2.6 makes it at
    /// the first fetch and logs that one); nil without the format.
    var uniqueID: [UInt8]? {
        guard let cell = uniqueIDCell, let format = uniqueIDFormat else { return nil }
        return cell.value(format: format, on: self)
    }

    /// A variable of a rule's format (`set-var-fmt`), as the log line
    /// would render it now (2.6, recorded: `%ST` 0, `%s` `<NOSRV>`...).
    func renderLogVariable(_ name: String, options: [String], into out: inout [UInt8]) {
        let snapshot = HTTPLogSnapshot(log: logInfo ?? StreamLogInfo(), client: clientAddress, local: localAddress)
        snapshot.backendIndex = backend?.httpPolicy.index
        snapshot.serverName = serverName
        frontend.appendLogVariable(name, options: options, snapshot: snapshot, into: &out)
    }
    func capturedRequestHeader(_ index: Int) -> [UInt8]? { transactionLog?.captured(index, response: false) }
    func capturedResponseHeader(_ index: Int) -> [UInt8]? { nil }

    func storeCapture(_ value: [UInt8], response: Bool, slot: Int) {
        transactionLog?.store(value, response: response, slot: slot)
    }
}

import HAProxyRules
import HAProxyTables
import NIOCore

/// What the runtime tells rules about live proxies and servers (`nbsrv`,
/// `be_conn`, `srv_is_up`, `fe_conn`), implemented by the I/O layer.
public protocol HTTPRuntimeView: AnyObject {
    /// State of backend `name`, or of `current` when `name` is nil.
    func backendState(named name: String?, current: HTTPBackendPolicy?) -> BackendState?
    func serverIsUp(backend: String, server: String) -> Bool?
    var frontendConnections: Int { get }
    /// `fe_sess_rate`, `fe_req_rate`: frontend `name`'s rates (nil: this one's).
    func frontendRates(named name: String?) -> FrontendRates?
    /// A soft stop began (`stopping`).
    var isStopping: Bool { get }
    /// The backend policy named `name` (dynamic `use_backend`).
    func backendPolicy(named name: String) -> HTTPBackendPolicy?
    /// The next number of the process's requests (`%rt`).
    func nextRequestID() -> Int
    /// Renders the log-format variable `name` with `options` as the log
    /// line would from `snapshot` (a rule's format, `unique-id-format`).
    func appendLogVariable(_ name: String, options: [String], snapshot: HTTPLogSnapshot, into out: inout [UInt8])
}

/// What a stream's log knows at some point of a transaction, for the
/// log-format variables met before its log line. A class: a context
/// holds a reference, not the log's few hundred bytes.
public final class HTTPLogSnapshot {
    public var log: StreamLogInfo
    public var client: SocketAddress?
    public var local: SocketAddress?
    /// The backend chosen so far (the frontend's own name before).
    public var backendIndex: Int? = nil
    public var serverName: String? = nil

    public init(log: StreamLogInfo, client: SocketAddress?, local: SocketAddress?) {
        self.log = log
        self.client = client
        self.local = local
    }
}

/// A transaction's unique ID (`unique-id-format`), made once when first
/// needed and shared by the stream and its rules' contexts.
public final class UniqueIDCell {
    public var value: [UInt8]?
    /// Being made: a format that reads its own ID gets nothing.
    private var making = false
    public init() {}

    /// The ID, made now with `make` if not made yet; nil while being
    /// made (a format that reads its own ID).
    public func value(making make: () -> [UInt8]) -> [UInt8]? {
        if let value { return value }
        guard !making else { return nil }
        making = true
        let made = make()
        making = false
        value = made
        return made
    }

    /// The ID `format` makes on `context`, its log-format variables as
    /// the log line would render them then.
    public func value(format: SampleFormat, on context: some SampleContext & LogVariableRendering) -> [UInt8]? {
        value {
            format.evaluate(context, mergingSpaces: true) { name, options, out in
                context.renderLogVariable(name, options: options, into: &out)
            }
        }
    }
}

/// The stream as HTTP rules see it: fetches read the connection, the
/// proxies and the messages; actions edit the message of the rule set's
/// side. A class, so that fetches and converters receive it as a
/// reference: rules run without copying the stream's state.
final class HTTPStreamContext: HTTPRuleTarget {
    /// The messages in boxes that fetches read through a reference.
    private var requestBox: MessageBox?
    private var responseBox: MessageBox?
    /// Actions edit the response (http-response, http-after-response).
    var editsResponse = false
    private(set) var source: SocketEndpoint?
    private(set) var destination: SocketEndpoint?
    /// `set-src`/`set-dst` changed them.
    private(set) var endpointsChanged = false
    let frontendName: String
    var backend: HTTPBackendPolicy?
    var serverName: String?
    let runtime: HTTPRuntimeView?
    var variables: StreamVariables
    var stickCounters: StickCounters? { variables.stickCounters }
    /// The transaction's capture slots and log level (`capture`,
    /// `set-log-level`, `capture.req.hdr(N)`).
    var transactionLog: TransactionLog?
    /// At log time: the status of the transaction's answer, for `status`
    /// (the response message itself is gone).
    var loggedResponse: LoggedResponse?
    /// Edits that could not be applied (`failed_rewrites`).
    var failedRewrites = 0
    /// The configuration's userlists, by name.
    var userlists: [String: Userlist]
    /// A proxied request under `option http-use-proxy-header`.
    var usesProxyAuthentication = false
    /// The TLS layers of the client and server connections (`ssl_fc`, `ssl_bc`).
    var clientTLS: (any TLSSessionView)?
    var serverTLS: (any TLSSessionView)?
    /// Numeric ids for `fe_id`, `be_id` and `srv_id`.
    var frontendID: Int?
    var serverID: Int?
    var backendID: Int? { backend?.id }
    /// Interim responses the rules produced (103 Early Hints, 100
    /// Continue), to be written before anything else, and what 2.6 counts
    /// of them in `%B`.
    var interimResponses: ByteBuffer?
    var interimLoggedBytes = 0
    /// The headers of the 103 response being gathered.
    private var pendingHints: [([UInt8], [UInt8])] = []

    convenience init(
        requestMessage: consuming HTTPMessage?, source: SocketEndpoint?, destination: SocketEndpoint?, frontendName: String,
        backend: HTTPBackendPolicy?, serverName: String?, runtime: HTTPRuntimeView?, variables: StreamVariables,
        frontendID: Int? = nil, serverID: Int? = nil
    ) {
        var box: MessageBox?
        if let message = consume requestMessage { box = MessageBox(message) }
        self.init(
            requestBox: box, source: source, destination: destination, frontendName: frontendName, backend: backend,
            serverName: serverName, runtime: runtime, variables: variables, frontendID: frontendID, serverID: serverID)
    }

    /// A context on a request already in its box (`requestBoxForRules`).
    init(
        requestBox: MessageBox?, source: SocketEndpoint?, destination: SocketEndpoint?, frontendName: String,
        backend: HTTPBackendPolicy?, serverName: String?, runtime: HTTPRuntimeView?, variables: StreamVariables,
        frontendID: Int? = nil, serverID: Int? = nil, userlists: [String: Userlist] = [:]
    ) {
        self.requestBox = requestBox
        // Given here, not assigned after: an empty dictionary was made
        // and dropped for every request.
        self.userlists = userlists
        self.frontendID = frontendID
        self.serverID = serverID
        self.source = source
        self.destination = destination
        self.frontendName = frontendName
        self.backend = backend
        self.serverName = serverName
        self.runtime = runtime
        self.variables = variables
    }

    var requestMessage: HTTPMessage? {
        get { requestBox?.message }
        set { requestBox = newValue.map(MessageBox.init) }
    }

    /// Runs `body` on the request where the context keeps it (nothing
    /// without one), without copying it.
    func withRequestMessage(_ body: (inout HTTPMessage) -> Void) {
        guard let box = requestBox else { return }
        body(&box.message)
    }

    /// For the response rules: the request's target, headers and body
    /// are no longer there (see `MessageBox.headersGone`).
    func hideRequestHeaders() {
        requestBox?.headersGone = true
    }

    var responseMessage: HTTPMessage? {
        get { responseBox?.message }
        set { responseBox = newValue.map(MessageBox.init) }
    }

    var listener: ListenerView?
    var clientConnection: (any ClientConnectionView)?
    var threadIndex = 0
    /// Set by the rules as they end a rule set; the machine keeps it for
    /// the contexts that follow (see `HTTPStreamStateMachine.lastFinalRule`).
    var lastFinalRule: String?
    func noteFinalRule(_ location: String) { lastFinalRule = location }
    var isStopping: Bool { runtime?.isStopping ?? false }
    var bindName: String? { listener?.name }
    var frontHTTPMajorVersion: Int? { 1 }
    var backendName: String? { backend?.name }
    var frontendConnections: Int { runtime?.frontendConnections ?? 0 }
    var request: (any HTTPMessageReader)? { requestBox.map(BorrowedMessage.init) }
    var response: (any HTTPMessageReader)? {
        if let box = responseBox { return BorrowedMessage(box) }
        return loggedResponse
    }

    func withRequestPayload<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R? { nil }

    func backendState(named name: String?) -> BackendState? {
        runtime?.backendState(named: name, current: backend)
    }

    func serverIsUp(backend: String, server: String) -> Bool? {
        runtime?.serverIsUp(backend: backend, server: server)
    }

    /// The request is not in the frontend's counters yet (see
    /// `HTTPStreamStateMachine.requestUncounted`).
    var requestUncounted = false

    func frontendRates(named name: String?) -> FrontendRates? {
        guard var rates = runtime?.frontendRates(named: name) else { return nil }
        if requestUncounted && (name == nil || name == frontendName) { rates.requests += 1 }
        return rates
    }

    func variable(_ name: VariableName) -> Sample? { variables.get(name) }

    func setVariable(_ name: VariableName, to value: Sample?) { variables.set(name, value) }

    func userlist(named name: String) -> Userlist? { userlists[name] }

    /// What the stream's log knew when the context was made or brought up
    /// to date, for the variables of the rules' formats.
    var logSnapshot: HTTPLogSnapshot?
    /// `unique-id-format` and the transaction's ID.
    var uniqueIDFormat: SampleFormat?
    var uniqueIDCell: UniqueIDCell?

    /// The transaction's unique ID, made now from `unique-id-format` if
    /// not made yet; nil without the format (2.6's fetch then fails).
    var uniqueID: [UInt8]? {
        guard let cell = uniqueIDCell, let format = uniqueIDFormat else { return nil }
        return cell.value(format: format, on: self)
    }
    /// The request line as received (`capture.req.*`).
    var receivedRequestLine: ByteBuffer?

    func withReceivedRequestLine<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R? {
        receivedRequestLine?.withUnsafeReadableBytes(body)
    }
    func capturedRequestHeader(_ index: Int) -> [UInt8]? { transactionLog?.captured(index, response: false) }
    func capturedResponseHeader(_ index: Int) -> [UInt8]? { transactionLog?.captured(index, response: true) }

    func storeCapture(_ value: [UInt8], response: Bool, slot: Int) {
        transactionLog?.store(value, response: response, slot: slot)
    }

    func setLogLevel(_ level: LogLevelOverride) {
        transactionLog?.level = level
    }

    // MARK: Edits

    private func edit(_ body: (inout HTTPMessage) throws -> Void) -> Bool {
        guard let box = editsResponse ? responseBox : requestBox else { return false }
        do {
            try body(&box.message)
            return true
        } catch {
            failedRewrites += 1
            return false
        }
    }

    func setHeader(_ name: [UInt8], _ value: [UInt8]) -> Bool {
        edit { try $0.setHeader(name, value) }
    }

    func addHeader(_ name: [UInt8], _ value: [UInt8]) -> Bool {
        edit { try $0.addHeader(name, value) }
    }

    func deleteHeaders(where matches: (UnsafeRawBufferPointer) -> Bool) -> Bool {
        edit { try $0.deleteHeaders(where: matches) }
    }

    func replaceHeaderValues(_ name: [UInt8], _ transform: (UnsafeRawBufferPointer) -> [UInt8]?) -> Bool {
        edit { try $0.replaceHeaderValues(name, transform) }
    }

    func setMethod(_ method: [UInt8]) -> Bool {
        edit { try $0.setMethod(method) }
    }

    func setURI(_ uri: [UInt8]) -> Bool {
        edit { try $0.setURI(uri) }
    }

    func setStatus(_ status: Int, reason: [UInt8]?) -> Bool {
        let text = reason ?? Array(String(describing: HTTPReasonPhrase.phrase(for: status)).utf8)
        return edit { try $0.setStatus(status, reason: text) }
    }

    // MARK: Interim responses (`early-hint`, `wait-for-body`)

    /// `set-timeout` overrides for this stream.
    var serverTimeout: Int?
    var tunnelTimeout: Int?

    /// Recorded from the manual: a new address keeps the port when the
    /// family allows it; a new port keeps the address.
    func setEndpoint(_ part: EndpointPart, to value: Sample) {
        func address(_ sample: Sample) -> SocketEndpoint.Address? {
            switch sample {
            case .ipv4(let a): return .v4(a)
            case .ipv6(let a): return .v6(a)
            default:
                guard let text = sample.stringBytes else { return nil }
                if let a = IPv4Address(text: text) { return .v4(a) }
                return IPv6Address(text: text).map { .v6($0) }
            }
        }
        switch part {
        case .sourceAddress, .destinationAddress:
            guard let new = address(value) else { return }
            let old = part == .sourceAddress ? source : destination
            let endpoint = SocketEndpoint(address: new, port: old?.port ?? 0)
            if part == .sourceAddress { source = endpoint } else { destination = endpoint }
        case .sourcePort, .destinationPort:
            guard let port = value.intValue, (0...65535).contains(port) else { return }
            let old = part == .sourcePort ? source : destination
            let endpoint = SocketEndpoint(address: old?.address ?? .v4(IPv4Address(0)), port: Int(port))
            if part == .sourcePort { source = endpoint } else { destination = endpoint }
        }
        endpointsChanged = true
    }

    /// `disable-l7-retry` ran.
    private(set) var layer7RetriesDisabled = false

    func disableLayer7Retries() { layer7RetriesDisabled = true }

    func setTimeout(_ kind: StreamTimeout, milliseconds: Int) {
        switch kind {
        case .server: serverTimeout = milliseconds
        case .tunnel: tunnelTimeout = milliseconds
        }
    }

    /// Gathers an `early-hint` header; a group is written as one 103 when
    /// `sendsNow`. Recorded: an HTTP/1.0 client gets none, names are
    /// lowercased.
    func addEarlyHint(_ name: [UInt8], _ value: [UInt8], sendsNow: Bool) {
        guard let request = requestMessage, request.head.version.isPersistentByDefault else { return }
        pendingHints.append((name.map(HTTPBytes.lower), value))
        guard sendsNow else { return }
        var out = interimResponses ?? ByteBuffer()
        out.writeStaticString("HTTP/1.1 103 Early Hints\r\n")
        var logged = HTTPHead.loggedMessageOverhead + 8 + 3 + 11
        for (name, value) in pendingHints {
            out.writeBytes(name)
            out.writeStaticString(": ")
            out.writeBytes(value)
            out.writeStaticString("\r\n")
            logged += name.count + value.count
        }
        out.writeStaticString("\r\n")
        pendingHints.removeAll()
        interimResponses = out
        interimLoggedBytes += logged
    }

    /// `wait-for-body` (and `option http-buffer-request`): whether the
    /// request body is still to come. A client that expects `100
    /// Continue` gets it from the proxy, which drops the `Expect` header
    /// (recorded, even when the body is already there).
    func needsRequestBody(atLeast: Int) -> Bool {
        guard let request = requestMessage, let body = request.requestBody, body.framing != .none else { return false }
        if request.head.version.isPersistentByDefault, expectsContinue(request) {
            _ = deleteHeaders { HTTPBytes.equalsLower($0, 0, $0.count, "expect") }
            var out = interimResponses ?? ByteBuffer()
            out.writeStaticString("HTTP/1.1 100 Continue\r\n\r\n")
            interimResponses = out
            interimLoggedBytes += HTTPHead.loggedMessageOverhead + 8 + 3 + 8
        }
        let status = body.status
        if status.isComplete || status.isMalformed || status.isFull { return false }
        return atLeast <= 0 || status.available < atLeast
    }

    private func expectsContinue(_ request: HTTPMessage) -> Bool {
        var found = false
        request.forEachHeader { name, value in
            if HTTPBytes.equalsLower(name, 0, name.count, "expect"),
               HTTPBytes.equalsLower(value, 0, value.count, "100-continue") {
                found = true
            }
            return !found
        }
        return found
    }

    /// The log-format variables rules may use in their formats: the
    /// addresses and names from the context itself (they follow
    /// `set-src` and the backend switch), the others as the log line
    /// would render them from what the stream knows now.
    func renderLogVariable(_ name: String, options: [String], into out: inout [UInt8]) {
        if options.isEmpty, renderContextVariable(name, into: &out) { return }
        guard let snapshot = logSnapshot, let runtime else { return }
        if name == "ID" { snapshot.log.uniqueID = uniqueID }
        snapshot.backendIndex = backend?.index
        snapshot.serverName = serverName
        runtime.appendLogVariable(name, options: options, snapshot: snapshot, into: &out)
    }

    /// The variables the context knows itself; false for the others.
    private func renderContextVariable(_ name: String, into out: inout [UInt8]) -> Bool {
        func address(_ endpoint: SocketEndpoint?) {
            guard let endpoint, case .string(let text)? = endpoint.sample.cast(to: .string) else { return }
            out += text
        }
        switch name {
        case "ci": address(source)
        case "cp": out += Array(String(source?.port ?? 0).utf8)
        case "fi": address(destination)
        case "fp": out += Array(String(destination?.port ?? 0).utf8)
        case "f", "ft": out += Array(frontendName.utf8)
        // Before switching, the stream's backend is its frontend (recorded).
        case "b": out += Array((backend?.name ?? frontendName).utf8)
        case "s": out += Array((serverName ?? "<NOSRV>").utf8)
        default: return false
        }
        return true
    }
}

extension SocketEndpoint {
    /// The endpoint of an IPv4 or IPv6 socket address; nil for others.
    public init?(_ address: SocketAddress?) {
        switch address {
        case .v4(let a)?:
            self.init(address: .v4(IPv4Address(UInt32(bigEndian: a.address.sin_addr.s_addr))), port: address!.port ?? 0)
        case .v6(let a)?:
            var raw = a.address.sin6_addr
            let (high, low) = withUnsafeBytes(of: &raw) { p in
                (p.loadUnaligned(fromByteOffset: 0, as: UInt64.self).bigEndian,
                 p.loadUnaligned(fromByteOffset: 8, as: UInt64.self).bigEndian)
            }
            self.init(address: .v6(IPv6Address(high: high, low: low)), port: address!.port ?? 0)
        default:
            return nil
        }
    }
}

/// A message fetches read by reference (an existential of a struct this
/// size would be boxed anew at each fetch).
final class MessageBox: HTTPMessageReader {
    var message: HTTPMessage
    /// The request as the response rules see it: recorded from 2.6, its
    /// method and version are still known there, its target, headers and
    /// body are not (`path`, `req.hdr`... find nothing).
    var headersGone = false

    init(_ message: consuming HTTPMessage) { self.message = message }

    // Reads go through the message's `inPlace` methods: calling a plain
    // method on `message` would copy the struct (retaining each of its
    // buffers) for the duration of every fetch.
    func withMethod<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R { message.withMethodInPlace(body) }
    func withURI<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        headersGone ? body(UnsafeRawBufferPointer(start: nil, count: 0)) : message.withURIInPlace(body)
    }
    var version: (major: Int, minor: Int) { message.version }
    var status: Int { message.status }
    func forEachHeader(_ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) -> Bool) {
        if !headersGone { message.forEachHeaderInPlace(body) }
    }
    func forEachHeader(named lowercasedName: [UInt8], _ body: (UnsafeRawBufferPointer) -> Bool) {
        if !headersGone { message.forEachHeaderInPlace(named: lowercasedName, body) }
    }
    func withBody<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R? { headersGone ? nil : message.withBody(body) }
}

/// A message box as a fetch reads it, without a reference count: the
/// box itself in an existential would be retained and released by every
/// fetch (about 20 times per request on a rule-heavy frontend). A fetch
/// uses the reader within its evaluation, during which the context holds
/// the box; nothing keeps a reader longer.
struct BorrowedMessage: HTTPMessageReader {
    // `Unmanaged` and its guaranteed-reference call: an `unowned(unsafe)`
    // field would still be retained around each call.
    private let box: Unmanaged<MessageBox>

    init(_ box: MessageBox) { self.box = .passUnretained(box) }

    func withMethod<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        box._withUnsafeGuaranteedRef { $0.withMethod(body) }
    }
    func withURI<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R { box._withUnsafeGuaranteedRef { $0.withURI(body) } }
    var version: (major: Int, minor: Int) { box._withUnsafeGuaranteedRef { $0.version } }
    var status: Int { box._withUnsafeGuaranteedRef { $0.status } }
    func forEachHeader(_ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) -> Bool) {
        box._withUnsafeGuaranteedRef { $0.forEachHeader(body) }
    }
    func forEachHeader(named lowercasedName: [UInt8], _ body: (UnsafeRawBufferPointer) -> Bool) {
        box._withUnsafeGuaranteedRef { $0.forEachHeader(named: lowercasedName, body) }
    }
    func withBody<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R? { box._withUnsafeGuaranteedRef { $0.withBody(body) } }
}

extension SocketAddress {
    /// The socket address of a fetch's endpoint.
    init?(endpoint: SocketEndpoint) {
        let text: [UInt8]
        switch endpoint.address {
        case .v4(let a): text = a.textBytes
        case .v6(let a): text = a.textBytes
        }
        guard let address = try? SocketAddress(ipAddress: String(decoding: text, as: UTF8.self), port: endpoint.port) else {
            return nil
        }
        self = address
    }
}

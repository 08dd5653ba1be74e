import HAProxyBase
import HAProxyConfig
import HAProxyRules
import NIOCore

/// The HTTP/1 side of a `mode http` client connection: a sequence of
/// transactions (requests answered in order, pipelined ones waiting their
/// turn), each forwarded to a server connection. Events come in (bytes
/// from either side, a server slot granted, a connection established or
/// lost, a timeout, writability); actions come out (write, flush, pause
/// reading, acquire a server, connect, park or close its connection, arm
/// the timer, log, close), for an I/O layer that performs them and knows
/// nothing of HTTP.
///
/// The request goes through HAProxy's analysers in order: wait for a
/// complete head, the frontend's answers (`monitor-uri`, `http-request`
/// rules), backend switching, then the server. Heads are parsed into
/// offsets (`HTTPHeadParser`) and written in HAProxy 2.6's spelling with the
/// proxy's edits (`HTTPHeadRewriter`); bodies are streamed slice by slice
/// as `HTTPBodyFramer` delimits them (chunked ones re-encoded).
///
/// Actions accumulate in `actions`; the I/O layer performs them in order
/// after each event, then clears them. An action it performs may bring a
/// new event (a write that makes a connection unwritable): that event's
/// actions queue behind the ones being performed.
public struct HTTPStreamStateMachine {
    public enum State: Equatable, Sendable {
        case waitingProxyHeader
        /// Waiting for (more of) a request head; idle between requests.
        case readingRequest
        /// The request body is awaited before the rules go on
        /// (`option http-buffer-request`, `http-request wait-for-body`).
        case waitingBody
        /// Held by `http-request tarpit` until its delay is over.
        case tarpitted
        /// Waiting for a server slot (in the load balancer or a queue).
        case waitingServer
        case connecting
        /// Request sent or being sent; response awaited or being relayed.
        case forwarding
        /// Bytes relayed opaquely both ways (101 Switching Protocols, CONNECT).
        case tunnel
        /// A last response is being written before the connection closes.
        case closing
        case closed
    }

    public enum Action {
        /// Bytes for the client (not flushed).
        case writeClient(ByteBuffer)
        case flushClient
        /// Bytes for the server connection (not flushed).
        case writeServer(ByteBuffer)
        case flushServer
        /// Half-close the server connection once its writes are out (the
        /// client finished sending in a tunnel).
        case shutdownServerOutput
        /// Read from the client, or stop reading (back-pressure, pipelining).
        case readClient(Bool)
        case readServer(Bool)
        /// Sets the stream's single timer `ms` from now; nil disarms it.
        case armTimer(ms: Int?)
        /// A request head arrived (or failed): count it at `at` (nil: now).
        case countRequest(at: NIODeadline?)
        /// A request failed before its head was complete: invalid, cut by
        /// the client, or timed out (`ereq`; counted as a request too).
        case countRequestError
        /// A `monitor-uri` probe was answered.
        case countIntercepted
        /// A request was denied by a rule (`dreq`; also the backend's, by
        /// its index in the runtime, once one was chosen).
        case countDenied(backendIndex: Int?)
        /// A response was denied by an `http-response` rule (`dresp` of
        /// the frontend, the backend and the server).
        case countDeniedResponse
        /// Ask `backend` for a server slot; the answer comes back as
        /// `serverSlotAcquired`, `connectionFailed` or a timeout while queued.
        case acquireServer(HTTPBackendPolicy)
        /// The slot is held: use a connection to the server, taken from the
        /// idle pool when `poolAllowed`, else a new one (`connectStarted`,
        /// then `serverConnected` or a failure).
        case useServerConnection(poolAllowed: Bool)
        /// The reused connection closed before answering: open a new one to
        /// the same server and send the request again.
        case reconnect
        /// `retry-on`: the server's answer (or silence) is one to retry:
        /// close its connection and send the request again, to the same
        /// server or, with `option redispatch`, where the load balancer
        /// says (`connectStarted` or `redispatching` follows). The retry
        /// is already taken from `retriesLeft`.
        case retryRequest
        /// Give the server slot back; keep the connection for reuse or close it.
        case releaseServer(keepConnection: Bool)
        /// Leave the backend's queue (the slot was never granted).
        case abandonQueue
        /// The server sent no valid response: its backend and it count a
        /// response error.
        case countResponseError
        /// A response body was compressed: the bytes given to the encoder
        /// and those it produced (`comp_in`, `comp_out`, `comp_rsp`).
        case countCompression(in: UInt64, out: UInt64)
        /// A transfer with a server was cut by the client or by the server
        /// (`cli_abrt` / `srv_abrt`).
        case countAbort(byClient: Bool)
        /// Log and count the transaction that ends.
        case logTransaction(TransactionRecord)
        /// Flush the client, then call `flushedForClose` once everything is
        /// written.
        case closeAfterFlush
        /// Close both connections now: the stream ends.
        case close
        /// Make the client connection vanish (`silent-drop`); `close` follows.
        case dropClient
        /// A service answers the request: perform it and hand its
        /// response to `serviceAnswered`.
        case runService(HTTPServiceCall)
    }

    /// What a transaction that ends leaves for its log line and counters
    /// (a reference, so that actions stay a few words long).
    /// The stream refills the record of its previous transaction when
    /// nothing else holds it any more.
    public final class TransactionRecord {
        public internal(set) var log: StreamLogInfo
        /// The status the server itself sent (0: none), for its counters.
        public internal(set) var serverStatus: Int
        /// The request line as received, from the method to the version.
        public internal(set) var requestLine: ByteBuffer?
        /// The stream as `%[...]` samples of the log-format read it, when
        /// the format has any.
        public internal(set) var sampleContext: (any SampleContext)?
        /// The backend the request was assigned to (an index into the
        /// runtime's backends), served by a server or answered by its rules.
        public internal(set) var backendIndex: Int?

        init(log: StreamLogInfo, serverStatus: Int, requestLine: ByteBuffer?, sampleContext: (any SampleContext)? = nil,
             backendIndex: Int? = nil) {
            self.log = log
            self.serverStatus = serverStatus
            self.requestLine = requestLine
            self.sampleContext = sampleContext
            self.backendIndex = backendIndex
        }

        /// Lets go of the request's bytes once the log line is out, so that
        /// the buffer they live in can be written again without a copy.
        func releaseRequestBytes() {
            requestLine = nil
            log.requestLine = nil
            // (Set only when there is one: setting makes the log's rule part.)
            if log.receivedRequest != nil { log.receivedRequest = nil }
            sampleContext = nil
        }

        /// Lends the transaction's log without copying it.
        public func withLog<T>(_ body: (borrowing StreamLogInfo) -> T) -> T {
            body(log)
        }
    }

    public internal(set) var state: State = .readingRequest
    public let policy: HTTPFrontendPolicy
    /// The backend of the current transaction, once chosen.
    public private(set) var backend: HTTPBackendPolicy?
    /// What the transaction measured, for its log line.
    public var log: StreamLogInfo
    /// The client's address (from the PROXY header when one came).
    public private(set) var clientAddress: SocketAddress? { didSet { endpoints = nil } }
    public private(set) var localAddress: SocketAddress? { didSet { endpoints = nil } }
    /// The client connection's TLS layer (`ssl_fc`...), nil without TLS.
    public var clientTLS: (any TLSSessionView)?
    /// The current server connection's TLS layer (`ssl_bc`...).
    public var serverTLS: (any TLSSessionView)?
    /// The listener that accepted the client (`so_name`, `so_id`, `dst_conn`).
    public var listener: ListenerView?
    /// The client's socket (`fc_src`, `fc_rtt`...).
    public var clientConnection: (any ClientConnectionView)?
    /// The number of the loop running the stream (`thread`).
    public var threadIndex = 0
    /// `file:line` of the stream's last final rule (`last_rule_file`).
    var lastFinalRule: String?
    /// The rule of a local answer being built, remembered once it is sent.
    var pendingFinalRule: String?
    /// The addresses as fetches read them, converted once.
    private var endpoints: (source: SocketEndpoint?, destination: SocketEndpoint?)?
    /// Actions not yet taken by the I/O layer.
    public private(set) var actions: [Action]
    /// Live proxies and servers, for the fetches that read them.
    private let runtime: HTTPRuntimeView?
    /// What the stream dates its events with: its loop's turn.
    let clock: TurnClock
    /// The stream's variables, created when a rule first runs.
    private var variables: StreamVariables?
    /// The server of the current transaction, for `srv_name` and `%s`.
    var serverName: String?
    /// Its numeric id, for `srv_id`.
    var serverID: Int?
    /// `set-timeout` values for the current transaction.
    var timeoutOverrides: (server: Int?, tunnel: Int?) = (nil, nil)
    /// The server the current request asks for (persistence, `use-server`).
    public internal(set) var persistence = Persistence()
    /// What holds the current request (body wait, tarpit).
    var hold = RequestHold()

    // Client side.
    var inbound: ByteBuffer
    private var requestParser: HTTPHeadParser
    public private(set) var request = HTTPHead()
    /// The request head bytes as received (offsets of `request` are relative to it).
    public private(set) var requestBytes: ByteBuffer?
    /// Where the request's head is kept while its transaction lasts: a
    /// copy, so that the connection's read buffer is free again once the
    /// request is parsed (the I/O driver reads every connection into one
    /// buffer of its loop, which a slice kept here would make it
    /// allocate anew for the next read).
    private var headStore = ByteBufferAllocator().buffer(capacity: 0)
    /// Ordinary header edits the rules noted on `request`, written with
    /// it when it is forwarded (`materializeRequest` writes them into it
    /// for the few readers of its headers after the rules).
    private(set) var requestEdits = HTTPMessage.NotedEdits()
    /// The context the request rules ran in, kept for the response rules
    /// of the same transaction (the request as the rules left it, the
    /// variables, the captures): built once per transaction.
    var ruleContext: HTTPStreamContext?
    /// `countRequest` is emitted but not taken yet: the rules that run
    /// meanwhile count the request in `fe_req_rate`, as 2.6 counts it
    /// before them.
    private var requestUncounted = false
    var requestBody = HTTPBodyFramer(framing: .none, isRequest: true)
    var requestDone = false
    private var requestCount = 0
    private var clientKeepAlive = true
    /// The client shut its sending side after a complete request.
    var clientFinishedSending = false
    private var clientReadPaused = false
    private var clientWritable = true
    private var timerArmed = false

    // Server side.
    /// A server slot is held for the current transaction.
    var hasServer = false
    /// A server connection is attached to the stream.
    var serverAttached = false
    private var serverWritable = true
    private var serverReused = false
    var serverInbound: ByteBuffer?
    private var responseParser = HTTPHeadParser.response(to: .get)
    private var response = HTTPHead()
    /// The field storage of the heads parsed before `request` and
    /// `response`, for the next ones.
    private var spareRequestHeaders: [HTTPHeaderField] = []
    private var spareResponseHeaders: [HTTPHeaderField] = []
    var responseStarted = false
    private var responseBody = HTTPBodyFramer(framing: .none, isRequest: false)
    /// The algorithm the request chose and the types it applies to
    /// (`compression`); nil when the response is not to be compressed.
    var compressionChoice: (algorithm: CompressionAlgorithm, types: [[UInt8]])?
    /// The encoder of the response body, while one is compressed.
    var responseCompressor: ZlibCompressor?
    private var responseDone = false
    var serverReusable = false
    /// Status of the final response the server sent in this transaction
    /// (0: none yet), for the server's `hrsp_*` counters.
    private var serverStatus = 0
    /// What goes to the client and to the server next, one write each.
    private var clientOut: OutgoingBatch
    private var serverOut: OutgoingBatch
    /// Retries left for the current request (`retries`): connection
    /// retries and `retry-on` ones draw on the same count.
    public var retriesLeft = 0
    /// The request body bytes sent to the server, kept while the request
    /// may be sent again (`retry-on` beyond `conn-failure`); nil otherwise.
    var retryCopy: ByteBuffer?
    /// The current request can no longer be sent again: its body did
    /// not fit in one buffer, or an interim response went to the client.
    var retryForbidden = false
    /// A request is in progress and has not been logged yet.
    private var transactionPending = false
    /// The record of the last transaction logged.
    private var lastRecord: TransactionRecord?
    /// The transaction's unique ID, with `unique-id-format`.
    private var uniqueIDCell: UniqueIDCell?

    /// Hands the pending actions over, keeping the storage for the next ones.
    public mutating func takeActions(into list: inout [Action]) {
        swap(&actions, &list)
        if requestUncounted {
            requestUncounted = false
            ruleContext?.requestUncounted = false
        }
    }

    /// Forgets the actions performed, keeping the storage.
    public mutating func clearActions() {
        actions.removeAll(keepingCapacity: true)
    }

    private var timeouts: Timeouts { policy.timeouts }

    mutating func emit(_ action: Action) { actions.append(action) }

    mutating func armTimer(_ ms: Int?) {
        timerArmed = ms != nil
        emit(.armTimer(ms: ms))
    }

    // MARK: Events

    /// The connection was accepted; `acceptProxy` when a PROXY header comes first.
    public mutating func start(acceptProxy: Bool) {
        state = acceptProxy ? .waitingProxyHeader : .readingRequest
        armTimer(timeouts.httpRequest ?? timeouts.client)
    }

    public mutating func clientRead(_ buffer: ByteBuffer) {
        if state == .tunnel && serverAttached {
            log.bytesFromClient &+= UInt64(buffer.readableBytes)
            emit(.writeServer(buffer))
            if !serverWritable { pauseClient(true) }
            touch()
            return
        }
        if inbound.readableBytes == 0 {
            inbound = buffer
        } else {
            var buffer = buffer
            inbound.writeBuffer(&buffer)
        }
        processClient()
        // Nothing left to read in it: the read buffer is not held.
        if inbound.readableBytes == 0 { inbound = ByteBufferAllocator().buffer(capacity: 0) }
    }

    /// Copies a complete request head into `headStore` (see there).
    private mutating func keepRequestHead(_ head: ByteBuffer) -> ByteBuffer {
        // The previous transaction's record keeps its request line until
        // now: let it go, so that the store is written in place.
        if isKnownUniquelyReferenced(&lastRecord) { lastRecord?.releaseRequestBytes() }
        var head = head
        if headStore.capacity < head.readableBytes {
            // One allocation, not an empty buffer's copy and then its growth.
            headStore = ByteBufferAllocator().buffer(capacity: max(head.readableBytes, 512))
        } else {
            headStore.clear()
        }
        headStore.writeBuffer(&head)
        return headStore
    }

    public mutating func serverRead(_ buffer: ByteBuffer) {
        if state == .tunnel {
            log.bytesFromServer &+= UInt64(buffer.readableBytes)
            emit(.writeClient(buffer))
            if !clientWritable { emit(.readServer(false)) }
            touch()
            return
        }
        if serverInbound == nil || serverInbound!.readableBytes == 0 {
            serverInbound = buffer
        } else {
            var buffer = buffer
            serverInbound!.writeBuffer(&buffer)
        }
        processServer()
        // Nothing left to read in it: the read buffer is not held.
        if serverInbound?.readableBytes == 0 { serverInbound = nil }
    }

    /// A server slot is reserved for this transaction.
    public mutating func serverSlotAcquired(serverName: String? = nil, serverID: Int? = nil) {
        hasServer = true
        self.serverName = serverName
        self.serverID = serverID
        let reuse = backend?.reuse ?? .safe
        emit(.useServerConnection(poolAllowed: reuse != .never && !(reuse == .safe && requestCount == 1)))
    }

    /// A new connection to the server is being opened.
    public mutating func connectStarted() {
        state = .connecting
        log.connectStart = log.connectStart ?? clock.now
        armTimer(nil)
    }

    /// About to ask the load balancer again after a failed connection.
    public mutating func redispatching() {
        hasServer = false
        state = .waitingServer
    }

    /// A server connection is ready (new, or reused from the idle pool).
    public mutating func serverConnected(reused: Bool) {
        log.connected = clock.now
        if reused {
            log.reusedServerConnections += 1
        } else {
            log.newServerConnections += 1
        }
        serverAttached = true
        serverWritable = true
        serverReused = reused
        state = .forwarding
        sendRequestHead()
    }

    /// No server could be reached (none usable, retries exhausted; the
    /// log's `sC` when the last attempt timed out, else `SC`): 2.6
    /// answers 503 and, unlike after its other errors, keeps the client
    /// connection for the next request, with the connection header a
    /// local answer gets (recorded against 2.6.12). A request whose body
    /// has not fully arrived, or a page framed by the close, still closes.
    public mutating func serverUnavailable(timedOut: Bool = false) {
        let cause: TerminationCode = timedOut ? "s" : "S"
        guard !responseStarted else {
            sendError(503, cause: cause, phase: "C")
            return
        }
        log.status = 503
        log.terminate(cause, "C")
        releaseOrAbandon()
        if !dropsCompleteRequestBody() { clientKeepAlive = false }
        let connection = responseConnectionHeader()
        let page = afterResponse(
            configuredErrorPage(503, connection: connection)
                ?? HTTPErrorPages.page(for: 503, connection: connection)!)
        if let head = countLocalResponse(page), head.bodyFraming == .untilClose { clientKeepAlive = false }
        if clientKeepAlive {
            respondLocally(page)
        } else {
            logTransaction()
            respondAndClose(page)
        }
    }

    public mutating func clientInputClosed() {
        if heldRequestInputClosed() { return }
        if state == .tunnel {
            emit(.shutdownServerOutput)
            return
        }
        if state == .readingRequest {
            if inbound.readableBytes == 0 && !reportsEmptyConnection {
                closeAll()
            } else {
                failIncompleteRequest(400, cause: "C")
            }
            return
        }
        let waiting = state == .forwarding || state == .waitingServer || state == .connecting
        if waiting && requestBodyReceived && !(backend?.abortOnClose ?? false) {
            // The client finished sending (shutdown after its request): it
            // still reads the response, then the stream ends. The response
            // says nothing about it, as in 2.6.
            clientFinishedSending = true
            return
        }
        log.terminate("C", state == .readingRequest ? "R" : "D")
        abortBoth()
    }

    public mutating func clientClosed() {
        if state == .readingRequest && (inbound.readableBytes > 0 || reportsEmptyConnection) {
            // Nobody reads the page: the request error is logged and counted.
            recordIncompleteRequest(400, cause: "C")
        } else if state != .closed && state != .closing {
            if !(state == .readingRequest && inbound.readableBytes == 0) {
                log.terminate("C", state == .readingRequest || state == .waitingBody ? "R" : "D")
            }
            if hasServer && log.causeASCII == UInt8(ascii: "C") { countTransferAbort() }
        }
        abortBoth()
    }

    public mutating func serverInputClosed() {
        serverClosed()
    }

    /// The server connection is gone.
    public mutating func serverConnectionClosed() {
        serverAttached = false
        if state == .connecting { return }
        serverClosed()
    }

    public mutating func clientWritabilityChanged(_ writable: Bool) {
        clientWritable = writable
        if serverAttached { emit(.readServer(writable)) }
    }

    public mutating func serverWritabilityChanged(_ writable: Bool) {
        serverWritable = writable
        if writable && (state == .tunnel || !requestDone) { pauseClient(false) }
        if !writable { pauseClient(true) }
    }

    /// Everything written before `closeAfterFlush` is out.
    public mutating func flushedForClose() {
        closeAll()
    }

    public mutating func timeout() {
        timerArmed = false
        switch state {
        case .waitingProxyHeader:
            log.terminate("c", "R")
            closeAll()
        case .readingRequest:
            if inbound.readableBytes == 0 && !reportsEmptyConnection {
                closeAll()
                return
            }
            failIncompleteRequest(408, cause: "c")
        case .waitingBody:
            requestBodyWaitExpired()
        case .tarpitted:
            tarpitExpired()
        case .waitingServer:
            sendError(503, cause: "s", phase: "Q")
        case .connecting:
            sendError(503, cause: "s", phase: "C")
        case .forwarding:
            if !responseStarted {
                if retryAfterFailure(.responseTimeout) { return }
                serverReusable = false
                emit(.countResponseError)
                sendError(504, cause: "s", phase: "H")
            } else {
                log.terminate("s", "D")
                countTransferAbort()
                abortBoth()
            }
        case .tunnel:
            // 2.6 counts a tunnel (CONNECT, Upgrade) its timeout ends as a
            // client abort (`cli_abrt`), whichever side was silent.
            log.terminate("c", "D")
            countTransferAbort()
            abortBoth()
        case .closing, .closed:
            return
        }
    }

    // MARK: Client input

    private mutating func processClient() {
        switch state {
        case .waitingProxyHeader:
            switch ProxyProtocol.parse(&inbound) {
            case .needMore: return
            case .invalid:
                log.terminate("P", "R")
                closeAll()
            case .header(let source, let destination):
                // Both ends as the header gives them, as 2.6 takes them
                // (`src`, `dst`, `%ci`, `%fi`, a server's `send-proxy`).
                if let source { clientAddress = source }
                if let destination { localAddress = destination }
                state = .readingRequest
                processClient()
            }
        case .readingRequest:
            parseRequest()
        case .waitingBody, .tarpitted:
            heldRequestInput()
        case .waitingServer, .connecting, .forwarding:
            forwardRequestBody()
        case .tunnel, .closing, .closed:
            return
        }
    }

    private mutating func parseRequest() {
        guard inbound.readableBytes > 0 else { return }
        if log.requestStart == nil {
            log.requestStart = clock.now
            log.requestID = runtime?.nextRequestID() ?? 0
            if policy.uniqueIDFormat != nil { uniqueIDCell = UniqueIDCell() }
            transactionPending = true
        }
        var result = requestParser.parse(inbound, headerStorage: &spareRequestHeaders)
        if case .complete(let head) = result, head.isChunked, let error = Self.bufferedBodyError(head, inbound) {
            result = .error(error)
        }
        // The head moves from the result into `request`, which the rest
        // reads: a head kept alive beside it was copied (a few hundred
        // bytes each time).
        switch consume result {
        case .needMore:
            if clientFinishedSending {
                // A partial request after the client's shutdown never completes.
                failIncompleteRequest(400, cause: "C")
                return
            }
            if requestCount > 0 && timerArmed {
                // First bytes of a keep-alive request: `timeout http-request` now applies.
                armTimer(timeouts.httpRequest ?? timeouts.client)
            }
        case .error(let error):
            log.status = error.status
            log.terminate("P", "R")
            emit(.countRequestError)
            // Recorded: a request the parser rejects gets the built-in page,
            // whatever errorfile the frontend declares.
            let page = HTTPErrorPages.earlyPage(for: error.status) ?? HTTPErrorPages.page(for: 400, connection: .close)!
            respondAndClose(page)
        case .complete(let head):
            swap(&spareRequestHeaders, &request.headers)
            request = head
            // The previous request's rule context goes first: it may hold
            // the head store (see `keepRequestHead`).
            ruleContext = nil
            // Each request is a new stream in 2.6, with no last rule yet.
            lastFinalRule = nil
            let bytes = keepRequestHead(inbound.readSlice(length: request.length)!)
            requestBytes = bytes
            requestEdits = HTTPMessage.NotedEdits()
            if !policy.contentRules.isEmpty, rejectedByContentRules(policy.contentRules, counted: false) {
                return
            }
            log.bytesFromClient &+= UInt64(request.loggedSizeAsParsed)
            requestCount += 1
            let ready = clock.now
            log.requestReady = ready
            emit(.countRequest(at: ready))
            requestUncounted = true
            variables?.trackedCounters?.count(.httpRequestCount)
            recordRequestLine(bytes)
            captureRequestHeaders()
            let framing = request.bodyFraming
            requestBody = HTTPBodyFramer(framing: framing, isRequest: true)
            requestDone = framing == .none
            retryCopy = nil
            retryForbidden = false
            analyseRequest()
        }
    }

    /// A chunked body whose bytes that came with the head are already
    /// malformed fails like a malformed head: 2.6 answers its early 400 and
    /// no server ever sees the request.
    private static func bufferedBodyError(_ head: HTTPHead, _ inbound: ByteBuffer) -> HTTPParseError? {
        guard inbound.readableBytes > head.length else { return nil }
        var probe = HTTPBodyFramer(framing: .chunked, isRequest: true)
        do {
            _ = try probe.consume(inbound.getSlice(at: inbound.readerIndex + head.length,
                                                   length: inbound.readableBytes - head.length)!)
        } catch {
            return error
        }
        return nil
    }

    // MARK: Request analysers

    /// The request head is complete: the frontend's own answers, its
    /// `http-request` and `redirect` rules, backend switching, the
    /// backend's rules, then the server (HAProxy's request analysers).
    /// - Parameter resume: where the rules go on after the body was
    ///   awaited (nil: a new request).
    mutating func analyseRequest(resuming resume: RequestHold.Resume? = nil) {
        let inBackend = resume?.inBackend ?? false
        if resume == nil {
            clientKeepAlive = request.isKeepAlive && policy.connectionMode != .close && !request.hasAmbiguousFraming
            if let monitor = policy.monitor, let bytes = requestBytes, monitor.matches(request, in: bytes) {
                answerMonitor(monitor)
                return
            }
            persistence = Persistence()
            if policy.buffersRequest, holdsForBufferedBody(inBackend: false) { return }
        }
        var backend = inBackend ? self.backend : policy.defaultBackend
        if policy.hasRequestAnalysis || (backend?.needsRequestAnalysis ?? false) || !(backend?.contentRules.isEmpty ?? true) {
            var context = makeContext()
            var verdict = HTTPRuleVerdict.proceed
            if !inBackend {
                verdict = HTTPRuleRunner.run(policy.requestRules, from: resume?.rule ?? 0, on: context)
                if holdsRequest(verdict, inBackend: false, context) { return }
                if let stats = policy.statsPage, verdict.letsRequestGoOn,
                   answeredByStatsPage(stats, inBackend: false, resumeAt: policy.requestRules.count, &context) {
                    return
                }
                // 2.6 does not remember a `redirect` keyword as the last rule.
                let noted = context.lastFinalRule
                if case .proceed = verdict { verdict = HTTPRuleRunner.run(policy.redirectRules, on: context) }
                if case .allow = verdict { verdict = HTTPRuleRunner.run(policy.redirectRules, on: context) }
                context.lastFinalRule = noted
                verdict = Self.restrictHeaderNames(policy.restrictHeaderNames, after: verdict, &context)
            }
            if !answer(verdict, &context) {
                if !inBackend {
                    backend = chooseBackend(&context)
                    self.backend = backend
                    context.backend = backend
                }
                if !inBackend, let backend, backend !== policy.ownBackend, !backend.contentRules.isEmpty {
                    takeRequest(from: context)
                    if rejectedByContentRules(backend.contentRules, counted: true) { return }
                    context = makeContext()
                }
                if let backend, backend !== policy.ownBackend, backend.hasRequestAnalysis {
                    if !inBackend, backend.buffersRequest, holdsForBufferedBody(inBackend: true, context) { return }
                    var verdict = HTTPRuleRunner.run(backend.requestRules, from: inBackend ? resume!.rule : 0, on: context)
                    if holdsRequest(verdict, inBackend: true, context) { return }
                    if let stats = backend.statsPage, verdict.letsRequestGoOn,
                       answeredByStatsPage(stats, inBackend: true, resumeAt: backend.requestRules.count, &context) {
                        return
                    }
                    verdict = Self.restrictHeaderNames(backend.restrictHeaderNames, after: verdict, &context)
                    if answer(verdict, &context) {
                        takeRequest(from: context)
                        return
                    }
                }
                if let backend { analysePersistence(backend, &context) }
            } else {
                takeRequest(from: context)
                return
            }
            takeRequest(from: context)
            ruleContext = context
        }
        guard let backend else {
            log.terminate("P", "R")
            sendError(503, cause: "P", phase: "R")
            return
        }
        self.backend = backend
        if backend.isTCP {
            sendError(503, cause: "P", phase: "R")
            return
        }
        makeUniqueID()
        state = .waitingServer
        emit(.acquireServer(backend))
    }

    /// Runs `tcp-request content` rules on the parsed request (manual 4.2:
    /// in an HTTP proxy the contents are complete when they run, so they
    /// never wait). A reject closes the connection without a response and
    /// logs the request as 2.6 does (`PR`, no status; a frontend's reject
    /// comes before the request is counted, and logs it as `<BADREQ>`).
    private mutating func rejectedByContentRules(_ rules: [TCPRule], counted: Bool) -> Bool {
        let context = makeContext()
        let verdict = TCPRuleRunner.run(rules, on: context)
        lastFinalRule = context.lastFinalRule
        guard verdict == .reject || verdict == .silentDrop else { return false }
        emit(.countDenied(backendIndex: backend?.index))
        if verdict == .silentDrop { emit(.dropClient) }
        if !counted, let bytes = requestBytes {
            log.bytesFromClient &+= UInt64(request.loggedSize(in: bytes))
            requestBytes = nil
        }
        log.status = -1
        log.terminate("P", "R")
        closeAll()
        return true
    }

    /// The context rules run on, holding the request.
    mutating func makeContext() -> HTTPStreamContext {
        if variables == nil { variables = StreamVariables() }
        if endpoints == nil { endpoints = (SocketEndpoint(clientAddress), SocketEndpoint(localAddress)) }
        let context = HTTPStreamContext(
            requestBox: requestBoxForRules(),
            source: endpoints!.source, destination: endpoints!.destination,
            frontendName: policy.proxyName,
            // A listen section is its own backend from the start.
            backend: backend ?? policy.ownBackend,
            serverName: serverName, runtime: runtime,
            variables: variables!, frontendID: policy.id, serverID: serverID, userlists: policy.userlists)
        context.clientTLS = clientTLS
        context.serverTLS = serverTLS
        context.listener = listener
        context.clientConnection = clientConnection
        context.threadIndex = threadIndex
        context.lastFinalRule = lastFinalRule
        context.requestUncounted = requestUncounted
        // No slots to make when no rule can write them (`capture.req.hdr`
        // then reads nothing, as from empty slots).
        context.transactionLog = policy.writesTransactionLog ? ruleLog() : log.ruleLog
        context.receivedRequestLine = log.requestLine
        context.usesProxyAuthentication = policy.usesProxyHeader && isProxiedRequest
        if let format = policy.uniqueIDFormat {
            context.uniqueIDFormat = format
            context.uniqueIDCell = uniqueIDCell
        }
        if policy.uniqueIDFormat != nil || SampleFormat.rulesRenderLogVariables {
            context.logSnapshot = HTTPLogSnapshot(log: log, client: clientAddress, local: localAddress)
        }
        return context
    }

    /// Makes the transaction's unique ID now if `unique-id-format` asks
    /// for one and nothing needed it yet: 2.6 makes it once the request
    /// has its backend, or for the log line.
    private mutating func makeUniqueID(forLog: Bool = false) {
        guard let cell = uniqueIDCell, cell.value == nil else { return }
        _ = (forLog ? makeContext() : ruleContext ?? makeContext()).uniqueID
    }

    /// The context of the response rules: the request rules' one, brought
    /// up to date (server, body as it is now), else a new one.
    private mutating func responseRuleContext() -> HTTPStreamContext {
        guard let context = ruleContext else {
            let context = makeContext()
            context.hideRequestHeaders()
            return context
        }
        context.backend = backend ?? policy.ownBackend
        context.serverName = serverName
        context.serverID = serverID
        if let snapshot = context.logSnapshot {
            // As 2.6's response rules see it: the status known, no byte sent yet.
            snapshot.log = log
            snapshot.log.status = serverStatus
            snapshot.log.bytesFromServer = 0
        }
        context.hideRequestHeaders()
        return context
    }

    /// A request whose target is neither a path nor `*` (manual `option
    /// http-use-proxy-header`).
    private var isProxiedRequest: Bool {
        mutating get {
            guard let bytes = requestBytes, !request.uriRange.isEmpty,
                  let first = bytes.getInteger(at: bytes.readerIndex + request.uriRange.lowerBound, as: UInt8.self)
            else { return false }
            return first != UInt8(ascii: "/") && first != UInt8(ascii: "*")
        }
    }

    /// Takes the request back from the rules, with their edits.
    mutating func takeRequest(from context: HTTPStreamContext) {
        if context.endpointsChanged {
            clientAddress = context.source.flatMap(SocketAddress.init(endpoint:)) ?? clientAddress
            localAddress = context.destination.flatMap(SocketAddress.init(endpoint:)) ?? localAddress
        }
        if context.serverTimeout != nil || context.tunnelTimeout != nil {
            timeoutOverrides = (context.serverTimeout ?? timeoutOverrides.server, context.tunnelTimeout ?? timeoutOverrides.tunnel)
        }
        // `retry-on`'s reasons are all layer 7 ones.
        if context.layer7RetriesDisabled { retryForbidden = true }
        // Read in the context's box: copying the message out would retain
        // each of its parts once more.
        context.withRequestMessage { message in
            guard message.isEdited else { return }
            request = message.head
            requestBytes = message.bytes
            requestEdits = message.notedEdits
        }
    }

    /// Writes the header edits the rules noted into the request, for a
    /// reader of its headers (`balance hdr`, `option forwardfor if-none`).
    public mutating func materializeRequest() {
        guard !requestEdits.isEmpty, let bytes = requestBytes else { return }
        var message = HTTPMessage(head: request, bytes: bytes)
        message.adopt(requestEdits)
        message.materialize()
        request = message.head
        requestBytes = message.bytes
        requestEdits = HTTPMessage.NotedEdits()
    }

    /// The first `use_backend` rule whose condition holds, else the
    /// default backend. A dynamic name that matches no backend falls back
    /// to the default one, as in 2.6.
    private mutating func chooseBackend(_ context: inout HTTPStreamContext) -> HTTPBackendPolicy? {
        for rule in policy.switchingRules {
            if let condition = rule.condition, !condition.evaluate(context) { continue }
            switch rule.target {
            case .backend(let backend):
                return backend
            case .format(let format):
                let name = HTTPRuleRunner.render(format, context)
                if let backend = runtime?.backendPolicy(named: String(decoding: name, as: UTF8.self)) {
                    return backend
                }
                return policy.defaultBackend
            }
        }
        return policy.defaultBackend
    }

    /// The rule of the local answer being sent is now the last one.
    private mutating func takePendingFinalRule() {
        guard let rule = pendingFinalRule else { return }
        lastFinalRule = rule
        pendingFinalRule = nil
    }

    /// Answers a final verdict of a request rule set; false when the
    /// request goes on.
    mutating func answer(_ verdict: HTTPRuleVerdict, _ context: inout HTTPStreamContext) -> Bool {
        recordRuleAnswer(verdict, inResponse: context.editsResponse)
        // Recorded: the `http-after-response` rules of a `return`, an
        // `auth` or a `redirect` answer do not see its rule yet, those of
        // a `deny` do.
        switch verdict {
        case .respond, .redirect, .authenticate:
            // Neither the answer's own format nor its `http-after-response`
            // rules see the rule yet; the log line does (recorded).
            pendingFinalRule = context.lastFinalRule
            context.lastFinalRule = lastFinalRule
        default:
            lastFinalRule = context.lastFinalRule
        }
        switch verdict {
        case .proceed, .allow, .waitForBody:
            return false
        case .tarpit(let status, let response):
            variables?.trackedCounters?.count(.httpErrorCount)
            startTarpit(status: status, response: response, context)
        case .deny(let status, let response):
            // 2.6 counts a denied request as an error of its tracked entries.
            if !context.editsResponse { variables?.trackedCounters?.count(.httpErrorCount) }
            log.status = status
            emit(context.editsResponse ? .countDeniedResponse : .countDenied(backendIndex: backend?.index))
            if let response, !Self.usesProxyErrorPage(response) {
                answerLocally(alwaysCloses: false) { connection in
                    Self.buildCounted(response, connection: connection, context)
                }
            } else {
                // Recorded: the connection stays open after a deny (a
                // pipelined request behind it is answered).
                answerErrorPage(response?.status ?? status, context)
            }
        case .respond(let response) where Self.usesProxyErrorPage(response):
            log.status = response.status
            answerErrorPage(response.status, context)
        case .respond(let response):
            log.status = response.status
            answerLocally(alwaysCloses: false) { connection in
                Self.buildCounted(response, connection: connection, context)
            }
        case .redirect(let code, let location, let cookie):
            log.status = code
            answerLocally(status: code, alwaysCloses: false) { connection in
                Self.redirectResponse(code: code, location: location, cookie: cookie, connection: connection)
            }
        case .authenticate(let realm):
            // Recorded: a locally processed answer (`LR`), not a denial;
            // the connection stays open like after `return`.
            let proxyAuthentication = context.usesProxyAuthentication
            let status = proxyAuthentication ? 407 : 401
            log.status = status
            log.terminate("L", "R")
            let page = configuredErrorPage(status, connection: .none, context: context) ?? HTTPErrorPages.page(for: status)!
            let realmBytes = Array(realm.utf8)
            answerLocally(status: status, alwaysCloses: false) { connection in
                HTTPAuthChallenge.response(
                    page: page, proxyAuthentication: proxyAuthentication, realm: realmBytes, connection: connection)
            }
        case .reject, .silentDrop:
            // Recorded from 2.6: a denied request of the frontend (and of
            // the backend once there is one), even when a response rule
            // drops. A request logs no status and no `TR`; a response the
            // server's status, no `Tr`, and the bytes received from the
            // server so far (its head and what came with it).
            if context.editsResponse {
                log.status = serverStatus
                log.responseHead = nil
                log.bytesFromServer &+= UInt64(serverInbound?.readableBytes ?? 0)
            } else {
                log.status = -1
                log.requestReady = nil
            }
            emit(.countDenied(backendIndex: backend?.index))
            if case .silentDrop = verdict { emit(.dropClient) }
            closeAll()
        case .badRequest:
            sendError(400, cause: "P", phase: "R")
        case .useService(let name):
            runService(.named(name))
        }
        return true
    }

    /// Sends a response the proxy built itself and goes on with the next
    /// request, or closes when the request has a body or `alwaysCloses`.
    mutating func answerLocally(
        status: Int, alwaysCloses: Bool, _ build: (HTTPResponseConnection) -> ByteBuffer
    ) {
        answerLocally(alwaysCloses: alwaysCloses) { LocalAnswer(bytes: build($0), loggedSize: nil) }
    }

    /// A response the proxy built, with what it counts for `%B` when the
    /// builder knows it (nil: the head is parsed to count it).
    struct LocalAnswer {
        var bytes: ByteBuffer
        var loggedSize: Int?
    }

    /// `answerLocally` for builders that may know the answer's `%B` share
    /// and framing (a length, not the connection's end): the answer is
    /// then not parsed again, unless `http-after-response` rules edit it.
    ///
    /// - Parameter encoder: compresses the answer, after the
    ///   `http-after-response` rules and once counted (a service's answer;
    ///   see `serviceAnswerEncoder`).
    mutating func answerLocally(
        alwaysCloses: Bool, encoder: LocalAnswerEncoder? = nil, _ build: (HTTPResponseConnection) -> LocalAnswer
    ) {
        if alwaysCloses || !dropsCompleteRequestBody() {
            clientKeepAlive = false
            let built = build(.close)
            if let size = built.loggedSize, !hasAfterResponseRules {
                log.bytesFromServer &+= UInt64(size)
                respondAndClose(encoded(built.bytes, encoder))
                return
            }
            let answer = afterResponse(built.bytes)
            countLocalResponse(answer)
            respondAndClose(encoded(answer, encoder))
            return
        }
        let built = build(responseConnectionHeader())
        if let size = built.loggedSize, !hasAfterResponseRules {
            log.bytesFromServer &+= UInt64(size)
            respondLocally(encoded(built.bytes, encoder))
            return
        }
        let answer = afterResponse(built.bytes)
        // An errorfile without a length ends with the connection.
        if let head = countLocalResponse(answer), head.bodyFraming == .untilClose {
            clientKeepAlive = false
            respondAndClose(encoded(answer, encoder))
        } else {
            respondLocally(encoded(answer, encoder))
        }
    }

    /// `answer` compressed by `encoder` when it applies, counted.
    private mutating func encoded(_ answer: ByteBuffer, _ encoder: LocalAnswerEncoder?) -> ByteBuffer {
        guard let encoder, let result = encoder.encode(answer) else { return answer }
        emit(.countCompression(in: result.bytesIn, out: result.bytesOut))
        return result.bytes
    }

    /// Whether `http-after-response` rules run on the proxy's own answers.
    private var hasAfterResponseRules: Bool {
        if !policy.afterResponseRules.isEmpty { return true }
        guard let backend, backend !== policy.ownBackend else { return false }
        return !backend.afterResponseRules.isEmpty
    }

    /// Runs the `http-after-response` rules (backend's, then frontend's)
    /// on a response the proxy built.
    private mutating func afterResponse(_ bytes: ByteBuffer) -> ByteBuffer {
        let backendRules = backend.flatMap { $0 === policy.ownBackend ? nil : $0.afterResponseRules } ?? []
        guard !policy.afterResponseRules.isEmpty || !backendRules.isEmpty else { return bytes }
        var parser = HTTPHeadParser.response(to: request.method)
        guard case .complete(let head) = parser.parse(bytes) else { return bytes }
        let context = makeContext()
        context.responseMessage = HTTPMessage(
            response: head, bytes: bytes.getSlice(at: bytes.readerIndex, length: head.length)!,
            requestMethod: request.method)
        context.editsResponse = true
        _ = HTTPRuleRunner.run(backendRules, on: context)
        _ = HTTPRuleRunner.run(policy.afterResponseRules, on: context)
        lastFinalRule = context.lastFinalRule
        guard let message = context.responseMessage?.materialized(), message.isEdited else { return bytes }
        var out = message.bytes
        if var body = bytes.getSlice(at: bytes.readerIndex + head.length, length: bytes.readableBytes - head.length) {
            out.writeBuffer(&body)
        }
        return out
    }

    /// The bytes of a `return` (or `deny` with a payload) response.
    static func build(_ response: HTTPReturn, connection: HTTPResponseConnection, _ context: HTTPStreamContext) -> ByteBuffer {
        buildCounted(response, connection: connection, context).bytes
    }

    /// `build`, with the answer's `%B` share when its head is one the
    /// builder can count (see `HTTPResponseBuilder.returnResponseLoggedHeadSize`).
    static func buildCounted(
        _ response: HTTPReturn, connection: HTTPResponseConnection, _ context: HTTPStreamContext
    ) -> LocalAnswer {
        var body: [UInt8] = []
        switch response.payload {
        case .none: break
        case .bytes(let b): body = b
        case .format(let f): body = HTTPRuleRunner.render(f, context)
        case .rawResponse(let raw): return LocalAnswer(bytes: Self.errorFileResponse(raw), loggedSize: nil)
        case .proxyErrorPage, .httpErrorsSection: break  // resolved before (answerErrorPage, the configuration)
        }
        let headers = response.headers.isEmpty
            ? [] : response.headers.map { (name: $0.name, value: HTTPRuleRunner.render($0.value, context)) }
        let bytes = HTTPResponseBuilder.returnResponse(
            status: response.status, headers: headers, contentType: response.contentType, body: body,
            connection: connection)
        let head = HTTPResponseBuilder.returnResponseLoggedHeadSize(
            status: response.status, headers: headers, contentType: response.contentType, bodyCount: body.count)
        return LocalAnswer(bytes: bytes, loggedSize: head.map { $0 + body.count })
    }

    /// A redirect as 2.6 writes it: no body, `cache-control: no-cache`
    /// unless the redirect is permanent (301, 308).
    static func redirectResponse(code: Int, location: [UInt8], cookie: [UInt8]?, connection: HTTPResponseConnection) -> ByteBuffer {
        var out = ByteBufferAllocator().buffer(capacity: 128 + location.count)
        let reason: StaticString
        switch code {
        case 301: reason = "Moved Permanently"
        case 303: reason = "See Other"
        case 307: reason = "Temporary Redirect"
        case 308: reason = "Permanent Redirect"
        default: reason = "Found"
        }
        HTTPResponseBuilder.writeStatusLine(&out, status: code, reason: reason)
        out.writeStaticString("content-length: 0\r\nlocation: ")
        out.writeBytes(location)
        out.writeStaticString("\r\n")
        if code != 301 && code != 308 { out.writeStaticString("cache-control: no-cache\r\n") }
        if let cookie {
            out.writeStaticString("set-cookie: ")
            out.writeBytes(cookie)
            out.writeStaticString("\r\n")
        }
        HTTPResponseBuilder.writeConnection(&out, connection)
        out.writeStaticString("\r\n")
        return out
    }

    /// `connection:` header a local answer carries: `close` when the stream
    /// ends after it, `keep-alive` for an HTTP/1.0 client keeping it open.
    private mutating func responseConnectionHeader() -> HTTPResponseConnection {
        if !clientKeepAlive { return .close }
        return request.version.isPersistentByDefault ? .none : .keepAlive
    }

    // MARK: Request to the server

    private mutating func sendRequestHead() {
        if let ff = backend?.forwardFor ?? policy.forwardFor, ff.ifNone { materializeRequest() }
        // Compression reads the request as the rules left it.
        let compresses = policy.compression != nil || backend?.compression != nil
        if compresses { materializeRequest() }
        guard let requestBytes, let backend else { return }
        var edits = requestEdits.headEdits
        if compresses {
            compressionChoice = nil
            chooseCompression(backend, &edits, requestBytes)
        } else if compressionChoice != nil {
            // The previous request of the connection went to a backend
            // that compresses; this one does not.
            compressionChoice = nil
        }
        if let name = policy.uniqueIDHeader, let id = uniqueIDCell?.value { edits.append(name: name, value: id) }
        let upgrading = request.connection.contains(.upgrade) || request.method == .connect
        let serverMode = backend.connectionMode == .keepAlive ? policy.connectionMode : backend.connectionMode
        if let ff = backend.forwardFor ?? policy.forwardFor, let ip = clientAddress?.ipAddress,
           !(ff.except.flatMap(IPNetwork.init)?.contains(clientAddress) ?? false) {
            if !(ff.ifNone && request.firstHeaderValue(named: ff.header.utf8, in: requestBytes) != nil) {
                edits.append(name: ff.header, value: ip)
            }
        }
        appendOriginalTo(&edits, backend)
        if let name = backend.sendNameHeader, let serverName {
            // 2.6 (recorded): the request's own headers of that name go,
            // the server's name comes last, after x-forwarded-for.
            removeHeaders(named: name, from: &edits, in: requestBytes)
            edits.append(name: name, value: Array(serverName.utf8))
        }
        // The rewriter drops the client's close/keep-alive tokens; the
        // proxy states its own choice for the server connection (recorded:
        // an HTTP/1.0 chunked request gets none). With
        // http-pretend-keepalive it states keep-alive's, and closes anyway.
        if !upgrading {
            if serverMode != .keepAlive && !backend.pretendsKeepAlive {
                edits.connection = .close
            } else if !request.version.isPersistentByDefault && !request.isChunked {
                edits.connection = .keepAlive
            }
        }
        serverOut.appendHead(request, from: requestBytes, edits: edits, headerCase: backend.headerCase)
        log.requestSent = clock.now
        responseParser = .response(to: request.method)
        responseParser.lenient = backend.acceptsInvalidMessages
        responseStarted = false
        responseDone = false
        serverReusable = serverMode == .keepAlive
        serverInbound = nil
        forwardRequestBody()
        sendServerBatch()
        emit(.flushServer)
        armTimer(serverTimeout)
    }

    /// The server and tunnel timeouts in force: `set-timeout` overrides,
    /// else the backend's.
    private var serverTimeout: Int? { timeoutOverrides.server ?? backend?.timeouts.server }
    private var tunnelTimeout: Int? { timeoutOverrides.tunnel ?? backend?.timeouts.tunnel }

    private mutating func sendServerBatch() {
        if let batch = serverOut.take() { emit(.writeServer(batch)) }
    }

    private mutating func sendClientBatch() {
        if let batch = clientOut.take() { emit(.writeClient(batch)) }
    }

    /// Sends the request body bytes that have arrived, as the framer delimits them.
    private mutating func forwardRequestBody() {
        guard !requestDone else {
            if inbound.readableBytes > 0 { pauseClient(true) }  // pipelined: wait for our turn
            return
        }
        guard serverAttached, state == .forwarding else {
            if inbound.readableBytes > 16384 { pauseClient(true) }
            return
        }
        guard inbound.readableBytes > 0 else { return }
        do {
            let counted = requestBody.loggedBytes
            // `retry-on`: the input before the body is taken off it.
            let unsent = backend?.retriesSentRequests == true ? inbound : nil
            if let run = try serverOut.appendBody(&requestBody, chunked: request.isChunked, from: &inbound) {
                sendServerBatch()
                emit(.writeServer(run))
            }
            if let unsent { keepSentBody(from: unsent) }
            sendServerBatch()
            // Reads held while the body waited for the server resume
            // once it is forwarded (and the server takes more).
            pauseClient(!serverWritable)
            log.bytesFromClient &+= requestBody.loggedBytes &- counted
            if requestBody.isComplete {
                requestDone = true
                if inbound.readableBytes > 0 { pauseClient(true) }
                finishIfDone()
            }
        } catch {
            log.terminate("P", "D")
            sendError(error.status, cause: "P", phase: "D")
        }
    }

    // MARK: Captures (`capture request|response header NAME len N`)

    /// The last occurrence of each declared request header, truncated to
    /// its length; response slots start empty (an error answer has none).
    private mutating func captureRequestHeaders() {
        let specs = policy.captureRequestHeaders
        let responseCaptures = policy.captureResponseHeaders.count
        guard let requestBytes, !specs.isEmpty || responseCaptures > 0 else { return }
        var captured = Self.captures(specs, request, requestBytes)
        // `tcp-request content capture` ran first and filled its slots.
        let earlier = log.capturedRequestHeaders
        for (i, value) in earlier.enumerated() where i < captured.count && captured[i] == nil { captured[i] = value }
        log.capturedRequestHeaders = captured
        log.capturedResponseHeaders = Array(repeating: nil, count: responseCaptures)
    }

    private mutating func captureResponseHeaders(_ head: HTTPHead, _ bytes: ByteBuffer) {
        let specs = policy.captureResponseHeaders
        guard !specs.isEmpty else { return }
        log.capturedResponseHeaders = Self.captures(specs, head, bytes)
    }

    private static func captures(_ specs: [CapturedHeader], _ head: HTTPHead, _ bytes: ByteBuffer) -> [ByteBuffer?] {
        specs.map { spec in
            guard spec.capturesHeader, let value = head.lastHeaderValue(named: spec.name.utf8, in: bytes) else { return nil }
            return bytes.getSlice(at: bytes.readerIndex + value.lowerBound, length: min(spec.length, value.count))
        }
    }

    // MARK: Response

    private mutating func processServer() {
        guard state == .forwarding, var input = serverInbound else { return }
        if responseDone {
            // Bytes after a complete response: the connection cannot be reused.
            serverReusable = false
            return
        }
        if !responseStarted {
            switch responseParser.parse(input, headerStorage: &spareResponseHeaders) {
            case .needMore:
                return
            case .error:
                // 2.6 counts a retried junk response as a response error.
                if retryAfterFailure(.junkResponse, countingError: true) { return }
                // An invalid response is blocked by the proxy: PH, as 2.6
                // (manual 8.5), not a server abort.
                log.terminate("P", "H")
                emit(.countResponseError)
                serverReusable = false
                sendError(502, cause: "P", phase: "H")
                return
            case .complete(let head):
                if let backend, backend.retryOn.retries(status: head.status),
                   retryAfterFailure(RetryOn.status(head.status)!) {
                    return
                }
                var head = head
                var headBytes = input.readSlice(length: head.length)!
                log.bytesFromServer &+= UInt64(head.loggedSizeAsParsed)
                serverInbound = input
                if head.isInterim {
                    // Something went to the client: the request is not
                    // sent again.
                    retryForbidden = true
                    clientOut.appendHead(head, from: headBytes, edits: HTTPHeadEdits(), headerCase: policy.headerCase)
                    sendClientBatch()
                    responseParser = .response(to: request.method)
                    responseParser.lenient = backend?.acceptsInvalidMessages ?? false
                    processServer()
                    return
                }
                serverStatus = head.status
                log.responseHead = clock.now
                captureResponseHeaders(head, headBytes)
                // Compression decides on the response as the server sent
                // it, before the response rules (recorded: a Content-Encoding
                // or Cache-Control they set does not prevent it).
                let compresses = compressionChoice != nil && compressionAllowed(head, headBytes)
                var edits = HTTPHeadEdits()
                if policy.hasResponseAnalysis || (backend?.hasResponseAnalysis ?? false) {
                    guard let analysed = analyseResponse(head, headBytes) else { return }
                    (head, headBytes, edits) = analysed
                }
                // 2.6: a server's 4xx is a client error, its 5xx (but 501
                // and 505) a server failure of the tracked entries, those
                // the response rules track included.
                if serverStatus >= 400, serverStatus < 500 {
                    variables?.trackedCounters?.count(.httpErrorCount)
                } else if serverStatus >= 500, serverStatus != 501, serverStatus != 505 {
                    variables?.trackedCounters?.count(.httpFailCount)
                }
                swap(&spareResponseHeaders, &response.headers)
                response = head
                responseStarted = true
                // The response goes to the client: the request is sent no more.
                if retryCopy != nil { retryCopy = nil }
                log.status = head.status
                sendResponseHead(head, headBytes, consume edits, compresses: compresses)
                if state == .tunnel { return }
                input = serverInbound!
            }
        }
        do {
            let counted = responseBody.loggedBytes
            if responseCompressor != nil {
                if input.readableBytes > 0 {
                    try clientOut.appendCompressedBody(&responseBody, compressor: responseCompressor!, from: &input)
                }
            } else if input.readableBytes > 0,
               let run = try clientOut.appendBody(&responseBody, chunked: response.isChunked, from: &input) {
                sendClientBatch()
                emit(.writeClient(run))
            }
            sendClientBatch()
            if !clientWritable { emit(.readServer(false)) }
            log.bytesFromServer &+= responseBody.loggedBytes &- counted
            serverInbound = input
            if responseBody.isComplete {
                if responseCompressor != nil, let compressor = responseCompressor.take() {
                    // Recorded: 2.6 counts one more byte in and out for a
                    // chunked body (3001 and 82 for 3000 bytes gzipped to 81).
                    let end: UInt64 = response.isChunked ? 1 : 0
                    emit(.countCompression(in: compressor.bytesIn + end, out: compressor.bytesOut + end))
                }
                if input.readableBytes > 0 { serverReusable = false }
                responseDone = true
                finishIfDone()
            } else {
                touch()
            }
        } catch {
            // A malformed body (chunk framing): 2.6 counts a response
            // error (`eresp`), not a server abort, and logs `SD`.
            log.terminate("S", "D")
            serverReusable = false
            emit(.countResponseError)
            abortBoth()
        }
    }

    /// The response rules: the backend's `http-response` rules, the
    /// frontend's, then the `http-after-response` ones. Returns the head
    /// to send (edited or not) with the header edits to write with it, or
    /// nil when a rule answered instead.
    private mutating func analyseResponse(
        _ head: HTTPHead, _ headBytes: ByteBuffer
    ) -> (HTTPHead, ByteBuffer, HTTPHeadEdits)? {
        let ownBackend = backend.flatMap { $0 === policy.ownBackend ? nil : $0 }
        let backendRules = ownBackend?.responseRules ?? []
        let backendAfter = ownBackend?.afterResponseRules ?? []
        // `req.*` variables end with the request.
        variables?.values.clear(.req)
        var context = responseRuleContext()
        context.responseMessage = HTTPMessage(response: head, bytes: headBytes, requestMethod: request.method)
        context.editsResponse = true
        // `stick store-response` reads the response as the server sent it,
        // before the response rules (2.6's order of analysers).
        if let backend, backend.storesResponses, let serverName, let serverID {
            Sticking.store(backend.stickingRules, serverID: serverID, serverName: serverName, on: context, response: true)
        }
        var verdict = HTTPRuleRunner.run(backendRules, on: context)
        if case .proceed = verdict { verdict = HTTPRuleRunner.run(policy.responseRules, on: context) }
        if case .allow = verdict { verdict = HTTPRuleRunner.run(policy.responseRules, on: context) }
        switch verdict {
        case .proceed, .allow:
            break
        default:
            // The server's response is dropped with its connection.
            serverReusable = false
            releaseServer(keep: false)
            _ = answer(verdict, &context)
            return nil
        }
        lastFinalRule = context.lastFinalRule
        persistenceResponse(&context)
        _ = HTTPRuleRunner.run(backendAfter, on: context)
        _ = HTTPRuleRunner.run(policy.afterResponseRules, on: context)
        lastFinalRule = context.lastFinalRule
        guard let message = context.responseMessage, message.isEdited else { return (head, headBytes, HTTPHeadEdits()) }
        return (message.head, message.bytes, message.notedEdits.headEdits)
    }

    private mutating func sendResponseHead(
        _ head: HTTPHead, _ headBytes: ByteBuffer, _ ruleEdits: consuming HTTPHeadEdits, compresses: Bool
    ) {
        if head.status == 101 || (request.method == .connect && head.status / 100 == 2) {
            clientOut.appendHead(head, from: headBytes, edits: ruleEdits, headerCase: policy.headerCase)
            sendClientBatch()
            emit(.flushClient)
            state = .tunnel
            serverReusable = false
            armTimer(tunnelTimeout ?? minTimeout(timeouts.client, serverTimeout))
            if inbound.readableBytes > 0, serverAttached {
                emit(.writeServer(inbound))
                emit(.flushServer)
                inbound.clear()
            }
            pauseClient(false)
            return
        }
        if !head.isKeepAlive || head.bodyFraming == .untilClose { serverReusable = false }
        if head.bodyFraming == .untilClose { clientKeepAlive = false }
        responseBody = HTTPBodyFramer(framing: head.bodyFraming, isRequest: false)
        // The rewriter drops the server's close/keep-alive tokens; the header
        // states what differs from the response's or the request's default.
        var edits = consume ruleEdits
        // Without compression, this one check is all it costs a response.
        if compresses, let choice = compressionChoice { startCompression(choice.algorithm, head, headBytes, &edits) }
        if clientKeepAlive {
            if !head.version.isPersistentByDefault || !request.version.isPersistentByDefault {
                edits.connection = .keepAlive
            }
        } else if head.version.isPersistentByDefault {
            edits.connection = .close
        }
        // Written with the body bytes that came with it (processServer).
        clientOut.appendHead(head, from: headBytes, edits: edits, headerCase: policy.headerCase)
    }

    // MARK: End of a transaction

    private mutating func finishIfDone() {
        guard requestDone, responseDone, state == .forwarding else { return }
        emit(.flushClient)
        releaseServer(keep: serverReusable)
        endTransaction()
    }

    /// Gives the server slot back and parks or closes the connection.
    private mutating func releaseServer(keep: Bool) {
        if hasServer {
            emit(.releaseServer(keepConnection: keep && serverAttached))
        }
        hasServer = false
        serverAttached = false
    }

    /// Releases the slot or leaves the queue, whichever the stream holds.
    private mutating func releaseOrAbandon() {
        if hasServer {
            releaseServer(keep: false)
        } else if state == .waitingServer, backend != nil {
            emit(.abandonQueue)
        }
    }

    private mutating func endTransaction() {
        ruleContext = nil
        let keepsAlive = clientKeepAlive && !(clientFinishedSending && inbound.readableBytes == 0)
        let handedOver = logTransaction(startingNext: keepsAlive)
        guard keepsAlive else {
            closeAfterFlush()
            return
        }
        if !handedOver { log = StreamLogInfo(clock: clock) }
        backend = nil
        serverName = nil
        serverID = nil
        if let variables {
            if !variables.values.isEmpty {
                variables.values.clear(.txn)
                variables.values.clear(.req)
                variables.values.clear(.res)
            }
        }
        state = .readingRequest
        requestParser.reset()
        requestBytes = nil
        armTimer(timeouts.httpKeepAlive ?? timeouts.httpRequest ?? timeouts.client)
        if inbound.readableBytes > 0 {
            parseRequest()
        }
        if state == .readingRequest { pauseClient(false) }
    }

    /// Hands the transaction's log information to the session. With
    /// `startingNext` (the connection goes on with another request), it
    /// moves into the record and `log` starts afresh: returns whether it
    /// did (false: nothing to log, `log` untouched).
    @discardableResult
    private mutating func logTransaction(startingNext: Bool = false) -> Bool {
        guard transactionPending else { return false }
        transactionPending = false
        settleCookieLogState()
        // The transaction's bytes count in its tracked entries.
        variables?.trackedCounters?.count(.bytesInCount, log.bytesFromClient)
        variables?.trackedCounters?.count(.bytesOutCount, log.bytesFromServer)
        if uniqueIDCell != nil {
            // Made now if nothing needed it before, from the state the log sees.
            makeUniqueID(forLog: true)
            log.uniqueID = uniqueIDCell?.value
        }
        // Made with the cell: the log line's `%[unique-id]` reads it.
        let sampleContext = logSampleContext()
        uniqueIDCell = nil
        var finished: StreamLogInfo
        if startingNext {
            finished = StreamLogInfo(clock: clock)
            swap(&finished, &log)
        } else {
            finished = log
        }
        let requestLine = finished.requestLine
        if isKnownUniquelyReferenced(&lastRecord), let record = lastRecord {
            // Moved in, not copied: `finished` takes the previous log away.
            swap(&record.log, &finished)
            record.serverStatus = serverStatus
            record.requestLine = requestLine
            record.sampleContext = sampleContext
            record.backendIndex = backend?.index
        } else {
            lastRecord = TransactionRecord(
                log: finished, serverStatus: serverStatus, requestLine: requestLine, sampleContext: sampleContext,
                backendIndex: backend?.index)
        }
        emit(.logTransaction(lastRecord!))
        // Its own trackers let go (those the log line's samples read go
        // with the line).
        variables?.trackedCounters?.endStream()
        serverStatus = 0
        return startingNext
    }

    // MARK: Local answers

    /// Answers a request without a server and goes on with the next one.
    private mutating func respondLocally(_ bytes: ByteBuffer) {
        takePendingFinalRule()
        emit(.writeClient(ownAnswer(bytes)))
        emit(.flushClient)
        if !clientKeepAlive {
            closeAfterFlush()
            return
        }
        state = .forwarding
        requestDone = true
        responseDone = true
        finishIfDone()
    }

    /// A `monitor-uri` probe: answered before any rule, counted, not logged.
    /// A probe with a body closes the connection after the answer.
    private mutating func answerMonitor(_ monitor: MonitorResponse) {
        log.unlogged = true
        emit(.countIntercepted)
        let isHEAD = request.method == .head
        if !policy.monitorFail.isEmpty {
            let context = makeContext()
            if policy.monitorFail.contains(where: { $0.evaluate(context) }) {
                answerMonitorFailure(isHEAD: isHEAD)
                return
            }
        }
        log.status = 200
        if request.bodyFraming != .none {
            clientKeepAlive = false
            respondAndClose(monitor.bytes(connection: .close, isHEAD: isHEAD))
        } else {
            respondLocally(monitor.bytes(connection: responseConnectionHeader(), isHEAD: isHEAD))
        }
    }

    /// `monitor fail` held: the 503 page (the proxy's `errorfile 503` if
    /// any), without its body for HEAD (recorded from 2.6).
    private mutating func answerMonitorFailure(isHEAD: Bool) {
        log.status = 503
        // Like the proxy's other answers (recorded), unlike the 200: the
        // connection stays when the request's body came whole.
        let closes = !dropsCompleteRequestBody()
        if closes { clientKeepAlive = false }
        let connection = closes ? .close : responseConnectionHeader()
        var page = configuredErrorPage(503, connection: connection)
            ?? HTTPErrorPages.page(for: 503, connection: connection)!
        var parser = HTTPHeadParser.response(to: request.method)
        let head = parser.parse(page)
        if isHEAD, case .complete(let parsed) = head { page = page.getSlice(at: page.readerIndex, length: parsed.length)! }
        if case .complete(let parsed) = head, parsed.bodyFraming == .untilClose { clientKeepAlive = false }
        if clientKeepAlive { respondLocally(page) } else { respondAndClose(page) }
    }

    /// Counts a response the proxy answers itself as 2.6 does, like one
    /// from a server (`HTTPHead.loggedSize(in:)` and its body). The early
    /// errors of an unreadable request (400, 408) count nothing, as there.
    /// Returns the parsed head, for callers that need its framing too.
    @discardableResult
    mutating func countLocalResponse(_ bytes: ByteBuffer) -> HTTPHead? {
        var parser = HTTPHeadParser.response(to: request.method)
        guard case .complete(let head) = parser.parse(bytes) else { return nil }
        let body = bytes.readableBytes - head.length
        log.bytesFromServer &+= UInt64(head.loggedSizeAsParsed + max(body, 0))
        return head
    }

    mutating func respondAndClose(_ bytes: ByteBuffer) {
        takePendingFinalRule()
        emit(.writeClient(ownAnswer(bytes)))
        closeAfterFlush()
    }

    /// An answer of the proxy's own as the client gets it: its header
    /// names respelt under `option h1-case-adjust-bogus-client`.
    func ownAnswer(_ bytes: ByteBuffer) -> ByteBuffer {
        policy.headerCase.map { $0.respelled(bytes) } ?? bytes
    }

    /// A connection that has not sent its first request yet: when it
    /// closes or times out, 2.6 answers 400 or 408, logs `<BADREQ>` and
    /// counts a request error, unless `option http-ignore-probes`. A
    /// keep-alive connection between requests just closes.
    private var reportsEmptyConnection: Bool { requestCount == 0 && !policy.ignoresProbes }

    /// The request head never completed: the client closed (`C`, 400) or
    /// the request timer struck (`c`, 408). The page goes to a client that
    /// may still read, and the connection closes.
    private mutating func failIncompleteRequest(_ status: Int, cause: TerminationCode) {
        recordIncompleteRequest(status, cause: cause)
        let page = configuredErrorPage(status, connection: .close) ?? HTTPErrorPages.earlyPage(for: status)
            ?? HTTPErrorPages.page(for: status, connection: .close)!
        respondAndClose(page)
    }

    /// Logs and counts a request whose head never completed.
    private mutating func recordIncompleteRequest(_ status: Int, cause: TerminationCode) {
        transactionPending = true
        log.status = status
        log.terminate(cause, "R")
        emit(.countRequestError)
    }

    /// Counts the abort the termination state tells (`cli_abrt`,
    /// `srv_abrt`, and `eresp` for the server's own cut).
    private mutating func countTransferAbort() {
        guard let abort = log.transferAbort else { return }
        if abort.isResponseError { emit(.countResponseError) }
        emit(.countAbort(byClient: abort.byClient))
    }

    /// Sends the proxy's own error for `status` and ends the stream.
    private mutating func sendError(_ status: Int, cause: TerminationCode, phase: TerminationCode) {
        log.status = status
        log.terminate(cause, phase)
        releaseOrAbandon()
        if responseStarted {
            abortBoth()
            return
        }
        // Recorded: 2.6 closes after these pages, and their connection
        // header is what the request asked for (none for a kept-alive
        // HTTP/1.1 client, `close` when it asked to close or spoke HTTP/1.0,
        // `keep-alive` for HTTP/1.0 with keep-alive); only 400 and 408
        // always carry `close`.
        let connection = responseConnectionHeader()
        let page = afterResponse(configuredErrorPage(status, connection: connection)
            ?? HTTPErrorPages.page(for: status, connection: connection) ?? HTTPErrorPages.page(for: 503)!)
        countLocalResponse(page)
        logTransaction()
        respondAndClose(page)
    }

    private mutating func closeAfterFlush() {
        state = .closing
        emit(.closeAfterFlush)
    }

    /// The whole request body is here: forwarded, or still buffered while
    /// the server connection is being set up.
    private var requestBodyReceived: Bool {
        if requestDone { return true }
        var probe = requestBody
        return (try? probe.consume(inbound))?.isComplete ?? false
    }

    // MARK: Connection events

    private mutating func serverClosed() {
        switch state {
        case .tunnel:
            closeAfterFlush()
        case .forwarding:
            serverReusable = false
            if responseStarted && response.bodyFraming == .untilClose {
                responseDone = true
                clientKeepAlive = false
                finishIfDone()
                return
            }
            if !responseStarted {
                if serverReused && (serverInbound?.readableBytes ?? 0) == 0 && request.bodyFraming == .none,
                   hasServer {
                    // An idle connection closed under us: send again on a new one.
                    serverAttached = false
                    emit(.reconnect)
                    return
                }
                // 2.6: part of a head and then the close is an empty
                // response too, not junk.
                if retryAfterFailure(.emptyResponse) { return }
                emit(.countResponseError)
                sendError(502, cause: "S", phase: "H")
                return
            }
            if !responseDone {
                log.terminate("S", "D")
                countTransferAbort()
                abortBoth()
            }
        default:
            return
        }
    }

    /// The server went down under `on-marked-down shutdown-sessions`, and
    /// its connection is about to be closed: no retry, no new connection,
    /// and the end logged as 2.6 logs it, `DH` (a 502) before the
    /// response, `DD` during it.
    public mutating func serverWentDown() {
        guard state == .forwarding || state == .tunnel else { return }
        retryForbidden = true
        serverReused = false
        log.terminate("D", state == .forwarding && !responseStarted ? "H" : "D")
    }

    mutating func pauseClient(_ pause: Bool) {
        guard clientReadPaused != pause else { return }
        clientReadPaused = pause
        emit(.readClient(!pause))
    }

    // MARK: Timers

    /// Activity on a forwarding or tunnelled stream pushes its deadline.
    private mutating func touch() {
        guard state == .forwarding || state == .tunnel else { return }
        let ms: Int?
        if state == .tunnel {
            ms = tunnelTimeout ?? minTimeout(timeouts.client, serverTimeout)
        } else if !responseStarted {
            ms = serverTimeout
        } else {
            ms = minTimeout(timeouts.client, serverTimeout)
        }
        guard let ms else { return }
        armTimer(ms)
    }

    // MARK: Teardown

    private mutating func abortBoth() {
        guard state != .closed else { return }
        closeAll()
    }

    /// The connection is gone: every tracked stick table entry is let go
    /// (`conn_cur` drops).
    public func endTracking() {
        variables?.trackedCounters?.endSession()
    }

    mutating func closeAll() {
        guard state != .closed else { return }
        releaseOrAbandon()
        state = .closed
        armTimer(nil)
        logTransaction()
        variables?.trackedCounters?.endSession()
        emit(.close)
    }
}

extension HTTPStreamStateMachine {
    /// Storage a stream that ended leaves to the next one on its loop:
    /// its action list, header-field arrays, the buffers of its writes
    /// and of its request heads, and its transaction record, all emptied
    /// (only their capacity goes over, none of the previous client's
    /// values), so that a new connection does not allocate them again.
    /// Made by `takeStorage` only.
    public struct Storage {
        fileprivate var actions: [Action]
        fileprivate var requestHeaders: [HTTPHeaderField]
        fileprivate var responseHeaders: [HTTPHeaderField]
        fileprivate var clientOut: ByteBuffer
        fileprivate var serverOut: ByteBuffer
        fileprivate var headStore: ByteBuffer
        /// A transaction record nothing else held, blank: the next stream
        /// sets each of its fields before its first log line.
        fileprivate var record: TransactionRecord?

        /// Whether nothing of a stream is left in it.
        var isEmpty: Bool {
            actions.isEmpty && requestHeaders.isEmpty && responseHeaders.isEmpty
                && clientOut.writerIndex == 0 && serverOut.writerIndex == 0 && headStore.writerIndex == 0
                && (record.map { $0.requestLine == nil && $0.sampleContext == nil && $0.log.status == -1 } ?? true)
        }
    }

    /// A machine for a client connection just accepted.
    ///
    /// Declared outside the type's body so that it hands its values to
    /// the memberwise initializer the compiler writes: a struct this large
    /// built by an initializer of its own body is assembled in a
    /// temporary and copied out whole (a retain and a release of each of
    /// its references, about 1.7k instructions a stream), the memberwise
    /// one stores each field in place.
    /// - Parameter storage: what a stream that ended left (`takeStorage`).
    public init(policy: HTTPFrontendPolicy, clientAddress: SocketAddress?, localAddress: SocketAddress?,
                allocator: ByteBufferAllocator, runtime: HTTPRuntimeView? = nil, variables: StreamVariables? = nil,
                storage: Storage? = nil, clock: TurnClock = .live) {
        var parser = HTTPHeadParser.request(limits: policy.headLimits)
        parser.lenient = policy.acceptsInvalidMessages
        guard let storage = consume storage else {
            var actions: [Action] = []
            actions.reserveCapacity(8)
            self.init(
                policy: policy, log: StreamLogInfo(clock: clock), clientAddress: clientAddress,
                localAddress: localAddress, actions: actions, runtime: runtime, clock: clock, variables: variables,
                inbound: allocator.buffer(capacity: 0), requestParser: parser,
                clientOut: OutgoingBatch(allocator: allocator), serverOut: OutgoingBatch(allocator: allocator))
            return
        }
        // Moved in as they are: `takeStorage` emptied them (emptying them
        // here again would copy them, shared with the argument).
        assert(storage.isEmpty)
        self.init(
            policy: policy, log: StreamLogInfo(clock: clock), clientAddress: clientAddress,
            localAddress: localAddress, actions: storage.actions, runtime: runtime, clock: clock, variables: variables,
            inbound: allocator.buffer(capacity: 0), requestParser: parser,
            headStore: storage.headStore,
            spareRequestHeaders: storage.requestHeaders, spareResponseHeaders: storage.responseHeaders,
            clientOut: OutgoingBatch(allocator: allocator, storage: storage.clientOut),
            serverOut: OutgoingBatch(allocator: allocator, storage: storage.serverOut), lastRecord: storage.record)
    }

    /// Takes the machine's storage for the next stream (see `Storage`),
    /// once this one has ended: what it keeps after is empty and new.
    public mutating func takeStorage() -> Storage {
        var actions: [Action] = []
        swap(&actions, &self.actions)
        if !actions.isEmpty { actions.removeAll(keepingCapacity: true) }
        // The arrays of the last heads go over rather than the spare ones
        // (empty after a single message each).
        var requestHeaders: [HTTPHeaderField] = []
        swap(&requestHeaders, &request.headers)
        if requestHeaders.capacity < spareRequestHeaders.capacity { swap(&requestHeaders, &spareRequestHeaders) }
        if !requestHeaders.isEmpty { requestHeaders.removeAll(keepingCapacity: true) }
        var responseHeaders: [HTTPHeaderField] = []
        swap(&responseHeaders, &response.headers)
        if responseHeaders.capacity < spareResponseHeaders.capacity { swap(&responseHeaders, &spareResponseHeaders) }
        if !responseHeaders.isEmpty { responseHeaders.removeAll(keepingCapacity: true) }
        request = HTTPHead()
        response = HTTPHead()
        let clientBuffer = OutgoingBatch.kept(clientOut.takeStorage())
        let serverBuffer = OutgoingBatch.kept(serverOut.takeStorage())
        // The last transaction's record, when its log line is out and
        // nothing else holds it: blanked.
        var record: TransactionRecord?
        if isKnownUniquelyReferenced(&lastRecord), let kept = lastRecord {
            kept.log = StreamLogInfo(clock: clock)
            kept.serverStatus = 0
            kept.requestLine = nil
            kept.sampleContext = nil
            kept.backendIndex = nil
            record = kept
        }
        lastRecord = nil
        // The head store, once the machine's own views of its bytes are
        // gone (emptying storage something else still holds copies it).
        requestBytes = nil
        log.requestLine = nil
        ruleContext = nil
        var head = ByteBufferAllocator().buffer(capacity: 0)
        swap(&head, &headStore)
        head.clear()
        head = OutgoingBatch.kept(head)
        return Storage(
            actions: actions, requestHeaders: requestHeaders, responseHeaders: responseHeaders,
            clientOut: clientBuffer, serverOut: serverBuffer, headStore: head, record: record)
    }
}

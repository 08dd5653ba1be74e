import HAProxyConfig
import HAProxyHTTP
import HAProxyObservability
import NIOCore

/// A `mode http` client connection: a sequence of transactions (requests
/// answered in order, pipelined ones waiting their turn), each forwarded to
/// a server connection taken from the idle pool or opened for it.
///
/// The session never builds Strings on the hot path: heads are parsed into
/// offsets (`HTTPHeadParser`), written out in HAProxy 2.6's spelling with
/// the proxy's edits (`HTTPHeadRewriter`), and bodies are streamed slice by
/// slice as `HTTPBodyFramer` delimits them (chunked ones re-encoded), with
/// back-pressure through `autoRead`.
final class HTTPSession: ConnectionOwner, ServerAttempt, TimeoutOwner {
    enum State {
        case waitingProxyHeader
        /// Waiting for (more of) a request head; idle between requests.
        case readingRequest
        case waitingServer
        case connecting
        /// Request sent or being sent; response awaited or being relayed.
        case forwarding
        /// Bytes relayed opaquely both ways (101 Switching Protocols, CONNECT).
        case tunnel
        /// A locally generated response is being written before closing.
        case closing
        case closed
    }

    let frontend: Frontend
    let client: Channel
    let eventLoop: EventLoop
    let defaultBackend: Backend?
    private(set) var backend: Backend?
    private var state: State = .readingRequest

    // Client side.
    private var inbound: ByteBuffer
    private var requestParser: HTTPHeadParser
    private var request = HTTPHead()
    /// The request head bytes as received (offsets of `request` are relative to it).
    private var requestBytes: ByteBuffer?
    private var requestBody = HTTPBodyFramer(framing: .none, isRequest: true)
    private var requestDone = false
    private var requestCount = 0
    private var clientKeepAlive = true
    /// The client shut its sending side after a complete request.
    private var clientInputClosed = false
    private var clientReadPaused = false
    private var clientAddress: SocketAddress?
    private let localAddress: SocketAddress?

    // Server side.
    private(set) var server: Server?
    private var serverChannel: Channel?
    private var serverHandler: RelayHandler?
    private var serverReused = false
    private var serverInbound: ByteBuffer?
    private var responseParser = HTTPHeadParser.response(to: .get)
    private var response = HTTPHead()
    private var responseStarted = false
    private var responseBody = HTTPBodyFramer(framing: .none, isRequest: false)
    private var responseDone = false
    /// What goes to the client and to the server next, one write each.
    private var clientOut: OutgoingBatch
    private var serverOut: OutgoingBatch
    private var serverReusable = false
    /// A connection kept for this session only (`http-reuse never`).
    private var ownedIdle: (server: Server, entry: IdleConnectionPool.Entry)?
    var retriesLeft = 0
    private(set) var connectAttemptStart = NIODeadline.now()
    /// Status of the final response the server sent in this transaction
    /// (0: none yet), for the server's `hrsp_*` counters.
    private var serverStatus = 0

    lazy var timer = StreamTimer(loop: eventLoop, owner: self)
    var log = StreamLogInfo()
    /// The server of the current transaction, kept for its log line.
    private var loggedServer: Server?
    /// A request is in progress and has not been logged yet.
    private var transactionPending = false

    init(frontend: Frontend, client: Channel, backend: Backend?) {
        self.frontend = frontend
        self.client = client
        self.eventLoop = client.eventLoop
        self.defaultBackend = backend
        self.clientAddress = client.remoteAddress
        self.localAddress = client.localAddress
        self.inbound = client.allocator.buffer(capacity: 0)
        self.clientOut = OutgoingBatch(allocator: client.allocator)
        self.serverOut = OutgoingBatch(allocator: client.allocator)
        let global = frontend.runtime?.configuration.global
        self.requestParser = .request(limits: HTTPHeadLimits(
            bufferSize: global?.tuneBufsize ?? 16384, maxRewrite: global?.tuneMaxrewrite ?? 1024))
    }

    private var timeouts: Timeouts { frontend.config.timeouts }

    func start(acceptProxy: Bool) {
        state = acceptProxy ? .waitingProxyHeader : .readingRequest
        timer.arm(ms: timeouts.httpRequest ?? timeouts.client)
    }

    // MARK: Client input

    func connectionRead(_ side: ConnectionSide, _ buffer: ByteBuffer) {
        switch side {
        case .client:
            if state == .tunnel, let serverChannel {
                log.bytesFromClient &+= UInt64(buffer.readableBytes)
                serverChannel.write(buffer, promise: nil)
                if !serverChannel.isWritable { pauseClient(true) }
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
        case .server:
            if state == .tunnel {
                log.bytesFromServer &+= UInt64(buffer.readableBytes)
                client.write(buffer, promise: nil)
                if !client.isWritable { serverChannel?.setAutoRead(false) }
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
        }
    }

    func connectionReadComplete(_ side: ConnectionSide) {
        switch side {
        case .client: serverChannel?.flush()
        case .server: client.flush()
        }
    }

    private func processClient() {
        switch state {
        case .waitingProxyHeader:
            switch ProxyProtocol.parse(&inbound) {
            case .needMore: return
            case .invalid:
                log.terminate("P", "R")
                closeAll()
            case .header(let source, _):
                if let source { clientAddress = source }
                state = .readingRequest
                processClient()
            }
        case .readingRequest:
            parseRequest()
        case .waitingServer, .connecting, .forwarding:
            forwardRequestBody()
        case .tunnel, .closing, .closed:
            return
        }
    }

    private func parseRequest() {
        guard inbound.readableBytes > 0 else { return }
        if log.requestStart == nil {
            log.requestStart = .now()
            transactionPending = true
        }
        var result = requestParser.parse(inbound)
        if case .complete(let head) = result, head.isChunked, let error = Self.bufferedBodyError(head, inbound) {
            result = .error(error)
        }
        switch result {
        case .needMore:
            if clientInputClosed {
                // A partial request after the client's shutdown never completes.
                closeAll()
                return
            }
            if requestCount > 0 && timer.deadline != nil {
                // First bytes of a keep-alive request: `timeout http-request` now applies.
                timer.arm(ms: timeouts.httpRequest ?? timeouts.client)
            }
        case .error(let error):
            log.status = error.status
            log.terminate("P", "R")
            frontend.countRequest(now: RateClock.now)
            let page = frontend.errorPages[error.status] ?? HTTPErrorPages.earlyPage(for: error.status)
                ?? HTTPErrorPages.page(for: 400, connection: .close)!
            respondAndClose(page)
        case .complete(let head):
            request = head
            requestBytes = inbound.readSlice(length: head.length)
            log.bytesFromClient &+= UInt64(head.loggedSize(in: requestBytes!))
            requestCount += 1
            let ready = NIODeadline.now()
            log.requestReady = ready
            frontend.countRequest(now: RateClock.milliseconds(ready))
            captureRequestHeaders()
            requestBody = HTTPBodyFramer(framing: head.bodyFraming, isRequest: true)
            requestDone = head.bodyFraming == .none
            handleRequest()
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

    // MARK: Request analysis

    private func handleRequest() {
        clientKeepAlive = request.isKeepAlive && frontend.config.options.httpConnectionMode != .close
            && !request.hasAmbiguousFraming
        if let monitor = frontend.monitor, let bytes = requestBytes, monitor.matches(request, in: bytes) {
            answerMonitor(monitor)
            return
        }
        // Rules have no conditions yet: the first one answers.
        if let rule = frontend.ruleResponses.first {
            log.status = rule.status
            if rule.alwaysCloses || request.bodyFraming != .none {
                clientKeepAlive = false
                let answer = rule.bytes(for: .close)
                countLocalResponse(answer)
                respondAndClose(answer)
            } else {
                let answer = rule.bytes(for: responseConnectionHeader())
                countLocalResponse(answer)
                respondLocally(answer)
            }
            return
        }
        guard let backend = defaultBackend else {
            log.terminate("P", "R")
            sendError(503, cause: "P", phase: "R")
            return
        }
        self.backend = backend
        retriesLeft = backend.config.retries
        if backend.config.mode == .tcp {
            sendError(503, cause: "P", phase: "R")
            return
        }
        state = .waitingServer
        acquireServer()
    }

    /// `connection:` header a local answer carries: `close` when the session
    /// ends after it, `keep-alive` for an HTTP/1.0 client keeping it open.
    private func responseConnectionHeader() -> HTTPResponseConnection {
        if !clientKeepAlive { return .close }
        return request.version.isPersistentByDefault ? .none : .keepAlive
    }

    /// Asks the backend for a server at the request's arrival time (read
    /// when its head completed).
    private func acquireServer() {
        guard let backend else { return }
        requestServer(from: backend, now: log.requestReady.map(RateClock.milliseconds) ?? RateClock.now)
    }

    /// Asks the load balancer with this request's hash key.
    func pickServer(_ lb: LoadBalancer, avoiding: LBServer?) -> LBServer? {
        switch lb.config.algorithm {
        case .source:
            guard let clientAddress else { return lb.pick(avoiding: avoiding) }
            return clientAddress.withAddressBytes { lb.pick(sourceAddress: $0, avoiding: avoiding) }
        case .uri, .urlParam:
            guard let bytes = requestBytes else { return lb.pick(avoiding: avoiding) }
            let range = request.uriRange
            return bytes.withUnsafeReadableBytes { p in
                lb.pick(uri: UnsafeRawBufferPointer(rebasing: p[range]), avoiding: avoiding)
            }
        case .header(let name, _):
            guard let bytes = requestBytes, let value = request.firstHeaderValue(named: name.utf8, in: bytes) else {
                return lb.pick(avoiding: avoiding)
            }
            return bytes.withUnsafeReadableBytes { p in
                lb.pick(headerValue: UnsafeRawBufferPointer(rebasing: p[value]), avoiding: avoiding)
            }
        default:
            return lb.pick(avoiding: avoiding)
        }
    }

    func slotGranted(_ server: Server) {
        guard state == .waitingServer else {
            server.backend.release(server)
            return
        }
        log.dequeuedAt = .now()
        useServer(server)
    }

    // MARK: Server connection

    func useServer(_ server: Server) {
        self.server = server
        loggedServer = server
        let reuse = server.backend.config.httpReuse
        if let owned = ownedIdle {
            ownedIdle = nil
            if owned.server === server, owned.entry.channel.isActive {
                reuseConnection(owned.entry)
                return
            }
            owned.entry.channel.close(promise: nil)
        }
        if reuse != .never && !(reuse == .safe && requestCount == 1),
           let entry = server.idlePool.take(on: eventLoop) {
            reuseConnection(entry)
            return
        }
        connect(to: server)
    }

    func connect(to server: Server) {
        state = .connecting
        connectAttemptStart = .now()
        log.connectStart = log.connectStart ?? connectAttemptStart
        timer.cancel()
        let handler = RelayHandler(side: .server, owner: self)
        serverHandler = handler
        ServerConnector.connect(
            to: server.destination(localPort: localAddress?.port), on: eventLoop,
            timeoutMs: server.backend.config.timeouts.connect, handler: handler
        ).whenComplete { [self] result in
            switch result {
            case .success(let channel):
                guard state == .connecting, self.server === server else {
                    channel.close(promise: nil)
                    return
                }
                attach(channel, reused: false)
            case .failure:
                connectFailed(server)
            }
        }
    }

    private func reuseConnection(_ entry: IdleConnectionPool.Entry) {
        entry.handler.adopt(by: self)
        serverHandler = entry.handler
        attach(entry.channel, reused: true)
    }

    private func attach(_ channel: Channel, reused: Bool) {
        log.connected = .now()
        serverChannel = channel
        serverReused = reused
        if let server, server.config.options.sendProxy || server.config.options.sendProxyV2, !reused {
            var header = channel.allocator.buffer(capacity: 64)
            ProxyProtocol.write(
                v2: server.config.options.sendProxyV2, source: clientAddress,
                destination: localAddress, into: &header)
            channel.write(header, promise: nil)
        }
        state = .forwarding
        sendRequestHead()
    }

    private func connectFailed(_ server: Server) {
        if isConnecting(to: server) { serverHandler = nil }
        connectionFailed(to: server)
    }

    func isConnecting(to server: Server) -> Bool {
        state == .connecting && self.server === server
    }

    func prepareRedispatch() {
        self.server = nil
        state = .waitingServer
    }

    func failServerConnection() {
        sendError(503, cause: "S", phase: "C")
    }

    private func sendRequestHead() {
        guard let serverChannel, let requestBytes, let backend else { return }
        var edits = HTTPHeadEdits()
        let upgrading = request.connection.contains(.upgrade) || request.method == .connect
        let serverMode = backend.config.options.httpConnectionMode == .keepAlive
            ? frontend.config.options.httpConnectionMode : backend.config.options.httpConnectionMode
        if let ff = backend.config.options.forwardFor ?? frontend.config.options.forwardFor,
           let ip = clientAddress?.ipAddress {
            if !(ff.ifNone && hasHeader(named: ff.header)) {
                edits.append(name: ff.header, value: ip)
            }
        }
        // The rewriter drops the client's close/keep-alive tokens; the
        // proxy states its own choice for the server connection (recorded:
        // an HTTP/1.0 chunked request gets none).
        if !upgrading {
            if serverMode != .keepAlive {
                edits.append(name: "connection", value: "close")
            } else if !request.version.isPersistentByDefault && !request.isChunked {
                edits.append(name: "connection", value: "keep-alive")
            }
        }
        serverOut.appendHead(request, from: requestBytes, edits: edits)
        log.requestSent = .now()
        responseParser = .response(to: request.method)
        responseStarted = false
        responseDone = false
        serverReusable = serverMode == .keepAlive
        serverInbound = nil
        forwardRequestBody()
        serverOut.send(on: serverChannel)
        serverChannel.flush()
        timer.arm(ms: backend.config.timeouts.server)
    }

    // MARK: Captures (`capture request|response header NAME len N`)

    /// The last occurrence of each declared request header, truncated to
    /// its length; response slots start empty (an error answer has none).
    private func captureRequestHeaders() {
        let specs = frontend.config.captureRequestHeaders
        let responseCaptures = frontend.config.captureResponseHeaders.count
        guard let requestBytes, !specs.isEmpty || responseCaptures > 0 else { return }
        log.capturedRequestHeaders = Self.captures(specs, request, requestBytes)
        log.capturedResponseHeaders = Array(repeating: nil, count: responseCaptures)
    }

    private func captureResponseHeaders(_ bytes: ByteBuffer) {
        let specs = frontend.config.captureResponseHeaders
        guard !specs.isEmpty else { return }
        log.capturedResponseHeaders = Self.captures(specs, response, bytes)
    }

    private static func captures(_ specs: [CapturedHeader], _ head: HTTPHead, _ bytes: ByteBuffer) -> [ByteBuffer?] {
        specs.map { spec in
            guard let value = head.lastHeaderValue(named: spec.name.utf8, in: bytes) else { return nil }
            return bytes.getSlice(at: bytes.readerIndex + value.lowerBound, length: min(spec.length, value.count))
        }
    }

    private func hasHeader(named name: String) -> Bool {
        guard let bytes = requestBytes else { return false }
        return request.firstHeaderValue(named: name.utf8, in: bytes) != nil
    }

    /// Sends the request body bytes that have arrived, as the framer delimits them.
    private func forwardRequestBody() {
        guard !requestDone else {
            if inbound.readableBytes > 0 { pauseClient(true) }  // pipelined: wait for our turn
            return
        }
        guard let serverChannel, state == .forwarding else {
            if inbound.readableBytes > 16384 { pauseClient(true) }
            return
        }
        guard inbound.readableBytes > 0 else { return }
        do {
            let counted = requestBody.loggedBytes
            try serverOut.appendBody(&requestBody, chunked: request.isChunked, from: &inbound, channel: serverChannel)
            serverOut.send(on: serverChannel)
            if !serverChannel.isWritable { pauseClient(true) }
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

    // MARK: Response

    private func processServer() {
        guard state == .forwarding, var input = serverInbound else { return }
        if responseDone {
            // Bytes after a complete response: the connection cannot be reused.
            serverReusable = false
            return
        }
        if !responseStarted {
            switch responseParser.parse(input) {
            case .needMore:
                return
            case .error:
                // An invalid response is blocked by the proxy: PH, as 2.6
                // (manual 8.5), not a server abort.
                log.terminate("P", "H")
                backend?.count { b in
                    b.responseErrors += 1
                    self.server?.responseErrors += 1
                }
                serverReusable = false
                sendError(502, cause: "P", phase: "H")
                return
            case .complete(let head):
                let headBytes = input.readSlice(length: head.length)!
                log.bytesFromServer &+= UInt64(head.loggedSize(in: headBytes))
                serverInbound = input
                if head.isInterim {
                    clientOut.appendHead(head, from: headBytes, edits: HTTPHeadEdits())
                    clientOut.send(on: client)
                    responseParser = .response(to: request.method)
                    processServer()
                    return
                }
                response = head
                captureResponseHeaders(headBytes)
                responseStarted = true
                log.responseHead = .now()
                log.status = head.status
                serverStatus = head.status
                sendResponseHead(head, headBytes)
                if state == .tunnel { return }
                input = serverInbound!
            }
        }
        do {
            let counted = responseBody.loggedBytes
            if input.readableBytes > 0 {
                try clientOut.appendBody(&responseBody, chunked: response.isChunked, from: &input, channel: client)
            }
            clientOut.send(on: client)
            if !client.isWritable { serverChannel?.setAutoRead(false) }
            log.bytesFromServer &+= responseBody.loggedBytes &- counted
            serverInbound = input
            if responseBody.isComplete {
                if input.readableBytes > 0 { serverReusable = false }
                responseDone = true
                finishIfDone()
            } else {
                touch()
            }
        } catch {
            log.terminate("S", "D")
            serverReusable = false
            abortBoth()
        }
    }

    private func sendResponseHead(_ head: HTTPHead, _ headBytes: ByteBuffer) {
        if head.status == 101 || (request.method == .connect && head.status / 100 == 2) {
            clientOut.appendHead(head, from: headBytes, edits: HTTPHeadEdits())
            clientOut.send(on: client)
            client.flush()
            state = .tunnel
            serverReusable = false
            let t = backend?.config.timeouts
            timer.arm(ms: t?.tunnel ?? minTimeout(timeouts.client, t?.server))
            if inbound.readableBytes > 0, let serverChannel {
                serverChannel.writeAndFlush(inbound, promise: nil)
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
        var edits = HTTPHeadEdits()
        if clientKeepAlive {
            if !head.version.isPersistentByDefault || !request.version.isPersistentByDefault {
                edits.append(name: "connection", value: "keep-alive")
            }
        } else if head.version.isPersistentByDefault {
            edits.append(name: "connection", value: "close")
        }
        // Written with the body bytes that came with it (processServer).
        clientOut.appendHead(head, from: headBytes, edits: edits)
    }

    // MARK: End of a transaction

    private func finishIfDone() {
        guard requestDone, responseDone, state == .forwarding else { return }
        client.flush()
        releaseServer(keep: serverReusable)
        endTransaction()
    }

    /// Gives the server slot back and parks or closes the connection.
    private func releaseServer(keep: Bool) {
        if let server {
            server.backend.release(server)
            if let channel = serverChannel {
                if keep && channel.isActive {
                    park(channel, on: server)
                } else {
                    serverHandler?.owner = nil
                    channel.close(promise: nil)
                }
            }
        }
        server = nil
        serverChannel = nil
        serverHandler = nil
    }

    private func park(_ channel: Channel, on server: Server) {
        guard let handler = serverHandler else {
            channel.close(promise: nil)
            return
        }
        let entry = IdleConnectionPool.Entry(channel: channel, handler: handler)
        if server.backend.config.httpReuse == .never {
            handler.park(on: server, inPool: false)
            ownedIdle = (server, entry)
            return
        }
        handler.park(on: server, inPool: true)
        if let evicted = server.idlePool.put(entry) {
            // Out of the pool already: nothing to remove when it closes.
            evicted.handler.park(on: server, inPool: false)
            evicted.channel.close(promise: nil)
        }
    }

    private func endTransaction() {
        emitLog()
        guard clientKeepAlive, !(clientInputClosed && inbound.readableBytes == 0) else {
            closeAfterFlush()
            return
        }
        log = StreamLogInfo()
        loggedServer = nil
        backend = nil
        state = .readingRequest
        requestParser.reset()
        requestBytes = nil
        timer.arm(ms: timeouts.httpKeepAlive ?? timeouts.httpRequest ?? timeouts.client)
        if inbound.readableBytes > 0 {
            parseRequest()
        }
        if state == .readingRequest { pauseClient(false) }
    }

    // MARK: Logging

    private func emitLog() {
        guard transactionPending else { return }
        transactionPending = false
        countTransaction()
        guard let plog = frontend.log, !log.unlogged else { return }
        var line: ByteBuffer?
        if let bytes = requestBytes, request.versionRange.upperBound > request.methodRange.lowerBound {
            line = bytes.getSlice(
                at: bytes.readerIndex + request.methodRange.lowerBound,
                length: request.versionRange.upperBound - request.methodRange.lowerBound)
        }
        let record = log.record(
            frontend: frontend, backend: backend, server: loggedServer,
            client: clientAddress, local: localAddress, requestLine: line, isHTTP: true)
        plog.log(record)
    }

    /// Adds the transaction that ends to the counters of the frontend, the
    /// backend and the server: one lock each, no allocation. As HAProxy, the
    /// frontend and backend count the response whoever sent it (the proxy's
    /// own errors too), the server only the responses it sent itself.
    private func countTransaction() {
        let status = log.status
        let bytesIn = log.bytesFromClient, bytesOut = log.bytesFromServer
        frontend.countTransaction(status: status, bytesIn: bytesIn, bytesOut: bytesOut)
        guard let backend else { return }
        let server = serverStatus > 0 ? loggedServer : nil
        let serverStatus = self.serverStatus
        self.serverStatus = 0
        backend.count { b in
            b.bytesIn &+= bytesIn
            b.bytesOut &+= bytesOut
            if status > 0 && b.config.mode == .http {
                b.responses.count(status: status)
                b.httpRequests += 1
            }
            if let server {
                server.responses.count(status: serverStatus)
                server.httpRequests += 1
                server.bytesIn &+= bytesIn
                server.bytesOut &+= bytesOut
            }
        }
    }

    // MARK: Local answers

    /// Answers a request without a server and goes on with the next one.
    private func respondLocally(_ bytes: ByteBuffer) {
        client.writeAndFlush(bytes, promise: nil)
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
    private func answerMonitor(_ monitor: MonitorResponse) {
        log.status = 200
        log.unlogged = true
        frontend.countIntercepted()
        let isHEAD = request.method == .head
        if request.bodyFraming != .none {
            clientKeepAlive = false
            respondAndClose(monitor.bytes(connection: .close, isHEAD: isHEAD))
        } else {
            respondLocally(monitor.bytes(connection: responseConnectionHeader(), isHEAD: isHEAD))
        }
    }

    /// Counts a response the proxy answers itself as 2.6 does, like one
    /// from a server (`HTTPHead.loggedSize(in:)` and its body). The early
    /// errors of an unreadable request (400, 408) count nothing, as there.
    private func countLocalResponse(_ bytes: ByteBuffer) {
        var parser = HTTPHeadParser.response(to: request.method)
        guard case .complete(let head) = parser.parse(bytes) else { return }
        let body = bytes.readableBytes - head.length
        log.bytesFromServer &+= UInt64(head.loggedSize(in: bytes) + max(body, 0))
    }

    private func respondAndClose(_ bytes: ByteBuffer) {
        state = .closing
        client.writeAndFlush(bytes).whenComplete { [self] _ in closeAll() }
    }

    /// Sends the proxy's own error for `status` and ends the session.
    private func sendError(_ status: Int, cause: Character, phase: Character) {
        log.status = status
        log.terminate(cause, phase)
        if let server {
            releaseServer(keep: false)
            _ = server
        } else if state == .waitingServer, let backend {
            backend.abandon(self)
        }
        if responseStarted {
            abortBoth()
            return
        }
        // Recorded: 2.6 sends these pages without `connection: close` (only
        // 400 and 408 carry it) and then closes.
        let page = backend?.errorPages[status] ?? frontend.errorPages[status]
            ?? HTTPErrorPages.page(for: status) ?? HTTPErrorPages.page(for: 503)!
        countLocalResponse(page)
        emitLog()
        respondAndClose(page)
    }

    private func closeAfterFlush() {
        state = .closing
        client.flush()
        // Closing discards unwritten bytes: close at once only when the
        // socket took everything, else once the last write completes.
        if let options = client.syncOptions, (try? options.getOption(.bufferedWritableBytes)) == 0 {
            closeAll()
            return
        }
        client.writeAndFlush(client.allocator.buffer(capacity: 0)).whenComplete { [self] _ in closeAll() }
    }

    /// The whole request body is here: forwarded, or still buffered while
    /// the server connection is being set up.
    private var requestBodyReceived: Bool {
        if requestDone { return true }
        var probe = requestBody
        return (try? probe.consume(inbound))?.isComplete ?? false
    }

    // MARK: Connection events

    func connectionInputClosed(_ side: ConnectionSide) {
        switch side {
        case .client:
            if state == .tunnel {
                serverChannel?.closeWhenFlushed(mode: .output)
                return
            }
            if state == .readingRequest && inbound.readableBytes == 0 {
                closeAll()
                return
            }
            let waiting = state == .forwarding || state == .waitingServer || state == .connecting
            if waiting && requestBodyReceived && !(backend?.config.options.abortOnClose ?? false) {
                // The client finished sending (shutdown after its request): it
                // still reads the response, then the session ends. The
                // response says nothing about it, as in 2.6.
                clientInputClosed = true
                return
            }
            log.terminate("C", state == .readingRequest ? "R" : "D")
            abortBoth()
        case .server:
            serverClosed()
        }
    }

    func connectionClosed(_ side: ConnectionSide, error: Error?) {
        switch side {
        case .client:
            if state != .closed && state != .closing {
                if !(state == .readingRequest && inbound.readableBytes == 0) {
                    log.terminate("C", state == .readingRequest ? "R" : "D")
                }
            }
            abortBoth()
        case .server:
            serverChannel = nil
            serverHandler = nil
            if state == .connecting { return }
            serverClosed()
        }
    }

    private func serverClosed() {
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
                   let server {
                    // An idle connection closed under us: send again on a new one.
                    serverChannel?.close(promise: nil)
                    serverChannel = nil
                    connect(to: server)
                    return
                }
                backend?.count { b in
                    b.responseErrors += 1
                    self.server?.responseErrors += 1
                }
                sendError(502, cause: "S", phase: "H")
                return
            }
            if !responseDone {
                log.terminate("S", "D")
                abortBoth()
            }
        default:
            return
        }
    }

    func connectionWritabilityChanged(_ side: ConnectionSide, writable: Bool) {
        switch side {
        case .client:
            serverChannel?.setAutoRead(writable)
        case .server:
            if writable && (state == .tunnel || !requestDone) { pauseClient(false) }
            if !writable { pauseClient(true) }
        }
    }

    private func pauseClient(_ pause: Bool) {
        guard clientReadPaused != pause else { return }
        clientReadPaused = pause
        client.setAutoRead(!pause)
    }

    // MARK: Timers

    private func touch() {
        guard state == .forwarding || state == .tunnel else { return }
        let ms: Int?
        if state == .tunnel {
            ms = backend?.config.timeouts.tunnel ?? minTimeout(timeouts.client, backend?.config.timeouts.server)
        } else if !responseStarted {
            ms = backend?.config.timeouts.server
        } else {
            ms = minTimeout(timeouts.client, backend?.config.timeouts.server)
        }
        guard let ms else { return }
        timer.arm(ms: ms)
    }



    func timedOut() {
        switch state {
        case .waitingProxyHeader:
            log.terminate("c", "R")
            closeAll()
        case .readingRequest:
            if inbound.readableBytes == 0 {
                closeAll()
                return
            }
            log.status = 408
            log.terminate("c", "R")
            let page = frontend.errorPages[408] ?? HTTPErrorPages.earlyPage(for: 408)
                ?? HTTPErrorPages.page(for: 408, connection: .close)!
            respondAndClose(page)
        case .waitingServer:
            sendError(503, cause: "s", phase: "Q")
        case .connecting:
            sendError(503, cause: "s", phase: "C")
        case .forwarding:
            if !responseStarted {
                serverReusable = false
                sendError(504, cause: "s", phase: "H")
            } else {
                log.terminate("s", "D")
                abortBoth()
            }
        case .tunnel:
            log.terminate("c", "D")
            abortBoth()
        case .closing, .closed:
            return
        }
    }

    // MARK: Teardown

    private func abortBoth() {
        guard state != .closed else { return }
        if server != nil { releaseServer(keep: false) } else if state == .waitingServer, let backend { backend.abandon(self) }
        closeAll()
    }

    private func closeAll() {
        guard state != .closed else { return }
        if server != nil { releaseServer(keep: false) } else if state == .waitingServer, let backend { backend.abandon(self) }
        state = .closed
        timer.cancel()
        emitLog()
        if let owned = ownedIdle {
            owned.entry.channel.close(promise: nil)
            ownedIdle = nil
        }
        client.close(promise: nil)
        frontend.streamEnded(self)
    }
}

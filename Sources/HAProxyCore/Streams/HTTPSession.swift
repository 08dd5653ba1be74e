import HAProxyConfig
import HAProxyHTTP
import HAProxyRules
import HAProxyObservability
import HAProxyIO
import HAProxyTLS
import NIOCore

/// The I/O side of a `mode http` client connection: it feeds the client's
/// and the server's events to an `HTTPStreamStateMachine` and performs the
/// actions it returns on the channels, the backend, the idle pools, the
/// timer and the log. All HTTP decisions live in the state machine.
final class HTTPSession: ConnectionOwner, ServerAttempt, TimeoutOwner, ActiveStream {
    let frontend: Frontend
    /// The listener that accepted the client; its count ends with the session.
    private let listener: ListenerView
    /// The client connection, which the session writes through.
    let client: StreamConnection
    let eventLoop: IOLoop
    private var machine: HTTPStreamStateMachine
    private var isPerforming = false
    /// The stream ended (`closeAll`): its storage goes to the next one on
    /// its loop once the actions being performed are done.
    private var ended = false
    /// That storage went.
    private var storageLeft = false
    /// Where it goes, and where this stream's came from.
    private let spares: StreamSpares
    /// The storage of the batch of actions being performed.
    private var performing: [HTTPStreamStateMachine.Action] = []

    /// The backend of the current transaction.
    private(set) var backend: Backend?
    private(set) var server: Server?
    /// The server connection, once attached (connected or reused).
    private var serverConnection: PooledConnection?
    /// The attached server connection was taken idle (pool or the
    /// session's own), not opened for this request.
    private var serverConnectionReused = false
    /// Bytes written to a side and not flushed yet: the end of a read
    /// flushes the other side only then.
    private var clientUnflushed = false
    private var serverUnflushed = false
    /// A connection kept for this session only (`http-reuse never`).
    private var ownedIdle: (server: Server, entry: IdleConnectionPool.Entry)?
    /// The server of the current transaction, kept for its log line.
    private var loggedServer: Server?
    /// Kept in the machine, which takes `retry-on`'s retries from it too.
    var retriesLeft: Int {
        get { machine.retriesLeft }
        set { machine.retriesLeft = newValue }
    }
    /// A service renders off the event loop: the client's input read
    /// meanwhile waits here (see `runService`).
    private var serviceInFlight = false
    private var heldClientInput: ByteBuffer?
    private var heldClientEnd = false
    private(set) var connectAttemptStart = NIODeadline.uptimeNanoseconds(0)
    private var timerSlot = StreamTimer.Slot()
    var timer: StreamTimer { timerSlot.timer(loop: eventLoop, owner: self) }
    deinit { timerSlot.cancel() }

    /// The machine's log, read and changed in place (not copied whole to
    /// read or set one of its fields).
    var log: StreamLogInfo {
        _read { yield machine.log }
        _modify { yield &machine.log }
    }

    /// - Parameter variables: the session's variables, with what the
    ///   `tcp-request connection` and `session` rules set.
    /// - Parameter tls: the client connection's TLS layer, on `ssl` binds.
    init(
        frontend: Frontend, client: StreamConnection, on eventLoop: IOLoop, socket: IOConnection,
        listener: ListenerView, variables: StreamVariables?, tls: TLSEngine? = nil
    ) {
        self.frontend = frontend
        self.client = client
        self.eventLoop = eventLoop
        // The storage a stream that ended on this loop left, if any: its
        // arrays and buffers, emptied.
        spares = StreamSpares.of(eventLoop)
        self.machine = HTTPStreamStateMachine(
            policy: frontend.httpPolicy, clientAddress: client.remoteAddress, localAddress: client.localAddress,
            allocator: ByteBufferAllocator(), runtime: frontend, variables: variables, storage: spares.takeMachine(),
            clock: eventLoop.clock)
        machine.clientTLS = tls
        self.listener = listener
        machine.listener = listener
        machine.clientConnection = socket
        machine.threadIndex = eventLoop.index
        if let actions = spares.takeActionList() {
            performing = actions
        } else {
            // As much room as the machine's own list has: the two swap.
            performing.reserveCapacity(8)
        }
        if let timer = spares.takeTimer() { timerSlot.adopt(timer, owner: self) }
    }

    func start(acceptProxy: Bool) {
        machine.start(acceptProxy: acceptProxy)
        perform()
    }

    // MARK: Performing actions

    /// Performs the state machine's actions in order. An action may bring
    /// an event (a write that changes writability, a connection taken from
    /// the pool): its actions run after the ones already taken.
    private func perform() {
        guard !isPerforming else { return }
        isPerforming = true
        // The machine's pending actions are taken in batches (those the
        // actions cause come in the next batch, in order), each moved out
        // of its slot rather than copied; the two arrays' storage is kept.
        // The emptied slots are popped: `removeAll(keepingCapacity:)`
        // destroyed them through the generic array code (about 50
        // instructions more for a request's six).
        var batch: [HTTPStreamStateMachine.Action] = []
        swap(&batch, &performing)
        while true {
            machine.takeActions(into: &batch)
            if batch.isEmpty { break }
            for index in batch.indices {
                var action = HTTPStreamStateMachine.Action.flushClient
                swap(&action, &batch[index])
                execute(action)
            }
            while batch.popLast() != nil {}
        }
        swap(&batch, &performing)
        isPerforming = false
        if ended && !storageLeft { leaveStorage() }
    }

    /// Gives the machine's storage and the action list's to the next
    /// stream on this loop, once this one has ended.
    private func leaveStorage() {
        storageLeft = true
        var actions: [HTTPStreamStateMachine.Action] = []
        swap(&actions, &performing)
        if !actions.isEmpty { actions.removeAll(keepingCapacity: true) }
        spares.put(machine.takeStorage(), actions)
        if let timer = timerSlot.take() { spares.putTimer(timer) }
    }

    private func execute(_ action: HTTPStreamStateMachine.Action) {
        switch action {
        case .writeClient(let bytes):
            client.write(bytes)
            clientUnflushed = true
        case .flushClient:
            // Every write to the client goes through `.writeClient`: with
            // nothing written since the last flush, a flush has no work
            // (a local answer asks twice: once sent, once done).
            guard clientUnflushed else { break }
            client.flush()
            clientUnflushed = false
        case .writeServer(let bytes):
            // Nothing goes out before the connection is attached.
            guard let serverConnection else { break }
            serverConnection.write(bytes)
            serverUnflushed = true
        case .flushServer:
            guard let serverConnection, serverUnflushed else { break }
            serverConnection.flush()
            serverUnflushed = false
        case .shutdownServerOutput: serverConnection?.closeWhenFlushed(outputOnly: true)
        case .readClient(let on): client.setReading(on)
        case .readServer(let on): serverConnection?.setReading(on)
        case .armTimer(let ms): timer.arm(ms: ms)
        case .countRequest(let at): frontend.countRequest(now: RateClock.milliseconds(at ?? eventLoop.now))
        case .countRequestError: frontend.countRequest(invalid: true, now: RateClock.milliseconds(eventLoop.now))
        case .countIntercepted: frontend.countIntercepted()
        case .countDenied(let backendIndex):
            frontend.countDenied()
            frontend.backend(at: backendIndex)?.count { $0.deniedRequests += 1 }
        case .countDeniedResponse:
            frontend.countDeniedResponse()
            let server = loggedServer
            (backend ?? frontend.backend(at: machine.backend?.index))?.count { b in
                b.deniedResponses += 1
                server?.deniedResponses += 1
            }
        case .acquireServer(let policy): acquireServer(policy)
        case .useServerConnection(let poolAllowed): useConnection(poolAllowed: poolAllowed)
        case .reconnect: reconnect()
        case .retryRequest: retryRequest()
        case .releaseServer(let keep): releaseServer(keep: keep)
        case .abandonQueue: backend?.abandon(self)
        case .countCompression(let bytesIn, let bytesOut):
            frontend.countCompression(in: bytesIn, out: bytesOut)
            frontend.processRates?.countCompression(
                in: bytesIn, out: bytesOut, now: RateClock.milliseconds(eventLoop.now))
            (backend ?? frontend.backend(at: machine.backend?.index))?.count {
                $0.compression.add(in: bytesIn, out: bytesOut)
            }
        case .countResponseError:
            let server = self.server
            backend?.count { b in
                b.responseErrors += 1
                server?.responseErrors += 1
            }
        case .countAbort(let byClient):
            let server = self.server
            backend?.count { b in b.countAbortLocked(byClient: byClient, server: server) }
        case .logTransaction(let record): logTransaction(record)
        case .closeAfterFlush: closeAfterFlush()
        case .close: closeAll()
        case .dropClient: client.silentDrop()
        case .runService(let call): runService(call)
        }
    }

    // MARK: Connection events

    func connectionRead(_ side: ConnectionSide, _ buffer: ByteBuffer) {
        if side == .client && serviceInFlight {
            var buffer = buffer
            if heldClientInput == nil { heldClientInput = buffer } else { heldClientInput!.writeBuffer(&buffer) }
            return
        }
        switch side {
        case .client: machine.clientRead(buffer)
        case .server: machine.serverRead(buffer)
        }
        perform()
    }

    func connectionReadComplete(_ side: ConnectionSide) {
        switch side {
        case .client:
            if serverUnflushed {
                serverUnflushed = false
                serverConnection?.flush()
            }
        case .server:
            if clientUnflushed {
                clientUnflushed = false
                client.flush()
            }
        }
    }

    func connectionInputClosed(_ side: ConnectionSide) {
        if side == .client && serviceInFlight {
            heldClientEnd = true
            return
        }
        switch side {
        case .client: machine.clientInputClosed()
        case .server: machine.serverInputClosed()
        }
        perform()
    }

    func connectionClosed(_ side: ConnectionSide, error: Error?) {
        switch side {
        case .client:
            machine.clientClosed()
        case .server:
            serverConnection = nil
            machine.serverConnectionClosed()
        }
        perform()
    }

    func connectionWritabilityChanged(_ side: ConnectionSide, writable: Bool) {
        switch side {
        case .client: machine.clientWritabilityChanged(writable)
        case .server: machine.serverWritabilityChanged(writable)
        }
        perform()
    }

    func timedOut() {
        machine.timeout()
        perform()
    }

    // MARK: Services

    /// Runs a service (the statistics page, the Prometheus exporter). A
    /// page or a scrape of many servers takes milliseconds to render, so
    /// it is built on `HTTPServices.renderQueue` while the event loop goes
    /// on serving other streams; this client's reads stop until the
    /// answer is sent. An admin POST changes servers: it runs here.
    private func runService(_ call: HTTPServiceCall) {
        let runtime = frontend.runtime
        guard call.method != .post else {
            machine.serviceAnswered(HTTPServices.respond(call, runtime: runtime))
            return
        }
        serviceInFlight = true
        client.setReading(false)
        let session = NIOLoopBound(self, eventLoop: eventLoop)
        HTTPServices.renderQueue.async {
            let response = HTTPServices.respond(call, runtime: runtime)
            session.eventLoop.execute { session.value.serviceAnswered(response) }
        }
    }

    private func serviceAnswered(_ response: HTTPServiceResponse) {
        serviceInFlight = false
        guard machine.state != .closed else { return }
        client.setReading(true)
        machine.serviceAnswered(response)
        perform()
        if let held = heldClientInput {
            heldClientInput = nil
            connectionRead(.client, held)
        }
        if heldClientEnd {
            heldClientEnd = false
            connectionInputClosed(.client)
        }
    }

    // MARK: Servers

    private func acquireServer(_ policy: HTTPBackendPolicy) {
        guard let backend = frontend.backend(at: policy.index) else { return }
        self.backend = backend
        retriesLeft = policy.retries
        // At the request's arrival time (read when its head completed).
        requestServer(from: backend, now: RateClock.milliseconds(log.requestReady ?? eventLoop.now))
    }

    /// `option prefer-last-server`: the server this session's own idle
    /// connection leads to (`http-reuse never`, or one the server's pool
    /// had no room for), while the load balancer could choose it and, with
    /// `max-keep-alive-queue N`, it has a free slot or fewer than N
    /// requests queued (0: never queue for it). Called under the backend's
    /// lock, as `pickServer`.
    private func preferredLastServer(in backend: Backend) -> Server? {
        guard backend.config.options.preferLastServer, let owned = ownedIdle, owned.server.backend === backend,
            owned.entry.connection.isActive, owned.server.isUsable
        else { return nil }
        let limit = backend.config.maxKeepAliveQueue
        guard limit < 0 || owned.server.lb.hasFreeSlot || owned.server.queue.count < limit else { return nil }
        return owned.server
    }

    /// Asks the load balancer with this request's hash key.
    func pickServer(_ lb: LoadBalancer, avoiding: LBServer?) -> LBServer? {
        // Persistence (cookie, use-server) names a server: taken when it is
        // up, draining or NOLB included, or down with `option persist` /
        // `force-persist`; a redispatch after a failure leaves it to the
        // load balancer.
        if avoiding == nil, let name = machine.persistence.cookieServer {
            machine.noteCookieServer(usable: backend?.server(named: name)?.acceptsPersistent ?? false)
        }
        if avoiding == nil, let name = machine.persistence.server, let server = backend?.server(named: name),
           server.acceptsPersistent || machine.persistence.forced {
            return server.lb
        }
        // `stick match` / `stick on`: the server the table remembers, when usable.
        if avoiding == nil, let backend, !backend.config.stickingRules.isEmpty,
           let target = machine.stuckServer(backend.config.stickingRules, usable: { backend.server($0)?.isUsable ?? false }),
           let server = backend.server(target) {
            return server.lb
        }
        if avoiding == nil, let backend, let last = preferredLastServer(in: backend) {
            return last.lb
        }
        switch lb.config.algorithm {
        case .source:
            guard let address = machine.clientAddress else { return lb.pick(avoiding: avoiding) }
            return address.withAddressBytes { lb.pick(sourceAddress: $0, avoiding: avoiding) }
        case .uri, .urlParam:
            guard let bytes = machine.requestBytes else { return lb.pick(avoiding: avoiding) }
            let range = machine.request.uriRange
            return bytes.withUnsafeReadableBytes { p in
                lb.pick(uri: UnsafeRawBufferPointer(rebasing: p[range]), avoiding: avoiding)
            }
        case .header(let name, _):
            machine.materializeRequest()
            guard let bytes = machine.requestBytes,
                  let value = machine.request.firstHeaderValue(named: name.utf8, in: bytes) else {
                return lb.pick(avoiding: avoiding)
            }
            return bytes.withUnsafeReadableBytes { p in
                lb.pick(headerValue: UnsafeRawBufferPointer(rebasing: p[value]), avoiding: avoiding)
            }
        default:
            return lb.pick(avoiding: avoiding)
        }
    }

    func slotGranted(_ server: Server, position: QueuePosition) {
        guard machine.state == .waitingServer else {
            server.backend.release(server)
            return
        }
        log.dequeuedAt = eventLoop.now
        (log.serverQueuePosition, log.backendQueuePosition) = (position.server, position.backend)
        useServer(server)
    }

    func useServer(_ server: Server) {
        self.server = server
        loggedServer = server
        if !server.backend.config.stickingRules.isEmpty {
            machine.storeSticking(server.backend.config.stickingRules, serverID: server.lb.id, serverName: server.name)
        }
        machine.serverSlotAcquired(serverName: server.name, serverID: server.lb.id)
        perform()
    }

    private func useConnection(poolAllowed: Bool) {
        guard let server else { return }
        if let owned = ownedIdle {
            ownedIdle = nil
            if owned.server === server, owned.entry.connection.isActive {
                reuseConnection(owned.entry)
                return
            }
            owned.entry.connection.close()
        }
        if poolAllowed, let entry = server.idlePool.take(on: eventLoop) {
            reuseConnection(entry)
            return
        }
        connect(to: server)
    }

    func connect(to server: Server) {
        connectAttemptStart = eventLoop.now
        machine.connectStarted()
        perform()
        let serverName = server.tls == nil ? nil : server.sni.flatMap { machine.evaluate($0)?.stringBytes }.map {
            String(decoding: $0, as: UTF8.self)
        }
        machine.serverTLS = DriverConnection.connect(
            for: self, to: server, address: server.destination(localPort: machine.localAddress?.port), on: eventLoop,
            timeoutMs: server.backend.config.timeouts.connect, serverName: serverName,
            preamble: { proxyHeader(for: server) })
    }

    func connected(_ connection: PooledConnection, to server: Server) {
        guard machine.state == .connecting, self.server === server else {
            // Too late: the stream went on without it.
            connection.owner = nil
            connection.close()
            return
        }
        attach(connection, reused: false)
    }

    private func reuseConnection(_ entry: IdleConnectionPool.Entry) {
        entry.connection.adopt(by: self)
        // Only a server with TLS has TLS connections.
        machine.serverTLS = server?.tls == nil ? nil : (entry.connection as? TLSDriverConnection)?.engine
        attach(entry.connection, reused: true)
    }

    /// The PROXY protocol header a server with `send-proxy` gets first.
    private func proxyHeader(for server: Server) -> ByteBuffer? {
        server.proxyHeader(source: machine.clientAddress, destination: machine.localAddress)
    }

    private func attach(_ connection: PooledConnection, reused: Bool) {
        serverConnection = connection
        serverConnectionReused = reused
        if !reused { connection.resetWhenClosed() }
        // With TLS, the header went in clear before the handshake.
        if let server, server.tls == nil, !reused, let header = proxyHeader(for: server) {
            connection.write(header)
        }
        machine.serverConnected(reused: reused)
        perform()
    }

    /// The reused connection closed before answering: the same request
    /// goes to a new connection.
    private func reconnect() {
        serverConnection?.owner = nil
        serverConnection?.close()
        serverConnection = nil
        if let server { connect(to: server) }
    }

    /// `retry-on`: the server's connection goes and the request is sent
    /// again, to the same server at once or, with `option redispatch`, to
    /// the one the load balancer picks. As 2.6 counts it: a retry of the
    /// server (`wretr`), and then the new attempt's own retry or
    /// redispatch.
    private func retryRequest() {
        guard let server else { return }
        let backend = server.backend
        serverConnection?.owner = nil
        serverConnection?.close()
        serverConnection = nil
        backend.countResponseRetry(on: server)
        if ConnectRetry.redispatches(retriesLeft: retriesLeft + 1, failed: server) {
            backend.release(server, endStream: false)
            log.redispatched = true
            // 2.6 logs the time until the last server was reached as time
            // in the queue (`%Tw`), and only that server's connect (`%Tc`).
            if log.queuedAt == nil { log.queuedAt = log.requestReady }
            log.connectStart = nil
            prepareRedispatch()
            requestServer(from: backend, avoiding: server, now: RateClock.milliseconds(eventLoop.now))
        } else {
            backend.countRetry(on: server)
            connect(to: server)
        }
    }

    func isConnecting(to server: Server) -> Bool {
        machine.state == .connecting && self.server === server
    }

    func prepareRedispatch() {
        server = nil
        machine.redispatching()
        perform()
    }

    func failServerConnection(timedOut: Bool) {
        machine.serverUnavailable(timedOut: timedOut)
        perform()
    }

    /// Gives the server slot back and parks or closes the connection.
    private func releaseServer(keep: Bool) {
        if let server {
            let counts = server.backend.release(server)
            if let connection = serverConnection {
                if keep && connection.isActive && server.sni == nil {
                    park(connection, on: server, counts: counts)
                } else {
                    connection.owner = nil
                    connection.close()
                }
            }
        }
        server = nil
        serverConnection = nil
    }

    /// - Parameter counts: the server's connections and their maximum,
    ///   as the release of this stream's slot left them.
    private func park(_ connection: PooledConnection, on server: Server, counts: (current: Int, maxSeen: Int)) {
        let entry = IdleConnectionPool.Entry(connection: connection, reused: serverConnectionReused)
        if server.backend.config.httpReuse == .never {
            connection.park(on: server, inPool: false)
            ownedIdle = (server, entry)
            return
        }
        // As 2.6, the server's pools keep no more idle connections than the
        // streams it had at once need besides those it has now; beyond,
        // the connection stays this session's own for its next request.
        let limit = counts.maxSeen - counts.current
        if limit <= 0 {
            connection.park(on: server, inPool: false)
            ownedIdle = (server, entry)
            return
        }
        connection.park(on: server, inPool: true)
        for evicted in server.idlePool.put(entry, on: eventLoop, need: limit) {
            // Out of the pool already: nothing to remove when it closes.
            evicted.connection.park(on: server, inPool: false)
            evicted.connection.close()
        }
    }

    // MARK: Logging

    private func logTransaction(_ transaction: HTTPStreamStateMachine.TransactionRecord) {
        countTransaction(transaction)
        defer {
            loggedServer = nil
            backend = nil
        }
        guard let plog = frontend.log, !transaction.log.unlogged else { return }
        var record = transaction.log.record(
            frontend: frontend, backend: backend ?? frontend.backend(at: transaction.backendIndex),
            server: loggedServer,
            client: machine.clientAddress, local: machine.localAddress, requestLine: transaction.requestLine,
            isHTTP: true, now: eventLoop.now)
        record.sampleContext = transaction.sampleContext
        if let tls = machine.clientTLS {
            record.frontendIsSSL = true
            record.sslVersion = tls.protocolVersion
            record.sslCipher = tls.cipherName
        }
        plog.log(record)
    }

    /// Adds the transaction that ends to the counters of the frontend, the
    /// backend and the server: one lock each, no allocation. As HAProxy, the
    /// frontend and backend count the response whoever sent it (the proxy's
    /// own errors too), the server only the responses it sent itself.
    /// Reads the record's log information in place (a copy of it retained
    /// and released every field).
    private func countTransaction(_ transaction: HTTPStreamStateMachine.TransactionRecord) {
        let status = transaction.log.status
        let bytesIn = transaction.log.bytesFromClient, bytesOut = transaction.log.bytesFromServer
        let serverStatus = transaction.serverStatus, backendIndex = transaction.backendIndex
        frontend.countTransaction(
            status: status, bytesIn: bytesIn, bytesOut: bytesOut, now: RateClock.milliseconds(eventLoop.now))
        // A request the backend's rules answered never asked it for a
        // server: it is one of its sessions all the same (2.6's stot).
        var answeredByRules = false
        var backend = self.backend
        if backend == nil, let assigned = frontend.backend(at: backendIndex) {
            backend = assigned
            answeredByRules = true
        }
        guard let backend else {
            // A `listen` section answering before any backend choice (its
            // stats page, a `return`, a `deny`) is its own backend: 2.6
            // counts the bytes there, and nothing else (recorded).
            if let own = frontend.backend(at: machine.policy.ownBackend?.index), own.name == frontend.name {
                own.count { b in
                    b.bytesIn &+= bytesIn
                    b.bytesOut &+= bytesOut
                }
            }
            return
        }
        let server = serverStatus > 0 ? loggedServer : nil
        backend.count { b in
            if answeredByRules { b.totalStreams += 1 }
            b.bytesIn &+= bytesIn
            b.bytesOut &+= bytesOut
            if status > 0 && b.config.mode == .http {
                b.responses.count(status: status)
                b.httpRequests += 1
            }
            if let connected = loggedServer,
               transaction.log.newServerConnections + transaction.log.reusedServerConnections > 0 {
                // Read in place: the record's log is not copied for it.
                transaction.withLog { b.countServerUseLocked(connected, $0, isHTTP: true, now: eventLoop.now) }
            }
            if let server {
                server.responses.count(status: serverStatus)
                server.httpRequests += 1
                server.bytesIn &+= bytesIn
                server.bytesOut &+= bytesOut
            }
        }
    }

    // MARK: Teardown

    private func closeAfterFlush() {
        // Closing discards unwritten bytes: close once the socket took them.
        client.whenFlushed { [self] in
            machine.flushedForClose()
            perform()
        }
    }

    var activeSlot = -1
    var currentRoute: (backend: String?, server: Server?) { (backend?.name, server) }

    /// `shutdown session(s)` and the page's "Kill Sessions": a stream with
    /// a server connection loses it, so that a request still waiting for
    /// its response gets 2.6's 502; any other stream is closed.
    func kill(serverDown: Bool) {
        if let serverConnection {
            if serverDown { machine.serverWentDown() }
            serverConnection.close()
        } else {
            client.close()
        }
    }

    private func closeAll() {
        timerSlot.cancel()
        if let owned = ownedIdle {
            owned.entry.connection.close()
            ownedIdle = nil
        }
        client.close()
        machine.endTracking()
        frontend.streamEnded(self, listener: listener)
        ended = true
    }
}

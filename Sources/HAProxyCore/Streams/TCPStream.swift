import HAProxyConfig
import HAProxyObservability
import HAProxyHTTP
import HAProxyRules
import HAProxyTables
import HAProxyIO
import HAProxyTLS
import NIOCore

/// A `mode tcp` stream: one client connection glued to one server
/// connection, bytes forwarded as the same buffers in both directions.
///
/// Back-pressure: a side stops reading while the other side's socket is not
/// writable. Half-close is propagated both ways, then the fin timeouts
/// bound the wait for the other direction (manual: `timeout client-fin`).
///
/// Before a server is chosen, the `tcp-request content` rules may hold the
/// client's bytes back (`inspecting`), then `use_backend` picks the backend
/// on them; `tcp-response content` rules hold the server's first bytes the
/// same way (TCPStream+Inspection.swift).
final class TCPStream: ConnectionOwner, ServerAttempt, TimeoutOwner, ActiveStream {
    enum State { case waitingProxyHeader, inspecting, waitingServer, connecting, established, closed }

    let frontend: Frontend
    let client: StreamConnection
    let eventLoop: IOLoop
    var backend: Backend?
    private(set) var server: Server?
    private(set) var serverChannel: StreamConnection?
    var state: State = .waitingServer
    /// Client bytes received before the server connection is up.
    var pending: ByteBuffer?
    private var proxyHeader: ByteBuffer?
    private(set) var clientInputClosed = false
    /// Client reads stopped because too much arrived before the server connection.
    private var pausedWhileConnecting = false
    /// The stream ended without a server and the client connection is
    /// half-closed: what the client already sent is read and dropped, then
    /// the connection closes (see `closeClientReadingPendingInput`).
    private var drainingClient = false
    private var serverInputClosed = false
    var retriesLeft = 0
    private(set) var connectAttemptStart = NIODeadline.uptimeNanoseconds(0)
    private var timerSlot = StreamTimer.Slot()
    var timer: StreamTimer { timerSlot.timer(loop: eventLoop, owner: self) }
    deinit { timerSlot.cancel() }
    private var inactivityMs: Int?
    var log: StreamLogInfo
    /// The stream's `unique-id-format` ID, made when first needed (the
    /// cell exists only under the format).
    lazy var uniqueID = UniqueIDCell()
    private var loggedServer: Server?
    private(set) var clientAddress: SocketAddress?
    private(set) var localAddress: SocketAddress?
    /// The session's variables (`sess.*` set by connection rules, `txn.*`).
    let variables: StreamVariables
    /// The listener that accepted the client (`so_name`, `dst_conn`).
    let listener: ListenerView
    /// The client's socket (`fc_src`, `fc_rtt`...).
    let socket: IOConnection
    /// `file:line` of the last `accept`, `reject` or `close` content rule
    /// that ran (`last_rule_file`, `last_rule_line`).
    var lastFinalRule: String?
    /// Content inspection in progress (request or response side).
    var inspection = ContentInspection()
    /// The TLS layers of the client connection (`ssl` bind) and of the
    /// server connection (`ssl` server).
    let clientTLS: TLSEngine?
    private(set) var serverTLS: TLSEngine?
    /// `option splice-*` for this stream's two directions, once connected
    /// on the I/O driver; whether each direction tried to splice already.
    private var splice = (request: false, response: false, auto: false)
    private var spliceTried = (request: false, response: false)

    init(
        frontend: Frontend, client: StreamConnection, on eventLoop: IOLoop, backend: Backend?,
        variables: StreamVariables, socket: IOConnection, listener: ListenerView, tls: TLSEngine? = nil
    ) {
        self.clientTLS = tls
        self.frontend = frontend
        self.client = client
        self.eventLoop = eventLoop
        self.log = StreamLogInfo(clock: eventLoop.clock)
        self.backend = backend
        self.clientAddress = client.remoteAddress
        self.localAddress = client.localAddress
        self.variables = variables
        self.listener = listener
        self.socket = socket
    }

    // MARK: Start

    func start(acceptProxy: Bool) {
        log.requestID = frontend.nextRequestID()
        if acceptProxy {
            state = .waitingProxyHeader
            timer.arm(ms: frontend.config.timeouts.client)
            return
        }
        startContentAnalysis()
    }

    func assignServer() {
        guard let backend else {
            log.terminate("P", "R")
            closeAll()
            return
        }
        state = .waitingServer
        retriesLeft = backend.config.retries
        requestServer(from: backend, now: RateClock.milliseconds(eventLoop.now))
    }

    func pickServer(_ lb: LoadBalancer, avoiding: LBServer?) -> LBServer? {
        // `stick match` / `stick on`: the server the table remembers, when usable.
        if avoiding == nil, let backend, !backend.config.stickingRules.isEmpty,
           let target = Sticking.matchedServer(
               backend.config.stickingRules, on: ruleContext(), usable: { backend.server($0)?.isUsable ?? false }),
           let server = backend.server(target) {
            return server.lb
        }
        guard case .source = lb.config.algorithm, let source = clientAddress else { return lb.pick(avoiding: avoiding) }
        return source.withAddressBytes { lb.pick(sourceAddress: $0, avoiding: avoiding) }
    }

    func useServer(_ server: Server) {
        storeSticking(server)
        connect(to: server)
    }

    /// `stick store-request` / `stick on`: the server used goes into the table.
    private func storeSticking(_ server: Server) {
        let rules = server.backend.config.stickingRules
        guard !rules.isEmpty else { return }
        Sticking.store(rules, serverID: server.lb.id, serverName: server.name, on: ruleContext())
    }

    func slotGranted(_ server: Server, position: QueuePosition) {
        guard state == .waitingServer else {
            server.backend.release(server)
            return
        }
        log.dequeuedAt = eventLoop.now
        (log.serverQueuePosition, log.backendQueuePosition) = (position.server, position.backend)
        storeSticking(server)
        connect(to: server)
    }

    // MARK: Server connection

    func connect(to server: Server) {
        self.server = server
        loggedServer = server
        state = .connecting
        connectAttemptStart = eventLoop.now
        log.connectStart = log.connectStart ?? connectAttemptStart
        let timeouts = server.backend.config.timeouts
        timerSlot.cancel()
        let port = (localAddress?.port)
        serverTLS = nil
        let serverName = server.tls == nil ? nil : server.sni.flatMap { $0.evaluate(ruleContext())?.stringBytes }.map {
            String(decoding: $0, as: UTF8.self)
        }
        serverTLS = DriverConnection.connect(
            for: self, to: server, address: server.destination(localPort: port), on: eventLoop,
            timeoutMs: timeouts.connect, serverName: serverName, preamble: { proxyHeader(for: server) })
    }

    func connected(_ channel: PooledConnection, to server: Server) {
        guard state == .connecting else {
            channel.owner = nil
            channel.close()
            return
        }
        log.connected = eventLoop.now
        log.newServerConnections += 1
        serverChannel = channel
        state = .established
        // With TLS, the header went in clear before the handshake.
        if server.tls == nil, let header = proxyHeader(for: server) {
            channel.write(header)
        }
        if let pending, pending.readableBytes > 0 {
            channel.write(pending)
        }
        pending = nil
        channel.flush()
        startResponseInspection()
        if clientInputClosed {
            channel.closeWhenFlushed(outputOnly: true)
        }
        if channel is DriverConnection, client is DriverConnection,
           frontend.runtime?.configuration.global.noSplice == false {
            let f = frontend.config.options, b = server.backend.config.options
            splice = (f.spliceRequest || b.spliceRequest, f.spliceResponse || b.spliceResponse,
                      f.spliceAuto || b.spliceAuto)
        }
        let t = server.backend.config.timeouts
        inactivityMs = t.tunnel ?? minTimeout(frontend.config.timeouts.client, t.server)
        timer.arm(ms: inactivityMs)
        if pausedWhileConnecting {
            pausedWhileConnecting = false
            client.setReading(true)
        }
    }

    /// The PROXY protocol header a server with `send-proxy` gets first.
    private func proxyHeader(for server: Server) -> ByteBuffer? {
        server.proxyHeader(source: clientAddress, destination: localAddress)
    }

    func isConnecting(to server: Server) -> Bool {
        state == .connecting && self.server === server
    }

    func prepareRedispatch() {
        server = nil
        state = .waitingServer
    }

    func failServerConnection(timedOut: Bool) {
        log.terminate(timedOut ? "s" : "S", "C")
        closeAll(drainingClient: true)
    }

    /// Lets the client's reads go on after the inspection held them.
    func resumeClientReads() {
        if pausedWhileConnecting {
            pausedWhileConnecting = false
            client.setReading(true)
        }
    }

    // MARK: Relay

    func connectionRead(_ side: ConnectionSide, _ buffer: ByteBuffer) {
        if state == .closed { return }
        switch side {
        case .client:
            log.bytesFromClient &+= UInt64(buffer.readableBytes)
            if state == .waitingProxyHeader {
                acceptProxyBytes(buffer)
                return
            }
            if let serverChannel, state == .established {
                serverChannel.write(buffer)
                if !serverChannel.isWritable { client.setReading(false) }
                if !spliceTried.request, splice.request || (splice.auto && buffer.readableBytes >= IOLoop.readSize) {
                    spliceTried.request = true
                    startSplicing(from: client, to: serverChannel)
                }
            } else {
                var buffer = buffer
                if pending == nil { pending = buffer } else { pending!.writeBuffer(&buffer) }
                if pending!.readableBytes >= 16384 {
                    pausedWhileConnecting = true
                    client.setReading(false)
                }
                if state == .inspecting {
                    inspectRequest()
                    return
                }
            }
        case .server:
            log.bytesFromServer &+= UInt64(buffer.readableBytes)
            if inspection.response {
                holdResponse(buffer)
                return
            }
            client.write(buffer)
            if !client.isWritable { serverChannel?.setReading(false) }
            if !spliceTried.response, let serverChannel,
               splice.response || (splice.auto && buffer.readableBytes >= IOLoop.readSize) {
                spliceTried.response = true
                startSplicing(from: serverChannel, to: client)
            }
        }
        touch()
    }

    /// What `from` reads goes to `to` with splice(2) from now on (the bytes
    /// already read go as buffers first).
    private func startSplicing(from: StreamConnection, to: StreamConnection) {
        guard let from = from as? DriverConnection, let to = to as? DriverConnection else { return }
        to.flush()
        _ = from.io.splice(to: to.io)
    }

    func connectionSpliced(_ side: ConnectionSide, bytes: Int) {
        switch side {
        case .client: log.bytesFromClient &+= UInt64(bytes)
        case .server: log.bytesFromServer &+= UInt64(bytes)
        }
        touch()
    }

    func connectionReadComplete(_ side: ConnectionSide) {
        if drainingClient {
            if side == .client { client.close() }
            return
        }
        switch side {
        case .client: serverChannel?.flush()
        case .server: client.flush()
        }
    }

    func connectionWritabilityChanged(_ side: ConnectionSide, writable: Bool) {
        // The side that became writable lets the other side read again.
        let other = side == .client ? serverChannel : client
        other?.setReading(writable)
    }

    func connectionInputClosed(_ side: ConnectionSide) {
        if drainingClient {
            if side == .client { client.close() }
            return
        }
        switch side {
        case .client:
            clientInputClosed = true
            if state == .waitingProxyHeader {
                log.terminate("C", "R")
                closeAll()
                return
            }
            if state == .inspecting {
                // The contents are final now: decide on them.
                inspectRequest()
                if state == .closed { return }
            }
            // Before the server is connected the shutdown is forwarded by `connected`.
            serverChannel?.closeWhenFlushed(outputOnly: true)
            inactivityMs = frontend.config.timeouts.clientFin ?? inactivityMs
        case .server:
            serverInputClosed = true
            if inspection.response {
                inspectResponse()
                if state == .closed { return }
            }
            client.closeWhenFlushed(outputOnly: true)
            inactivityMs = backend?.config.timeouts.serverFin ?? inactivityMs
        }
        if clientInputClosed && serverInputClosed {
            closeAll(graceful: true)
        } else {
            timer.arm(ms: inactivityMs)
        }
    }

    func connectionClosed(_ side: ConnectionSide, error: Error?) {
        switch side {
        case .client:
            // Without an error the connection ended normally (closed by
            // this stream, or once both directions were shut): like a
            // half-close, it is a normal end (`--` in 2.6); only a reset
            // or another error is the client's abort.
            if state != .closed, !clientInputClosed, error != nil {
                log.terminate("C", state == .established ? "D" : "C")
            }
        case .server:
            serverChannel = nil
            if state == .connecting { return }  // reported through `connectionFailed`
            if state != .closed, !serverInputClosed, error != nil {
                log.terminate("S", "D")
            }
        }
        // A normal end lets what is queued for the other side go out first.
        closeAll(graceful: error == nil)
    }

    /// Sends the client a FIN and closes once what it had already sent is
    /// read (dropped). A plain close with unread bytes in the socket makes
    /// the kernel answer with a reset: 2.6 closes a client that sent data
    /// before its stream found no server cleanly. Bytes that come later
    /// than a second after the FIN meet a closed socket.
    private func closeClientReadingPendingInput() {
        drainingClient = true
        let client = client
        client.closeWhenFlushed(outputOnly: true)
        client.setReading(true)
        eventLoop.scheduleTask(in: .seconds(1)) { client.close() }
    }

    // MARK: PROXY protocol

    private func acceptProxyBytes(_ buffer: ByteBuffer) {
        var buffer = buffer
        if proxyHeader == nil { proxyHeader = buffer } else { proxyHeader!.writeBuffer(&buffer) }
        switch ProxyProtocol.parse(&proxyHeader!) {
        case .needMore:
            return
        case .invalid:
            log.terminate("P", "R")
            closeAll()
        case .header(let source, let destination):
            // Both ends as the header gives them, as 2.6 takes them.
            if let source { clientAddress = source }
            if let destination { localAddress = destination }
            pending = proxyHeader!.readableBytes > 0 ? proxyHeader : nil
            proxyHeader = nil
            startContentAnalysis()
        }
    }

    // MARK: Timers and end

    private func touch() {
        guard let ms = inactivityMs else { return }
        timer.arm(ms: ms)
    }



    func timedOut() {
        switch state {
        case .waitingProxyHeader, .inspecting: log.terminate("c", "R")
        case .waitingServer: log.terminate("s", "Q")
        case .connecting: log.terminate("s", "C")
        case .established: log.terminate(clientInputClosed ? "s" : "c", "D")
        case .closed: return
        }
        closeAll()
    }

    /// Ends the stream. `graceful`: the other side still receives the bytes
    /// already queued for it (normal end); otherwise both close at once.
    /// `drainingClient`: no server took the stream, and the client is
    /// closed as 2.6 does, with a FIN after reading what it sent.
    /// `silently`: the client connection goes as `silent-drop` makes it go.
    func closeAll(graceful: Bool = false, drainingClient drain: Bool = false, silently: Bool = false) {
        guard state != .closed else { return }
        let wasWaiting = state == .waitingServer
        state = .closed
        timerSlot.cancel()
        inspection.cancel()
        if let server {
            server.backend.release(server)
            server.backend.count { b in
                if log.newServerConnections > 0 {
                    b.countServerUseLocked(server, log, isHTTP: false, now: eventLoop.now)
                }
                b.bytesIn &+= log.bytesFromClient
                b.bytesOut &+= log.bytesFromServer
                server.bytesIn &+= log.bytesFromClient
                server.bytesOut &+= log.bytesFromServer
                if let abort = log.transferAbort {
                    b.countAbortLocked(byClient: abort.byClient, server: server)
                    if abort.isResponseError {
                        b.responseErrors += 1
                        server.responseErrors += 1
                    }
                }
            }
        } else if wasWaiting, let backend {
            backend.abandon(self)
        }
        server = nil
        frontend.countTCPStream(
            bytesIn: log.bytesFromClient, bytesOut: log.bytesFromServer, now: RateClock.milliseconds(eventLoop.now))
        variables.trackedCounters?.count(.bytesInCount, log.bytesFromClient)
        variables.trackedCounters?.count(.bytesOutCount, log.bytesFromServer)
        // Logged once the server is released, as 2.6: its line counts this
        // stream out of the backend's and the server's connections.
        if let plog = frontend.log, !plog.logsAtAccept {
            var record = log.record(
                frontend: frontend, backend: backend, server: loggedServer,
                client: clientAddress, local: localAddress, requestLine: nil, isHTTP: false,
                now: eventLoop.now)
            // A stream the frontend's content rules rejected never had a backend.
            if inspection.rejectedByFrontend { record.backendName = frontend.name }
            if plog.usesSampleContext { record.sampleContext = ruleContext() }
            if frontend.httpPolicy.uniqueIDFormat != nil {
                // The ID a rule made, or one made now from what the log
                // knows (the server it had included).
                let context = ruleContext()
                context.serverName = loggedServer?.name
                record.uniqueID = context.uniqueID.map { String(decoding: $0, as: UTF8.self) }
            }
            if let tls = clientTLS {
                record.frontendIsSSL = true
                record.sslVersion = tls.protocolVersion
                record.sslCipher = tls.cipherName
            }
            plog.log(record)
        }
        if silently {
            serverChannel?.close()
            client.silentDrop()
        } else if graceful {
            serverChannel?.closeWhenFlushed(outputOnly: false)
            client.closeWhenFlushed(outputOnly: false)
        } else {
            serverChannel?.close()
            if drain, clientTLS == nil, !clientInputClosed {
                closeClientReadingPendingInput()
            } else {
                client.close()
            }
        }
        serverChannel = nil
        // The trackers let their entries go (`conn_cur`).
        variables.trackedCounters?.endSession()
        frontend.streamEnded(self, listener: listener)
    }

    // MARK: Active streams

    var activeSlot = -1
    var currentRoute: (backend: String?, server: Server?) { (backend?.name, server) }

    /// `shutdown session(s)`: the client connection closes, and the stream
    /// with it. A server gone down ends it at once, logged `D-` as 2.6
    /// logs it.
    func kill(serverDown: Bool) {
        guard serverDown else {
            client.close()
            return
        }
        log.terminate("D", "-")
        closeAll()
    }
}


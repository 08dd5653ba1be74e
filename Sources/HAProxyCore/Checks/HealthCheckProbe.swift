import HAProxyConfig
import HAProxyTLS
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs one health check against a server on an event loop: connect, then
/// (for `option httpchk`) send the request and judge the response, or (for
/// `option tcp-check`) play the ruleset, and complete with a
/// `HealthCheckResult` whose code and info texts are HAProxy's.
///
/// Create one probe per check, call `run()` once. Everything happens on
/// `eventLoop`; nothing blocks. `cancel()` closes the connection and fails
/// the future with `HealthCheckProbe.Cancelled`.
public final class HealthCheckProbe {
    public struct Cancelled: Error {}

    public let eventLoop: EventLoop
    public let target: SocketAddress
    let plan: HealthCheckPlan

    private var promise: EventLoopPromise<HealthCheckResult>?
    private var start = NIODeadline.now()
    private var deadline = NIODeadline.now()
    private var timer: Scheduled<Void>?
    private var channel: Channel?
    private var isConnecting = false
    private var hasConnected = false
    private var finished = false
    private var http: HTTPCheckExchange?
    /// `x-haproxy-server-state`'s value for this check (`send-state`).
    var serverState: String?
    private var script: TCPCheckScript?
    private var inbound: ByteBuffer
    /// Checks over TLS: a new handler for each connection.
    var makeTLS: (() -> TLSHandler?)?
    /// The local address to connect from (`source`), nil for any.
    var source: SocketAddress?

    public init(eventLoop: EventLoop, target: SocketAddress, plan: HealthCheckPlan) {
        self.eventLoop = eventLoop
        self.target = target
        self.plan = plan
        self.inbound = ByteBuffer()
    }

    /// Starts the check; the future completes on `eventLoop`.
    public func run() -> EventLoopFuture<HealthCheckResult> {
        let promise = eventLoop.makePromise(of: HealthCheckResult.self)
        self.promise = promise
        if eventLoop.inEventLoop {
            begin()
        } else {
            eventLoop.execute { self.begin() }
        }
        return promise.futureResult
    }

    /// Abandons the check (on any thread).
    public func cancel() {
        if eventLoop.inEventLoop {
            abort()
        } else {
            eventLoop.execute { self.abort() }
        }
    }

    private func abort() {
        guard !finished else { return }
        finished = true
        timer?.cancel()
        if let ch = channel {
            channel = nil
            HealthCheckProbe.closeWithReset(ch)
        }
        promise?.fail(Cancelled())
    }

    // MARK: - Sequence

    private func begin() {
        guard !finished else { return }
        start = .now()
        deadline = start + .milliseconds(Int64(plan.connectPhaseMs))
        armTimer()
        switch plan.kind {
        case .tcpConnect, .http, .agent:
            http = plan.http
            connect(port: nil)
        case .tcpCheck:
            script = plan.script
            drive()
        }
    }

    private func armTimer() {
        timer?.cancel()
        timer = eventLoop.scheduleTask(deadline: deadline) { [self] in self.timedOut() }
    }

    private func connect(port: Int?) {
        if let old = channel {
            channel = nil
            HealthCheckProbe.closeWithReset(old)
        }
        var address = target
        if let port { address.port = port }
        isConnecting = true
        inbound.clear()
        let remaining = max(deadline - .now(), .milliseconds(1))
        let tls = makeTLS?()
        var bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(remaining)
            .channelOption(.maxMessagesPerRead, value: 1)
            // As HAProxy does for checks: the handshake's last ACK waits for
            // the first data. A check that sends nothing aborts before it
            // goes out, so the server's kernel never queues the connection
            // for accept(); a hung server with a full queue still answers
            // SYNs and stays UP.
            // An agent is expected to speak first: its connection completes at once.
            .channelOption(.tcpOption(.init(rawValue: TCP_QUICKACK)), value: plan.kind == .agent ? 1 : 0)
            .channelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls { try channel.pipeline.syncOperations.addHandler(tls) }
                    try channel.pipeline.syncOperations.addHandler(HealthCheckProbeHandler(probe: self))
                }
            }
        if let source { bootstrap = bootstrap.bind(to: source) }
        bootstrap.connect(to: address).whenComplete { [self] result in
            switch result {
            case .success(let ch):
                guard let tls else {
                    self.connected(ch)
                    return
                }
                // Over TLS the check starts once the handshake is done.
                self.channel = ch
                tls.handshakeDone(on: ch.eventLoop).whenComplete { [self] handshake in
                    switch handshake {
                    case .success: self.connected(ch)
                    case .failure(let error): self.handshakeFailed(error)
                    }
                }
            case .failure(let error): self.connectFailed(error)
            }
        }
    }

    private func connected(_ ch: Channel) {
        guard !finished else {
            HealthCheckProbe.closeWithReset(ch)
            return
        }
        isConnecting = false
        channel = ch
        if !hasConnected {
            hasConnected = true
            if let check = plan.checkTimeoutMs {
                let after = NIODeadline.now() + .milliseconds(Int64(check))
                if after > deadline {
                    deadline = after
                    armTimer()
                }
            } else {
                deadline = start + .milliseconds(Int64(plan.interMs))
                armTimer()
            }
        }
        switch plan.kind {
        case .tcpConnect:
            finish(HealthCheckResult(code: makeTLS == nil ? .L4OK : .L6OK))
        case .http:
            let request = serverState.map { plan.http!.request(withState: $0) } ?? plan.http!.request
            var buffer = ch.allocator.buffer(capacity: request.count)
            buffer.writeBytes(request)
            ch.writeAndFlush(buffer, promise: nil)
        case .tcpCheck:
            script!.connected()
            drive()
        case .agent:
            guard !plan.agentSend.isEmpty else { return }
            var buffer = ch.allocator.buffer(capacity: plan.agentSend.count)
            buffer.writeBytes(plan.agentSend)
            ch.writeAndFlush(buffer, promise: nil)
        }
    }

    private func connectFailed(_ error: Error) {
        guard !finished else { return }
        isConnecting = false
        if HealthCheckProbe.isTimeout(error) {
            timedOut()
            return
        }
        let text = HealthCheckProbe.errorText(error)
        if let script {
            finish(HealthCheckResult(code: .L4CON, info: script.connectFailureInfo(errorText: text)))
        } else {
            finish(HealthCheckResult(code: .L4CON, info: text))
        }
    }

    /// The TLS handshake of a check failed (the connection is closed).
    private func handshakeFailed(_: Error) {
        guard !finished else { return }
        isConnecting = false
        // 2.6 words it so, without OpenSSL's reason.
        finish(HealthCheckResult(code: .L6RSP, info: "SSL handshake failure"))
    }

    /// Plays the tcp-check ruleset until it waits, connects or ends.
    private func drive() {
        while !finished {
            switch script!.next() {
            case .connect(let port):
                connect(port: port)
                return
            case .send(let bytes):
                guard let ch = channel else { return }
                var buffer = ch.allocator.buffer(capacity: bytes.count)
                buffer.writeBytes(bytes)
                ch.writeAndFlush(buffer, promise: nil)
            case .waitForData:
                return
            case .done(let result):
                finish(result)
                return
            }
        }
    }

    private func timedOut() {
        guard !finished else { return }
        if makeTLS != nil && channel != nil && !hasConnected {
            finish(HealthCheckResult(code: .L6TOUT))
        } else if isConnecting || !hasConnected {
            finish(HealthCheckResult(code: .L4TOUT, info: script?.connectFailureInfo(errorText: "")))
        } else {
            finish(HealthCheckResult(code: script?.reporting?.timeoutCode ?? .L7TOUT, info: script?.timeoutInfo()))
        }
    }

    private func finish(_ result: HealthCheckResult) {
        guard !finished else { return }
        finished = true
        timer?.cancel()
        timer = nil
        var result = result
        result.durationMs = Int((NIODeadline.now() - start).nanoseconds / 1_000_000)
        if let ch = channel {
            channel = nil
            HealthCheckProbe.closeWithReset(ch)
        }
        promise?.succeed(result)
    }

    /// Closes a check connection with a reset (SO_LINGER 0), as HAProxy
    /// does once a check is over: no FIN exchange and no TIME-WAIT socket
    /// left on the proxy host, however often checks run. Together with the
    /// held-back ACK (see `connect`), a plain TCP check never completes the
    /// handshake on the server's side.
    static func closeWithReset(_ ch: Channel) {
        if let socket = ch as? SocketOptionProvider {
            // On the channel's loop the option is set before the close below.
            _ = socket.setSoLinger(linger(l_onoff: 1, l_linger: 0))
        }
        ch.close(promise: nil)
    }

    // MARK: - From the handler

    func received(_ buffer: ByteBuffer, on ch: Channel) {
        guard !finished, ch === channel else { return }
        switch plan.kind {
        case .tcpConnect:
            return
        case .http:
            var buffer = buffer
            inbound.writeBuffer(&buffer)
            if let result = http!.evaluate(inbound, closed: false) { finish(result) }
        case .tcpCheck:
            script!.receivedBytes(buffer.readableBytesView)
            drive()
        case .agent:
            var buffer = buffer
            inbound.writeBuffer(&buffer)
            let bytes = inbound.readableBytesView
            guard let end = bytes.firstIndex(where: { $0 == UInt8(ascii: "\r") || $0 == UInt8(ascii: "\n") }) else { return }
            finish(HealthCheckProbe.agentResult(line: String(decoding: bytes[bytes.startIndex..<end], as: UTF8.self)))
        }
    }

    /// An agent's line: L7OK for `up`, L7STS code 0 for a down word, and
    /// L7OK without a status change (2.6's "CHECKED") otherwise.
    static func agentResult(line: String) -> HealthCheckResult {
        let reply = AgentReply(line: Substring(line))
        var result = HealthCheckResult(code: reply.result ?? .L7OK, info: reply.info)
        result.agentReply = reply
        return result
    }

    func closed(_ ch: Channel) {
        guard !finished, ch === channel else { return }
        switch plan.kind {
        case .tcpConnect:
            return
        case .http:
            finish(http!.evaluate(inbound, closed: true) ?? HealthCheckResult(code: .L7RSP))
        case .tcpCheck:
            script!.connectionClosed()
            drive()
        case .agent:
            // 2.6 reads the agent's line as step 2 of its checks, with or without agent-send.
            guard inbound.readableBytes > 0 else {
                finish(HealthCheckResult(code: .L7RSP, info: "TCPCHK got an empty response at step 2"))
                return
            }
            // 2.6 keeps the previous result and reports the line it could not use.
            var result = HealthCheckResult(code: .L7OK, info: "Ignoring incomplete line from agent")
            result.keepsPreviousCode = true
            finish(result)
        }
    }

    // MARK: - Errors

    static func isTimeout(_ error: Error) -> Bool {
        if let e = error as? ChannelError, case .connectTimeout = e { return true }
        if let e = error as? NIOConnectionError {
            return e.connectionErrors.contains { isTimeout($0.error) } || e.connectionErrors.isEmpty
        }
        if let e = error as? IOError { return e.errnoCode == ETIMEDOUT }
        return false
    }

    /// The system's text for a failed connection, e.g. `Connection refused`.
    static func errorText(_ error: Error) -> String {
        if let e = error as? IOError { return String(cString: strerror(e.errnoCode)) }
        if let e = error as? NIOConnectionError, let first = e.connectionErrors.first {
            return errorText(first.error)
        }
        return "\(error)"
    }
}

/// Passes a probe connection's bytes and close to its `HealthCheckProbe`.
final class HealthCheckProbeHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let probe: HealthCheckProbe

    init(probe: HealthCheckProbe) { self.probe = probe }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        probe.received(unwrapInboundIn(data), on: context.channel)
    }

    func channelInactive(context: ChannelHandlerContext) {
        probe.closed(context.channel)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }
}

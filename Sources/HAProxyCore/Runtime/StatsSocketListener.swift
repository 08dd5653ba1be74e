import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import HAProxyConfig
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A `stats socket` of the global section: the runtime API listener.
///
/// Bound with the frontends' listeners (plain socket, before daemonizing
/// and dropping privileges, with the UNIX socket's mode and owner), then
/// served on the event loops by `activate`. Each connection reads command
/// lines and answers them through `CLICommandProcessor` (manual 9.3).
final class StatsSocketListener {
    let config: StatsSocketConfig
    let fd: CInt
    /// Idle timeout of a connection (`stats timeout`, 10s by default).
    let timeoutMs: Int
    private var channel: Channel?
    /// With `expose-fd listeners`: accepts by hand (see `activateExposingFD`).
    private var acceptSource: DispatchSourceRead?

    /// Concurrent connections served (`maxconn` on the socket line, else
    /// `stats maxconn`, else 10); more wait in the backlog.
    let maxconn: Int
    private let lock = NIOLock()
    private var connections = 0
    private var acceptingPaused = false
    private var closed = false

    init(config: StatsSocketConfig, fd: CInt, timeoutMs: Int, maxconn: Int) {
        self.config = config
        self.fd = fd
        self.timeoutMs = timeoutMs
        self.maxconn = maxconn
    }

    /// Counts a new connection; at `maxconn` the accepts pause (returns
    /// true then). Each call is matched by one `release`.
    @discardableResult
    private func reserve() -> Bool {
        lock.withLock {
            connections += 1
            guard connections >= maxconn, !acceptingPaused, !closed else { return false }
            acceptingPaused = true
            setAcceptingLocked(false)
            return true
        }
    }

    /// A connection ended: the accepts resume below `maxconn`.
    private func release() {
        lock.withLock {
            connections -= 1
            guard connections < maxconn, acceptingPaused, !closed else { return }
            acceptingPaused = false
            setAcceptingLocked(true)
        }
    }

    /// Under `lock`, so a dispatch source is never resumed twice.
    private func setAcceptingLocked(_ on: Bool) {
        if let acceptSource {
            if on { acceptSource.resume() } else { acceptSource.suspend() }
        } else {
            channel?.setOption(.autoRead, value: on).whenFailure { _ in }
        }
    }

    /// Binds every `stats socket`; throws the first failure, worded as
    /// HAProxy's ALERT for the CLI's GLOBAL frontend.
    static func bindAll(_ global: GlobalConfig) throws -> [StatsSocketListener] {
        var listeners: [StatsSocketListener] = []
        for socket in global.statsSockets {
            var bind = BindConfig(address: socket.address, location: socket.location)
            bind.unixMode = socket.unixMode
            bind.unixUser = socket.unixUser
            bind.unixGroup = socket.unixGroup
            bind.maxconn = socket.maxconn
            do {
                let maxconn = socket.maxconn ?? global.statsMaxconn ?? 10
                let fd = try Listener.open(bind, backlog: maxconn, reusePort: !global.noReusePort)
                listeners.append(StatsSocketListener(
                    config: socket, fd: fd, timeoutMs: global.statsTimeoutMs ?? 10_000, maxconn: maxconn))
            } catch let error as SocketError {
                for listener in listeners { listener.close() }
                throw RuntimeError(
                    "Starting frontend GLOBAL: \(error.what) (\(error.reason)) [\(socket.address)]", location: socket.location)
            }
        }
        return listeners
    }

    /// Hands the bound socket to an event loop and starts serving commands.
    func activate(group: EventLoopGroup, processor: CLICommandProcessor) throws {
        if config.exposeFdListeners {
            activateExposingFD(group: group, processor: processor)
            return
        }
        let level = config.level
        let timeoutMs = self.timeoutMs
        channel = try ServerBootstrap(group: group)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelInitializer { [self] channel in
                reserve()
                channel.closeFuture.whenComplete { _ in self.release() }
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(CLILineDecoder()))
                    try channel.pipeline.syncOperations.addHandler(
                        CLIConnectionHandler(processor: processor, session: CLISession(level: level, timeoutMs: timeoutMs)))
                }
            }
            .withBoundSocket(fd).wait()
    }

    /// `expose-fd listeners`: `_getsocks` must write to the connection's
    /// socket itself (SCM_RIGHTS), which NIO does not expose. So this socket
    /// accepts on its own and hands each connection to NIO, keeping a
    /// duplicate of its descriptor for the session.
    private func activateExposingFD(group: EventLoopGroup, processor: CLICommandProcessor) {
        let level = config.level
        let timeoutMs = self.timeoutMs
        let listenFD = fd
        _ = fcntl(listenFD, F_SETFL, fcntl(listenFD, F_GETFL) | O_NONBLOCK)
        let source = DispatchSource.makeReadSource(
            fileDescriptor: listenFD, queue: DispatchQueue(label: "haproxy.stats-accept"))
        source.setEventHandler { [self] in
            while true {
                let connection = accept(listenFD, nil, nil)
                if connection < 0 {
                    if errno == EINTR || errno == ECONNABORTED { continue }
                    return
                }
                _ = fcntl(connection, F_SETFD, FD_CLOEXEC)
                let paused = reserve()
                let spare = fcntl(connection, F_DUPFD_CLOEXEC, 0)
                var session = CLISession(level: level, timeoutMs: timeoutMs)
                session.transferFD = spare >= 0 ? spare : nil
                ClientBootstrap(group: group)
                    .channelOption(.allowRemoteHalfClosure, value: true)
                    .channelInitializer { [self] channel in
                        channel.closeFuture.whenComplete { _ in self.release() }
                        return channel.eventLoop.makeCompletedFuture {
                            try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(CLILineDecoder()))
                            try channel.pipeline.syncOperations.addHandler(
                                CLIConnectionHandler(processor: processor, session: session,
                                                     ownedFD: session.transferFD))
                        }
                    }
                    .withConnectedSocket(connection)
                    .whenFailure { [self] _ in
                        if spare >= 0 { Glibc.close(spare) }
                        release()
                    }
                if paused { return }
            }
        }
        source.setCancelHandler { Glibc.close(listenFD) }
        lock.withLock { acceptSource = source }
        source.resume()
    }

    func close() {
        // After a reload the path may name the next worker's socket: leave it.
        var mine = stat(), current = stat()
        let owned = fstat(fd, &mine) == 0
        let source: DispatchSourceRead? = lock.withLock {
            closed = true
            defer { acceptSource = nil }
            // A suspended source runs its cancel handler only once resumed.
            if acceptingPaused { acceptSource?.resume() }
            return acceptSource
        }
        if let source {
            source.cancel()
        } else if let channel {
            channel.close(promise: nil)
        } else {
            Glibc.close(fd)
        }
        channel = nil
        if case .unix(let path) = config.address, owned,
           lstat(path, &current) == 0, current.st_ino == mine.st_ino, current.st_dev == mine.st_dev {
            unlink(path)
        }
    }
}

/// Splits the runtime API input into lines (LF, with an optional CR).
///
/// A line ending with `<<` starts a payload (management guide 9.3): the
/// lines after it, up to an empty line, travel with it as one input,
/// `command <<\npayload`, which `CLICommandProcessor` splits again.
final class CLILineDecoder: ByteToMessageDecoder {
    typealias InboundOut = String

    /// Longest line accepted, as HAProxy's CLI buffer (tune.bufsize).
    static let maxLineLength = 16384
    /// Longest command with its payload.
    static let maxPayloadLength = 1 << 20
    private var scanned = 0
    /// The command line and the payload lines read so far.
    private var payload: String?

    /// A complete line: a command, or a payload line.
    private func received(_ line: String, context: ChannelHandlerContext) {
        if var text = payload {
            if line.isEmpty {
                payload = nil
                context.fireChannelRead(wrapInboundOut(text))
            } else if text.utf8.count + line.utf8.count < Self.maxPayloadLength {
                text += line + "\n"
                payload = text
            }
        } else if CLICommandProcessor.startsPayload(line) {
            payload = line + "\n"
        } else {
            context.fireChannelRead(wrapInboundOut(line))
        }
    }

    func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        let view = buffer.readableBytesView
        guard let newline = view.dropFirst(scanned).firstIndex(of: UInt8(ascii: "\n")) else {
            scanned = view.count
            if scanned > Self.maxLineLength {
                // Too long to be a command: drop it, as the real one answers nothing useful.
                buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
                scanned = 0
            }
            return .needMoreData
        }
        let length = newline - view.startIndex
        var line = buffer.readSlice(length: length)!
        buffer.moveReaderIndex(forwardBy: 1)
        scanned = 0
        if line.readableBytes > 0, line.getInteger(at: line.writerIndex - 1, as: UInt8.self) == UInt8(ascii: "\r") {
            line.moveWriterIndex(to: line.writerIndex - 1)
        }
        received(line.readString(length: line.readableBytes) ?? "", context: context)
        return .continue
    }

    func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        // A last command without its newline still runs (e.g. `printf 'show info' | socat`).
        if buffer.readableBytes > 0 {
            var line = buffer.readSlice(length: buffer.readableBytes)!
            scanned = 0
            received(line.readString(length: line.readableBytes) ?? "", context: context)
        }
        // A payload cut short by the end of input never runs, as in 2.6.
        payload = nil
        return .needMoreData
    }
}

/// One runtime API connection: runs each command line off the event loop
/// (answers may take locks and visit every stream), writes the answer,
/// then closes unless the session is interactive (`prompt`).
final class CLIConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = String
    typealias OutboundOut = ByteBuffer

    private let processor: CLICommandProcessor
    /// Commands of one connection run in order on this queue, which owns `session`.
    private let queue = DispatchQueue(label: "haproxy.cli")
    private let session: SessionBox
    // Event-loop state.
    private var pending = 0
    private var closeWhenIdle = false
    private var closed = false
    private var timeoutMs: Int
    private var idleTimer: Scheduled<Void>?

    /// A descriptor the session uses besides NIO's (`transferFD`), closed
    /// once the connection's commands are done.
    private var ownedFD: CInt?

    init(processor: CLICommandProcessor, session: CLISession, ownedFD: CInt? = nil) {
        self.processor = processor
        self.ownedFD = ownedFD
        self.session = SessionBox(session)
        self.timeoutMs = session.timeoutMs
    }

    func channelActive(context: ChannelHandlerContext) {
        armTimer(context)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !closed, !closeWhenIdle else { return }
        let line = unwrapInboundIn(data)
        pending += 1
        idleTimer?.cancel()
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        let eventLoop = context.eventLoop
        queue.async { [processor, session = self.session] in
            var answer = processor.execute(line, session: &session.value)
            let session = session.value
            let interactive = session.interactive
            let close = session.wantsClose || !interactive
            if interactive && !session.wantsClose { answer += "> " }
            let timeout = session.timeoutMs
            eventLoop.execute {
                let (handler, context) = loopBound.value
                handler.answered(context, answer, close: close, timeoutMs: timeout)
            }
        }
    }

    /// The session, owned by the connection's queue.
    private final class SessionBox: @unchecked Sendable {
        var value: CLISession
        init(_ value: CLISession) { self.value = value }
    }

    private func answered(_ context: ChannelHandlerContext, _ answer: String, close: Bool, timeoutMs: Int) {
        pending -= 1
        self.timeoutMs = timeoutMs
        guard !closed else { return }
        if !answer.isEmpty {
            context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: answer)), promise: nil)
        }
        if close { closeWhenIdle = true }
        if closeWhenIdle {
            if pending == 0 { closeNow(context) }
        } else if pending == 0 {
            armTimer(context)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case ChannelEvent.inputClosed = event {
            // The client sent everything: answer what is pending, then close.
            closeWhenIdle = true
            if pending == 0 { closeNow(context) }
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        closed = true
        idleTimer?.cancel()
        if let fd = ownedFD {
            // After any command still running on the queue.
            ownedFD = nil
            queue.async { Glibc.close(fd) }
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        closeNow(context)
    }

    private func armTimer(_ context: ChannelHandlerContext) {
        idleTimer?.cancel()
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        idleTimer = context.eventLoop.scheduleTask(in: .milliseconds(Int64(timeoutMs))) {
            let (handler, context) = loopBound.value
            if handler.pending == 0 { handler.closeNow(context) }
        }
    }

    private func closeNow(_ context: ChannelHandlerContext) {
        guard !closed else { return }
        closed = true
        idleTimer?.cancel()
        context.close(promise: nil)
    }
}

import HAProxyIO
import HAProxyTLS
import NIOCore

/// A TLS connection of the I/O driver: a client's on an `ssl` bind, or
/// one to a server with `ssl`. A `TLSEngine` sits between the
/// `IOConnection` and the stream: what the socket reads is fed to the
/// engine and its plaintext goes to the stream; what the stream writes is
/// encrypted into records queued on the socket, sent at its flush.
///
/// As on the health checks' `TLSHandler` (NIO): writes made before the
/// handshake completes wait for it; a `close_notify` from the peer reads
/// as a half-close, and shutting or closing the connection sends one; a
/// failed handshake sends OpenSSL's alert, then closes with the error. A
/// connection to a server counts as up once its handshake completed (a
/// failed handshake is a connection error, retried, as in 2.6), and may
/// wait idle in the server's pool between streams.
final class TLSDriverConnection: DriverPooledConnection, IOConnectionOwner, TLSEngineTransport {
    let io: IOConnection
    let engine: TLSEngine
    let side: ConnectionSide
    /// Strong, as `DriverConnection.owner`: a client connection keeps its
    /// stream.
    var owner: ConnectionOwner?
    /// The server whose pool the connection waits in, while parked.
    var parking = DriverParking()
    /// Plaintext written before the handshake completed, and whether a
    /// flush was asked meanwhile.
    private var pendingWrites: [ByteBuffer] = []
    private var flushPending = false
    /// Who waits for what is queued (`whenFlushed`) while the handshake
    /// holds the writes back.
    private var waitingForHandshake: [() -> Void] = []
    /// The client's end of input was told to the stream (a close_notify,
    /// then the FIN, make one).
    private var inputClosedReported = false
    /// Cached by the `IOConnection` (accept(2) gives the peer's).
    var remoteAddress: SocketAddress? { io.remoteAddress }
    var localAddress: SocketAddress? { io.localAddress }

    init(_ io: IOConnection, engine: TLSEngine, side: ConnectionSide = .client, owner: ConnectionOwner? = nil) {
        self.io = io
        self.engine = engine
        self.side = side
        self.owner = owner
        // The driver holds the connection until it closes; the connection
        // holds the engine, whose transport it is.
        io.owner = self
        engine.transport = self
    }

    // MARK: StreamConnection

    var isWritable: Bool { io.isWritable }

    func write(_ bytes: ByteBuffer) {
        switch engine.state {
        case .handshaking:
            pendingWrites.append(bytes)
        case .established:
            guard bytes.readableBytes > 0, let ciphertext = engine.encrypt(bytes) else { return }
            io.write(ciphertext)
        case .closed:
            break
        }
    }

    func flush() {
        if engine.state == .handshaking {
            flushPending = true
        } else {
            io.flush()
        }
    }

    func setReading(_ on: Bool) { io.isReading = on }

    func closeWhenFlushed(outputOnly: Bool) {
        if engine.state == .handshaking, io.isActive {
            waitingForHandshake.append { [self] in closeWhenFlushed(outputOnly: outputOnly) }
        } else {
            // The close_notify goes after what is queued.
            engine.sendCloseNotify()
            if outputOnly {
                io.shutdownOutputWhenFlushed()
                return
            }
            io.closeWhenFlushed()
        }
        // A peer that never reads again must not hold the connection forever.
        if !outputOnly, io.isActive {
            _ = io.loop.schedule(at: io.loop.now + closingFlushGrace) { [io] in io.close() }
        }
    }

    func close() {
        engine.sendCloseNotify()
        io.close()
    }

    func reset() { io.reset() }
    /// No close_notify: the connection is to vanish.
    func silentDrop() { io.silentDrop() }

    /// `close()` sends the close_notify first (flushed to the socket), then
    /// resets, as 2.6 closes its TLS connections to servers.
    func resetWhenClosed() { io.resetsWhenClosed = true }

    func whenFlushed(_ done: @escaping () -> Void) {
        if engine.state == .handshaking, io.isActive {
            waitingForHandshake.append { [io] in io.whenFlushed(done) }
        } else {
            io.whenFlushed(done)
        }
    }

    var isActive: Bool { io.isActive }

    // MARK: The driver's events

    func ioRead(_ connection: IOConnection, _ bytes: ByteBuffer) {
        engine.receive(bytes)
    }

    func ioReadComplete(_ connection: IOConnection) {
        owner?.connectionReadComplete(side)
    }

    func ioInputClosed(_ connection: IOConnection) {
        if engine.state == .handshaking {
            engine.fail(.closedDuringHandshake)
            return
        }
        reportInputClosed()
    }

    func ioWritabilityChanged(_ connection: IOConnection, writable: Bool) {
        owner?.connectionWritabilityChanged(side, writable: writable)
    }

    func ioClosed(_ connection: IOConnection, error: SystemCallError?) {
        engine.connectionClosed()
        parking.leave(self, on: io.loop)
        if let (attempt, server) = connecting.end() {
            // Closed before its handshake completed: a failed connection.
            owner = nil
            pendingWrites = []
            waitingForHandshake = []
            engine.transport = nil
            attempt.connectionFailed(to: server, timedOut: connecting.timedOut)
            return
        }
        let waiting = waitingForHandshake
        waitingForHandshake = []
        pendingWrites = []
        for done in waiting { done() }
        let owner = self.owner
        self.owner = nil
        // A failed handshake or record is the connection's error.
        owner?.connectionClosed(side, error: engine.failure ?? error)
        engine.transport = nil
    }

    private func reportInputClosed() {
        guard !inputClosedReported else { return }
        inputClosedReported = true
        if let owner {
            owner.connectionInputClosed(side)
        } else if parking.server != nil {
            io.close()
        }
    }

    // MARK: The engine's output

    func tlsSend(_ ciphertext: ByteBuffer) { io.write(ciphertext) }

    func tlsFlush() { io.flush() }

    func tlsReceived(_ plaintext: ByteBuffer) {
        if let owner {
            owner.connectionRead(side, plaintext)
        } else if parking.server != nil {
            // A server talking while idle breaks the framing of the next request.
            io.close()
        }
    }

    func tlsHandshakeCompleted() {
        if let (attempt, server) = connecting.end() {
            // Up: the stream takes it from here and writes its request.
            attempt.connected(self, to: server)
        }
        let writes = pendingWrites
        pendingWrites = []
        for bytes in writes { write(bytes) }
        if flushPending || !writes.isEmpty {
            flushPending = false
            io.flush()
        }
        let waiting = waitingForHandshake
        waitingForHandshake = []
        for done in waiting { done() }
    }

    func tlsPeerFinished() { reportInputClosed() }

    func tlsFailed(_ error: TLSError) {
        pendingWrites = []
        // The alert was flushed; the stream hears of the error at the close.
        io.close()
    }

    // MARK: Connecting to a server

    /// The stream and server a connection being opened is for, until its
    /// handshake completed.
    var connecting = DriverConnectAttempt()

    /// Opens a TLS connection to `address` for `attempt`'s `server` on
    /// `loop`, `engine` its record layer: the attempt gets
    /// `connected(_:to:)` once the handshake completed, or
    /// `connectionFailed(to:timedOut:)` (`timedOut` when the TCP connection
    /// and the handshake took longer than `timeoutMs`: as in 2.6, `timeout
    /// connect` covers the handshake, so that a server that accepts but
    /// never answers it is retried, then given up with a 503 `sC`), and
    /// nothing else from a failed attempt.
    static func connect(
        for attempt: ServerAttempt & ConnectionOwner, to server: Server, address: SocketAddress, on loop: IOLoop,
        timeoutMs: Int?, engine: TLSEngine
    ) {
        guard let io = openSocket(for: attempt, to: server, address: address, on: loop) else { return }
        TLSDriverConnection(io, engine: engine, side: .server, owner: attempt)
            .startConnecting(for: attempt, to: server, timeoutMs: timeoutMs)
    }

    func ioConnected(_ connection: IOConnection, error: SystemCallError?) {
        // The connect timer runs on through the handshake. A failure is
        // reported when the connection closes, right after.
        guard error == nil, connecting.target != nil else { return }
        // The preamble (a PROXY header), then the ClientHello.
        engine.startHandshake()
    }
}

extension DriverConnection {
    /// Opens a connection of the driver to `server` for `attempt`: through
    /// a TLS record layer when the server has `ssl` (`serverName` its SNI,
    /// `preamble` what goes in clear before the ClientHello), plain
    /// otherwise. Returns the record layer, for `ssl_bc*`; nil without
    /// TLS, or when no engine could be made (the attempt then fails, told
    /// from the loop).
    static func connect(
        for attempt: ServerAttempt & ConnectionOwner, to server: Server, address: SocketAddress, on loop: IOLoop,
        timeoutMs: Int?, serverName: String?, preamble: () -> ByteBuffer?
    ) -> TLSEngine? {
        guard let context = server.tls else {
            connect(for: attempt, to: server, address: address, on: loop, timeoutMs: timeoutMs)
            return nil
        }
        guard let engine = context.makeEngine(serverName: serverName, preamble: preamble()) else {
            loop.post { attempt.connectionFailed(to: server, timedOut: false) }
            return nil
        }
        TLSDriverConnection.connect(
            for: attempt, to: server, address: address, on: loop, timeoutMs: timeoutMs, engine: engine)
        return engine
    }
}

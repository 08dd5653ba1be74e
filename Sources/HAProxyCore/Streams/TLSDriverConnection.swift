import HAProxyIO
import HAProxyTLS
import NIOCore

/// A client connection of the I/O driver on an `ssl` bind: a `TLSEngine`
/// between the `IOConnection` and the stream. What the socket reads is
/// fed to the engine and its plaintext goes to the stream; what the stream
/// writes is encrypted into records queued on the socket, sent at its
/// flush.
///
/// As on NIO's `TLSHandler`: writes made before the handshake completes
/// wait for it; a `close_notify` from the client reads as a half-close,
/// and shutting or closing the connection sends one; a failed handshake
/// sends OpenSSL's alert, then closes with the error.
final class TLSDriverConnection: StreamConnection, IOConnectionOwner, TLSEngineTransport {
    let io: IOConnection
    let engine: TLSEngine
    let side = ConnectionSide.client
    /// Strong: a client connection keeps its stream.
    var owner: ConnectionOwner?
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
    private(set) lazy var remoteAddress: SocketAddress? = io.remoteAddress
    private(set) lazy var localAddress: SocketAddress? = io.localAddress

    init(_ io: IOConnection, engine: TLSEngine) {
        self.io = io
        self.engine = engine
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
            _ = io.loop.schedule(at: .now() + closingFlushGrace) { [io] in io.close() }
        }
    }

    func close() {
        engine.sendCloseNotify()
        io.close()
    }

    func reset() { io.reset() }

    func whenFlushed(_ done: @escaping () -> Void) {
        if engine.state == .handshaking, io.isActive {
            waitingForHandshake.append { [io] in io.whenFlushed(done) }
        } else {
            io.whenFlushed(done)
        }
    }

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
        owner?.connectionInputClosed(side)
    }

    // MARK: The engine's output

    func tlsSend(_ ciphertext: ByteBuffer) { io.write(ciphertext) }

    func tlsFlush() { io.flush() }

    func tlsReceived(_ plaintext: ByteBuffer) {
        owner?.connectionRead(side, plaintext)
    }

    func tlsHandshakeCompleted() {
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
}

#if canImport(Glibc)
import Glibc
#endif
import HAProxyIO
import NIOCore

/// One side of a stream as the stream uses it: bytes out, reads on or off,
/// the end. Events come back through the stream's `ConnectionOwner` side.
/// Two kinds exist on the I/O driver (HAProxyIO): `DriverConnection` in
/// clear and `TLSDriverConnection`, so that a stream does not depend on
/// which of them it talks through.
protocol StreamConnection: AnyObject {
    var remoteAddress: SocketAddress? { get }
    var localAddress: SocketAddress? { get }
    /// Below the high water mark of queued bytes.
    var isWritable: Bool { get }
    /// Queues bytes, sent by `flush()`.
    func write(_ bytes: ByteBuffer)
    func flush()
    /// Starts or stops reading (back-pressure).
    func setReading(_ on: Bool)
    /// Sends what is queued, then a FIN (`outputOnly`) or closes.
    func closeWhenFlushed(outputOnly: Bool)
    /// Closes now, dropping what is queued.
    func close()
    /// Closes with a reset (a refused connection).
    func reset()
    /// Closes without the peer knowing (`silent-drop`).
    func silentDrop()
    /// Flushes, then calls `done` once every queued byte reached the
    /// socket (or the connection closed).
    func whenFlushed(_ done: @escaping () -> Void)
}

/// A server connection that can wait idle in a server's pool between
/// streams (`http-reuse`): while parked it has no owner, and any byte or
/// close from the server retires it.
protocol PooledConnection: StreamConnection {
    var owner: ConnectionOwner? { get set }
    var isActive: Bool { get }
    /// Parks the connection idle for reuse, detached from any stream.
    func park(on server: Server, inPool: Bool)
    /// Hands a parked connection to a new owner.
    func adopt(by owner: ConnectionOwner)
    /// Closes it from any thread (a pool emptied by the CLI or a check).
    func closeFromAnyThread()
    /// From now on `close()` resets it while the server has its side
    /// open, as 2.6 closes the connections of HTTP streams to servers:
    /// no TIME_WAIT keeps the proxy's source port.
    func resetWhenClosed()
}

extension StreamConnection {
    func writeAndFlush(_ bytes: ByteBuffer) {
        write(bytes)
        flush()
    }
}

/// Where a connection of the I/O driver waits between streams, when it
/// does: the server whose idle pool (or whose stream's hold) it is in.
struct DriverParking {
    var server: Server?
    /// In the server's idle pool (not only held by a stream's session).
    var inPool = false

    /// Leaves the place, taking the connection out of its pool.
    mutating func leave(_ connection: PooledConnection, on loop: IOLoop) {
        guard let server else { return }
        let wasInPool = inPool
        self = DriverParking()
        if wasInPool { server.idlePool.remove(connection, on: loop) }
    }
}

/// A connection of the I/O driver being opened to a server: for whom,
/// and its `timeout connect`.
struct DriverConnectAttempt {
    var target: (attempt: ServerAttempt, server: Server)?
    var timer: IOTimer?
    /// The timer fired (the connection was closed for it).
    var timedOut = false

    /// The attempt is over, up or failed: stops the timer and hands the
    /// target over (nil when there was none, or it was handed already).
    mutating func end() -> (attempt: ServerAttempt, server: Server)? {
        timer?.cancel()
        timer = nil
        defer { target = nil }
        return target
    }
}

/// What the I/O driver's plain and TLS connections share as pooled
/// connections: parking, adoption, closing from another thread, and
/// being opened to a server.
protocol DriverPooledConnection: PooledConnection {
    var io: IOConnection { get }
    var owner: ConnectionOwner? { get set }
    var parking: DriverParking { get set }
    var connecting: DriverConnectAttempt { get set }
}

extension DriverPooledConnection {
    /// A non-blocking socket connecting to `address`, or nil when none
    /// could be opened (the attempt is then told so from the loop).
    static func openSocket(
        for attempt: ServerAttempt, to server: Server, address: SocketAddress, on loop: IOLoop
    ) -> IOConnection? {
        do {
            return try IOConnection.connect(
                to: address, on: loop, owner: nil, keepAlive: server.backend.serverKeepAlive,
                smartConnect: server.backend.config.options.tcpSmartConnect, source: server.backend.sourceAddress)
        } catch {
            loop.post { attempt.connectionFailed(to: server, timedOut: false) }
            return nil
        }
    }

    /// Notes that this connection is opened for `attempt`'s `server`, and
    /// closes it (timed out) unless `connecting.end()` comes within
    /// `timeoutMs`.
    func startConnecting(for attempt: ServerAttempt, to server: Server, timeoutMs: Int?) {
        connecting.target = (attempt, server)
        guard let timeoutMs else { return }
        connecting.timer = io.loop.schedule(at: io.loop.now + .milliseconds(Int64(timeoutMs))) { [self] in
            connecting.timedOut = true
            io.close()
        }
    }

    func park(on server: Server, inPool: Bool) {
        owner = nil
        parking = DriverParking(server: server, inPool: inPool)
    }

    func adopt(by owner: ConnectionOwner) {
        parking = DriverParking()
        self.owner = owner
    }

    func closeFromAnyThread() {
        let io = self.io
        if io.loop.inEventLoop { io.close() } else { io.loop.post { io.close() } }
    }
}

/// A connection of the I/O driver serving one side of a stream: the
/// driver's events go to the stream as `ConnectionOwner` calls.
final class DriverConnection: DriverPooledConnection, IOConnectionOwner {
    let io: IOConnection
    let side: ConnectionSide
    /// Strong: a client connection keeps its stream.
    var owner: ConnectionOwner?
    /// The server whose pool the connection waits in, while parked.
    var parking = DriverParking()
    /// Cached by the `IOConnection` (accept(2) gives the peer's).
    var remoteAddress: SocketAddress? { io.remoteAddress }
    var localAddress: SocketAddress? { io.localAddress }

    init(_ io: IOConnection, side: ConnectionSide, owner: ConnectionOwner?) {
        self.io = io
        self.side = side
        self.owner = owner
        // The driver holds the connection until it closes.
        io.owner = self
    }

    var isWritable: Bool { io.isWritable }
    func write(_ bytes: ByteBuffer) { io.write(bytes) }
    func flush() { io.flush() }
    func setReading(_ on: Bool) { io.isReading = on }

    func closeWhenFlushed(outputOnly: Bool) {
        if outputOnly {
            io.shutdownOutputWhenFlushed()
            return
        }
        io.closeWhenFlushed()
        // A peer that never reads again must not hold the connection forever.
        if io.isActive {
            _ = io.loop.schedule(at: io.loop.now + closingFlushGrace) { [io] in io.close() }
        }
    }

    func close() { io.close() }
    func reset() { io.reset() }
    func silentDrop() { io.silentDrop() }
    func resetWhenClosed() { io.resetsWhenClosed = true }
    func whenFlushed(_ done: @escaping () -> Void) { io.whenFlushed(done) }
    var isActive: Bool { io.isActive }

    // MARK: The driver's events

    func ioRead(_ connection: IOConnection, _ bytes: ByteBuffer) {
        if let owner {
            owner.connectionRead(side, bytes)
        } else if parking.server != nil {
            // A server talking while idle breaks the framing of the next request.
            io.close()
        }
    }

    func ioReadComplete(_ connection: IOConnection) {
        owner?.connectionReadComplete(side)
    }

    func ioInputClosed(_ connection: IOConnection) {
        if let owner {
            owner.connectionInputClosed(side)
        } else if parking.server != nil {
            io.close()
        }
    }

    func ioSpliced(_ connection: IOConnection, bytes: Int) {
        owner?.connectionSpliced(side, bytes: bytes)
    }

    func ioWritabilityChanged(_ connection: IOConnection, writable: Bool) {
        owner?.connectionWritabilityChanged(side, writable: writable)
    }

    func ioClosed(_ connection: IOConnection, error: SystemCallError?) {
        parking.leave(self, on: io.loop)
        let owner = self.owner
        self.owner = nil
        owner?.connectionClosed(side, error: error)
    }

    // MARK: Connecting

    /// The stream and server a connection being opened is for.
    var connecting = DriverConnectAttempt()

    /// Opens a connection to `address` for `attempt`'s `server` on `loop`:
    /// the attempt gets `connected(_:to:)` once it is up, or
    /// `connectionFailed(to:timedOut:)` (`timedOut` after `timeoutMs`),
    /// and nothing else from a failed attempt.
    static func connect(
        for attempt: ServerAttempt & ConnectionOwner, to server: Server, address: SocketAddress, on loop: IOLoop,
        timeoutMs: Int?
    ) {
        guard let io = openSocket(for: attempt, to: server, address: address, on: loop) else { return }
        DriverConnection(io, side: .server, owner: attempt)
            .startConnecting(for: attempt, to: server, timeoutMs: timeoutMs)
    }

    func ioConnected(_ connection: IOConnection, error: SystemCallError?) {
        guard let (attempt, server) = connecting.end() else { return }
        if error == nil {
            attempt.connected(self, to: server)
        } else {
            owner = nil
            attempt.connectionFailed(to: server, timedOut: connecting.timedOut)
        }
    }
}


#if canImport(Glibc)
import Glibc
#endif
import HAProxyTLS
import NIOCore
import NIOPosix

/// What a connection reports to the stream that owns it. Both sides of a
/// stream use the same shape so the relay logic is symmetric.
protocol ConnectionOwner: AnyObject {
    func connectionRead(_ side: ConnectionSide, _ buffer: ByteBuffer)
    func connectionReadComplete(_ side: ConnectionSide)
    /// The peer shut its sending side (half-close).
    func connectionInputClosed(_ side: ConnectionSide)
    func connectionWritabilityChanged(_ side: ConnectionSide, writable: Bool)
    func connectionClosed(_ side: ConnectionSide, error: Error?)
    /// Bytes went from `side` to the other side with splice(2), without
    /// passing through the process (`option splice-*`).
    func connectionSpliced(_ side: ConnectionSide, bytes: Int)
}

extension ConnectionOwner {
    func connectionSpliced(_ side: ConnectionSide, bytes: Int) {}
}

enum ConnectionSide { case client, server }

/// The single handler of a proxied connection's pipeline: it hands every
/// event to its owner (a stream, or an idle pool while parked).
///
/// One handler per pipeline keeps NIO's per-event cost low (DESIGN.md).
///
/// Inbound only: outbound events (writes, flushes, reads) skip it, and the
/// stream writes through `write(_:)` / `flush()` from this handler's place
/// in the pipeline instead of from the pipeline's tail, one hop less per
/// operation. After a TLS handler, the relay and the record layer talk
/// directly (`attach(to:)`): plaintext comes in and goes out by a call.
final class RelayHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let side: ConnectionSide
    /// Strong on the client side (the stream lives as long as its client
    /// connection), weak enough on the server side through `detach()`.
    var owner: ConnectionOwner?
    /// Set while the connection waits idle for reuse (no owner): any byte
    /// or close from the server then retires it.
    var parkedIn: Server?
    /// Whether the parked connection sits in the server's shared pool.
    var parkedInPool = false
    private var lastError: Error?
    /// The channel of a parked connection, which another thread may close
    /// (`context` is read on the loop only).
    private var parkedChannel: Channel?
    /// This handler's place in its pipeline, from `handlerAdded` to
    /// `handlerRemoved` (the pipeline's teardown breaks the cycle).
    private var context: ChannelHandlerContext?
    /// The connection's TLS layer, just before this handler in the
    /// pipeline, which the relay writes through; until `handlerRemoved`.
    private(set) var tls: TLSHandler?

    init(side: ConnectionSide, owner: ConnectionOwner?) {
        self.side = side
        self.owner = owner
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    /// Sits after `tls` (the handler just before it in the pipeline): the
    /// two hand plaintext to each other directly from then on.
    func attach(to tls: TLSHandler) {
        self.tls = tls
        tls.reader = self
    }

    /// Queues `bytes` on the connection (dropped once it is closed).
    @inline(__always)
    func write(_ bytes: ByteBuffer) {
        if let tls {
            tls.write(plaintext: bytes)
        } else {
            context?.write(wrapOutboundOut(bytes), promise: nil)
        }
    }

    @inline(__always)
    func flush() {
        if let tls {
            tls.flushPlaintext()
        } else {
            context?.flush()
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        received(unwrapInboundIn(data), context: context)
    }

    private func received(_ bytes: ByteBuffer, context: ChannelHandlerContext) {
        if let owner {
            owner.connectionRead(side, bytes)
        } else if parkedIn != nil {
            // A server talking while idle breaks the framing of the next request.
            context.close(promise: nil)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        owner?.connectionReadComplete(side)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed {
            if let owner {
                owner.connectionInputClosed(side)
            } else if parkedIn != nil {
                context.close(promise: nil)
            }
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        owner?.connectionWritabilityChanged(side, writable: context.channel.isWritable)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        lastError = error
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        let owner = self.owner
        self.owner = nil
        if let server = parkedIn {
            parkedIn = nil
            if parkedInPool { server.idlePool.remove(self, on: context.eventLoop) }
        }
        owner?.connectionClosed(side, error: lastError)
    }

    /// The pipeline is torn down. A client connection that never became
    /// active gets no `channelInactive`: with several event loops, NIO
    /// closes an accepted connection unregistered when its listener closed
    /// (soft stop) between the stream's start on the connection's loop and
    /// the hand-over on the listener's. Its stream must end all the same.
    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        tls = nil
        guard side == .client, owner != nil else { return }
        channelInactive(context: context)
    }

    /// Parks the connection idle for reuse, detached from any stream.
    func park(on server: Server, inPool: Bool) {
        owner = nil
        parkedIn = server
        parkedInPool = inPool
        parkedChannel = context?.channel
    }

    /// Hands a parked connection to a new owner.
    func adopt(by owner: ConnectionOwner) {
        parkedIn = nil
        parkedInPool = false
        parkedChannel = nil
        self.owner = owner
    }

    func closeFromAnyThread() {
        // A channel's close may be called from any thread.
        parkedChannel?.close(promise: nil)
    }
}

extension RelayHandler: PooledConnection {
    var isActive: Bool { context?.channel.isActive ?? false }

    func whenFlushed(_ done: @escaping () -> Void) {
        guard let channel = context?.channel else {
            done()
            return
        }
        channel.flush()
        channel.whenFlushed(done)
    }

    var remoteAddress: SocketAddress? { context?.channel.remoteAddress }
    var localAddress: SocketAddress? { context?.channel.localAddress }
    var isWritable: Bool { context?.channel.isWritable ?? false }
    func setReading(_ on: Bool) { context?.channel.setAutoRead(on) }

    func closeWhenFlushed(outputOnly: Bool) {
        context?.channel.closeWhenFlushed(mode: outputOnly ? .output : .all)
    }

    func close() { context?.channel.close(promise: nil) }

    func reset() {
        guard let channel = context?.channel else { return }
        if let provider = channel as? SocketOptionProvider {
            provider.setSoLinger(linger(l_onoff: 1, l_linger: 0)).whenComplete { _ in channel.close(promise: nil) }
        } else {
            channel.close(promise: nil)
        }
    }
}

extension RelayHandler: TLSPlaintextReader {
    func tlsRead(_ plaintext: ByteBuffer) {
        guard let context else { return }
        received(plaintext, context: context)
    }

    func tlsReadComplete() {
        owner?.connectionReadComplete(side)
    }
}

extension Channel {
    /// Starts or stops reading (back-pressure), synchronously: callers run
    /// on the channel's event loop, and the future-returning `setOption`
    /// costs an allocation and generic instantiations per call.
    func setAutoRead(_ on: Bool) {
        if let options = syncOptions {
            try? options.setOption(.autoRead, value: on)
        } else {
            setOption(.autoRead, value: on).whenFailure { _ in }
        }
    }
}

extension Channel {
    /// Closes once every byte already written has reached the socket.
    ///
    /// NIO drops unwritten bytes on a full close, and turns an output
    /// shutdown into a full close when the peer already shut its side: a
    /// relay that forwards a FIN or ends a stream normally goes through here
    /// so that nothing queued under back-pressure is lost.
    func closeWhenFlushed(mode: CloseMode = .all) {
        var closed = false
        whenFlushed {
            closed = true
            self.close(mode: mode, promise: nil)
        }
        // A peer that never reads again must not hold the connection forever.
        if !closed { eventLoop.scheduleTask(in: closingFlushGrace) { self.close(promise: nil) } }
    }

    /// Calls `done` once every byte already written reached the socket: at
    /// once when none waits, else when the last write completes (or fails).
    func whenFlushed(_ done: @escaping () -> Void) {
        if let options = syncOptions, (try? options.getOption(.bufferedWritableBytes)) == 0 {
            done()
            return
        }
        writeAndFlush(allocator.buffer(capacity: 0)).whenComplete { _ in done() }
    }
}

/// How long a closing connection may take to drain what is queued, on NIO
/// or on the driver.
let closingFlushGrace = TimeAmount.seconds(30)

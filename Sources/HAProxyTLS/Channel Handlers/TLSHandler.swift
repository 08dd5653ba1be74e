import HAProxyRules
import NIOCore

/// Tells the handlers after it that the TLS handshake completed.
public struct TLSHandshakeCompleted: Sendable {}

/// The TLS record layer of one NIO connection, first in its pipeline: a
/// `TLSEngine` between the socket and the handler after it. It reads
/// ciphertext from the channel and hands plaintext on, and encrypts what
/// that handler writes.
///
/// Writes made before the handshake completes (a request sent to a
/// server as soon as it is connected) wait and go out after it. A
/// `close_notify` from the peer reads as an input close (half-close), and
/// closing the output sends one.
public final class TLSHandler: ChannelDuplexHandler, TLSEngineTransport {
    public typealias InboundIn = ByteBuffer
    public typealias InboundOut = ByteBuffer
    public typealias OutboundIn = ByteBuffer
    public typealias OutboundOut = ByteBuffer

    /// The record layer.
    public let engine: TLSEngine
    private var pendingWrites: [(ByteBuffer, EventLoopPromise<Void>?)] = []
    private var flushPending = false
    /// Completed when the handshake ends, either way (see `handshakeDone`).
    private var handshakePromise: EventLoopPromise<Void>?
    /// This handler's place in its pipeline, from `handlerAdded` to
    /// `handlerRemoved` (the pipeline's teardown breaks the cycle).
    private var context: ChannelHandlerContext?

    /// Fails only when memory is short; the SSL is then the caller's.
    /// The NIO transport of `engine` (made by a context's `makeEngine`).
    init(engine: TLSEngine) {
        self.engine = engine
        engine.transport = self
    }

    private var isClient: Bool { engine.isClient }

    // MARK: Inbound

    public func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        engine.allocator = context.channel.allocator
        if isClient && context.channel.isActive { engine.startHandshake() }
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    public func channelActive(context: ChannelHandlerContext) {
        if isClient { engine.startHandshake() }
        context.fireChannelActive()
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        engine.receive(unwrapInboundIn(data))
    }

    public func channelReadComplete(context: ChannelHandlerContext) {
        context.fireChannelReadComplete()
    }

    public func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let e = event as? ChannelEvent, e == .inputClosed, engine.state == .handshaking {
            engine.fail(TLSError.closedDuringHandshake)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    public func channelInactive(context: ChannelHandlerContext) {
        if engine.connectionClosed() { failHandshake(engine.failure ?? TLSError.closedDuringHandshake) }
        failPendingWrites(ChannelError.ioOnClosedChannel)
        context.fireChannelInactive()
    }

    // MARK: The engine's output

    public func tlsSend(_ ciphertext: ByteBuffer) {
        context?.write(wrapOutboundOut(ciphertext), promise: nil)
    }

    public func tlsFlush() {
        context?.flush()
    }

    public func tlsReceived(_ plaintext: ByteBuffer) {
        context?.fireChannelRead(wrapInboundOut(plaintext))
    }

    public func tlsHandshakeCompleted() {
        handshakePromise?.succeed(())
        handshakePromise = nil
        guard let context else { return }
        context.fireUserInboundEventTriggered(TLSHandshakeCompleted())
        let writes = pendingWrites
        pendingWrites = []
        for (buffer, promise) in writes { encrypt(buffer, context: context, promise: promise) }
        if flushPending || !writes.isEmpty {
            flushPending = false
            context.flush()
        }
    }

    public func tlsPeerFinished() {
        context?.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
    }

    public func tlsFailed(_ error: TLSError) {
        failHandshake(error)
        failPendingWrites(error)
        guard let context else { return }
        context.fireErrorCaught(error)
        context.close(promise: nil)
    }

    // MARK: Outbound

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        send(unwrapOutboundIn(data), context: context, promise: promise)
    }

    private func send(_ buffer: ByteBuffer, context: ChannelHandlerContext, promise: EventLoopPromise<Void>?) {
        switch engine.state {
        case .handshaking:
            pendingWrites.append((buffer, promise))
        case .established:
            encrypt(buffer, context: context, promise: promise)
        case .closed:
            promise?.fail(ChannelError.ioOnClosedChannel)
        }
    }

    private func encrypt(_ buffer: ByteBuffer, context: ChannelHandlerContext, promise: EventLoopPromise<Void>?) {
        guard buffer.readableBytes > 0 else {
            // An empty write (a caller waiting for what is queued) stays one.
            context.write(wrapOutboundOut(buffer), promise: promise)
            return
        }
        if let ciphertext = engine.encrypt(buffer) {
            context.write(wrapOutboundOut(ciphertext), promise: promise)
        } else {
            promise?.fail(engine.failure ?? TLSError.protocolError(nil))
        }
    }

    public func flush(context: ChannelHandlerContext) {
        if engine.state == .handshaking {
            flushPending = true
            return
        }
        context.flush()
    }

    public func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        if mode != .input { engine.sendCloseNotify() }
        if mode == .all {
            if engine.connectionClosed() { failHandshake(engine.failure ?? TLSError.closedDuringHandshake) }
            failPendingWrites(ChannelError.ioOnClosedChannel)
        }
        context.close(mode: mode, promise: promise)
    }

    /// Succeeds once the handshake completed, fails if it did not: a
    /// server connection counts as established only then, so that a failed
    /// handshake is a connection error (retried, then 503), as in 2.6.
    /// Those waiting are told before the connection closes.
    public func handshakeDone(on loop: EventLoop) -> EventLoopFuture<Void> {
        switch engine.state {
        case .established: return loop.makeSucceededVoidFuture()
        case .closed: return loop.makeFailedFuture(engine.failure ?? TLSError.closedDuringHandshake)
        case .handshaking:
            let promise = handshakePromise ?? loop.makePromise()
            handshakePromise = promise
            return promise.futureResult
        }
    }

    private func failHandshake(_ error: Error) {
        let promise = handshakePromise
        handshakePromise = nil
        promise?.fail(error)
    }

    private func failPendingWrites(_ error: Error) {
        let writes = pendingWrites
        pendingWrites = []
        for (_, promise) in writes { promise?.fail(error) }
    }
}

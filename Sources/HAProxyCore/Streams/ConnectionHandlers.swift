import NIOCore

/// What a connection reports to the stream that owns it. Both sides of a
/// stream use the same shape so the relay logic is symmetric.
protocol ConnectionOwner: AnyObject {
    func connectionRead(_ side: ConnectionSide, _ buffer: ByteBuffer)
    func connectionReadComplete(_ side: ConnectionSide)
    /// The peer shut its sending side (half-close).
    func connectionInputClosed(_ side: ConnectionSide)
    func connectionWritabilityChanged(_ side: ConnectionSide, writable: Bool)
    func connectionClosed(_ side: ConnectionSide, error: Error?)
}

enum ConnectionSide { case client, server }

/// The single handler of a proxied connection's pipeline: it hands every
/// event to its owner (a stream, or an idle pool while parked).
///
/// One handler per pipeline keeps NIO's per-event cost low (DESIGN.md).
final class RelayHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let side: ConnectionSide
    /// Strong on the client side (the stream lives as long as its client
    /// connection), weak enough on the server side through `detach()`.
    var owner: ConnectionOwner?
    private var lastError: Error?

    init(side: ConnectionSide, owner: ConnectionOwner?) {
        self.side = side
        self.owner = owner
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        owner?.connectionRead(side, unwrapInboundIn(data))
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        owner?.connectionReadComplete(side)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed {
            owner?.connectionInputClosed(side)
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
        owner?.connectionClosed(side, error: lastError)
    }
}

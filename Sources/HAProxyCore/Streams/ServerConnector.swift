import HAProxyTLS
import NIOCore
import NIOPosix

/// Opens connections to servers on a given event loop with the options a
/// proxied connection needs, and a single `RelayHandler` in the pipeline
/// (after a `TLSHandler` for a server with `ssl`).
enum ServerConnector {
    static func connect(
        to address: SocketAddress,
        on loop: EventLoop,
        timeoutMs: Int?,
        handler: RelayHandler,
        source: SocketAddress? = nil,
        tls: TLSHandler? = nil
    ) -> EventLoopFuture<Channel> {
        var bootstrap = ClientBootstrap(group: loop)
            .channelInitializer { channel in
                do {
                    // Set synchronously: cheaper than the bootstrap's option
                    // futures. TCP_NODELAY is a ClientBootstrap default.
                    if let options = channel.syncOptions {
                        try options.setOption(.allowRemoteHalfClosure, value: true)
                        try options.setOption(.maxMessagesPerRead, value: 1)
                    }
                    if let tls { try channel.pipeline.syncOperations.addHandler(tls) }
                    try channel.pipeline.syncOperations.addHandler(handler)
                    if let tls { handler.attach(to: tls) }
                    return channel.eventLoop.makeSucceededVoidFuture()
                } catch {
                    return channel.eventLoop.makeFailedFuture(error)
                }
            }
        if let timeoutMs {
            bootstrap = bootstrap.connectTimeout(.milliseconds(Int64(timeoutMs)))
        }
        if let source {
            bootstrap = bootstrap.bind(to: source)
        }
        let connected = bootstrap.connect(to: address)
        guard let tls else { return connected }
        // With TLS the connection is up once the handshake is: a failed one
        // is a connection error, the stream no longer owning the channel.
        return connected.flatMap { channel in
            tls.handshakeDone(on: channel.eventLoop).map { channel }.flatMapErrorThrowing { error in
                handler.owner = nil
                channel.close(promise: nil)
                throw error
            }
        }
    }
}

extension Error {
    /// The connection attempt ran out of `timeout connect` (the log's `sC`,
    /// not `SC`).
    var isConnectTimeout: Bool {
        if case .connectTimeout? = self as? ChannelError { return true }
        return false
    }
}

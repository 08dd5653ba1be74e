import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// Loopback servers for the health check tests.
final class HealthCheckTestServer {
    enum Behaviour {
        /// Answer these bytes after the first read (or at once if `greet`), then close.
        case answer([UInt8], greet: Bool)
        /// Accept and never answer.
        case silent
    }

    let channel: Channel
    private let requests: NIOLockedValueBox<[[UInt8]]>
    private let connections: NIOLockedValueBox<Int>
    var port: Int { channel.localAddress!.port! }
    var address: SocketAddress { channel.localAddress! }
    var received: [[UInt8]] { requests.withLockedValue { $0 } }
    /// Connections accepted so far: one per check that sends data (a
    /// plain connect check is reset before the server's kernel queues it).
    var accepted: Int { connections.withLockedValue { $0 } }

    init(group: EventLoopGroup, behaviour: Behaviour) throws {
        let requests = NIOLockedValueBox<[[UInt8]]>([])
        self.requests = requests
        let connections = NIOLockedValueBox(0)
        self.connections = connections
        channel = try ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { ch in
                ch.eventLoop.makeCompletedFuture {
                    try ch.pipeline.syncOperations.addHandler(Handler(behaviour: behaviour, requests: requests, connections: connections))
                }
            }
            .bind(host: "127.0.0.1", port: 0).wait()
    }

    convenience init(group: EventLoopGroup, answer: String, greet: Bool = false) throws {
        try self.init(group: group, behaviour: .answer(Array(answer.utf8), greet: greet))
    }

    func close() { try? channel.close().wait() }

    /// A loopback port where nothing listens.
    static func closedPort(group: EventLoopGroup) throws -> SocketAddress {
        let s = try HealthCheckTestServer(group: group, behaviour: .silent)
        let address = s.address
        s.close()
        return address
    }

    private final class Handler: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let behaviour: Behaviour
        let requests: NIOLockedValueBox<[[UInt8]]>
        let connections: NIOLockedValueBox<Int>
        var answered = false

        init(behaviour: Behaviour, requests: NIOLockedValueBox<[[UInt8]]>, connections: NIOLockedValueBox<Int>) {
            self.behaviour = behaviour
            self.requests = requests
            self.connections = connections
        }

        func channelActive(context: ChannelHandlerContext) {
            connections.withLockedValue { $0 += 1 }
            if case .answer(_, greet: true) = behaviour { answer(context) }
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let bytes = Array(unwrapInboundIn(data).readableBytesView)
            requests.withLockedValue { $0.append(bytes) }
            answer(context)
        }

        func answer(_ context: ChannelHandlerContext) {
            guard case .answer(let bytes, _) = behaviour, !answered else { return }
            answered = true
            var buffer = context.channel.allocator.buffer(capacity: bytes.count)
            buffer.writeBytes(bytes)
            context.writeAndFlush(wrapOutboundOut(buffer)).whenComplete { _ in context.close(promise: nil) }
        }
    }
}

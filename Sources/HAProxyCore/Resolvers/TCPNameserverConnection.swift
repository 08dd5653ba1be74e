import NIOCore
import NIOPosix

/// A `tcp@` nameserver: one connection, opened when a query needs it and
/// closed once every query written on it has its answer (a nameserver
/// such as dnsmasq answers a connection from the data it had when the
/// connection opened), each message framed by its two-byte length
/// (RFC 1035 4.2.2, RFC 7766). Queries written while it connects wait for
/// the connection; a query lost with a connection is sent again by the
/// resolution's retry.
///
/// Used on its section's event loop only.
final class TCPNameserverConnection {
    let address: SocketAddress
    let eventLoop: EventLoop
    /// Hands each answer's bytes to the section.
    let onAnswer: ([UInt8]) -> Void
    private var channel: Channel?
    private var connecting = false
    private var pending: [[UInt8]] = []
    /// Queries written on the connection and not answered yet.
    private var outstanding = 0

    init(address: SocketAddress, eventLoop: EventLoop, onAnswer: @escaping ([UInt8]) -> Void) {
        self.address = address
        self.eventLoop = eventLoop
        self.onAnswer = onAnswer
    }

    /// Sends a query; the result says whether it was written (or queued
    /// behind a connection being opened).
    func send(_ query: [UInt8], completion: @escaping (Bool) -> Void) {
        guard query.count <= 65_535 else { return completion(false) }
        if let channel, channel.isActive {
            write(query, on: channel, completion: completion)
            return
        }
        pending.append(query)
        completion(true)
        connect()
    }

    func close() {
        pending.removeAll()
        channel?.close(promise: nil)
        channel = nil
    }

    private func answered(_ bytes: [UInt8], on channel: Channel) {
        outstanding = max(0, outstanding - 1)
        onAnswer(bytes)
        if outstanding == 0, pending.isEmpty, self.channel === channel {
            self.channel = nil
            channel.close(promise: nil)
        }
    }

    private func write(_ query: [UInt8], on channel: Channel, completion: @escaping (Bool) -> Void) {
        outstanding += 1
        var buffer = channel.allocator.buffer(capacity: query.count + 2)
        buffer.writeInteger(UInt16(query.count))
        buffer.writeBytes(query)
        let promise = eventLoop.makePromise(of: Void.self)
        promise.futureResult.whenComplete { result in
            if case .success = result { completion(true) } else { completion(false) }
        }
        channel.writeAndFlush(buffer, promise: promise)
    }

    private func connect() {
        guard !connecting else { return }
        connecting = true
        ClientBootstrap(group: eventLoop)
            .connectTimeout(.seconds(2))
            .channelInitializer { [weak self] channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(LengthPrefixedAnswerDecoder()))
                    try channel.pipeline.syncOperations.addHandler(AnswerHandler { self?.answered($0, on: channel) })
                }
            }
            .connect(to: address)
            .whenComplete { [weak self] result in
                guard let self else { return }
                self.connecting = false
                switch result {
                case .success(let channel):
                    self.channel = channel
                    self.outstanding = 0
                    channel.closeFuture.whenComplete { [weak self] _ in
                        if self?.channel === channel { self?.channel = nil }
                    }
                    let queued = self.pending
                    self.pending.removeAll()
                    for query in queued { self.write(query, on: channel) { _ in } }
                case .failure:
                    self.pending.removeAll()
                }
            }
    }
}

/// Cuts the stream into answers by their two-byte length.
private struct LengthPrefixedAnswerDecoder: ByteToMessageDecoder {
    typealias InboundOut = [UInt8]

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt16.self),
            buffer.readableBytes >= 2 + Int(length)
        else { return .needMoreData }
        buffer.moveReaderIndex(forwardBy: 2)
        let bytes = buffer.readBytes(length: Int(length)) ?? []
        context.fireChannelRead(wrapInboundOut(bytes))
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        try decode(context: context, buffer: &buffer)
    }
}

/// Hands framed answers on.
private final class AnswerHandler: ChannelInboundHandler {
    typealias InboundIn = [UInt8]
    let deliver: ([UInt8]) -> Void

    init(_ deliver: @escaping ([UInt8]) -> Void) { self.deliver = deliver }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        deliver(unwrapInboundIn(data))
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }
}

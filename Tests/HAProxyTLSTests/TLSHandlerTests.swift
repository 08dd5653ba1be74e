import Foundation
import HAProxyConfig
import NIOCore
import NIOEmbedded
import XCTest

@testable import HAProxyTLS

/// The record layer between two embedded channels: a client and a server
/// handler exchanging ciphertext, split as the test likes.
final class TLSHandlerTests: XCTestCase {
    private static var certificates: TLSUnitCertificates!

    override class func setUp() {
        super.setUp()
        certificates = TLSUnitCertificates()
    }

    override class func tearDown() {
        certificates.remove()
        super.tearDown()
    }

    /// Plaintext collected after the TLS handler, and the events it saw.
    final class Sink: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        var received = ""
        var inputClosed = false
        var handshakes = 0
        var errors: [Error] = []
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            received += String(buffer: unwrapInboundIn(data))
        }
        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            if let e = event as? ChannelEvent, e == .inputClosed { inputClosed = true }
            if event is TLSHandshakeCompleted { handshakes += 1 }
        }
        func errorCaught(context: ChannelHandlerContext, error: Error) { errors.append(error) }
    }

    private struct Pair {
        let client = EmbeddedChannel()
        let server = EmbeddedChannel()
        let clientSink = Sink()
        let serverSink = Sink()
        let clientTLS: TLSHandler
        let serverTLS: TLSHandler

        /// Moves pending ciphertext both ways, `chunk` bytes at a time.
        func shuttle(chunk: Int = .max) throws {
            var moved = true
            while moved {
                moved = false
                for (from, to) in [(client, server), (server, client)] where to.isActive {
                    while let out = try from.readOutbound(as: ByteBuffer.self) {
                        moved = true
                        var rest = out
                        while rest.readableBytes > 0 {
                            let piece = rest.readSlice(length: min(chunk, rest.readableBytes))!
                            try to.writeInbound(piece)
                        }
                    }
                }
            }
        }
    }

    private func pair(
        serverName: String? = "localhost", strict: Bool = false, alpn: [String]? = nil, tls12Ciphers: String? = nil
    ) throws -> Pair {
        let serverTLS = try XCTUnwrap(
            try Self.certificates.serverContext(strict: strict, alpn: alpn, tls12Ciphers: tls12Ciphers).makeHandler())
        let clientTLS = try XCTUnwrap(try Self.certificates.clientContext(alpn: alpn).makeHandler(serverName: serverName))
        let p = Pair(clientTLS: clientTLS, serverTLS: serverTLS)
        try p.server.pipeline.syncOperations.addHandler(serverTLS)
        try p.server.pipeline.syncOperations.addHandler(p.serverSink)
        try p.client.pipeline.syncOperations.addHandler(clientTLS)
        try p.client.pipeline.syncOperations.addHandler(p.clientSink)
        try p.server.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        try p.client.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 2)).wait()
        return p
    }

    func testHandshakeAndDataSurviveOneByteRecordSplits() throws {
        let p = try pair(alpn: ["http/1.1"])
        // Written before the handshake: held, then sent encrypted.
        p.client.writeAndFlush(ByteBuffer(string: "GET / HTTP/1.1\r\n\r\n"), promise: nil)
        try p.shuttle(chunk: 1)
        XCTAssertEqual(p.serverSink.handshakes, 1)
        XCTAssertEqual(p.clientSink.handshakes, 1)
        XCTAssertEqual(p.serverSink.received, "GET / HTTP/1.1\r\n\r\n")
        XCTAssertEqual(p.serverTLS.engine.serverName, "localhost")
        XCTAssertEqual(p.serverTLS.engine.alpnProtocol, "http/1.1")
        XCTAssertEqual(p.serverTLS.engine.protocolVersion, "TLSv1.3")
        XCTAssertNotNil(p.serverTLS.engine.cipherName)
        XCTAssertFalse(p.serverTLS.engine.hasPeerCertificate)
        let big = String(repeating: "x", count: 100_000)
        p.server.writeAndFlush(ByteBuffer(string: big), promise: nil)
        try p.shuttle(chunk: 7)
        XCTAssertEqual(p.clientSink.received, big)
        XCTAssertTrue(p.serverSink.errors.isEmpty && p.clientSink.errors.isEmpty)
    }

    func testRecordsReadTogetherComeOutInOrderAndALargeWriteIsOneWrite() throws {
        let p = try pair()
        try p.shuttle()
        // Three records the server reads in one buffer.
        for part in ["first ", "second ", "third"] {
            p.client.writeAndFlush(ByteBuffer(string: part), promise: nil)
        }
        var together = ByteBuffer()
        while var out = try p.client.readOutbound(as: ByteBuffer.self) { together.writeBuffer(&out) }
        try p.server.writeInbound(together)
        XCTAssertEqual(p.serverSink.received, "first second third")
        // 40,000 bytes: three records, queued as one write.
        let big = String(repeating: "y", count: 40_000)
        p.server.writeAndFlush(ByteBuffer(string: big), promise: nil)
        let out = try XCTUnwrap(try p.server.readOutbound(as: ByteBuffer.self))
        XCTAssertNil(try p.server.readOutbound(as: ByteBuffer.self))
        XCTAssertGreaterThan(out.readableBytes, 40_000 + 3 * 5)
        try p.client.writeInbound(out)
        XCTAssertEqual(p.clientSink.received, big)
    }

    /// A CBC cipher with a SHA-384 MAC adds more to a record than the room
    /// the handler leaves for it in the buffer it writes: the records then
    /// go through the transport's own memory, whole and in order.
    func testRecordsLargerThanTheRoomLeftForThemGoOutWhole() throws {
        let p = try pair(tls12Ciphers: "ECDHE-RSA-AES256-SHA384")
        try p.shuttle()
        XCTAssertEqual(p.serverTLS.engine.protocolVersion, "TLSv1.2")
        XCTAssertEqual(p.serverTLS.engine.cipherName, "ECDHE-RSA-AES256-SHA384")
        var expected = ""
        for size in [1, 300, 16_383, 16_384, 40_000] {
            let part = String(repeating: Character(UnicodeScalar(UInt8(97 + size % 26))), count: size)
            expected += part
            p.server.writeAndFlush(ByteBuffer(string: part), promise: nil)
        }
        try p.shuttle(chunk: 1000)
        XCTAssertEqual(p.clientSink.received.count, expected.count)
        XCTAssertEqual(p.clientSink.received, expected)
        XCTAssertTrue(p.serverSink.errors.isEmpty && p.clientSink.errors.isEmpty)
    }

    func testGarbageAfterTheHandshakeClosesWithoutPlaintext() throws {
        let p = try pair()
        try p.shuttle()
        XCTAssertEqual(p.serverSink.handshakes, 1)
        try? p.server.writeInbound(ByteBuffer(bytes: [0x17, 0x03, 0x03, 0x00, 0x20] + Array(repeating: 0x41, count: 32)))
        XCTAssertEqual(p.serverSink.received, "")
        XCTAssertEqual(p.serverSink.errors.count, 1)
        XCTAssertFalse(p.server.isActive)
    }

    func testCloseNotifyReadsAsInputClosed() throws {
        let p = try pair()
        try p.shuttle()
        p.client.close(mode: .output, promise: nil)
        try p.shuttle()
        XCTAssertTrue(p.serverSink.inputClosed)
    }

    func testStrictSNIRefusesAnUnknownName() throws {
        let p = try pair(serverName: "other.test", strict: true)
        try? p.shuttle()
        XCTAssertEqual(p.serverSink.handshakes, 0)
        XCTAssertFalse(p.server.isActive)
    }

    func testCertificateChoiceByName() throws {
        let ctx = try Self.certificates.serverContext()
        XCTAssertEqual(ctx.certificateIndex(forServerName: "LOCALHOST"), 0)
        XCTAssertEqual(ctx.certificateIndex(forServerName: "www.example.test"), 0)
        XCTAssertEqual(ctx.certificateIndex(forServerName: "a.wild.test"), 1)
        XCTAssertNil(ctx.certificateIndex(forServerName: "a.b.wild.test"), "a wildcard covers one label")
        XCTAssertNil(ctx.certificateIndex(forServerName: "wild.test"))
    }
}

import Foundation
import HAProxyConfig
import NIOCore
import XCTest

@testable import HAProxyTLS

/// The record layer alone, with no channel: a client and a server engine
/// exchanging ciphertext through transports of the test's own, fed from
/// one reused buffer as the I/O driver feeds them from its loop's.
final class TLSEngineTests: XCTestCase {
    private static var certificates: TLSUnitCertificates!

    override class func setUp() {
        super.setUp()
        certificates = TLSUnitCertificates()
    }

    override class func tearDown() {
        certificates.remove()
        super.tearDown()
    }

    /// One side: what its engine sends, receives and reports.
    final class Endpoint: TLSEngineTransport {
        let engine: TLSEngine
        /// Kept for the client side, whose engine comes from a handler.
        let holder: AnyObject?
        var queued: [ByteBuffer] = []
        var wire: [ByteBuffer] = []
        var received = ""
        var handshakes = 0
        var peerFinished = 0
        var failures: [TLSError] = []

        init(_ engine: TLSEngine, holder: AnyObject? = nil) {
            self.engine = engine
            self.holder = holder
            engine.transport = self
        }

        func tlsSend(_ ciphertext: ByteBuffer) { queued.append(ciphertext) }
        func tlsFlush() {
            wire += queued
            queued = []
        }
        func tlsReceived(_ plaintext: ByteBuffer) { received += String(buffer: plaintext) }
        func tlsHandshakeCompleted() { handshakes += 1 }
        func tlsPeerFinished() { peerFinished += 1 }
        func tlsFailed(_ error: TLSError) { failures.append(error) }

        func send(_ text: String) {
            if let ciphertext = engine.encrypt(ByteBuffer(string: text)) { wire.append(ciphertext) }
        }
    }

    private func pair(serverExpectsProxyHeader: Bool = false) throws -> (client: Endpoint, server: Endpoint) {
        let handler = try XCTUnwrap(try Self.certificates.clientContext().makeHandler(serverName: "localhost"))
        let server = Endpoint(try XCTUnwrap(try Self.certificates.serverContext().makeEngine()))
        server.engine.expectsProxyHeader = serverExpectsProxyHeader
        return (Endpoint(handler.engine, holder: handler), server)
    }

    /// The one buffer every read lands in, cleared before each.
    private var readBuffer = ByteBufferAllocator().buffer(capacity: 16384)

    /// Moves what each side flushed to the other, `chunk` bytes per read.
    private func shuttle(_ a: Endpoint, _ b: Endpoint, chunk: Int = .max) {
        var moved = true
        while moved {
            moved = false
            for (from, to) in [(a, b), (b, a)] {
                let wire = from.wire
                from.wire = []
                for var bytes in wire {
                    moved = true
                    while bytes.readableBytes > 0 {
                        var piece = bytes.readSlice(length: min(chunk, bytes.readableBytes))!
                        readBuffer.clear()
                        readBuffer.writeBuffer(&piece)
                        to.engine.receive(readBuffer)
                    }
                }
            }
        }
    }

    func testHandshakeAndRecordsCutAcrossReadsOfAReusedBuffer() throws {
        for chunk in [1, 7, 300, Int.max] {
            let (client, server) = try pair()
            client.engine.startHandshake()
            shuttle(client, server, chunk: chunk)
            XCTAssertEqual(client.handshakes, 1)
            XCTAssertEqual(server.handshakes, 1)
            XCTAssertEqual(server.engine.serverName, "localhost")
            // Two records in one read.
            client.send("GET /one HTTP/1.1\r\n\r\n")
            client.send("GET /two HTTP/1.1\r\n\r\n")
            var both = client.wire[0]
            var second = client.wire[1]
            both.writeBuffer(&second)
            client.wire = [both]
            shuttle(client, server, chunk: chunk == 1 ? 1 : .max)
            XCTAssertEqual(server.received, "GET /one HTTP/1.1\r\n\r\nGET /two HTTP/1.1\r\n\r\n")
            // Several full records, cut anywhere.
            let body = String(repeating: "0123456789abcdef", count: 2500)
            server.send(body)
            shuttle(client, server, chunk: chunk == 1 ? 333 : chunk)
            XCTAssertEqual(client.received, body)
            XCTAssertTrue(client.failures.isEmpty && server.failures.isEmpty)
        }
    }

    func testGarbageAfterTheHandshakeFailsWithAnAlert() throws {
        let (client, server) = try pair()
        client.engine.startHandshake()
        shuttle(client, server)
        server.engine.receive(ByteBuffer(string: "\u{0}this is not a TLS record\r\n"))
        XCTAssertEqual(server.received, "")
        XCTAssertEqual(server.failures.count, 1)
        XCTAssertEqual(server.engine.state, .closed)
        XCTAssertFalse(server.wire.isEmpty, "an alert goes out before the close")
        // Nothing more is read once failed.
        server.engine.receive(ByteBuffer(string: "more"))
        XCTAssertEqual(server.failures.count, 1)
    }

    func testCloseNotifyIsAHalfClose() throws {
        let (client, server) = try pair()
        client.engine.startHandshake()
        shuttle(client, server)
        client.send("request")
        client.engine.sendCloseNotify()
        shuttle(client, server)
        XCTAssertEqual(server.received, "request")
        XCTAssertEqual(server.peerFinished, 1)
        // The other way still works.
        server.send("answer")
        server.engine.sendCloseNotify()
        shuttle(client, server)
        XCTAssertEqual(client.received, "answer")
        XCTAssertEqual(client.peerFinished, 1)
        XCTAssertTrue(client.failures.isEmpty && server.failures.isEmpty)
    }

    func testAProxyHeaderBeforeTheClientHelloGoesOnInClear() throws {
        let (client, server) = try pair(serverExpectsProxyHeader: true)
        client.engine.startHandshake()
        var first = ByteBuffer(string: "PROXY TCP4 192.0.2.10 127.0.0.1 5555 443\r\n")
        var hello = client.wire[0]
        first.writeBuffer(&hello)
        client.wire = [first]
        shuttle(client, server, chunk: 5)
        XCTAssertEqual(server.received, "PROXY TCP4 192.0.2.10 127.0.0.1 5555 443\r\n")
        XCTAssertEqual(server.handshakes, 1)
        client.send("after")
        shuttle(client, server)
        XCTAssertTrue(server.received.hasSuffix("\r\nafter"))
    }

    func testClosedDuringTheHandshake() throws {
        let (client, server) = try pair()
        client.engine.startHandshake()
        server.engine.receive(client.wire[0].getSlice(at: 0, length: 10)!)
        XCTAssertTrue(server.engine.connectionClosed())
        guard case .closedDuringHandshake? = server.engine.failure else {
            return XCTFail("\(String(describing: server.engine.failure))")
        }
        XCTAssertFalse(server.engine.isEstablished)
    }
}

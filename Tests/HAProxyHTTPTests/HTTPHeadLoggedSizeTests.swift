import NIOCore
import XCTest
@testable import HAProxyHTTP

/// `%B`/`%U` sizes of whole messages, each expected value logged by
/// HAProxy 2.6.12 for the same bytes (log-format "%B %U", a raw backend
/// answering the response below; see Tests/IntegrationTests/Logging/Golden).
final class HTTPHeadLoggedSizeTests: XCTestCase {
    /// Head size plus body as the framer counts it, fed byte by byte.
    private func logged(_ message: String, request: Bool) throws -> Int {
        var bytes = ByteBuffer(string: message)
        var parser = request ? HTTPHeadParser.request() : HTTPHeadParser.response(to: .get)
        guard case .complete(let head) = parser.parse(bytes) else {
            XCTFail("not a complete head: \(message)")
            return -1
        }
        let size = head.loggedSize(in: bytes)
        // The parser measures the same size on its way.
        XCTAssertEqual(head.loggedSizeAsParsed, size, message)
        bytes.moveReaderIndex(forwardBy: head.length)
        var framer = HTTPBodyFramer(framing: head.bodyFraming, isRequest: request)
        while let byte = bytes.readSlice(length: min(1, bytes.readableBytes)), byte.readableBytes > 0 {
            _ = try framer.consume(byte)
        }
        return size + Int(framer.loggedBytes)
    }

    func testResponsesCountFieldsNotWireBytes() throws {
        // The response: status line, 5 headers, 2-byte body, 153 bytes on the wire.
        let five = "HTTP/1.1 200 OK\r\nServer: golden-backend/1.0\r\nX-Request-Id: 01234567\r\n"
            + "Cache-Control: no-cache, no-store\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nhi"
        XCTAssertEqual(five.utf8.count, 153)
        XCTAssertEqual(try logged(five, request: false), 148)
        XCTAssertEqual(try logged("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi", request: false), 51)
        XCTAssertEqual(try logged("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nhi", request: false), 51)
        XCTAssertEqual(try logged("HTTP/1.1 200 \r\nContent-Length: 2\r\n\r\nhi", request: false), 49)
        XCTAssertEqual(try logged("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nA:    spaced   \r\n\r\nhi", request: false), 58)
        XCTAssertEqual(try logged("HTTP/1.1 200 OK\r\nX-E:\r\nContent-Length: 2\r\n\r\nhi", request: false), 54)
        XCTAssertEqual(try logged("HTTP/1.1 200 OK\r\n\r\nhello", request: false), 39)
        XCTAssertEqual(try logged("HTTP/1.1 204 No Content\r\n\r\n", request: false), 42)
        XCTAssertEqual(try logged("HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n", request: false), 59)
    }

    func testChunkedBodiesCountPayloadTrailersAndOneMore() throws {
        let te = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        XCTAssertEqual(try logged(te + "2\r\nhi\r\n0\r\n\r\n", request: false), 61)
        XCTAssertEqual(try logged(te + "2\r\nhi\r\n3\r\nabc\r\n0\r\n\r\n", request: false), 64)
        XCTAssertEqual(try logged(te + "0\r\n\r\n", request: false), 59)
        XCTAssertEqual(try logged(te + "2\r\nhi\r\n0\r\nX-T: abc\r\n\r\n", request: false), 67)
        XCTAssertEqual(try logged(te + "2\r\nhi\r\n0\r\nX-T:  abc d \r\n\r\n", request: false), 69)
        // Content-Length beside chunked is dropped; repeated values count once.
        XCTAssertEqual(try logged("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n",
                                  request: false), 61)
        XCTAssertEqual(try logged("HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\n\r\nhi", request: false), 51)
        XCTAssertEqual(try logged("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nhi", request: false), 51)
    }

    func testRequestsAndConnectionTokens() throws {
        XCTAssertEqual(try logged("GET / HTTP/1.1\r\nHost: x\r\n\r\n", request: true), 38)
        XCTAssertEqual(try logged("GET / HTTP/1.0\r\n\r\n", request: true), 33)
        XCTAssertEqual(try logged("POST /abc HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello", request: true), 62)
        XCTAssertEqual(try logged("POST /abc HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nT: v\r\n\r\n",
                                  request: true), 74)
        let host = "GET / HTTP/1.1\r\nHost: x\r\n"
        let expected: [(String, Int)] = [
            ("Connection: close", 38), ("Connection: keep-alive", 38), ("connection: CLOSE", 38),
            ("Connection: close, keep-alive", 38), ("Connection:", 38),
            ("Connection: foo", 51), ("Connection: close, foo", 51), ("Connection: Upgrade", 55),
            ("Connection: foo, close, bar", 55), ("Connection: close,  foo  , bar", 55),
            ("Connection: foo , close", 52), ("Connection: a, close ,  c  ", 51), ("Connection: ,,foo", 53),
            ("Keep-Alive: timeout=5", 57), ("Proxy-Connection: close", 59),
        ]
        for (header, size) in expected {
            XCTAssertEqual(try logged(host + header + "\r\n\r\n", request: true), size, header)
        }
    }
}

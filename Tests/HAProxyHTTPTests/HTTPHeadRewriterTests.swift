import NIOCore
import XCTest
@testable import HAProxyHTTP

/// The head as forwarded: HAProxy 2.6's spelling whatever the sender's
/// (recorded from 2.6.12 by Tests/IntegrationTests/HTTP/framing_differential.py).
final class HTTPHeadRewriterTests: XCTestCase {
    func rewrite(_ s: String, response: Bool = false, _ edit: (HTTPHead, inout HTTPHeadEdits) -> Void = { _, _ in }) -> String? {
        var parser = response ? HTTPHeadParser.response(to: .get) : HTTPHeadParser.request()
        var source = ByteBuffer(string: "junk")
        source.moveReaderIndex(forwardBy: 4)
        source.writeString(s)
        guard case .complete(let head) = parser.parse(source) else { XCTFail("parse"); return nil }
        var edits = HTTPHeadEdits()
        edit(head, &edits)
        var out = ByteBuffer()
        HTTPHeadRewriter.write(head, from: source, edits: edits, into: &out)
        return out.readString(length: out.readableBytes)
    }

    func testCanonicalHeadIsUnchanged() {
        let s = "GET /a HTTP/1.1\r\nhost: x\r\naccept: */*\r\n\r\n"
        XCTAssertEqual(rewrite(s), s)
    }

    func testNamesLowercasedValuesTrimmedLineEndsCRLF() {
        XCTAssertEqual(rewrite("GET  /a  HTTP/1.1\nHost:x\nX-A: \t v \t \nX-B:\n\n"),
                       "GET /a HTTP/1.1\r\nhost: x\r\nx-a: v\r\nx-b: \r\n\r\n")
    }

    func testRemoveAndAppend() {
        let s = "\r\nGET /a HTTP/1.1\r\nHost: x\r\nX-Drop: x\r\nAccept: */*\r\n\r\nBODY"
        let out = rewrite(s) { _, e in
            e.remove(1)
            e.append(name: "X-Forwarded-For", value: "1.2.3.4")
            e.append(name: "connection", value: "close")
        }
        XCTAssertEqual(out, "GET /a HTTP/1.1\r\nhost: x\r\naccept: */*\r\nx-forwarded-for: 1.2.3.4\r\nconnection: close\r\n\r\n")
    }

    func testObsFoldIsJoined() {
        XCTAssertEqual(rewrite("GET / HTTP/1.1\r\nX: a\r\n b\r\nY: c\r\n\r\n"), "GET / HTTP/1.1\r\nx: a   b\r\ny: c\r\n\r\n")
    }

    func testManyHeadersRemovedBeyond64() {
        var s = "GET / HTTP/1.1\r\n"
        for i in 0..<80 { s += "H\(i): v\r\n" }
        s += "\r\n"
        XCTAssertEqual(rewrite(s) { _, e in for i in 0..<79 { e.remove(i) } }, "GET / HTTP/1.1\r\nh79: v\r\n\r\n")
    }

    /// RFC 9112 §6.3: with chunked, Content-Length never reaches the peer.
    func testContentLengthDroppedWhenChunked() {
        XCTAssertEqual(rewrite("POST / HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"),
                       "POST / HTTP/1.1\r\ntransfer-encoding: chunked\r\n\r\n")
        XCTAssertEqual(rewrite("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 2\r\n\r\n", response: true),
                       "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n")
    }

    func testContentLengthListAndDuplicatesBecomeOne() {
        XCTAssertEqual(rewrite("POST / HTTP/1.1\r\nContent-Length: 5, 5\r\nContent-Length: 5\r\n\r\n"),
                       "POST / HTTP/1.1\r\ncontent-length: 5\r\n\r\n")
        XCTAssertEqual(rewrite("POST / HTTP/1.1\r\nContent-Length: 05\r\n\r\n"), "POST / HTTP/1.1\r\ncontent-length: 05\r\n\r\n")
    }

    func testRepeatedHostWrittenOnce() {
        XCTAssertEqual(rewrite("GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n"), "GET / HTTP/1.1\r\nhost: a\r\n\r\n")
    }

    func testConnectionKeepsOnlyOtherTokens() {
        XCTAssertEqual(rewrite("GET / HTTP/1.1\r\nConnection: a, close, b\r\nConnection: keep-alive\r\n\r\n"),
                       "GET / HTTP/1.1\r\nconnection: a,b\r\n\r\n")
        XCTAssertEqual(rewrite("GET / HTTP/1.1\r\nConnection: keep-alive, Upgrade\r\nUpgrade: h2c\r\n\r\n"),
                       "GET / HTTP/1.1\r\nconnection: Upgrade\r\nupgrade: h2c\r\n\r\n")
        XCTAssertEqual(rewrite("GET / HTTP/1.1\r\nProxy-Connection: close\r\nKeep-Alive: 3\r\n\r\n"),
                       "GET / HTTP/1.1\r\nproxy-connection: close\r\nkeep-alive: 3\r\n\r\n")
    }

    func testVersionsAndStatusLine() {
        XCTAssertEqual(rewrite("GET / HTTP/1.2\r\n\r\n"), "GET / HTTP/1.1\r\n\r\n")
        XCTAssertEqual(rewrite("GET / HTTP/1.0\r\n\r\n"), "GET / HTTP/1.0\r\n\r\n")
        XCTAssertEqual(rewrite("HTTP/1.1 200\r\n\r\n", response: true), "HTTP/1.1 200 \r\n\r\n")
        XCTAssertEqual(rewrite("HTTX/1.1  200  OK\r\n\r\n", response: true), "HTTP/1.1 200 OK\r\n\r\n")
    }

    func test204LosesFramingHeaders() {
        XCTAssertEqual(rewrite("HTTP/1.1 204 No Content\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\nX: 1\r\n\r\n", response: true),
                       "HTTP/1.1 204 No Content\r\nx: 1\r\n\r\n")
    }

    /// Names of every length, with every token byte, come out lowercased
    /// (the rewriter lowercases eight bytes at a time).
    func testEveryTokenByteLowercasedAtEveryLength() {
        let tokens = Array("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
        for length in 1...40 {
            for offset in stride(from: 0, to: tokens.count, by: 7) {
                let name = String((0..<length).map { tokens[(offset + $0) % tokens.count] })
                XCTAssertEqual(rewrite("GET / HTTP/1.1\r\n\(name): v\r\n\r\n"), "GET / HTTP/1.1\r\n\(name.lowercased()): v\r\n\r\n")
            }
        }
    }
}

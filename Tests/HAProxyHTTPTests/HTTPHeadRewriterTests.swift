import NIOCore
import XCTest
@testable import HAProxyHTTP

final class HTTPHeadRewriterTests: XCTestCase {
    func rewrite(_ s: String, _ edit: (HTTPHead, inout HTTPHeadEdits) -> Void) -> String? {
        var parser = HTTPHeadParser.request()
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

    func testUnchangedHeadIsCopied() {
        let s = "GET /a HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\n"
        XCTAssertEqual(rewrite(s) { _, _ in }, s)
    }

    func testRemoveAndAppend() {
        let s = "\r\nGET /a HTTP/1.1\r\nConnection: keep-alive\r\nHost: x\r\nProxy-Connection: x\r\nAccept: */*\r\n\r\nBODY"
        let out = rewrite(s) { head, e in
            e.removeAll(.connection, in: head)
            e.remove(2)
            e.append(name: "x-forwarded-for", value: ByteBuffer(string: "1.2.3.4"))
            e.append(name: "connection", value: "close")
        }
        XCTAssertEqual(out, "GET /a HTTP/1.1\r\nHost: x\r\nAccept: */*\r\nx-forwarded-for: 1.2.3.4\r\nconnection: close\r\n\r\n")
    }

    func testRemoveFirstAndLast() {
        let s = "GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n"
        XCTAssertEqual(rewrite(s) { _, e in e.remove(0); e.remove(2) }, "GET / HTTP/1.1\r\nB: 2\r\n\r\n")
    }

    func testObsFoldIsJoined() {
        let s = "GET / HTTP/1.1\r\nX: a\r\n b\r\nY: c\r\n\r\n"
        XCTAssertEqual(rewrite(s) { _, _ in }, "GET / HTTP/1.1\r\nX: a   b\r\nY: c\r\n\r\n")
    }

    func testManyHeadersRemovedBeyond64() {
        var s = "GET / HTTP/1.1\r\n"
        for i in 0..<80 { s += "H\(i): v\r\n" }
        s += "\r\n"
        let out = rewrite(s) { _, e in for i in 0..<79 { e.remove(i) } }
        XCTAssertEqual(out, "GET / HTTP/1.1\r\nH79: v\r\n\r\n")
    }
}

import Foundation
import XCTest

/// How the statistics page frames its answers, recorded from 2.6.12 with
/// the same configuration and requests: HTML, `;csv` and `;json` all come
/// chunked, never with a `content-length`, the headers in this order (the
/// connection header before the framing one for an HTTP/1.0 request), and
/// the body in one chunk whose size is in upper-case hex.
final class StatsPageFramingTests: IntegrationTestCase {
    func testPageCsvAndJsonAreChunkedAsIn26() throws {
        let port = Ports.free()
        try startProxy(config: Self.defaultsHTTP + """
        listen stats
            bind 127.0.0.1:\(port)
            stats enable
            stats uri /st

        """, ports: [port])
        func exchange(_ request: String) throws -> (head: String, body: Data) {
            let c = try Conn(port: port)
            defer { c.close() }
            try c.send(request)
            let all = try c.readToEOF()
            let end = try XCTUnwrap(all.range(of: Data("\r\n\r\n".utf8)))
            return (String(decoding: all[..<end.lowerBound], as: UTF8.self), all[end.upperBound...])
        }
        for (path, type) in [("/st;csv", "text/plain"), ("/st;json", "application/json"), ("/st", "text/html")] {
            let (head, body) = try exchange("GET \(path) HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            XCTAssertEqual(head, """
            HTTP/1.1 200 OK\r
            cache-control: no-cache\r
            content-type: \(type)\r
            transfer-encoding: chunked\r
            connection: close
            """, path)
            // One chunk, upper-case hex size, then the last chunk.
            let text = String(decoding: body, as: UTF8.self)
            let sizeLine = try XCTUnwrap(text.components(separatedBy: "\r\n").first)
            XCTAssertEqual(sizeLine, sizeLine.uppercased(), path)
            let size = try XCTUnwrap(Int(sizeLine, radix: 16), path)
            XCTAssertEqual(body.count, sizeLine.utf8.count + 2 + size + 2 + 5, path)
            XCTAssertTrue(text.hasSuffix("\r\n0\r\n\r\n"), path)
            if type == "text/plain" { XCTAssertTrue(text.contains("\r\n# pxname,svname,"), text) }
        }
        let (head10, _) = try exchange("GET /st;csv HTTP/1.0\r\nHost: x\r\n\r\n")
        XCTAssertEqual(head10, """
        HTTP/1.1 200 OK\r
        cache-control: no-cache\r
        content-type: text/plain\r
        connection: close\r
        transfer-encoding: chunked
        """)
        // A client reading the framing gets the whole CSV, and keep-alive holds.
        let c = try Conn(port: port)
        defer { c.close() }
        for _ in 0..<2 {
            try c.send("GET /st;csv HTTP/1.1\r\nHost: x\r\n\r\n")
            let r = try c.readResponse()
            XCTAssertEqual(r.status, 200)
            XCTAssertTrue(r.chunked)
            XCTAssertTrue(r.text.hasPrefix("# pxname,svname,") && r.text.hasSuffix("\n"), r.text)
        }
    }
}

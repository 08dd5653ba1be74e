import Foundation
import XCTest

/// HTTP/1.1 proxying: keep-alive on both sides, pipelining, bodies, forwardfor.
final class KeepAliveTests: IntegrationTestCase {
    private var port = 0
    private var backend: Backend!

    private func start(_ extra: String = "", backendExtra: String = "") throws {
        backend = try startBackend("web1")
        port = Ports.free()
        try startProxy(config: Self.defaultsHTTP + """
        frontend fe
            bind 127.0.0.1:\(port)
        \(extra)
            default_backend be

        backend be
        \(backendExtra)
            server web1 127.0.0.1:\(backend.port)

        """, ports: [port])
    }

    func testSeveralRequestsOnOneClientConnection() throws {
        try start()
        let before = try backend.stats()
        let c = try Conn(port: port)
        for _ in 0..<10 {
            try c.send(HTTPClient.request("GET", "/"))
            let r = try c.readResponse()
            XCTAssertEqual(r.status, 200)
            XCTAssertEqual(r.server, "web1")
            XCTAssertEqual(r.header("x-server"), "web1")
        }
        c.close()
        let after = try backend.stats()
        XCTAssertEqual(after.requests - before.requests - 1, 10)
        // The server connection is kept alive too: 10 requests on fewer connections.
        let serverConns = after.connections - before.connections - 1
        XCTAssertGreaterThanOrEqual(serverConns, 1)
        XCTAssertLessThan(serverConns, 10, "backend saw \(serverConns) connections for 10 keep-alive requests")
    }

    /// `%tr` of a request on a kept-alive connection is when it arrived,
    /// after the idle time, not the end of the previous one (2.6.12 logs
    /// the second of two requests two seconds apart two seconds later).
    func testKeptAliveRequestIsLoggedAtItsArrival() throws {
        let logs = try DatagramReceiver(udp: ())
        try start("""
            log 127.0.0.1:\(logs.udpPort) local0
            option httplog
            http-request return status 200 if { path /local }
        """)
        let c = try Conn(port: port)
        for (first, second) in [("/local", "/local"), ("/", "/")] {
            try c.send(HTTPClient.request("GET", first))
            XCTAssertEqual(try c.readResponse().status, 200)
            // The idle time under test: the connection waits for the next request.
            usleep(1_200_000)
            let sent = Date()
            try c.send(HTTPClient.request("GET", second + "?second"))
            XCTAssertEqual(try c.readResponse().status, 200)
            let line = try logs.receive(until: { $0.contains("GET \(second)?second ") }).last!
            let date = try XCTUnwrap(line.firstRange(of: #/\[(\d\d/\w\w\w/\d{4}:\d\d:\d\d:\d\d\.\d{3})\]/#)
                .map { String(line[$0].dropFirst().dropLast()) }, line)
            let format = DateFormatter()
            format.locale = Locale(identifier: "en_US_POSIX")
            format.dateFormat = "dd/MMM/yyyy:HH:mm:ss.SSS"
            let logged = try XCTUnwrap(format.date(from: date), date)
            XCTAssertGreaterThan(logged.timeIntervalSince(sent), -0.01, "\(line) logged before it was sent at \(sent)")
        }
    }

    func testPipelinedRequestsAnsweredInOrder() throws {
        try start()
        let c = try Conn(port: port)
        // The first is slow: later answers must still come after it.
        let reqs = HTTPClient.request("GET", "/slow?ms=300") + HTTPClient.request("GET", "/status/201")
            + HTTPClient.request("GET", "/status/202") + HTTPClient.request("GET", "/headers")
        try c.send(reqs)
        let r1 = try c.readResponse()
        let r2 = try c.readResponse()
        let r3 = try c.readResponse()
        let r4 = try c.readResponse()
        XCTAssertEqual([r1.status, r2.status, r3.status, r4.status], [200, 201, 202, 200])
        XCTAssertEqual(r1.server, "web1")
        XCTAssertTrue(r4.text.lowercased().contains("host: test"), r4.text)
    }

    func testServerConnectionReuseAcrossClients() throws {
        try start(backendExtra: "    http-reuse always")
        let before = try backend.stats()
        for _ in 0..<10 {
            let c = try Conn(port: port)
            try c.send(HTTPClient.request("GET", "/"))
            XCTAssertEqual(try c.readResponse().status, 200)
            c.close()
        }
        let after = try backend.stats()
        let serverConns = after.connections - before.connections - 1
        XCTAssertLessThan(serverConns, 10, "with http-reuse always, 10 sequential clients used \(serverConns) server connections")
    }

    func testClientConnectionCloseClosesAfterResponse() throws {
        try start()
        let c = try Conn(port: port)
        try c.send(HTTPClient.request("GET", "/", close: true))
        let r = try c.readResponse()
        XCTAssertEqual(r.status, 200)
        XCTAssertEqual(r.server, "web1")
        XCTAssertTrue(c.closesWithin(3), "connection stayed open after Connection: close")
    }

    func testHTTP10Client() throws {
        try start()
        let c = try Conn(port: port)
        try c.send("GET / HTTP/1.0\r\n\r\n")
        let r = try c.readResponse()
        XCTAssertEqual(r.status, 200)
        XCTAssertEqual(r.server, "web1")
        XCTAssertTrue(c.closesWithin(3), "HTTP/1.0 request without keep-alive must be closed after the response")
    }

    func testHTTP10KeepAlive() throws {
        try start()
        let c = try Conn(port: port)
        for _ in 0..<2 {
            try c.send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            let r = try c.readResponse()
            XCTAssertEqual(r.status, 200)
            XCTAssertEqual(r.server, "web1")
        }
    }

    func testChunkedRequestUpload() throws {
        try start()
        var body = Data()
        var wire = "POST /upload HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n"
        for i in 0..<50 {
            let piece = String(repeating: "chunk\(i)-", count: 20 + i)
            body.append(Data(piece.utf8))
            wire += String(Data(piece.utf8).count, radix: 16) + "\r\n" + piece + "\r\n"
        }
        wire += "0\r\n\r\n"
        let f = tmp.appendingPathComponent("body.bin")
        try body.write(to: f)
        let c = try Conn(port: port)
        try c.send(wire)
        let r = try c.readResponse()
        XCTAssertEqual(r.status, 200)
        XCTAssertEqual(r.text, "len=\(body.count) sha256=\(try sha256(of: f))")
        // The connection stays usable after a chunked upload.
        try c.send(HTTPClient.request("GET", "/"))
        XCTAssertEqual(try c.readResponse().server, "web1")
    }

    func testChunkedResponseDownload() throws {
        try start()
        let c = try Conn(port: port)
        try c.send(HTTPClient.request("GET", "/chunked?n=200"))
        let r = try c.readResponse()
        XCTAssertEqual(r.status, 200)
        XCTAssertTrue(r.chunked, "expected a chunked response")
        XCTAssertEqual(r.text, (0..<200).map { "chunk-\($0)\n" }.joined())
        try c.send(HTTPClient.request("GET", "/"))
        XCTAssertEqual(try c.readResponse().server, "web1")
    }

    func testPostWithContentLength() throws {
        try start()
        let body = Data((0..<300_000).map { UInt8($0 % 256) })
        let f = tmp.appendingPathComponent("post.bin")
        try body.write(to: f)
        let c = try Conn(port: port)
        try c.send("POST /p HTTP/1.1\r\nHost: test\r\nContent-Length: \(body.count)\r\n\r\n")
        try c.send(body)
        let r = try c.readResponse()
        XCTAssertEqual(r.status, 200)
        XCTAssertEqual(r.text, "len=\(body.count) sha256=\(try sha256(of: f))")
    }

    func testLargeResponseStreamedIntact() throws {
        try start()
        let size = 50 * 1024 * 1024
        let c = try Conn(port: port, timeout: 30)
        try c.send(HTTPClient.request("GET", "/big?bytes=\(size)"))
        let r = try c.readResponse()
        XCTAssertEqual(r.status, 200)
        XCTAssertEqual(r.body.count, size)
        XCTAssertTrue(Pattern.matches(r.body), "50 MB body differs from the backend's pattern")
        // Still keep-alive afterwards.
        try c.send(HTTPClient.request("GET", "/"))
        XCTAssertEqual(try c.readResponse().server, "web1")
    }

    func testLargeResponseWithCurl() throws {
        try start()
        let out = tmp.appendingPathComponent("curl.bin")
        let r = try runTool("/usr/bin/curl", ["-s", "-f", "--max-time", "20", "-o", out.path,
                                              "http://127.0.0.1:\(port)/big?bytes=10000000"], dir: tmp, timeout: 25)
        XCTAssertEqual(r.status, 0, r.stderr)
        let data = try Data(contentsOf: out)
        XCTAssertEqual(data.count, 10_000_000)
        XCTAssertTrue(Pattern.matches(data))
    }

    func testForwardForAddsClientAddress() throws {
        try start("    option forwardfor")
        let r = try HTTPClient.get(port: port, path: "/headers")
        XCTAssertEqual(r.status, 200)
        let lines = r.text.lowercased().split(separator: "\n").map(String.init)
        XCTAssertTrue(lines.contains("x-forwarded-for: 127.0.0.1"), r.text)
    }

    func testHeadRequestHasNoBody() throws {
        try start()
        let c = try Conn(port: port)
        try c.send(HTTPClient.request("HEAD", "/"))
        let r = try c.readResponse(method: "HEAD")
        XCTAssertEqual(r.status, 200)
        try c.send(HTTPClient.request("GET", "/status/204"))
        XCTAssertEqual(try c.readResponse().status, 204)
        try c.send(HTTPClient.request("GET", "/"))
        XCTAssertEqual(try c.readResponse().server, "web1")
    }

    /// A client may send its request and shut down its write side at once
    /// (`printf ... | socat`, `nc -N`): HAProxy 2.6.12 still forwards the
    /// request and returns the full response before closing.
    func testRequestFollowedByClientHalfCloseIsAnswered() throws {
        try start()
        var outcomes: [String] = []
        for extra in ["Connection: close\r\n", ""] {
            let c = try Conn(port: port)
            try c.send("GET / HTTP/1.1\r\nHost: x\r\n\(extra)\r\n")
            c.shutdownWrite()
            c.setTimeout(3)
            let raw = (try? c.readToEOF()) ?? c.buffer
            outcomes.append("\(extra.isEmpty ? "keep-alive" : "close"): \(raw.count) bytes")
            if raw.isEmpty {
                continue
            }
            let text = String(decoding: raw, as: UTF8.self)
            XCTAssertTrue(text.hasPrefix("HTTP/1.1 200"), text)
            XCTAssertTrue(text.hasSuffix("web1\n"), text)
        }
        if outcomes.contains(where: { $0.hasSuffix(": 0 bytes") }) {
            return XCTFail("GET / HTTP/1.1 then shutdown(SHUT_WR) from the client: the proxy closes without any response (\(outcomes)); the backend gets a connection with no request bytes. HAProxy 2.6.12 forwards the request and returns the 200 response (with and without Connection: close)")
        }
    }

    /// HTTP/1.0 requests followed by the client's shutdown(SHUT_WR): the
    /// `connection:` header of the answer is the one 2.6.12 sends without
    /// the shutdown too (recorded with the same HTTP/1.1 keep-alive server):
    /// `close` for a plain HTTP/1.0 request, `keep-alive` when it asked for
    /// it; the connection then ends after the response.
    func testHTTP10RequestFollowedByClientHalfClose() throws {
        try start()
        for (extra, expected) in [("", "close"), ("Connection: keep-alive\r\n", "keep-alive")] {
            let c = try Conn(port: port)
            try c.send("GET / HTTP/1.0\r\n\(extra)\r\n")
            c.shutdownWrite()
            c.setTimeout(5)
            let text = String(decoding: try c.readToEOF(), as: UTF8.self)
            c.close()
            XCTAssertTrue(text.hasPrefix("HTTP/1.1 200"), text)
            let head = text.components(separatedBy: "\r\n\r\n")[0].lowercased().components(separatedBy: "\r\n")
            XCTAssertEqual(head.filter { $0.hasPrefix("connection:") }, ["connection: \(expected)"], text)
            XCTAssertTrue(text.hasSuffix("web1\n"), text)
        }
    }

    /// The same with a body that arrived whole before the shutdown, while the
    /// server connection is still being opened: 2.6.12 forwards it and
    /// answers; the response says nothing about the shutdown.
    func testRequestWithBodyFollowedByClientHalfCloseIsAnswered() throws {
        try start()
        for (framing, body) in [("Content-Length: 5", "hello"), ("Transfer-Encoding: chunked", "5\r\nhello\r\n0\r\n\r\n")] {
            let c = try Conn(port: port)
            try c.send("POST /p HTTP/1.1\r\nHost: x\r\n\(framing)\r\n\r\n\(body)")
            c.shutdownWrite()
            c.setTimeout(3)
            let text = String(decoding: (try? c.readToEOF()) ?? c.buffer, as: UTF8.self)
            XCTAssertTrue(text.hasPrefix("HTTP/1.1 200"), "\(framing): \(text)")
            XCTAssertTrue(text.contains("len=5 "), "\(framing): \(text)")
            XCTAssertFalse(text.lowercased().contains("connection: close"), "\(framing): \(text)")
        }
    }
}

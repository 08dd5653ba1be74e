import Foundation
import XCTest

/// Client-side timeouts, connection modes (httpclose, http-server-close) and
/// non-TCP listeners (unix sockets).
final class TimeoutAndConnectionModeTests: IntegrationTestCase {
    private var backend: Backend!

    private func start(defaults extra: String = "", frontend: String = "", backendExtra: String = "",
                       bind: String? = nil) throws -> Int {
        backend = try startBackend("web")
        let port = Ports.free()
        try startProxy(config: Self.defaultsHTTP + extra + """

        frontend fe
            bind \(bind ?? "127.0.0.1:\(port)")
        \(frontend)
            default_backend be

        backend be
        \(backendExtra)
            server web 127.0.0.1:\(backend.port)

        """, ports: bind == nil ? [port] : [])
        return port
    }

    func testIncompleteRequestGets408AfterHTTPRequestTimeout() throws {
        let port = try start(defaults: "    timeout http-request 300ms\n")
        let c = try Conn(port: port)
        let t0 = Date()
        try c.send("GET / HTTP/1.1\r\nHost: x\r\n")   // never finished
        let r = try c.readResponse()
        let took = Date().timeIntervalSince(t0)
        XCTAssertEqual(r.status, 408)
        XCTAssertGreaterThan(took, 0.2)
        XCTAssertLessThan(took, 2, "408 should come after ~300 ms")
        XCTAssertTrue(c.closesWithin(2))
    }

    func testIdleKeepAliveConnectionClosedAfterKeepAliveTimeout() throws {
        let port = try start(defaults: "    timeout http-keep-alive 300ms\n")
        let c = try Conn(port: port)
        try c.send(HTTPClient.request("GET", "/"))
        XCTAssertEqual(try c.readResponse().status, 200)
        let t0 = Date()
        XCTAssertTrue(c.closesWithin(3), "idle keep-alive connection not closed")
        let took = Date().timeIntervalSince(t0)
        XCTAssertGreaterThan(took, 0.2)
        XCTAssertLessThan(took, 2)
    }

    func testTCPClientTimeoutClosesIdleConnection() throws {
        let echo = try startBackend("echo", mode: "echo")
        let port = Ports.free()
        try startProxy(config: """
        defaults
            mode tcp
            timeout connect 2s
            timeout client 300ms
            timeout server 10s

        listen fwd
            bind 127.0.0.1:\(port)
            server echo 127.0.0.1:\(echo.port)

        """, ports: [port])
        let c = try Conn(port: port)
        try c.send("x")
        XCTAssertEqual(try c.read(exactly: 1), Data("x".utf8))
        let t0 = Date()
        XCTAssertTrue(c.closesWithin(3), "idle TCP connection not closed after timeout client")
        XCTAssertLessThan(Date().timeIntervalSince(t0), 2)
    }

    func testHTTPCloseInFrontendClosesClientAfterResponse() throws {
        let port = try start(frontend: "    option httpclose")
        let c = try Conn(port: port)
        try c.send(HTTPClient.request("GET", "/"))
        let r = try c.readResponse()
        XCTAssertEqual(r.status, 200)
        XCTAssertEqual(r.header("connection"), "close")
        XCTAssertTrue(c.closesWithin(3), "option httpclose in the frontend must close the client connection after the response")
    }

    /// In a backend, httpclose closes the server side only; HAProxy 2.6.12 keeps
    /// the client connection open (checked by hand against it).
    func testHTTPCloseInBackendClosesServerSideOnly() throws {
        let port = try start(backendExtra: "    option httpclose")
        let before = try backend.stats()
        let c = try Conn(port: port)
        for _ in 0..<3 {
            try c.send(HTTPClient.request("GET", "/"))
            XCTAssertEqual(try c.readResponse().server, "web")
        }
        let after = try backend.stats()
        XCTAssertEqual(after.connections - before.connections - 1, 3)
    }

    /// Header lines travel as HAProxy 2.6 writes them, both ways: names in
    /// lower case, values trimmed, whatever the peer sent (the framing
    /// differential test compares the exact bytes with 2.6).
    func testHeadersForwardedAsHAProxy26WritesThem() throws {
        let port = try start()
        let c = try Conn(port: port)
        try c.send("GET /headers HTTP/1.1\r\nHost: x\r\nX-Custom-Header:   value  \r\n\r\n")
        let r = try c.readResponse()
        let received = r.text.split(separator: "\n").map(String.init)
        XCTAssertTrue(received.contains { $0 == "x-custom-header: value" }, "\(received)")
        // Response: python's http.server sends "Server: itest-backend " (trailing space).
        let raw = try Conn(port: port)
        try raw.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        let head = String(decoding: try raw.read(until: Data("\r\n\r\n".utf8)), as: UTF8.self)
        XCTAssertTrue(head.contains("\r\nserver: itest-backend\r\n"), head)
    }

    func testHTTPServerCloseKeepsClientButClosesServer() throws {
        let port = try start(backendExtra: "    option http-server-close")
        let before = try backend.stats()
        let c = try Conn(port: port)
        for _ in 0..<5 {
            try c.send(HTTPClient.request("GET", "/"))
            XCTAssertEqual(try c.readResponse().server, "web")
        }
        let after = try backend.stats()
        XCTAssertEqual(after.connections - before.connections - 1, 5, "one server connection per request expected")
    }

    func testUnixSocketBind() throws {
        let path = tmp.appendingPathComponent("fe.sock").path
        _ = try start(bind: "unix@\(path)")
        // Bounded wait for the socket file, then a real client over it.
        let deadline = Date().addingTimeInterval(10)
        var r = ToolResult(status: -1, stdout: "", stderr: "")
        while Date() < deadline {
            if FileManager.default.fileExists(atPath: path) {
                r = try runTool("/usr/bin/curl", ["-s", "--max-time", "5", "--unix-socket", path, "http://x/"], dir: tmp)
                if r.status == 0 { break }
            }
            usleep(20_000)
        }
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stdout, "web\n")
    }
}

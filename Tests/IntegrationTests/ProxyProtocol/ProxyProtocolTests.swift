import Foundation
import XCTest

/// PROXY protocol v1/v2 on binds (accept-proxy) and servers (send-proxy).
final class ProxyProtocolTests: IntegrationTestCase {
    private func startAcceptProxy() throws -> Int {
        let b = try startBackend("pp")
        let port = Ports.free()
        try startProxy(config: Self.defaultsHTTP + """
        frontend fe
            bind 127.0.0.1:\(port) accept-proxy
            option forwardfor
            default_backend be

        backend be
            server pp 127.0.0.1:\(b.port)

        """, ports: [port])
        return port
    }

    private func forwardedFor(_ text: String) -> String? {
        text.split(separator: "\n").map { String($0) }
            .first { $0.lowercased().hasPrefix("x-forwarded-for:") }
            .map { String($0.dropFirst("x-forwarded-for:".count)).trimmingCharacters(in: .whitespaces) }
    }

    func testAcceptProxyV1SourceBecomesForwardedFor() throws {
        let port = try startAcceptProxy()
        let c = try Conn(port: port)
        try c.send("PROXY TCP4 192.0.2.10 127.0.0.1 5555 80\r\n" + HTTPClient.request("GET", "/headers"))
        let r = try c.readResponse()
        XCTAssertEqual(r.status, 200)
        XCTAssertEqual(forwardedFor(r.text), "192.0.2.10", r.text)
        // Second request on the same connection keeps the PROXY source.
        try c.send(HTTPClient.request("GET", "/headers"))
        XCTAssertEqual(forwardedFor(try c.readResponse().text), "192.0.2.10")
    }

    func testAcceptProxyV2SourceBecomesForwardedFor() throws {
        let port = try startAcceptProxy()
        var h = Data([0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A])
        h.append(contentsOf: [0x21, 0x11, 0x00, 0x0C]) // v2 PROXY, TCP over IPv4, 12 bytes
        h.append(contentsOf: [198, 51, 100, 7])        // src 198.51.100.7
        h.append(contentsOf: [127, 0, 0, 1])           // dst
        h.append(contentsOf: [0x30, 0x39, 0x00, 0x50]) // 12345 -> 80
        let c = try Conn(port: port)
        try c.send(h + Data(HTTPClient.request("GET", "/headers").utf8))
        let r = try c.readResponse()
        XCTAssertEqual(r.status, 200)
        XCTAssertEqual(forwardedFor(r.text), "198.51.100.7", r.text)
    }

    func testAcceptProxyRejectsMissingHeader() throws {
        let port = try startAcceptProxy()
        let c = try Conn(port: port)
        try c.send(HTTPClient.request("GET", "/headers"))
        // HAProxy closes the connection without an HTTP answer.
        c.setTimeout(3)
        let rest = try? c.readToEOF()
        XCTAssertFalse(String(decoding: rest ?? Data(), as: UTF8.self).contains("x-server"), "request without PROXY header was forwarded")
    }

    /// The header's destination is the stream's too, as 2.6 takes it
    /// (recorded: `dst`, `%fi:%fp` and a server's `send-proxy` give
    /// 192.168.0.2:2222 for `PROXY TCP4 192.168.0.1 192.168.0.2 1111
    /// 2222`; `fc_dst` stays the socket's own address).
    func testAcceptProxyDestinationBecomesTheStreamsDestination() throws {
        let echo = try startBackend("echo", mode: "echo")
        let httpPort = Ports.free(), tcpPort = Ports.free()
        let (log, sections) = try rawLogSections()
        try startProxy(config: sections + """
        frontend web
            mode http
            bind 127.0.0.1:\(httpPort) accept-proxy
            log-format "web %ci:%cp %fi:%fp"
            http-request return status 200 content-type text/plain lf-string "%[dst]:%[dst_port] %[fc_dst]"
        frontend relay
            mode tcp
            bind 127.0.0.1:\(tcpPort) accept-proxy
            default_backend echo
        backend echo
            mode tcp
            server e 127.0.0.1:\(echo.port) send-proxy
        """, ports: [httpPort, tcpPort])
        let header = "PROXY TCP4 192.168.0.1 192.168.0.2 1111 2222\r\n"
        let web = try Conn(port: httpPort)
        try web.send(header + HTTPClient.request("GET", "/", close: true))
        XCTAssertEqual(try web.readResponse().text, "192.168.0.2:2222 127.0.0.1")
        XCTAssertEqual(try log.receive { $0.hasPrefix("web ") }.last, "web 192.168.0.1:1111 192.168.0.2:2222\n")
        let relay = try Conn(port: tcpPort)
        try relay.send(header + "hello\n")
        // The echo server sends back what it got: our header to it first.
        XCTAssertEqual(String(decoding: try relay.read(until: Data("\r\n".utf8)), as: UTF8.self), header)
        XCTAssertEqual(try relay.read(exactly: 6), Data("hello\n".utf8))
    }

    private func startSendProxy(_ keyword: String) throws -> Int {
        try startTCPForwarder(serverOptions: keyword).port
    }

    func testSendProxyV1ReachesServer() throws {
        let port = try startSendProxy("send-proxy")
        let c = try Conn(port: port)
        try c.send("hello\n")
        let line = try c.read(until: Data("\r\n".utf8))
        XCTAssertEqual(String(decoding: line, as: UTF8.self), "PROXY TCP4 127.0.0.1 127.0.0.1 \(c.localPort) \(port)\r\n")
        XCTAssertEqual(try c.read(exactly: 6), Data("hello\n".utf8))
    }

    func testSendProxyV2ReachesServer() throws {
        let port = try startSendProxy("send-proxy-v2")
        let c = try Conn(port: port)
        try c.send("hello\n")
        let head = try c.read(exactly: 16)
        XCTAssertEqual(Array(head.prefix(12)), [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A])
        XCTAssertEqual(head[12], 0x21)
        XCTAssertEqual(head[13], 0x11)
        let len = Int(head[14]) << 8 | Int(head[15])
        XCTAssertGreaterThanOrEqual(len, 12)
        let addr = try c.read(exactly: len)
        XCTAssertEqual(Array(addr.prefix(8)), [127, 0, 0, 1, 127, 0, 0, 1])
        XCTAssertEqual(Int(addr[8]) << 8 | Int(addr[9]), c.localPort)
        XCTAssertEqual(Int(addr[10]) << 8 | Int(addr[11]), port)
        XCTAssertEqual(try c.read(exactly: 6), Data("hello\n".utf8))
    }
}

extension ProxyProtocolTests {
    /// `src_is_local` on the addresses a PROXY header gives: true for the
    /// loopback ones this system has, false for the others (recorded from
    /// Debian's haproxy 2.6.12 with the same headers).
    func testSourceIsLocalAsHAProxy26() throws {
        let port = Ports.free()
        try startProxy(config: Self.defaultsHTTP + """
        frontend fe
            bind 127.0.0.1:\(port) accept-proxy
            http-request return status 200 content-type text/plain lf-string "%[src_is_local] %[src]"

        """, ports: [port])
        for (header, expected) in [
            ("PROXY TCP4 198.18.0.7 127.0.0.1 1000 80", "0 198.18.0.7"),
            ("PROXY TCP4 127.0.0.9 127.0.0.1 1000 80", "1 127.0.0.9"),
            ("PROXY TCP6 ::1 2001:db8::1 1000 80", "1 ::1"),
            ("PROXY TCP6 2001:db8::1 ::1 1000 80", "0 2001:db8::1"),
        ] {
            let c = try Conn(port: port)
            defer { c.close() }
            try c.send(header + "\r\n" + HTTPClient.request("GET", "/", close: true))
            XCTAssertEqual(String(decoding: try c.readResponse().body, as: UTF8.self), expected, header)
        }
    }
}

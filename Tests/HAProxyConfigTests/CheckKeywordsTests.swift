import XCTest

@testable import HAProxyConfig

final class CheckKeywordsTests: XCTestCase {
    func testHTTPCheck() throws {
        let (config, diagnostics) = TestSupport.load(
            """
            backend b
                option httpchk
                http-check connect
                http-check send meth GET uri /health ver HTTP/1.1 hdr Host example.com body ping
                http-check expect status 200-299,302
                http-check expect ! string maintenance
                http-check expect rstatus ^2
                http-check comment "health"
                http-check disable-on-404
                http-check send-state
            """)
        XCTAssertEqual(diagnostics.messages, [])
        let c = try XCTUnwrap(config?.proxies.first?.healthCheck)
        XCTAssertTrue(c.disableOn404)
        XCTAssertTrue(c.sendState)
        XCTAssertEqual(c.kind, .http)
        XCTAssertEqual(c.httpMethod, "GET")
        XCTAssertEqual(c.httpURI, "/health")
        XCTAssertEqual(c.httpVersion, "HTTP/1.1")
        XCTAssertEqual(c.httpHeaders.map(\.name), ["Host"])
        XCTAssertEqual(c.httpBody, "ping")
        XCTAssertEqual(
            c.httpExpect,
            [
                .init(matcher: .status([200...299, 302...302])),
                .init(matcher: .string("maintenance"), negated: true),
                .init(matcher: .statusRegex("^2")),
            ])
    }

    func testTCPCheck() throws {
        let (config, diagnostics) = TestSupport.load(
            """
            backend b
                option tcp-check
                tcp-check comment "redis"
                tcp-check connect port 6379 send-proxy
                tcp-check send PING\\r\\n
                tcp-check send-binary 0a0b
                tcp-check expect string +PONG
                tcp-check expect ! rstring ^-ERR
                tcp-check expect binary 0d0a
            """)
        XCTAssertEqual(diagnostics.messages, [])
        let c = try XCTUnwrap(config?.proxies.first?.healthCheck)
        XCTAssertEqual(c.kind, .tcpCheck)
        XCTAssertEqual(
            c.tcpRules,
            [
                .comment("redis"), .connect(port: 6379, sendProxy: true), .send(bytes: Array("PING\r\n".utf8)),
                .send(bytes: [0x0a, 0x0b]), .expect(.init(matcher: .string("+PONG"))),
                .expect(.init(matcher: .stringRegex("^-ERR"), negated: true)), .expect(.init(matcher: .binary([0x0d, 0x0a]))),
            ])
    }

    /// As in 2.6, tcp-check rules count only with `option tcp-check`: with
    /// another check (or none) they are ignored with a warning.
    func testTCPCheckRulesWithoutTheOptionAreIgnored() throws {
        let (config, diagnostics) = TestSupport.load(
            """
            defaults
                timeout connect 1s
                timeout server 1s
            backend e
                tcp-check send PING\\r\\n
                server s 127.0.0.1:6379 check
            backend c
                option redis-check
                tcp-check send PING\\r\\n
                server s 127.0.0.1:6379 check
            backend t
                tcp-check send PING\\r\\n
                option tcp-check
                server s 127.0.0.1:6379 check
            """)
        XCTAssertEqual(
            diagnostics.warnings.map(\.message),
            [
                "backend 'e' uses tcp-check rules without 'option tcp-check', so the rules are ignored.",
                "backend 'c' uses tcp-check rules without 'option tcp-check', so the rules are ignored.",
            ])
        let kinds = try XCTUnwrap(config?.proxies.map(\.healthCheck.kind))
        XCTAssertEqual(kinds, [.tcpConnect, .protocolCheck, .tcpCheck])
    }
}

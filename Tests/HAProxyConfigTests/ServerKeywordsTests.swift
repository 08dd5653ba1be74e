import XCTest

@testable import HAProxyConfig

final class ServerKeywordsTests: XCTestCase {
    func servers(_ lines: String, environment: [String: String] = [:]) -> ([ServerConfig], Diagnostics) {
        let (config, diagnostics) = TestSupport.load(
            "backend b\n  timeout connect 1s\n  timeout server 1s\n" + lines, environment: environment)
        return (config?.proxies.first?.servers ?? [], diagnostics)
    }

    /// `${NAME}` is expanded in a server address even unquoted.
    func testUnquotedEnvironmentVariablesInAddress() {
        let (s, d) = servers("  server a ${HOST}:${PORT}\n", environment: ["HOST": "10.0.0.1", "PORT": "8080"])
        XCTAssertEqual(d.messages, [])
        XCTAssertEqual(s.map(\.host), ["10.0.0.1"])
        XCTAssertEqual(s.map(\.port), [8080])
    }

    func testAddressesAndPorts() {
        let (s, d) = servers(
            """
              server a 10.0.0.1:8080
              server b app.example.com:80
              server c 10.0.0.3
              server d 10.0.0.4:+1000
              server e 10.0.0.5:-10
              server f ipv6@[::1]:81
              server g ipv4@127.0.0.1:82
              server h unix@/run/app.sock
              server i /run/app2.sock

            """)
        XCTAssertEqual(d.messages, [])
        XCTAssertEqual(s.map(\.host), ["10.0.0.1", "app.example.com", "10.0.0.3", "10.0.0.4", "10.0.0.5", "::1", "127.0.0.1", "/run/app.sock", "/run/app2.sock"])
        XCTAssertEqual(s.map(\.port), [8080, 80, nil, nil, nil, 81, 82, nil, nil])
        XCTAssertEqual(s[3].portOffset, 1000)
        XCTAssertEqual(s[4].portOffset, -10)
        XCTAssertEqual(s[5].family, .ipv6)
        XCTAssertEqual(s[6].family, .ipv4)
        XCTAssertTrue(s[7].isUnixSocket && s[8].isUnixSocket)
    }

    func testOptionsAndDefaultServer() {
        let (s, d) = servers(
            """
              default-server inter 3s rise 4 fall 5 weight 20
              server a 10.0.0.1:80 check fastinter 1s downinter 10s backup maxconn 50 maxqueue 10 port 8081 addr 10.0.0.9 send-proxy-v2 id 7
              server b 10.0.0.2:80 disabled send-proxy no-check
              server c 10.0.0.3:80 disabled enabled weight 0

            """)
        XCTAssertEqual(d.messages, [])
        let a = s[0].options
        XCTAssertEqual(a.interMs, 3000)
        XCTAssertEqual(a.rise, 4)
        XCTAssertEqual(a.fall, 5)
        XCTAssertEqual(a.weight, 20)
        XCTAssertTrue(a.check && a.backup && a.sendProxyV2)
        XCTAssertEqual(a.fastinterMs, 1000)
        XCTAssertEqual(a.downinterMs, 10_000)
        XCTAssertEqual(a.maxconn, 50)
        XCTAssertEqual(a.maxqueue, 10)
        XCTAssertEqual(a.checkPort, 8081)
        XCTAssertEqual(a.checkAddr, "10.0.0.9")
        XCTAssertEqual(s[0].id, 7)
        XCTAssertTrue(s[1].options.disabled && s[1].options.sendProxy && !s[1].options.check)
        XCTAssertFalse(s[2].options.disabled)
        XCTAssertEqual(s[2].options.weight, 0)
    }

    /// `track`: kept as written (last one wins), with `default-server`;
    /// unknown names and loops are refused once every proxy is read.
    /// `on-marked-down shutdown-sessions`, from `default-server` too, and
    /// 2.6's message for any other word (recorded).
    func testOnMarkedDown() {
        let (s, d) = servers("  default-server on-marked-down shutdown-sessions\n  server a 10.0.0.1:80\n  server b 10.0.0.2:80\n")
        XCTAssertEqual(d.messages, [])
        XCTAssertEqual(s.map(\.options.shutdownSessionsWhenDown), [true, true])
        for word in ["foo", ""] {
            let (_, bad) = servers("  server a 10.0.0.1:80 on-marked-down \(word)\n")
            XCTAssertEqual(
                bad.alerts.first?.message,
                "[test.cfg:4] : 'server b/a' : 'on-marked-down' expects 'shutdown-sessions' but got '\(word)'.")
        }
    }

    func testTrack() {
        let (s, d) = servers(
            """
              server c 10.0.0.3 check
              default-server track c
              server a 10.0.0.1 track b/x track c
              server b 10.0.0.2

            """)
        XCTAssertEqual(d.alerts.map(\.message), [])
        XCTAssertEqual(s.map(\.options.track), [nil, "c", "c"])
        let (_, loop) = servers("  server a 10.0.0.1 track b\n  server b 10.0.0.2 track a\n")
        XCTAssertEqual(loop.alerts.map(\.message).dropLast(), [
            "[test.cfg:5] : 'server b/b' : unable to track b/a as it belongs to a tracking chain looping back to b/b.",
        ])
    }

    func testServerTemplate() {
        let (s, d) = servers("  server-template web 3 app.local:80 check\n  server-template api 5-6 api.local\n")
        XCTAssertEqual(d.messages, [])
        XCTAssertEqual(s.map(\.name), ["web1", "web2", "web3", "api5", "api6"])
        XCTAssertTrue(s[0].options.check)
        XCTAssertEqual(s[3].host, "api.local")
    }

    func testUnimplementedOptionsAreRefused() {
        let (_, d) = servers("  server a 10.0.0.1:443 ssl verify none check-alpn h2\n  server b 10.0.0.2:80 observe layer4\n")
        XCTAssertEqual(
            d.alerts.prefix(2).map(\.message),
            [
                "[test.cfg:4] : 'server b/a' : 'check-alpn' option is not supported by this build.",
                "[test.cfg:5] : 'server b/b' : 'observe' option is not supported by this build.",
            ])
    }

    func testAgentOptionsAndDefaultServer() {
        let (s, d) = servers(
            """
              default-server agent-check agent-port 5555 agent-inter 500ms
              server a 10.0.0.1:80 agent-addr 10.0.0.9 agent-send hello
              server b 10.0.0.2:80 no-agent-check
              server c 10.0.0.3:80

            """)
        XCTAssertEqual(d.messages, [])
        XCTAssertEqual(s.map(\.options.agentCheck), [true, false, true])
        XCTAssertEqual(s[0].options.agentPort, 5555)
        XCTAssertEqual(s[0].options.agentInterMs, 500)
        XCTAssertEqual(s[0].options.agentAddr, "10.0.0.9")
        XCTAssertEqual(s[0].options.agentSend, "hello")
        XCTAssertEqual(s[2].options.agentInterMs, 500)
        XCTAssertNil(s[2].options.agentSend)
    }

    /// Worded as 2.6.12 words them.
    func testAgentOptionErrors() {
        let cases = [
            ("agent-check", "'server b/a' : server a does not have agent port. Agent check has been disabled."),
            ("agent-check agent-port abc", "'server b/a' : server a does not have agent port. Agent check has been disabled."),
            ("agent-check agent-port 1 agent-addr foo.invalid",
             "'server b/a' : parsing agent-addr failed. Check if 'foo.invalid' is correct address.."),
            ("agent-check agent-port 1 agent-inter 0", "'server b/a' : invalid value 0 for argument 'agent-inter' of server a.."),
            ("agent-check agent-port 1 agent-send", "'server b/a' : 'agent-send' expects a string as argument.."),
        ]
        for (options, message) in cases {
            let (_, d) = servers("  server a 10.0.0.1:80 \(options)\n")
            XCTAssertEqual(d.alerts.first?.message, "[test.cfg:4] : " + message, options)
        }
        XCTAssertEqual(servers("  server a 10.0.0.1:80 agent-port 1\n").1.messages, [])
        // A host name is resolved while parsing (2.6 shows 127.0.0.1 for localhost).
        let (resolved, d) = servers("  server a 10.0.0.1:80 agent-check agent-port 1 agent-addr localhost\n")
        XCTAssertEqual(d.messages, [])
        XCTAssertTrue(["127.0.0.1", "::1"].contains(resolved.first?.options.agentAddr ?? ""), "\(resolved)")
    }
}

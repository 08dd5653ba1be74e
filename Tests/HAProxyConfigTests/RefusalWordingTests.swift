import XCTest

@testable import HAProxyConfig

/// HAProxy 2.6 keywords this build does not implement are refused as "not
/// supported by this build", naming file, line and keyword; words 2.6 does
/// not know either keep the "unknown keyword" message with its suggestion.
final class RefusalWordingTests: XCTestCase {
    private func alerts(_ text: String, count: Int) -> [String] {
        let (config, diagnostics) = TestSupport.load(text)
        XCTAssertNil(config)
        return Array(diagnostics.alerts.prefix(count).map(\.message))
    }

    func testProxyKeywordsAndRuleSets() {
        XCTAssertEqual(
            alerts(
                """
                frontend f
                    bind :80
                    filter trace
                    http-response cache-store c
                    tcp-request content switch-mode http
                    email-alert mailers m
                    dispatch 127.0.0.1:80
                    use_backendd b
                """, count: 6),
            [
                "parsing [test.cfg:3] : 'filter' is not supported by this build.",
                "parsing [test.cfg:4] : 'http-response cache-store' is not supported by this build.",
                "parsing [test.cfg:5] : 'tcp-request content switch-mode' is not supported by this build.",
                "parsing [test.cfg:6] : 'email-alert mailers' is not supported by this build.",
                "parsing [test.cfg:7] : 'dispatch' is not supported by this build.",
                "parsing [test.cfg:8] : unknown keyword 'use_backendd' in 'frontend' section; did you mean 'use_backend' maybe ?",
            ])
    }

    func testHTTPRequestActions() {
        XCTAssertEqual(
            alerts(
                """
                frontend f
                    bind :80
                    http-request set-nice 1
                    http-request set-priority-offset int(1)
                    http-request send-spoe-group e g
                    http-request do-resolve(txn.ip,dns) hdr(host)
                """, count: 4),
            [
                "parsing [test.cfg:3] : 'http-request set-nice' is not supported by this build.",
                "parsing [test.cfg:4] : 'http-request set-priority-offset' is not supported by this build.",
                "parsing [test.cfg:5] : 'http-request send-spoe-group' is not supported by this build.",
                "parsing [test.cfg:6] : 'http-request do-resolve(txn.ip,dns)' is not supported by this build.",
            ])
        let unknown = alerts("frontend f\n    bind :80\n    http-request frobnicate\n", count: 1)
        XCTAssertTrue(unknown.first?.hasPrefix("parsing [test.cfg:3]: 'http-request' expects 'wait-for-handshake'") ?? false)
        XCTAssertTrue(unknown.first?.hasSuffix("but got 'frobnicate'.") ?? false, "\(unknown)")
    }

    func testChecksAndTimeouts() {
        XCTAssertEqual(
            alerts(
                """
                backend b
                    http-check disable-on-404 now
                    http-check send-state please
                """, count: 2),
            [
                "parsing [test.cfg:2] : 'http-check' cannot handle unexpected argument 'now'.",
                "parsing [test.cfg:3] : 'http-check' cannot handle unexpected argument 'please'.",
            ])
    }

    /// Registered only to be refused with 2.6's own message.
    func testObsoleteTimeouts() {
        XCTAssertEqual(
            alerts("defaults\n    contimeout 1s\n    clitimeout 1s\n    srvtimeout 1s\n", count: 3),
            [
                "parsing [test.cfg:2] : the 'contimeout' directive is not supported anymore since HAProxy 2.1. Use 'timeout connect'.",
                "parsing [test.cfg:3] : the 'clitimeout' directive is not supported anymore since HAProxy 2.1. Use 'timeout client'.",
                "parsing [test.cfg:4] : the 'srvtimeout' directive is not supported anymore since HAProxy 2.1. Use 'timeout server'.",
            ])
    }

    func testServerOptions() {
        XCTAssertEqual(
            alerts(
                """
                backend b
                    server a 127.0.0.1:80 on-error mark-down
                    server b 127.0.0.1:80 observe layer4
                    server c 127.0.0.1:80 minconn 5
                    server d 127.0.0.1:80 wieght 5
                """, count: 4),
            [
                "[test.cfg:2] : 'server b/a' : 'on-error' option is not supported by this build.",
                "[test.cfg:3] : 'server b/b' : 'observe' option is not supported by this build.",
                "[test.cfg:4] : 'server b/c' : 'minconn' option is not supported by this build.",
                "[test.cfg:5] : 'server b/d' : unknown keyword 'wieght'; did you mean 'weight' maybe ?",
            ])
    }

    func testBindOptions() {
        XCTAssertEqual(
            alerts(
                """
                frontend f
                    bind :80 ssl generate-certificates
                    bind :81 shards 2
                    bind :82 bogusopt
                """, count: 3),
            [
                "parsing [test.cfg:2] : 'bind :80' in section 'frontend' : 'generate-certificates' option is not supported by this build.",
                "parsing [test.cfg:3] : 'bind :81' in section 'frontend' : 'shards' option is not supported by this build.",
                "parsing [test.cfg:4] : 'bind :82' in section 'frontend': unknown keyword 'bogusopt'.",
            ])
    }
}

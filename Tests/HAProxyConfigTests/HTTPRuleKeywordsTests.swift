import XCTest

@testable import HAProxyConfig

final class HTTPRuleKeywordsTests: XCTestCase {
    func testReturnAndDeny() throws {
        let body = TestSupport.fixtures.appendingPathComponent("debian-errors/403.http").path
        let (config, diagnostics) = TestSupport.load(
            """
            frontend a
                bind :80
                mode http
                timeout client 1s
                http-request return status 200 content-type text/plain string "ok" hdr X-A 1 hdr X-B 2
            frontend b
                bind :81
                mode http
                timeout client 1s
                http-request deny deny_status 429
            frontend c
                bind :82
                mode http
                timeout client 1s
                http-request return status 403 errorfile \(body)
            frontend d
                bind :83
                mode http
                timeout client 1s
                http-request deny
            """)
        XCTAssertEqual(diagnostics.messages, [])
        let p = try XCTUnwrap(config?.proxies)
        guard case .returnResponse(let r) = p[0].httpRequestRules.first else { return XCTFail() }
        XCTAssertEqual(r.status, 200)
        XCTAssertEqual(r.contentType, "text/plain")
        XCTAssertEqual(r.body, Array("ok".utf8))
        XCTAssertEqual(r.headers, [HeaderPair(name: "X-A", value: "1"), HeaderPair(name: "X-B", value: "2")])
        XCTAssertEqual(p[1].httpRequestRules, [.deny(status: 429)])
        guard case .returnResponse(let e) = p[2].httpRequestRules.first else { return XCTFail() }
        XCTAssertEqual(e.status, 403)
        XCTAssertNotNil(e.rawResponse)
        XCTAssertEqual(p[3].httpRequestRules, [.deny(status: 403)])
    }

    func testConditionsAndOtherActionsAreRefused() {
        let (config, diagnostics) = TestSupport.load(
            """
            frontend a
                bind :80
                timeout client 1s
                http-request deny if { src 10.0.0.1 }
                http-request set-header X-A 1
            """)
        XCTAssertNil(config)
        XCTAssertEqual(
            diagnostics.alerts.prefix(2).map(\.message),
            [
                "parsing [test.cfg:4] : 'http-request deny' with an 'if' condition is not supported by this build yet (ACLs are not implemented).",
                "parsing [test.cfg:5] : 'http-request set-header' is not supported by this build.",
            ])
    }

    func testRuleAfterFinalRuleWarns() {
        let (_, diagnostics) = TestSupport.load(
            "frontend a\n  bind :80\n  timeout client 1s\n  http-request deny\n  http-request deny\n")
        XCTAssertEqual(
            diagnostics.warnings.first?.message,
            "parsing [test.cfg:5]: previous 'http-request' action is final and has no condition attached, further entries are NOOP.")
    }
}

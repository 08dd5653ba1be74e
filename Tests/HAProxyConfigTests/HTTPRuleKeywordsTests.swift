import XCTest
import HAProxyRules

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
        guard case .returnResponse(let r)? = p[0].httpRequestRules.first?.action else { return XCTFail() }
        XCTAssertEqual(r.status, 200)
        XCTAssertEqual(r.contentType, "text/plain")
        guard case .bytes(let body) = r.payload else { return XCTFail() }
        XCTAssertEqual(body, Array("ok".utf8))
        XCTAssertEqual(r.headers.map { String(decoding: $0.name, as: UTF8.self) }, ["X-A", "X-B"])
        guard case .deny(429, nil)? = p[1].httpRequestRules.first?.action else { return XCTFail() }
        guard case .returnResponse(let e)? = p[2].httpRequestRules.first?.action, case .rawResponse = e.payload else {
            return XCTFail()
        }
        XCTAssertEqual(e.status, 403)
        guard case .deny(403, nil)? = p[3].httpRequestRules.first?.action else { return XCTFail() }
    }

    /// Errors worded as 2.6 words them (recorded with `haproxy -c`, one
    /// line per configuration).
    func testErrorsAsTheReferenceWordsThem() {
        let cases: [(String, String)] = [
            ("http-request set-header X",
             "parsing [test.cfg:4] : error detected in frontend 'a' while parsing 'http-request set-header' rule : expects exactly 2 arguments."),
            ("http-request del-header X -m foo",
             "parsing [test.cfg:4] : error detected in frontend 'a' while parsing 'http-request del-header' rule : -m with unsupported matching method 'foo'."),
            ("http-request set-path",
             "parsing [test.cfg:4] : error detected in frontend 'a' while parsing 'http-request set-path' rule : expects exactly 1 argument <format>."),
            ("http-request redirect location /x code 305",
             "parsing [test.cfg:4] : error detected in frontend 'a' while parsing 'http-request redirect' rule : 'code': unsupported HTTP code '305' (must be one of 301, 302, 303, 307 or 308)."),
            ("http-request redirect foo /x",
             "parsing [test.cfg:4] : error detected in frontend 'a' while parsing 'http-request redirect' rule : expects 'code', 'prefix', 'location', 'scheme', 'set-cookie', 'clear-cookie', 'drop-query', 'ignore-empty' or 'append-slash' (was 'foo')."),
            ("http-request set-var(txn.foo)",
             "parsing [test.cfg:4] : error detected in frontend 'a' while parsing 'http-request set-var(txn.foo)' rule : missing fetch method."),
            ("http-request set-header X y z",
             "parsing [test.cfg:4]: 'http-request set-header' expects either 'if' or 'unless' followed by a condition but found 'z'."),
            ("http-response set-status 99",
             "parsing [test.cfg:4] : error detected in frontend 'a' while parsing 'http-response set-status' rule : expects an integer status code between 100 and 999."),
            ("use_backend be foo",
             "parsing [test.cfg:4] : unexpected keyword 'foo' after switching rule, only 'if' and 'unless' are allowed."),
            ("http-request deny deny_status 999",
             "parsing [test.cfg:4] : error detected in frontend 'a' while parsing 'http-request deny' rule : Unexpected status code '999'."),
        ]
        for (line, expected) in cases {
            let (_, diagnostics) = TestSupport.load("frontend a\n  bind :80\n  mode http\n  \(line)\n")
            XCTAssertEqual(diagnostics.alerts.first?.message, expected, line)
        }
    }

    /// `set-mark` and `set-tos`: a number in any of strtoul's bases, 2.6's
    /// messages otherwise (recorded).
    func testClientSocketOptions() throws {
        let (config, diagnostics) = TestSupport.load(
            "frontend a\n  bind :80\n  mode http\n  http-request set-mark 0x2a\n  http-request set-tos 010\n"
                + "  http-request set-mark 5000000000\n")
        XCTAssertEqual(diagnostics.alerts.map(\.message), [])
        let actions = try XCTUnwrap(config?.proxies.first?.httpRequestRules).map(\.action)
        guard actions.count == 3, case .setClientSocket(let mark) = actions[0], case .setClientSocket(let tos) = actions[1],
              case .setClientSocket(let wrapped) = actions[2] else { return XCTFail("\(actions)") }
        XCTAssertEqual([mark, tos, wrapped], [.mark(42), .tos(8), .mark(705_032_704)])
        let cases: [(String, String)] = [
            ("http-request set-mark",
             "parsing [test.cfg:4] : error detected in frontend 'a' while parsing 'http-request set-mark' rule : expects exactly 1 argument (integer/hex value)."),
            ("http-request set-tos 12abc",
             "parsing [test.cfg:4] : error detected in frontend 'a' while parsing 'http-request set-tos' rule : invalid character starting at 'abc' (integer/hex value expected)."),
        ]
        for (line, expected) in cases {
            let (_, bad) = TestSupport.load("frontend a\n  bind :80\n  mode http\n  \(line)\n")
            XCTAssertEqual(bad.alerts.first?.message, expected, line)
        }
    }

    /// `set-map(FILE)`, `del-map`, `add-acl`, `del-acl`: 2.6's messages
    /// (recorded), and any file name accepted.
    func testPatternEditActions() {
        let cases: [(String, String?)] = [
            ("http-request set-map(/nowhere.map) %[path] %[src]", nil),
            ("http-response del-acl(/x.acl) %[res.hdr(x)]", nil),
            ("http-request del-map(/x.map)",
             "parsing [test.cfg:4] : error detected in frontend 'a' while parsing 'http-request del-map(/x.map)' rule : expects exactly 1 arguments."),
            ("http-request set-map(/x.map) %[path]",
             "parsing [test.cfg:4] : error detected in frontend 'a' while parsing 'http-request set-map(/x.map)' rule : expects exactly 2 arguments."),
            ("http-request add-acl(/x.acl) a b",
             "parsing [test.cfg:4]: 'http-request add-acl(/x.acl)' expects either 'if' or 'unless' followed by a condition but found 'b'."),
        ]
        for (line, expected) in cases {
            let (config, diagnostics) = TestSupport.load("frontend a\n  bind :80\n  mode http\n  \(line)\n")
            XCTAssertEqual(diagnostics.alerts.first?.message, expected, line)
            if expected == nil { XCTAssertNotNil(config, line) }
        }
    }

    func testActionsNotBuiltAreRefusedByName() {
        let (config, diagnostics) = TestSupport.load(
            """
            frontend a
                bind :80
                timeout client 1s
                http-request set-priority-class int(1)
                http-request bogus
            """)
        XCTAssertNil(config)
        XCTAssertEqual(
            diagnostics.alerts.first?.message,
            "parsing [test.cfg:4] : 'http-request set-priority-class' is not supported by this build.")
    }

    func testRuleAfterFinalRuleWarns() {
        let (_, diagnostics) = TestSupport.load(
            "frontend a\n  bind :80\n  timeout client 1s\n  http-request deny\n  http-request deny\n")
        XCTAssertEqual(
            diagnostics.warnings.first?.message,
            "parsing [test.cfg:5]: previous 'http-request' action is final and has no condition attached, further entries are NOOP.")
    }

    /// `normalize-uri` parses into its normalizer behind
    /// `expose-experimental-directives`; without it, and with bad
    /// arguments, 2.6's ALERTs (recorded with `haproxy -c`).
    func testNormalizeURIIsExperimentalAndParsedAsTheReference() throws {
        let (config, diagnostics) = TestSupport.load(
            """
            global
                expose-experimental-directives ignored words
            frontend a
                bind :80
                mode http
                timeout client 1s
                http-request normalize-uri path-strip-dotdot full if TRUE
                http-request normalize-uri percent-to-uppercase
                http-request normalize-uri percent-decode-unreserved strict unless FALSE
                http-request normalize-uri query-sort-by-name
            """)
        XCTAssertEqual(diagnostics.alerts.map(\.message), [])
        XCTAssertEqual(config?.global.exposeExperimentalDirectives, true)
        let actions = try XCTUnwrap(config?.proxies.first?.httpRequestRules).map(\.action)
        let normalizers: [URINormalizer] = actions.compactMap {
            if case .normalizeURI(let n) = $0 { return n }
            return nil
        }
        XCTAssertEqual(normalizers, [
            .pathStripDotDot(full: true), .percentToUppercase(strict: false), .percentDecodeUnreserved(strict: true),
            .querySortByName,
        ])

        let (refused, refusal) = TestSupport.load(
            "frontend a\n  bind :80\n  mode http\n  http-request normalize-uri foo\n  http-request bogus\n")
        XCTAssertNil(refused)
        XCTAssertEqual(
            refusal.alerts.first?.message,
            "parsing [test.cfg:4] : 'normalize-uri' action is experimental, must be allowed via a global 'expose-experimental-directives'")
        // The ALERT aborts the file: `bogus` on the next line is not reached.
        XCTAssertEqual(refusal.alerts.count, 2)

        let prefix = "parsing [test.cfg:6] : error detected in frontend 'a' while parsing 'http-request normalize-uri' rule : "
        let cases: [(String, String)] = [
            ("", prefix + "missing argument <normalizer>."),
            ("foo", prefix + "unknown normalizer 'foo'."),
            ("if TRUE", prefix + "unknown normalizer 'if'."),
            ("path-strip-dotdot x", prefix + "unknown argument 'x' for 'path-strip-dotdot' normalizer."),
            ("percent-decode-unreserved stricts", prefix + "unknown argument 'stricts' for 'percent-decode-unreserved' normalizer."),
            ("fragment-strip x",
             "parsing [test.cfg:6]: 'http-request normalize-uri' expects either 'if' or 'unless' followed by a condition but found 'x'."),
            ("percent-to-uppercase strict strict",
             "parsing [test.cfg:6]: 'http-request normalize-uri' expects either 'if' or 'unless' followed by a condition but found 'strict'."),
        ]
        for (arguments, expected) in cases {
            let (_, diagnostics) = TestSupport.load(
                "global\n  expose-experimental-directives\nfrontend a\n  bind :80\n  mode http\n  http-request normalize-uri \(arguments)\n")
            XCTAssertEqual(diagnostics.alerts.first?.message, expected, arguments)
        }
    }
}

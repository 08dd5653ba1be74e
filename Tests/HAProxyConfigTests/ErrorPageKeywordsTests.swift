import XCTest

@testable import HAProxyConfig
@testable import HAProxyRules

/// `http-errors` sections, `errorfile`, `errorfiles`, `errorloc*`,
/// `http-error`, and the header options `originalto` and
/// `http-restrict-req-hdr-names`, with 2.6's messages (recorded with
/// `haproxy -c`).
final class ErrorPageKeywordsTests: XCTestCase {
    /// Leaves out the closing summary ("Error(s) found...", "Fatal errors...").
    static func isLineMessage(_ message: String) -> Bool {
        !message.hasPrefix("Error(s) found") && !message.hasPrefix("Fatal errors")
    }

    private var page: String { TestSupport.fixtures.appendingPathComponent("debian-errors/503.http").path }

    func testHTTPErrorsSectionErrors() {
        let (config, diagnostics) = TestSupport.load(
            """
            http-errors e1
                errorfile 503 \(page)
                errorfile 999 \(page)
                errorfile 403
                errorfile 403 /nonexist
                errorloc 403 /x
            http-errors e1
            """)
        XCTAssertNil(config)
        XCTAssertEqual(
            diagnostics.alerts.map(\.message).filter(Self.isLineMessage),
            [
                "parsing [test.cfg:3] : errorfile : status code '999' not handled.",
                "parsing [test.cfg:4] : errorfile: expects <status_code> and <file> as arguments.",
                "parsing [test.cfg:5] : errorfile : error opening file '/nonexist'.",
                "parsing [test.cfg:6] : unknown keyword 'errorloc' in 'http-errors' section",
                "parsing [test.cfg:7]: http-errors section 'e1' already exists (declared at test.cfg:1).",
            ])
        let (_, missing) = TestSupport.load("http-errors\n")
        XCTAssertEqual(missing.alerts.first?.message, "parsing [test.cfg:1] : missing name for http-errors section.")
    }

    func testProxyKeywordErrors() {
        let (_, diagnostics) = TestSupport.load(
            """
            frontend f
                mode http
                errorfiles
                errorfiles e1 999
                errorloc 403
                errorloc302 999 /x
                http-error
                http-error status 999
                http-error status 403 foo
                http-error status 403 string x
                http-error status 418 string x content-type text/plain
                http-error status 403 lf-string x
            """)
        XCTAssertEqual(
            diagnostics.alerts.map(\.message).filter(Self.isLineMessage),
            [
                "parsing [test.cfg:3] : errorfiles : expects <name> as argument.",
                "parsing [test.cfg:4] : errorfiles : status code '999' not handled.",
                "parsing [test.cfg:5] : errorloc : expects <status_code> and <url> as arguments.\n",
                "parsing [test.cfg:6] : errorloc302 : status code '999' not handled.",
                "parsing [test.cfg:7] : http-error : expects at least a <status> as arguments.\n",
                "parsing [test.cfg:8] : http-error : Unexpected status code '999'",
                "parsing [test.cfg:9] : http-error : unknown keyword 'foo'.",
                "parsing [test.cfg:10] : http-error : a content type must be defined when non-empty payload is configured",
                "parsing [test.cfg:11] : http-error: status code '418' not handled.",
                "parsing [test.cfg:12] : http-error : a content type must be defined with a log-format payload",
            ])
    }

    func testIgnoredReplyOptionsWarn() {
        let (config, diagnostics) = TestSupport.load(
            """
            frontend f
                mode http
                timeout client 1s
                bind :8080
                http-error status 403 content-type text/plain
                http-error status 503 errorfile \(page) hdr a b
                http-request return content-type text/plain if TRUE
            """)
        XCTAssertNotNil(config)
        XCTAssertEqual(
            diagnostics.warnings.map(\.message),
            [
                "parsing [test.cfg:5] : content-type 'text/plain' ignored by the http reply because neither errorfile nor payload defined.",
                "parsing [test.cfg:6] : hdr parameters ignored by the http reply when used with an erorrfile.",
                "parsing [test.cfg:7] : content-type 'text/plain' ignored by the http reply because neither errorfile nor payload defined.",
            ])
    }

    func testUnknownSectionsAndMissingStatuses() {
        let (config, diagnostics) = TestSupport.load(
            """
            http-errors e1
                errorfile 503 \(page)
            defaults
                mode http
                timeout client 1s
                timeout server 1s
                timeout connect 1s
            frontend f
                bind :8080
                errorfiles nope
                errorfiles e1 404
                http-request deny errorfiles nope2 if TRUE
                http-request deny status 404 errorfiles e1 if TRUE
            """)
        XCTAssertNil(config)
        XCTAssertEqual(
            diagnostics.messages.map(\.message).filter(Self.isLineMessage),
            [
                "Proxy 'f': unknown http-errors section 'nope2' referenced by an http reply .",
                "Proxy 'f': status '404' referenced by an http reply not declared in http-errors section 'e1'.",
                "proxy 'f': unknown http-errors section 'nope' (at test.cfg:10).",
                "config: proxy 'f' : status '404' not declared in http-errors section 'e1' (at test.cfg:11).",
            ])
    }

    func testPagesApplyInOrderAfterTheDefaults() throws {
        let (config, diagnostics) = TestSupport.load(
            """
            http-errors e1
                errorfile 503 \(page)
            defaults
                mode http
                errorloc 503 http://x/503
                http-error status 404 content-type text/plain string gone
            backend b
                errorfiles e1
                errorloc303 404 /404
                http-error status 403 default-errorfiles
            backend c
                errorloc 503 /a
                errorfile 503 \(page)
                http-error status 503 content-type text/plain string later
            """)
        XCTAssertEqual(diagnostics.alerts.map(\.message), [])
        let c = try XCTUnwrap(config)
        let b = try XCTUnwrap(c.proxy(named: "b", capability: .backend)).errorPages(sections: c.httpErrors)
        guard case .file(let file)? = b[503] else { return XCTFail("errorfiles came after the defaults' errorloc") }
        XCTAssertEqual(file.path, page)
        guard case .redirect(303, "/404")? = b[404] else { return XCTFail("\(String(describing: b[404]))") }
        XCTAssertNil(b[403])
        let last = try XCTUnwrap(c.proxy(named: "c", capability: .backend)).errorPages(sections: c.httpErrors)
        guard case .reply(let reply)? = last[503], case .bytes(let body) = reply.payload else { return XCTFail() }
        XCTAssertEqual(body, Array("later".utf8))
    }

    func testRuleErrorfilesResolveToTheSectionPage() throws {
        let (config, _) = TestSupport.load(
            """
            http-errors e1
                errorfile 503 \(page)
            frontend f
                mode http
                bind :8080
                http-request deny deny_status 503 errorfiles e1 if TRUE
                http-request return errorfiles e1 if TRUE
                http-request return status 404 default-errorfiles if TRUE
            """)
        let f = try XCTUnwrap(config?.proxies.first)
        guard case .deny(503, let deny?) = f.httpRequestRules[0].action, case .rawResponse = deny.payload else {
            return XCTFail()
        }
        guard case .returnResponse(let missing) = f.httpRequestRules[1].action, case .none = missing.payload else {
            return XCTFail("no 200 page in the section: an empty reply")
        }
        guard case .returnResponse(let own) = f.httpRequestRules[2].action, case .proxyErrorPage = own.payload else {
            return XCTFail()
        }
    }

    func testHeaderOptions() throws {
        let (config, diagnostics) = TestSupport.load(
            """
            frontend f
                mode http
                option originalto except 10.0.0.0/8 header X-Dst
                option http-restrict-req-hdr-names reject
                option originalto except
                option originalto if-none
                option http-restrict-req-hdr-names
                option http-restrict-req-hdr-names foo
                option http-restrict-req-hdr-names delete extra
                no option originalto
            """)
        XCTAssertNil(config)
        XCTAssertEqual(
            diagnostics.alerts.map(\.message).filter(Self.isLineMessage),
            [
                "parsing [test.cfg:5] : 'option originalto except' expects <address>[/mask] as argument.",
                "parsing [test.cfg:6] : 'option originalto' only supports optional values: 'except' and 'header'.",
                "parsing [test.cfg:7] : missing parameter. option 'http-restrict-req-hdr-names' expects 'preserve', 'reject' or 'delete' option.",
                "parsing [test.cfg:8] : invalid parameter 'foo'. option 'http-restrict-req-hdr-names' expects 'preserve', 'reject' or 'delete' option.",
                "parsing [test.cfg:9] : 'option' cannot handle unexpected argument 'extra'.",
                "parsing [test.cfg:10]: negation/default is not supported for option 'originalto'.",
            ])
        let (good, _) = TestSupport.load(
            "frontend f\n  mode http\n  option originalto except 10.0.0.0/8 header X-Dst\n  option http-restrict-req-hdr-names delete\n")
        let options = try XCTUnwrap(good?.proxies.first?.options)
        XCTAssertEqual(options.originalTo?.header, "x-dst")
        XCTAssertEqual(options.originalTo?.except, "10.0.0.0/8")
        XCTAssertEqual(options.restrictHeaderNames, .delete)
    }
}

import XCTest

@testable import HAProxyConfig
@testable import HAProxyRules

/// `declare capture`, the `capture` and `set-log-level` actions and the
/// `%[...]` samples of `log-format`: the model they fill and 2.6's errors,
/// recorded with `haproxy -c`.
final class LogRuleKeywordsTests: XCTestCase {
    private func load(_ frontend: String, backend: String = "") -> (Configuration?, [String]) {
        let (config, diagnostics) = TestSupport.load("""
            defaults
                mode http
                timeout client 1s
                timeout server 1s
                timeout connect 1s
            frontend fe
                bind 127.0.0.1:19999
            \(frontend)
                default_backend be
            backend be
                server s 127.0.0.1:1
            \(backend)
            """)
        return (config, TestSupport.lines(diagnostics).filter { $0.contains("ALERT") || $0.contains("WARNING") })
    }

    private func alert(_ frontend: String, backend: String = "") -> [String] {
        load(frontend, backend: backend).1.map { $0.replacingOccurrences(of: "[ALERT]    (0) : config : ", with: "") }
    }

    func testSlotsNumberInDeclarationOrderAcrossKeywordsAndActions() throws {
        let (config, messages) = load("""
                tcp-request content set-log-level debug
                capture request header X-A len 5
                http-request capture req.hdr(x-b) len 4
                declare capture request len 3
                http-request capture req.hdr(x-d) id 2
                capture response header X-S len 10
                declare capture response len 20
                http-response capture res.hdr(x-q) id 1
                http-after-response capture str(after) id 0
                http-request set-log-level silent if { path /health }
                http-response set-log-level err
            """)
        XCTAssertEqual(messages, [])
        let fe = try XCTUnwrap(config?.proxies.first)
        XCTAssertEqual(fe.captureRequestHeaders, [
            CapturedHeader(name: "X-A", length: 5), .slot(length: 4), .slot(length: 3),
        ])
        XCTAssertEqual(fe.captureResponseHeaders, [CapturedHeader(name: "X-S", length: 10), .slot(length: 20)])
        let captures = (fe.httpRequestRules + fe.httpResponseRules + fe.httpAfterResponseRules).compactMap { rule -> String? in
            guard case .capture(let c) = rule.action else { return nil }
            return "\(c.response ? "res" : "req")\(c.slot)"
        }
        XCTAssertEqual(captures, ["req1", "req2", "res1", "res0"])
        guard case .setLogLevel(.silent) = fe.httpRequestRules.last?.action,
              case .setLogLevel(.level(3)) = fe.httpResponseRules.last?.action,
              case .setLogLevel(.level(7)) = fe.tcpRequestContentRules.last?.action else {
            return XCTFail("set-log-level rules")
        }
    }

    func testDeclareErrorsAsTheReferenceWordsThem() {
        let parsing = "parsing [test.cfg:8] : "
        XCTAssertEqual(alert("    declare")[0], parsing + "'declare' needs a second keyword that specify the type of declaration ('capture')")
        XCTAssertEqual(alert("    declare foo")[0], parsing + "unknown declaration type 'foo' (supports 'capture')")
        XCTAssertEqual(alert("    declare capture foo len 3")[0], parsing + "'declare capture' requires a direction ('request' or 'response')")
        XCTAssertEqual(alert("    declare capture request")[0], parsing + "'declare capture' requires a capture length ('len')")
        XCTAssertEqual(alert("    declare capture request len")[0],
                       parsing + "'declare capture': 'len' requires a numeric value that represents the capture length")
        XCTAssertEqual(alert("    declare capture request len abc")[0], parsing + "'declare capture': cannot parse the length 'len'.")
        XCTAssertEqual(alert("    declare capture request len -3")[0], parsing + "length must be > 0")
        XCTAssertEqual(alert("", backend: "    declare capture request len 3")[0],
                       "parsing [test.cfg:12] : 'declare' only available in frontend or listen section")
        XCTAssertEqual(alert("    declare capture request len 3").count, 0)
    }

    func testCaptureAndLogLevelActionErrors() {
        let rule = { (set: String) in "parsing [test.cfg:8] : error detected in frontend 'fe' while parsing '\(set)' rule : " }
        XCTAssertEqual(alert("    http-request capture req.hdr(a)")[0],
                       rule("http-request capture") + "expects <expression> [ 'len' <length> | id <idx> ].")
        XCTAssertEqual(alert("    http-request capture req.hdr(a) len x")[0], rule("http-request capture") + "length must be > 0.")
        XCTAssertEqual(alert("    http-request capture req.hdr(a) foo 3")[0],
                       rule("http-request capture") + "expects 'len' or 'id', found 'foo'.")
        XCTAssertEqual(alert("    http-request capture req.hdr(a) id x")[0], rule("http-request capture") + "cannot parse id 'x'.")
        XCTAssertEqual(alert("    http-request capture res.hdr(a) len 3")[0], rule("http-request capture")
                       + "fetch method 'res.hdr(a)' extracts information from 'HTTP response headers', none of which is available here.")
        XCTAssertEqual(alert("    http-response capture res.hdr(a) len 4")[0], rule("http-response capture") + "expects 'id', found 'len'.")
        XCTAssertEqual(alert("    http-response capture res.hdr(a)")[0], rule("http-response capture") + "expects <expression> id <idx>.")
        XCTAssertEqual(alert("", backend: "    http-request capture req.hdr(a) len 5")[0],
                       "parsing [test.cfg:12] : error detected in backend 'be' while parsing 'http-request capture' rule : proxy 'be' has no frontend capability.")
        XCTAssertEqual(alert("    http-request set-log-level INFO")[0],
                       rule("http-request set-log-level") + "expects exactly 1 argument (log level name or 'silent').")
        XCTAssertEqual(alert("    tcp-request content set-log-level foo")[0],
                       "parsing [test.cfg:8] : expects exactly 1 argument (log level name or 'silent')")
        // Slots are looked up once everything is read; `id -1` is accepted.
        XCTAssertEqual(alert("    http-request capture req.hdr(a) id 0\n    capture request header a len 3"), [])
        XCTAssertEqual(alert("    http-request capture req.hdr(a) id -1"), [])
        XCTAssertEqual(alert("    capture request header a len 3\n    http-request capture req.hdr(a) id 1")[0],
                       "Proxy 'fe': unable to find capture id '1' referenced by http-request capture rule.")
        XCTAssertEqual(alert("    http-after-response capture res.hdr(a) id 0")[0],
                       "Proxy 'fe': unable to find capture id '0' referenced by http-response capture rule.")
        XCTAssertEqual(alert("", backend: "    http-request capture req.hdr(a) id 4"), [], "a backend's slots are the frontend's")
    }

    /// A log-format's samples may only read what is left when the line is
    /// written: no header or buffer contents (checked for frontends only).
    func testLogFormatSamplesAreCheckedForTheLogStage() {
        let withLog = "    log 127.0.0.1:514 local0\n"
        XCTAssertEqual(alert(withLog + "    log-format \"%[var(txn.a)] %[src,lower] %[capture.req.uri] %[status] %[method]\""), [])
        XCTAssertEqual(alert(withLog + "    log-format \"%[var(txn.a)] %{+Q}[req.hdr(x)] %[path]\"")[0],
                       "Parsing [test.cfg:9]: failed to parse log-format : sample fetch <req.hdr(x)] %[path]> may not be reliably used here because it needs 'HTTP request headers' which is not available here.")
        XCTAssertEqual(alert(withLog + "    log-format \"%[res.hdr(a)]\"")[0],
                       "Parsing [test.cfg:9]: failed to parse log-format : sample fetch <res.hdr(a)]> may not be reliably used here because it needs 'HTTP response headers' which is not available here.")
        XCTAssertEqual(alert(withLog + "    log-format \"%[foo]\"")[0],
                       "Parsing [test.cfg:9]: failed to parse log-format : failed to parse sample expression <foo]> : unknown fetch method 'foo'.")
        XCTAssertEqual(alert("", backend: "    log-format \"%[path]\"").filter { $0.contains("ALERT") }, [])
    }
}

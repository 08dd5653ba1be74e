import XCTest

@testable import HAProxyConfig
@testable import HAProxyRules

/// `tcp-request` and `tcp-response` lines (manual 4.2): the rules they
/// compile to, and 2.6's errors and warnings, recorded with `haproxy -c`.
final class TCPRuleKeywordsTests: XCTestCase {
    func testRulesAndDelaysFillTheModel() throws {
        let (config, diagnostics) = TestSupport.load(
            """
            defaults
                timeout client 5s
                timeout server 5s
                timeout connect 1s
            frontend tls
                mode tcp
                bind :443
                tcp-request connection reject if { src 10.0.0.0/8 }
                tcp-request connection expect-proxy layer4 if { src 127.0.0.1 }
                tcp-request session set-var(sess.origin) src
                tcp-request inspect-delay 5s
                tcp-request content accept if { req.ssl_hello_type 1 }
                tcp-request content reject
                use_backend be if { req.ssl_sni -i a.example.com }
                default_backend be
            backend be
                mode tcp
                tcp-response inspect-delay 1500
                tcp-response content close if { res.len gt 0 }
                server s 127.0.0.1:8443
            """)
        XCTAssertEqual(diagnostics.messages, [])
        let proxies = try XCTUnwrap(config?.proxies)
        let fe = proxies[0], be = proxies[1]
        XCTAssertEqual(fe.tcpRequestInspectDelay, 5000)
        XCTAssertEqual(fe.tcpRequestConnectionRules.count, 2)
        guard case .reject = fe.tcpRequestConnectionRules[0].action,
              case .expectProxy = fe.tcpRequestConnectionRules[1].action,
              case .setVariable(let name, _, _) = fe.tcpRequestSessionRules.first?.action,
              case .accept = fe.tcpRequestContentRules[0].action,
              case .reject = fe.tcpRequestContentRules[1].action
        else { return XCTFail("\(fe.tcpRequestConnectionRules) \(fe.tcpRequestContentRules) \(fe.tcpRequestSessionRules)") }
        XCTAssertEqual(name.scope, .sess)
        XCTAssertNil(fe.tcpRequestContentRules[1].condition)
        XCTAssertEqual(be.tcpResponseInspectDelay, 1500)
        guard case .close = be.tcpResponseContentRules.first?.action else { return XCTFail() }
    }

    /// Errors worded as 2.6 words them (one configuration each).
    func testErrorsAsTheReferenceWordsThem() {
        let cases: [(String, String)] = [
            ("tcp-request",
             "parsing [test.cfg:4] : missing argument for 'tcp-request' in frontend 'a'"),
            ("tcp-request foo",
             "parsing [test.cfg:4] : 'tcp-request' expects 'inspect-delay', 'connection', or 'content' in frontend 'a' (got 'foo')"),
            ("tcp-response foo",
             "parsing [test.cfg:4] : 'tcp-response' expects 'inspect-delay' or 'content' in frontend 'a' (got 'foo')"),
            ("tcp-response content reject",
             "parsing [test.cfg:4] : tcp-response content is only allowed in 'backend' sections or 'defaults' section with a name"),
            ("tcp-request inspect-delay",
             "parsing [test.cfg:4] : 'tcp-request inspect-delay' expects a positive delay in milliseconds, in frontend 'a'"),
            ("tcp-request inspect-delay 5x",
             "parsing [test.cfg:4] : 'tcp-request inspect-delay' expects a positive delay in milliseconds, in frontend 'a' (unexpected character 'x')"),
            ("tcp-request content accept foo",
             "parsing [test.cfg:4] : 'tcp-request content accept' only accepts 'if' or 'unless', in frontend 'a' (got 'foo')"),
            ("tcp-request content reject if { req.len gt 0 } nosuch",
             "parsing [test.cfg:4] : 'tcp-request content reject' : error detected in frontend 'a' while parsing 'if' condition : no such ACL : 'nosuch'"),
            ("tcp-request connection set-var(txn.x) req.len",
             "parsing [test.cfg:4] : fetch method 'set-var(txn.x)' extracts information from 'request buffer', none of which is available here"),
            ("tcp-request content set-var(txn.x)", "parsing [test.cfg:4] : missing fetch method"),
            ("tcp-request content set-var(txn.x,foo) src", "parsing [test.cfg:4] : unknown condition \"foo\""),
            ("tcp-request connection expect-proxy",
             "parsing [test.cfg:4] : 'tcp-request connection expect-proxy' only supports 'layer4' in frontend 'a' (got '')"),
            ("tcp-request content expect-proxy layer4",
             "parsing [test.cfg:4] : 'expect-proxy layer4' is not allowed in 'tcp-request content' rules in frontend 'a'"),
            ("tcp-request content capture req.len",
             "parsing [test.cfg:4] : 'tcp-request content capture' : a positive 'len' argument is mandatory"),
            ("tcp-request content capture req.len len 0",
             "parsing [test.cfg:4] : 'tcp-request content capture' : length must be > 0"),
            ("tcp-request content capture req.len len 5 foo",
             "parsing [test.cfg:4] : 'tcp-request content capture' only accepts 'if' or 'unless', in frontend 'a' (got 'foo')"),
            ("tcp-request content capture nope len 5",
             "parsing [test.cfg:4] : 'tcp-request content capture' : unknown fetch method 'nope'"),
            ("tcp-request connection capture src len 5",
             "parsing [test.cfg:4] : 'capture src' is not allowed in 'tcp-request connection' rules in frontend 'a'"),
            ("tcp-request connection set-src src",
             "parsing [test.cfg:4] : 'tcp-request connection set-src' is not supported by this build."),
            ("tcp-request content set-mark",
             "parsing [test.cfg:4] : expects exactly 1 argument (integer/hex value)"),
            ("tcp-request connection set-tos zz",
             "parsing [test.cfg:4] : invalid character starting at 'zz' (integer/hex value expected)"),
            ("tcp-request connection track-sc0",
             "parsing [test.cfg:4] : 'tcp-request connection track-sc0' : missing fetch method"),
            ("tcp-request connection track-sc0 req.hdr(x)",
             "parsing [test.cfg:4] : 'tcp-request connection track-sc0' : fetch method 'req.hdr(x)' extracts information from 'HTTP request headers', none of which is available here"),
        ]
        for (line, expected) in cases {
            let (_, diagnostics) = TestSupport.load("frontend a\n  bind :80\n  mode tcp\n  \(line)\n")
            XCTAssertEqual(diagnostics.alerts.first?.message, expected, line)
        }
        let (_, unknown) = TestSupport.load("frontend a\n  bind :80\n  tcp-request content frobnicate\n")
        XCTAssertTrue(unknown.alerts.first?.message.hasPrefix(
            "parsing [test.cfg:3] : 'tcp-request content' expects 'accept', 'reject', 'capture', ") ?? false)
        XCTAssertTrue(unknown.alerts.first?.message.contains("in frontend 'a' (got 'frobnicate').") ?? false)
    }

    /// `tcp-request content capture ... len N` declares a request slot;
    /// a backend cannot have one; a listen section is a "proxy" in these
    /// messages (all recorded from 2.6).
    func testContentCaptureDeclaresASlot() throws {
        let (config, diagnostics) = TestSupport.load(
            "frontend a\n  bind :80\n  mode tcp\n  tcp-request content capture req.ssl_sni len 30\n")
        XCTAssertEqual(diagnostics.alerts.map(\.message), [])
        XCTAssertEqual(config?.proxies.first?.captureRequestHeaders.map(\.length), [30])
        for line in ["tcp-request content capture req.len len 5", "tcp-request content capture nope len 5"] {
            let (_, backend) = TestSupport.load("backend b\n  \(line)\n")
            XCTAssertEqual(backend.alerts.first?.message,
                           "parsing [test.cfg:2] : 'tcp-request content capture' : proxy 'b' has no frontend capability")
        }
        let (_, listen) = TestSupport.load("listen l\n  bind :80\n  tcp-request session capture req.len len 5\n")
        XCTAssertEqual(listen.alerts.first?.message,
                       "parsing [test.cfg:3] : 'capture req.len' is not allowed in 'tcp-request session' rules in proxy 'l'")
    }

    func testSectionsThatCannotHoldTheRules() {
        let (_, backend) = TestSupport.load("backend b\n  tcp-request connection accept\n  server s 127.0.0.1:80\n")
        XCTAssertEqual(
            backend.alerts.first?.message,
            "parsing [test.cfg:2] : tcp-request connection is not allowed because backend b is not a frontend")
        let (_, anonymous) = TestSupport.load("defaults\n  tcp-request content accept\n  tcp-request inspect-delay 1s\n")
        XCTAssertEqual(anonymous.alerts.prefix(2).map(\.message), [
            "parsing [test.cfg:2] : tcp-request content is not allowed in anonymous 'defaults' sections",
            "parsing [test.cfg:3] : tcp-request inspect-delay is not allowed in anonymous 'defaults' sections",
        ])
        let (_, inherited) = TestSupport.load(
            "defaults d\n  mode tcp\n  tcp-response content accept\nfrontend f\n  bind :80\n")
        XCTAssertEqual(
            inherited.alerts.first?.message,
            "parsing [test.cfg:4]: a frontend section cannot inherit from a defaults section defining 'tcp-response content' rules (defaults section at test.cfg:1).")
    }

    func testWarningsAsTheReferenceWordsThem() {
        let (_, diagnostics) = TestSupport.load(
            """
            frontend a
                bind :80
                acl big req.len gt 0
                tcp-request content accept
                tcp-request connection accept if { req.len gt 0 }
                tcp-request session accept if big
            """)
        XCTAssertEqual(diagnostics.warnings.map(\.message).filter { $0.hasPrefix("parsing") }, [
            "parsing [test.cfg:5] : a 'tcp-request' rule placed after a 'tcp-request content' rule will still be processed before.",
            "parsing [test.cfg:5] : anonymous acl will never match in 'tcp-request connection' because it uses keyword 'req.len' which is incompatible with 'frontend tcp-request connection rule'",
            "parsing [test.cfg:6] : a 'tcp-request' rule placed after a 'tcp-request content' rule will still be processed before.",
            "parsing [test.cfg:6] : acl 'big' will never match in 'tcp-request session' because it only involves keywords that are incompatible with 'frontend tcp-request session rule'",
        ])
    }
}

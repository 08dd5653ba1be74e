import XCTest

@testable import HAProxyConfig

final class OptionKeywordsTests: XCTestCase {
    func testOptionsAndNegation() throws {
        let (config, diagnostics) = TestSupport.load(
            """
            defaults
                mode http
                log stdout local0
                option redispatch
                option dontlognull
                option dontlog-normal
                option log-separate-errors
                option logasap
            backend b
                option abortonclose
                option allbackups
                option http-server-close
                option forwardfor except 127.0.0.0/8 header X-Client if-none
                option httplog clf
                option log-health-checks
                no option redispatch
            """)
        XCTAssertEqual(diagnostics.messages, [])
        let o = try XCTUnwrap(config?.proxies.first?.options)
        XCTAssertFalse(o.redispatch)
        XCTAssertTrue(o.dontLogNull, "inherited from defaults")
        XCTAssertTrue(o.abortOnClose && o.allBackups, "set in the backend")
        XCTAssertTrue(o.dontLogNormal && o.logSeparateErrors && o.logASAP, "inherited: frontend options")
        XCTAssertTrue(o.logHealthChecks)
        XCTAssertEqual(o.httpConnectionMode, .serverClose)
        XCTAssertEqual(o.forwardFor?.except, "127.0.0.0/8")
        XCTAssertEqual(o.forwardFor?.header, "x-client")
        XCTAssertEqual(o.forwardFor?.ifNone, true)
        XCTAssertEqual(o.httpLog, .clf)
    }

    /// 2.6 ignores, with a warning, an option for the side a proxy lacks.
    func testOptionOfTheOtherSideIsIgnoredWithAWarning() throws {
        let (config, diagnostics) = TestSupport.load(
            "backend be\n  option dontlognull\n  option redispatch\nfrontend fe\n  bind :80\n  timeout client 1s\n  option redispatch\n")
        XCTAssertEqual(diagnostics.warnings.map(\.message), [
            "parsing [test.cfg:2] : 'dontlognull' ignored because backend 'be' has no frontend capability.",
            "parsing [test.cfg:7] : 'redispatch' ignored because frontend 'fe' has no backend capability.",
        ])
        XCTAssertEqual(config?.proxies.map(\.options.dontLogNull), [false, false])
        XCTAssertEqual(config?.proxies.map(\.options.redispatch), [true, false])
    }

    /// `option http-pretend-keepalive` is a backend option: a frontend
    /// ignores it with 2.6's warning, a defaults section passes it on,
    /// `no option` clears it, and a word after it is refused.
    func testPretendKeepAliveIsABackendOption() throws {
        let (config, diagnostics) = TestSupport.load(
            """
            defaults
                timeout client 1s
                timeout connect 1s
                timeout server 1s
                option http-pretend-keepalive
            frontend fe
                bind :80
                option http-pretend-keepalive
            backend be
            backend plain
                no option http-pretend-keepalive
            """)
        XCTAssertEqual(diagnostics.warnings.map(\.message), [
            "parsing [test.cfg:8] : 'http-pretend-keepalive' ignored because frontend 'fe' has no backend capability."
        ])
        XCTAssertEqual(config?.proxies.map(\.options.httpPretendKeepAlive), [true, true, false])
        let (refused, errors) = TestSupport.load("backend be\n  option http-pretend-keepalive foo\n")
        XCTAssertNil(refused)
        XCTAssertEqual(errors.alerts.first?.message,
                       "parsing [test.cfg:2] : 'option http-pretend-keepalive' cannot handle unexpected argument 'foo'.")
    }

    /// Options of HAProxy 2.6 this build lacks are refused, negated or not;
    /// a word that is no option at all stays "unknown".
    func testUnimplementedOptionsAreNotSupported() {
        let (config, diagnostics) = TestSupport.load(
            """
            defaults
                option checkcache
                no option http-no-delay
                option independent-streams
                option contstats
                option bogus-thing
            """)
        XCTAssertNil(config)
        XCTAssertEqual(
            diagnostics.alerts.prefix(5).map(\.message),
            [
                "parsing [test.cfg:2] : 'option checkcache' is not supported by this build.",
                "parsing [test.cfg:3] : 'no option http-no-delay' is not supported by this build.",
                "parsing [test.cfg:4] : 'option independent-streams' is not supported by this build.",
                "parsing [test.cfg:5] : 'option contstats' is not supported by this build.",
                "parsing [test.cfg:6] : unknown option 'bogus-thing'.",
            ])
    }

    func testHTTPConnectionModes() throws {
        let (config, _) = TestSupport.load(
            "backend a\n  option httpclose\nbackend b\n  option http-keep-alive\nbackend c\n  option tcplog\n")
        let p = try XCTUnwrap(config?.proxies)
        XCTAssertEqual(p[0].options.httpConnectionMode, .close)
        XCTAssertEqual(p[1].options.httpConnectionMode, .keepAlive)
        XCTAssertTrue(p[2].options.tcpLog)
    }

    func testHTTPCheckOptionWithHiddenHeaders() throws {
        let (config, diagnostics) = TestSupport.load(#"backend b\#n  option httpchk GET /health HTTP/1.1\r\nHost:\ example.com\#n"#)
        XCTAssertEqual(diagnostics.warnings.count, 1, "HAProxy warns about headers hidden in the version")
        let check = try XCTUnwrap(config?.proxies.first?.healthCheck)
        XCTAssertEqual(check.kind, .http)
        XCTAssertEqual(check.httpMethod, "GET")
        XCTAssertEqual(check.httpURI, "/health")
        XCTAssertEqual(check.httpVersion, "HTTP/1.1")
        XCTAssertEqual(check.httpHeaders.map(\.name), ["Host"])
        XCTAssertEqual(check.httpHeaders.map(\.value), ["example.com"])
    }

    func testUnimplementedOptionIsRefused() {
        let (_, diagnostics) = TestSupport.load("backend b\n  option spop-check\n")
        XCTAssertEqual(
            diagnostics.alerts.first?.message, "parsing [test.cfg:2] : 'option spop-check' is not supported by this build.")
    }

    /// The protocol checks and 2.6's refusals of their arguments.
    func testProtocolCheckOptions() throws {
        let cases: [(String, HealthCheckConfig.ProtocolCheck)] = [
            ("mysql-check", .mysql(user: nil, post41: true)),
            ("mysql-check user hap", .mysql(user: "hap", post41: true)),
            ("mysql-check user hap pre-41", .mysql(user: "hap", post41: false)),
            ("mysql-check user hap post-41", .mysql(user: "hap", post41: true)),
            ("pgsql-check user hap", .pgsql(user: "hap")),
            ("redis-check", .redis),
            ("smtpchk", .smtp(verb: "HELO", domain: "localhost")),
            ("smtpchk EHLO mail.example", .smtp(verb: "EHLO", domain: "mail.example")),
            ("smtpchk ehlo mail.example", .smtp(verb: "HELO", domain: "localhost")),
            ("smtpchk HELO", .smtp(verb: "HELO", domain: "localhost")),
            ("ldap-check", .ldap),
            ("ssl-hello-chk", .sslHello),
        ]
        for (line, expected) in cases {
            let (config, diagnostics) = TestSupport.load("backend b\n  option \(line)\n")
            XCTAssertEqual(diagnostics.messages, [], line)
            let check = try XCTUnwrap(config?.proxies.first?.healthCheck, line)
            XCTAssertEqual(check.kind, .protocolCheck, line)
            XCTAssertEqual(check.protocolCheck, expected, line)
        }
        let refusals: [(String, String)] = [
            ("pgsql-check", "'option pgsql-check' expects 'user <username>' as argument."),
            ("pgsql-check foo", "'option pgsql-check' expects 'user <username>' as argument."),
            ("pgsql-check user a b", "'option pgsql-check' cannot handle unexpected argument 'b'."),
            ("mysql-check foo", "'option mysql-check' only supports optional values: 'user' (got 'foo')."),
            ("mysql-check user", "'option mysql-check user' expects <username> as argument."),
            ("mysql-check user a post-40", "keyword 'user' only supports 'post-41' and 'pre-41' (got 'post-40')."),
            ("mysql-check user a pre-41 x", "'option mysql-check' cannot handle unexpected argument 'x'."),
            ("smtpchk EHLO a b", "'option smtpchk' cannot handle unexpected argument 'b'."),
            ("redis-check x", "'option redis-check' cannot handle unexpected argument 'x'."),
            ("ldap-check x", "'option ldap-check' cannot handle unexpected argument 'x'."),
            ("ssl-hello-chk x", "'option ssl-hello-chk' cannot handle unexpected argument 'x'."),
        ]
        for (line, message) in refusals {
            let (_, diagnostics) = TestSupport.load("backend b\n  option \(line)\n")
            XCTAssertEqual(diagnostics.alerts.first?.message, "parsing [test.cfg:2] : \(message)", line)
        }
    }

    /// A frontend ignores the check options with 2.6's warning.
    func testCheckOptionsInAFrontendAreIgnored() {
        let (_, diagnostics) = TestSupport.load(
            "frontend f\n  bind :8080\n  option redis-check\n  option httpchk\n  option pgsql-check\n")
        XCTAssertEqual(
            diagnostics.warnings.map(\.message),
            [
                "parsing [test.cfg:3] : 'redis-check' ignored because frontend 'f' has no backend capability.",
                "parsing [test.cfg:4] : 'httpchk' ignored because frontend 'f' has no backend capability.",
                "parsing [test.cfg:5] : 'pgsql-check' ignored because frontend 'f' has no backend capability.",
            ])
        XCTAssertEqual(
            diagnostics.alerts.first?.message, "parsing [test.cfg:5] : 'option pgsql-check' expects 'user <username>' as argument.")
    }
}

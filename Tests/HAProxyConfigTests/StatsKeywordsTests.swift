import XCTest

@testable import HAProxyConfig
@testable import HAProxyRules

/// `stats *` in proxies and `http-request use-service`: the model they
/// fill, and 2.6's own messages (recorded with `haproxy -c` of Debian's
/// 2.6.12 on one-line configurations).
final class StatsKeywordsTests: XCTestCase {
    private func load(_ lines: String) -> (Configuration?, [String]) {
        let (config, diagnostics) = TestSupport.load(
            "defaults\n  mode http\n  timeout client 1s\n  timeout server 1s\n  timeout connect 1s\nlisten x\n  bind 127.0.0.1:19999\n\(lines)\n")
        return (config, diagnostics.formatted(pid: 0))
    }

    func testStatsKeywordsFillThePage() throws {
        let (config, messages) = load("""
          stats uri /admin?stats
          stats realm My\\ Realm
          stats auth admin:AdMiN123
          stats auth other:pw:with:colons
          stats refresh 5s
          stats admin if TRUE
          stats hide-version
          stats show-legends
          stats show-node Europe-1
          stats show-desc Master node
          stats scope .
          stats scope other
        """)
        XCTAssertEqual(messages, [])
        let page = try XCTUnwrap(config?.proxies.first?.statsPage)
        XCTAssertEqual(page.uri, "/admin?stats")
        XCTAssertEqual(page.effectiveRealm, "My Realm")
        XCTAssertEqual(page.accounts, [.init(user: "admin", password: "AdMiN123"), .init(user: "other", password: "pw:with:colons")])
        XCTAssertEqual(page.refreshSeconds, 5)
        XCTAssertNotNil(page.adminCondition)
        XCTAssertTrue(page.hideVersion)
        XCTAssertTrue(page.showLegends)
        XCTAssertEqual(page.showNode, "Europe-1")
        XCTAssertEqual(page.showDescription, "Master node")
        XCTAssertEqual(page.scopes, [".", "other"])
    }

    func testEnableAloneGivesTheDefaultsAndDefaultsSectionsAreInherited() throws {
        let (config, _) = TestSupport.load("""
            defaults
              mode http
              stats enable
            listen x
              bind :80
            """)
        let page = try XCTUnwrap(config?.proxies.first?.statsPage)
        XCTAssertEqual(page.uri, "/haproxy?stats")
        XCTAssertEqual(page.effectiveRealm, "HAProxy Statistics")
        XCTAssertEqual(page.refreshSeconds, 0)
        XCTAssertNil(page.adminCondition)
    }

    func testStatsHTTPRequestRules() throws {
        let (config, messages) = load("  stats http-request deny if { src 10.0.0.0/8 }\n  stats http-request auth\n  stats http-request allow")
        XCTAssertEqual(messages, [
            "[WARNING]  (0) : config : parsing [test.cfg:10]: previous 'stats' action has no condition attached, further entries are NOOP.",
        ])
        let rules = try XCTUnwrap(config?.proxies.first?.statsPage?.rules)
        XCTAssertEqual(rules.count, 3)
        guard case .auth(let realm) = rules[1].action else { return XCTFail("auth expected") }
        XCTAssertEqual(realm, "", "the page's realm applies")
    }

    /// Each case: the line, then the ALERT or WARNING line 2.6 prints.
    func testMessagesAsTheReference() {
        let cases: [(String, String)] = [
            ("  stats", "[ALERT]    (0) : config : parsing [test.cfg:8]: missing keyword in 'stats', expects 'admin', 'uri', 'realm', 'auth', 'scope', 'enable', 'hide-version', 'show-node', 'show-desc' or 'show-legends'."),
            ("  stats foo", "[ALERT]    (0) : config : parsing [test.cfg:8]: unknown stats parameter 'foo', expects 'admin', 'uri', 'realm', 'auth', 'scope', 'enable', 'hide-version', 'show-node', 'show-desc' or 'show-legends'."),
            ("  stats bind-process 1", "[ALERT]    (0) : config : parsing [test.cfg:8]: unknown stats parameter 'bind-process', expects 'admin', 'uri', 'realm', 'auth', 'scope', 'enable', 'hide-version', 'show-node', 'show-desc' or 'show-legends'."),
            ("  stats uri", "[ALERT]    (0) : config : parsing [test.cfg:8] : 'uri' needs an URI prefix."),
            ("  stats realm", "[ALERT]    (0) : config : parsing [test.cfg:8] : 'realm' needs an realm name."),
            ("  stats auth", "[ALERT]    (0) : config : parsing [test.cfg:8] : 'auth' needs a user:password account."),
            ("  stats scope", "[ALERT]    (0) : config : parsing [test.cfg:8] : 'scope' needs a proxy name."),
            ("  stats refresh 5x", "[ALERT]    (0) : config : parsing [test.cfg:8]: unexpected character 'x' in argument to stats refresh interval."),
            ("  stats refresh 10000000000", "[ALERT]    (0) : config : parsing [test.cfg:8]: timer overflow in argument <10000000000> to stats refresh interval, maximum value is 2147483647 s (~68 years)."),
            ("  stats admin TRUE", "[ALERT]    (0) : config : parsing [test.cfg:8] : 'stats admin' requires either 'if' or 'unless' followed by a condition."),
            ("  stats admin if FOO", "[ALERT]    (0) : config : parsing [test.cfg:8] : error detected while parsing a 'stats admin' rule : no such ACL : 'FOO'."),
            ("  stats show-node a/b", "[ALERT]    (0) : config : parsing [test.cfg:8]: 'stats show-node' invalid node name - should be a stringwith digits(0-9), letters(A-Z, a-z), hyphen(-) or underscode(_)."),
            ("  stats show-desc", "[WARNING]  (0) : config : parsing [test.cfg:8]: 'show-desc' requires a parameter or 'desc' to be set in the global section."),
            ("  stats http-request deny extra", "[ALERT]    (0) : config : parsing [test.cfg:8]: 'http-request deny' expects either 'if' or 'unless' followed by a condition but found 'extra'."),
            ("  stats http-request deny if FOO", "[ALERT]    (0) : config : parsing [test.cfg:8] : error detected while parsing an 'http-request deny' condition : no such ACL : 'FOO'."),
            ("  stats show-modules", "[ALERT]    (0) : config : parsing [test.cfg:8] : 'stats show-modules' is not supported by this build (no statistics modules)."),
            ("  stats http-request set-header a b", "[ALERT]    (0) : config : parsing [test.cfg:8] : 'stats http-request set-header' is not supported by this build (only allow, deny and auth act on the page)."),
            ("  stats auth a:b\n  stats http-request allow", "[ALERT]    (0) : config : proxy 'x': stats 'auth'/'realm' and 'http-request' can't be used at the same time."),
        ]
        for (line, expected) in cases {
            let (_, messages) = load(line)
            XCTAssertEqual(messages.first, expected, line)
        }
    }

    func testAdminAndRulesAreRefusedInDefaults() {
        let (_, a) = TestSupport.load("defaults\n  stats admin if TRUE\n")
        XCTAssertEqual(a.formatted(pid: 0).first,
                       "[ALERT]    (0) : config : parsing [test.cfg:2]: 'stats admin' not allowed in 'defaults' section.")
        let (_, b) = TestSupport.load("defaults\n  stats http-request deny\n")
        XCTAssertEqual(b.formatted(pid: 0).first,
                       "[ALERT]    (0) : config : parsing [test.cfg:2]: 'stats' not allowed in 'defaults' section.")
    }

    func testStatsInTCPModeIsIgnoredWithAWarning() {
        let (_, diagnostics) = TestSupport.load("listen x\n  mode tcp\n  bind :80\n  stats enable\n  timeout client 1s\n")
        XCTAssertTrue(diagnostics.formatted(pid: 0).contains(
            "[WARNING]  (0) : config : 'stats' statement ignored for proxy 'x' as it requires HTTP mode."))
    }

    func testUseServiceNamesARegisteredService() throws {
        let frontend = { (line: String) in
            TestSupport.load("frontend x\n  mode http\n  bind :80\n  timeout client 1s\n\(line)\n").1.formatted(pid: 0)
        }
        XCTAssertEqual(frontend("  http-request use-service foo").first,
                       "[ALERT]    (0) : config : parsing [test.cfg:5] : error detected in frontend 'x' while parsing 'http-request use-service' rule : 'foo' unknown service name..")
        XCTAssertEqual(frontend("  http-request use-service").first,
                       "[ALERT]    (0) : config : parsing [test.cfg:5] : error detected in frontend 'x' while parsing 'http-request use-service' rule : 'use-service' expects a service name..")
        let (_, prometheus) = load("  http-request use-service prometheus-exporter if { path /metrics }")
        XCTAssertEqual(prometheus.first,
                       "[ALERT]    (0) : config : parsing [test.cfg:8] : 'http-request use-service prometheus-exporter' is not supported by this build.")

        HTTPServiceCatalog.shared.register("test-service")
        let (config, messages) = load("  http-request use-service test-service if { path /t }")
        XCTAssertEqual(messages, [])
        let rule = try XCTUnwrap(config?.proxies.first?.httpRequestRules.first)
        guard case .useService(let name) = rule.action else { return XCTFail("use-service expected") }
        XCTAssertEqual(name, "test-service")
        XCTAssertTrue(rule.action.isFinal)
    }
}

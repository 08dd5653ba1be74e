import XCTest

@testable import HAProxyConfig
@testable import HAProxyRules

/// `userlist` sections, `http-request auth` and the checks on the
/// userlists fetches name, with 2.6's messages (recorded with `haproxy -c`).
final class UserlistKeywordsTests: XCTestCase {
    static let frontend = "frontend fe\n  mode http\n  bind :80\n  timeout client 5s\n"

    func testManualExampleFillsTheModel() throws {
        let (config, diagnostics) = TestSupport.load(
            """
            userlist L1
              group G1 users tiger,scott
              group G2 users xdb,scott
              user tiger password $6$k6y3o.eP$JlKBx
              user scott insecure-password elgato
              user xdb insecure-password hello
            userlist L2
              group G1
              group G2
              user tiger password $6$k6y3o.eP$JlKBx groups G1
              user scott insecure-password elgato groups G1,G2
              user xdb insecure-password hello groups G2
            """ + "\n" + Self.frontend + "  http-request auth realm Admin unless { http_auth_group(L2) G2 }\n")
        XCTAssertEqual(diagnostics.messages.map(\.message), [])
        let c = try XCTUnwrap(config)
        XCTAssertEqual(c.userlists.map(\.name), ["L1", "L2"])
        for list in c.userlists {
            XCTAssertEqual(list.users.map(\.name), ["tiger", "scott", "xdb"])
            XCTAssertTrue(list.isMember("scott", ofAnyOf: ["G2"]))
            XCTAssertFalse(list.isMember("tiger", ofAnyOf: ["G2"]))
            XCTAssertEqual(list.user(named: "tiger")?.password, .hashed("$6$k6y3o.eP$JlKBx"))
            XCTAssertEqual(list.user(named: "xdb")?.password, .insecure(Array("hello".utf8)))
        }
        guard case .auth(let realm) = c.proxies[0].httpRequestRules[0].action else { return XCTFail() }
        XCTAssertEqual(realm, "Admin")
        XCTAssertEqual(c.proxies[0].userlistReferences.map(\.userlist), ["L2"])
    }

    func testSectionErrorsAsTheReferenceWordsThem() {
        let cases: [(String, [String])] = [
            ("userlist\n", ["parsing [test.cfg:1]: 'userlist' expects <name> as arguments."]),
            ("userlist L1 extra\n", ["parsing [test.cfg:1] : 'userlist' cannot handle unexpected argument 'extra'."]),
            ("userlist L1\n  group\n", ["parsing [test.cfg:2]: 'group' expects <name> as arguments."]),
            ("userlist L1\n  group G1 foo bar\n", ["parsing [test.cfg:2]: 'group' only supports 'users' option."]),
            ("userlist L1\n  user\n", ["parsing [test.cfg:2]: 'user' expects <name> as arguments."]),
            ("userlist L1\n  user a foo\n",
             ["parsing [test.cfg:2]: 'user' only supports 'password', 'insecure-password' and 'groups' options."]),
            ("userlist L1\n  user a insecure-password x x\n",
             ["parsing [test.cfg:2]: 'user' only supports 'password', 'insecure-password' and 'groups' options."]),
            ("userlist L1\n  foo\n  gruop x\n",
             ["parsing [test.cfg:2]: unknown keyword 'foo' in 'users' section",
              "parsing [test.cfg:3]: unknown keyword 'gruop' in 'users' section"]),
            ("userlist L/1\n  group G,1\n  user a,b\n",
             ["parsing [test.cfg:1]: character '/' is not permitted in 'userlist' name 'L/1'.",
              "parsing [test.cfg:2]: character ',' is not permitted in 'group' name 'G,1'."]),
            ("userlist L1\n  group G1 users a,b\n", ["userlist 'L1': no such user 'a' specified in group 'G1'"]),
            ("userlist L1\n  user a groups G9\n", ["userlist 'L1': no such group 'G9' specified in user 'a'"]),
            // The last list is checked first; one inconsistency stops
            // every other check.
            ("userlist L1\n  group G1 users a\nuserlist L2\n  user d groups X,Y\n" + Self.frontend + "  use_backend nope\n",
             ["userlist 'L2': no such group 'X' specified in user 'd'", "Fatal errors found in configuration."]),
        ]
        for (text, expected) in cases {
            let (config, diagnostics) = TestSupport.load(text)
            XCTAssertNil(config, text)
            let alerts = diagnostics.alerts.map(\.message).filter { !$0.hasPrefix("Error(s) found") }
            XCTAssertEqual(Array(alerts.prefix(expected.count)), expected, text)
        }
    }

    func testDuplicatesWarnAndTheFirstDeclarationStays() throws {
        let (config, diagnostics) = TestSupport.load(
            "userlist L1\n  group G1\n  group G1 users a\n  user a insecure-password one\n  user a insecure-password two\n"
                + "userlist L1\n  user b groups G1\n" + Self.frontend)
        XCTAssertEqual(diagnostics.warnings.map(\.message), [
            "parsing [test.cfg:3]: ignoring duplicated group 'G1' in userlist 'L1'.",
            "parsing [test.cfg:5]: ignoring duplicated user 'a' in userlist 'L1'.",
            "parsing [test.cfg:6]: ignoring duplicated userlist 'L1'.",
        ])
        let list = try XCTUnwrap(config?.userlists.first)
        XCTAssertEqual(config?.userlists.count, 1)
        XCTAssertTrue(list.authenticates(user: Array("a".utf8), password: Array("one".utf8)))
        XCTAssertFalse(list.isMember("a", ofAnyOf: ["G1"]))
        XCTAssertTrue(list.isMember("b", ofAnyOf: ["G1"]))
    }

    func testAuthActionErrorsAndDefaultRealm() throws {
        let cases: [(String, String)] = [
            ("http-request auth realm",
             "parsing [test.cfg:5] : error detected in frontend 'fe' while parsing 'http-request auth' rule : missing realm value.\n."),
            ("http-request auth foo",
             "parsing [test.cfg:5]: 'http-request auth' expects either 'if' or 'unless' followed by a condition but found 'foo'."),
            ("http-request auth realm a b",
             "parsing [test.cfg:5]: 'http-request auth' expects either 'if' or 'unless' followed by a condition but found 'b'."),
            ("http-request auth if { http_auth(L1,x) }",
             "parsing [test.cfg:5] : error detected while parsing an 'http-request auth' condition : fetch method 'http_auth' : expected ')' before ',x)' in ACL expression 'http_auth(L1,x)'."),
        ]
        for (line, expected) in cases {
            let (_, diagnostics) = TestSupport.load(Self.frontend + "  \(line)\n")
            XCTAssertEqual(diagnostics.alerts.first?.message, expected, line)
        }
        let (config, diagnostics) = TestSupport.load(
            Self.frontend + "  default_backend be\nbackend be\n  mode http\n  http-request auth\n  http-request auth\n")
        XCTAssertEqual(diagnostics.warnings.map(\.message), [
            "parsing [test.cfg:9]: previous 'http-request' action is final and has no condition attached, further entries are NOOP.",
        ])
        guard case .auth(let realm)? = config?.proxies[1].httpRequestRules.first?.action else { return XCTFail() }
        XCTAssertEqual(realm, "be")
    }

    func testUnknownUserlistsAreResolutionErrors() {
        let (config, diagnostics) = TestSupport.load(
            Self.frontend + """
              acl ok http_auth(L9)
              acl ok2 http_auth_group(L8) G1
              http-request auth realm Admin if !ok ok2
              http-request set-header x %[http_auth_group(L7)]
              use_backend nope
            frontend fe2
              mode http
              bind :81
              timeout client 5s
              acl ok http_auth
              http-request auth if !ok
            """)
        XCTAssertNil(config)
        XCTAssertEqual(diagnostics.alerts.map(\.message), [
            "Proxy 'fe': unable to find required use_backend: 'nope'.",
            """
            multiple argument resolution errors:
                    parsing [test.cfg:5]: unable to find userlist 'L9' referenced in arg 1 of ACL keyword 'http_auth' in proxy 'fe'.
                    parsing [test.cfg:6]: unable to find userlist 'L8' referenced in arg 1 of ACL keyword '' in proxy 'fe'.
                    parsing [test.cfg:8]: unable to find userlist 'L7' referenced in arg 1 of sample fetch keyword 'http_auth_group' in http-request expression in proxy 'fe'.
            """,
            "parsing [test.cfg:14]: missing userlist name in arg 1 of ACL keyword 'http_auth' in proxy 'fe2'.",
            "Fatal errors found in configuration.",
        ])
    }

    func testGroupsOfGroupACLsMustExist() {
        let (config, diagnostics) = TestSupport.load(
            """
            frontend fe
              mode http
              bind :80
              acl grp http_auth_group(L1) G1 G3 G4
              acl plain http_auth_group(L1) -m str G1
              http-request auth if !grp || plain || { http_auth_group(L1),lower G1 }
            frontend fe2
              mode http
              bind :81
              timeout client 5s
              http-request auth if { http_auth_group(L1) G1 }
            userlist L1
              group G1
            """)
        XCTAssertNil(config)
        XCTAssertEqual(diagnostics.messages.map(\.message).prefix(5), [
            "proxy fe: acl grp http_auth_group(): invalid group 'G3'.",
            "proxy fe: acl grp http_auth_group(): invalid group 'G4'.",
            "proxy fe: acl plain http_auth_group(): no groups specified.",
            "proxy fe: acl  http_auth_group(): no groups specified.",
            """
            missing timeouts for frontend 'fe'.
               | While not properly invalid, you will certainly encounter various problems
               | with such a configuration. To fix this, please ensure that all following
               | timeouts are set to a non-zero value: 'client', 'connect', 'server'.
            """,
        ])
    }

    func testUseProxyHeaderIsAFrontendOption() throws {
        let (config, diagnostics) = TestSupport.load(
            Self.frontend + "  option http-use-proxy-header\nbackend be\n  option http-use-proxy-header\n")
        XCTAssertEqual(diagnostics.warnings.map(\.message), [
            "parsing [test.cfg:7] : 'http-use-proxy-header' ignored because backend 'be' has no frontend capability.",
        ])
        XCTAssertEqual(config?.proxies.map(\.options.httpUseProxyHeader), [true, false])
    }
}

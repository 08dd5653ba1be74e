import XCTest

@testable import HAProxyConfig
@testable import HAProxyRules
import HAProxyTables

/// `stick-table` lines and the stick counter actions (manual 4.2): the
/// model they fill, and 2.6's errors, recorded with `haproxy -c`.
final class StickTableKeywordsTests: XCTestCase {
    func testStickTableAndTrackingFillTheModel() throws {
        let (config, diagnostics) = TestSupport.load(
            """
            defaults
                mode http
                timeout client 5s
                timeout server 5s
                timeout connect 1s
            frontend fe
                bind :80
                stick-table type ip size 100k expire 30s nopurge store http_req_rate(10s),conn_cur,gpc0,conn_cnt,conn_cnt
                tcp-request connection track-sc1 src table be
                tcp-request content sc-inc-gpc1(1)
                http-request track-sc0 src
                http-request sc-inc-gpc0(0) if { path /x }
                http-request sc-set-gpt0(1) 42
                http-request deny deny_status 429 if { sc_http_req_rate(0) gt 10 }
                default_backend be
            backend be
                stick-table type string len 12 size 1m store gpt0,gpc1
                server s 127.0.0.1:8080
            """)
        XCTAssertEqual(diagnostics.messages.map(\.message), [
            "parsing [test.cfg:8]: stick-table: store option 'conn_cnt' already enabled, ignored.",
        ])
        let proxies = try XCTUnwrap(config?.proxies)
        let fe = try XCTUnwrap(proxies[0].stickTable?.definition)
        XCTAssertEqual(fe.name, "fe")
        XCTAssertEqual(fe.keyType, .ip)
        XCTAssertEqual(fe.size, 102_400)
        XCTAssertEqual(fe.expire, 30_000)
        XCTAssertTrue(fe.noPurge)
        XCTAssertEqual(fe.stored.map(\.type), [.httpRequestRate, .connCurrent, .gpc0, .connCount])
        XCTAssertEqual(fe.stored.first?.period, 10_000)
        XCTAssertEqual(proxies[1].stickTable?.definition.keyType, .string(length: 12))
        guard case .stickCounter(.track(1, _, "be", true, false)) = proxies[0].tcpRequestConnectionRules.first?.action,
              case .stickCounter(.incrementGPC(1, .gpc1)) = proxies[0].tcpRequestContentRules.first?.action,
              case .stickCounter(.track(0, _, "fe", false, true)) = proxies[0].httpRequestRules[0].action,
              case .stickCounter(.incrementGPC(0, .gpc0)) = proxies[0].httpRequestRules[1].action,
              case .stickCounter(.setGPT0(1, _)) = proxies[0].httpRequestRules[2].action
        else { return XCTFail("\(proxies[0].httpRequestRules)") }
    }

    /// The arrays of 2.6 (`gpt(N)`, `gpc(N)`, `gpc_rate(N,period)`) and
    /// their actions; what follows an option's `)` is ignored, as in 2.6.
    func testArraysFillTheModel() throws {
        let (config, diagnostics) = TestSupport.load(
            """
            frontend fe
                bind :80
                stick-table type ip size 1k store gpt(2),gpc(3)x,gpc_rate(100,10s),conn_rate(0),gpc(4)
                http-request track-sc2 src
                http-request sc-inc-gpc(1,2)
                http-request sc-set-gpt(0,1) 5
                http-request sc-set-gpt(99,0) req.hdr(x)
                http-request sc-inc-gpc(-1,0)x
            """)
        XCTAssertEqual(diagnostics.alerts.map(\.message), [])
        XCTAssertTrue(diagnostics.messages.map(\.message).contains(
            "parsing [test.cfg:3]: stick-table: store option 'gpc' already enabled, ignored."))
        let proxy = try XCTUnwrap(config?.proxies.first)
        let table = try XCTUnwrap(proxy.stickTable?.definition)
        XCTAssertEqual(table.stored.map(\.type), [.gpt, .gpc, .gpcRate, .connRate])
        XCTAssertEqual(table.stored.map(\.period), [0, 0, 10_000, 0])
        XCTAssertEqual(table.length(of: .gpt), 2)
        XCTAssertEqual(table.length(of: .gpc), 3)
        XCTAssertEqual(table.length(of: .gpcRate), 100)
        XCTAssertEqual(table.length(of: .connRate), 1)
        XCTAssertEqual(table.length(of: .gpc0), 0)
        guard case .stickCounter(.incrementGPCElement(2, 1)) = proxy.httpRequestRules[1].action,
              case .stickCounter(.setGPT(1, 0, _)) = proxy.httpRequestRules[2].action,
              case .stickCounter(.setGPT(0, 99, _)) = proxy.httpRequestRules[3].action,
              case .stickCounter(.incrementGPCElement(0, -1)) = proxy.httpRequestRules[4].action
        else { return XCTFail("\(proxy.httpRequestRules)") }
    }

    func testErrorsAsTheReferenceWordsThem() {
        let cases: [(String, String)] = [
            ("stick-table", "parsing [test.cfg:3] : stick-table: missing size."),
            ("stick-table type", "parsing [test.cfg:3] : stick-table: unknown type ''."),
            ("stick-table type foo size 1", "parsing [test.cfg:3] : stick-table: unknown type 'foo'."),
            ("stick-table type ip", "parsing [test.cfg:3] : stick-table: missing size."),
            ("stick-table type ip size", "parsing [test.cfg:3] : stick-table: missing argument after 'size'."),
            ("stick-table type ip size x", "parsing [test.cfg:3] : stick-table: unexpected character 'x' in argument of 'size'."),
            ("stick-table type ip size 10 expire", "parsing [test.cfg:3] : stick-table: missing argument after 'expire'."),
            ("stick-table type ip size 10 expire 1x",
             "parsing [test.cfg:3] : stick-table: unexpected character 'x' in argument of 'expire'."),
            ("stick-table type ip size 10 store foo", "parsing [test.cfg:3] : stick-table: unknown store option 'foo'."),
            ("stick-table type ip size 10 store http_req_rate",
             "parsing [test.cfg:3] : stick-table: missing argument to store option 'http_req_rate'."),
            ("stick-table type ip size 10 store http_req_rate(x)",
             "parsing [test.cfg:3] : stick-table: error when processing store option 'http_req_rate'."),
            ("stick-table type ip size 10 store conn_cnt(10s)",
             "parsing [test.cfg:3] : stick-table: unexpected argument to store option 'conn_cnt'."),
            ("stick-table type ip size 10 bogus", "parsing [test.cfg:3] : stick-table: unknown argument 'bogus'."),
            ("stick-table type string len 0 size 10", "parsing [test.cfg:3] : stick-table: unknown type '0'."),
            ("stick-table type ip len 4 size 10", "parsing [test.cfg:3] : stick-table: unknown argument 'len'."),
            // Not built: refused by name.
            ("stick-table type ip size 10 peers", "parsing [test.cfg:3] : stick-table: missing argument after 'peers'."),
            ("stick-table type ip size 10 store gpc(0)",
             "parsing [test.cfg:3] : stick-table: array size is out of allowed range (1-100) for store option 'gpc'."),
            ("stick-table type ip size 10 store gpc(101)",
             "parsing [test.cfg:3] : stick-table: array size is out of allowed range (1-100) for store option 'gpc'."),
            ("stick-table type ip size 10 store gpc(x)",
             "parsing [test.cfg:3] : stick-table: array size is out of allowed range (1-100) for store option 'gpc'."),
            ("stick-table type ip size 10 store gpc",
             "parsing [test.cfg:3] : stick-table: missing argument to store option 'gpc'."),
            ("stick-table type ip size 10 store gpc(2,3)",
             "parsing [test.cfg:3] : stick-table: unexpected argument to store option 'gpc'."),
            ("stick-table type ip size 10 store gpc(3",
             "parsing [test.cfg:3] : stick-table: missing closing parenthesis after store option 'gpc'."),
            ("stick-table type ip size 10 store conn_rate(1s",
             "parsing [test.cfg:3] : stick-table: missing closing parenthesis after store option 'conn_rate'."),
            ("stick-table type ip size 10 store gpc_rate(2)",
             "parsing [test.cfg:3] : stick-table: missing argument to store option 'gpc_rate'."),
            ("stick-table type ip size 10 store gpc_rate(2,)",
             "parsing [test.cfg:3] : stick-table: error when processing store option 'gpc_rate'."),
            ("stick-table type ip size 10 store gpc_rate(,1s)",
             "parsing [test.cfg:3] : stick-table: array size is out of allowed range (1-100) for store option 'gpc_rate'."),
            ("stick-table type ip size 10 store gpc_rate(3,-1)",
             "parsing [test.cfg:3] : stick-table: error when processing store option 'gpc_rate'."),
            ("stick-table type ip size 10 store gpc(2),gpc0",
             "parsing [test.cfg:3] : stick-table: simultaneous usage of 'gpc' and 'gpc[0/1]' in a same table is not permitted as 'gpc' overrides 'gpc[0/1]'."),
            ("stick-table type ip size 10 store gpc1,gpc(2)",
             "parsing [test.cfg:3] : stick-table: simultaneous usage of 'gpc' and 'gpc[0/1]' in a same table is not permitted as 'gpc' overrides 'gpc[0/1]'."),
            ("stick-table type ip size 10 store gpc0_rate(1s),gpc_rate(2,10s)",
             "parsing [test.cfg:3] : stick-table: simultaneous usage of 'gpc_rate' and 'gpc[0/1]_rate' in a same table is not permitted as 'gpc_rate' overrides 'gpc[0/1]_rate'."),
            ("stick-table type ip size 10 store gpt(2),gpt0",
             "parsing [test.cfg:3] : stick-table: simultaneous usage of 'gpt' and 'gpt0' in a same table is not permitted as 'gpt' overrides 'gpt0'."),
            ("http-request sc-inc-gpc(1)",
             "parsing [test.cfg:3] : error detected in frontend 'fe' while parsing 'http-request sc-inc-gpc(1)' rule : Missing gpc ID 'sc-inc-gpc(1)'. Expects sc-inc-gpc(<GPC ID>,<Track ID>)."),
            ("http-request sc-inc-gpc",
             "parsing [test.cfg:3] : error detected in frontend 'fe' while parsing 'http-request sc-inc-gpc' rule : invalid gpc ID 'sc-inc-gpc'. Expects sc-inc-gpc(<GPC ID>,<Track ID>)."),
            ("http-request sc-inc-gpc(a,0)",
             "parsing [test.cfg:3] : error detected in frontend 'fe' while parsing 'http-request sc-inc-gpc(a,0)' rule : Missing gpc ID 'sc-inc-gpc(a,0)'. Expects sc-inc-gpc(<GPC ID>,<Track ID>)."),
            ("http-request sc-inc-gpc(1,a)",
             "parsing [test.cfg:3] : error detected in frontend 'fe' while parsing 'http-request sc-inc-gpc(1,a)' rule : invalid stick table track ID 'sc-inc-gpc(1,a)'. Expects sc-inc-gpc(<GPC ID>,<Track ID>)."),
            ("http-request sc-inc-gpc(1,0",
             "parsing [test.cfg:3] : error detected in frontend 'fe' while parsing 'http-request sc-inc-gpc(1,0' rule : invalid stick table track ID 'sc-inc-gpc(1,0'. Expects sc-inc-gpc(<GPC ID>,<Track ID>)."),
            ("http-request sc-inc-gpc(1,3)",
             "parsing [test.cfg:3] : error detected in frontend 'fe' while parsing 'http-request sc-inc-gpc(1,3)' rule : invalid stick table track ID 'sc-inc-gpc(1,3)'. The max allowed ID is 2."),
            ("http-request sc-set-gpt(1) 3",
             "parsing [test.cfg:3] : error detected in frontend 'fe' while parsing 'http-request sc-set-gpt(1)' rule : Missing gpt ID 'sc-set-gpt(1)'. Expects sc-set-gpt(<GPT ID>,<Track ID>)."),
            ("http-request sc-set-gpt 3",
             "parsing [test.cfg:3] : error detected in frontend 'fe' while parsing 'http-request sc-set-gpt' rule : invalid gpt ID 'sc-set-gpt'. Expects sc-set-gpt(<GPT ID>,<Track ID>)."),
            ("http-request sc-set-gpt(1,3) 3",
             "parsing [test.cfg:3] : error detected in frontend 'fe' while parsing 'http-request sc-set-gpt(1,3)' rule : invalid stick table track ID 'sc-set-gpt(1,3)'. The max allowed ID is 2."),
            ("http-request sc-set-gpt(1,0) 3x",
             "parsing [test.cfg:3] : error detected in frontend 'fe' while parsing 'http-request sc-set-gpt(1,0)' rule : unknown fetch method '3x'."),
            ("http-request set-var(txn.x) sc_get_gpc(0)",
             "parsing [test.cfg:3] : error detected in frontend 'fe' while parsing 'http-request set-var(txn.x)' rule : fetch method 'sc_get_gpc' : missing arguments (got 1/2), type 'integer' expected."),
            ("http-request set-var(txn.x) sc_get_gpc(x,0)",
             "parsing [test.cfg:3] : error detected in frontend 'fe' while parsing 'http-request set-var(txn.x)' rule : fetch method 'sc_get_gpc' : failed to parse 'x' as type 'integer' at position 1."),
            ("http-request set-var(txn.x) sc_get_gpc(0,0,nope)",
             "parsing [test.cfg:3]: unable to find table 'nope' referenced in arg 3 of sample fetch keyword 'sc_get_gpc' in http-request expression in proxy 'fe'."),
            ("http-request set-var(txn.x) src_get_gpc(0,nope)",
             "parsing [test.cfg:3]: unable to find table 'nope' referenced in arg 2 of sample fetch keyword 'src_get_gpc' in http-request expression in proxy 'fe'."),
            ("http-request set-var(txn.x) str(1),table_gpc(0,nope)",
             "parsing [test.cfg:3]: unable to find table 'nope' referenced in arg 2 of conversion keyword 'table_gpc' for sample fetch keyword 'str' in http-request expression in proxy 'fe'."),
            ("http-request set-var(txn.x) str(1),table_idle(nope)",
             "parsing [test.cfg:3]: unable to find table 'nope' referenced in arg 1 of conversion keyword 'table_idle' for sample fetch keyword 'str' in http-request expression in proxy 'fe'."),
            ("http-request set-var(txn.x) str(1),table_gpc(fe)",
             "parsing [test.cfg:3] : error detected in frontend 'fe' while parsing 'http-request set-var(txn.x)' rule : invalid arg 1 in converter 'table_gpc' : failed to parse 'fe' as type 'integer' at position 1."),
            ("http-request set-var(txn.x) str(1),table_idle(fe,x)",
             "parsing [test.cfg:3] : error detected in frontend 'fe' while parsing 'http-request set-var(txn.x)' rule : invalid arg 2 in converter 'table_idle' : failed to parse 'x' as type 'integer' at position 2."),
            ("http-request track-sc0",
             "parsing [test.cfg:3] : error detected in frontend 'fe' while parsing 'http-request track-sc0' rule : missing fetch method."),
            ("http-request track-sc3 src",
             "parsing [test.cfg:3] : error detected in frontend 'fe' while parsing 'http-request track-sc3' rule : 3 track-sc number exceeding 2 (MAX_SESS_STKCTR-1) value."),
            ("http-request track-sc0 src table",
             "parsing [test.cfg:3] : error detected in frontend 'fe' while parsing 'http-request track-sc0' rule : missing table name."),
            ("http-request track-sc0 foo",
             "parsing [test.cfg:3] : error detected in frontend 'fe' while parsing 'http-request track-sc0' rule : unknown fetch method 'foo'."),
            ("http-request track-sc0 src bar",
             "parsing [test.cfg:3]: 'http-request track-sc0' expects either 'if' or 'unless' followed by a condition but found 'bar'."),
            ("http-request sc-inc-gpc0(3)",
             "parsing [test.cfg:3] : error detected in frontend 'fe' while parsing 'http-request sc-inc-gpc0(3)' rule : invalid stick table track ID. The max allowed ID is 2."),
            ("http-request sc-set-gpt0(0) x",
             "parsing [test.cfg:3] : error detected in frontend 'fe' while parsing 'http-request sc-set-gpt0(0)' rule : unknown fetch method 'x'."),
            ("http-request deny if { sc_http_req_rate(0,nope) gt 1 }",
             "parsing [test.cfg:3]: unable to find table 'nope' referenced in arg 2 of ACL keyword 'sc_http_req_rate' in proxy 'fe'."),
            ("http-request deny if { src_conn_cur(nope) gt 1 }",
             "parsing [test.cfg:3]: unable to find table 'nope' referenced in arg 1 of ACL keyword 'src_conn_cur' in proxy 'fe'."),
            ("http-request deny if { src_conn_cur gt 1 }",
             "parsing [test.cfg:3]: unable to find table 'fe' referenced in arg 1 of ACL keyword 'src_conn_cur' in proxy 'fe'."),
            ("http-request deny if { src,table_conn_cnt(nope) gt 1 }",
             "parsing [test.cfg:3]: unable to find table 'nope' referenced in arg 1 of conversion keyword 'table_conn_cnt' for ACL keyword 'src' in proxy 'fe'."),
            ("http-request set-header x %[src,in_table(nope)]",
             "parsing [test.cfg:3]: unable to find table 'nope' referenced in arg 1 of conversion keyword 'in_table' for sample fetch keyword 'src' in http-request expression in proxy 'fe'."),
            ("http-request set-header x %[src_conn_cur(nope)]",
             "parsing [test.cfg:3]: unable to find table 'nope' referenced in arg 1 of sample fetch keyword 'src_conn_cur' in http-request expression in proxy 'fe'."),
            ("http-request set-var(txn.x) src_conn_cur(nope)",
             "parsing [test.cfg:3]: unable to find table 'nope' referenced in arg 1 of sample fetch keyword 'src_conn_cur' in http-request expression in proxy 'fe'."),
            ("tcp-request connection reject if { src_conn_cur gt 1 }",
             "parsing [test.cfg:3]: unable to find table 'fe' referenced in arg 1 of ACL keyword 'src_conn_cur' in proxy 'fe'."),
        ]
        for (line, expected) in cases {
            let (config, diagnostics) = TestSupport.load("frontend fe\n    bind :80\n    \(line)\n")
            XCTAssertNil(config, line)
            XCTAssertEqual(diagnostics.alerts.first?.message, expected, line)
        }
    }

    func testStickRulesFillTheModelAndErrorsAsTheReference() throws {
        let (config, diagnostics) = TestSupport.load(
            """
            backend be
                stick-table type ip size 1m expire 30m
                stick on src
                stick match req.hdr(x) table other if { src 10.0.0.0/8 }
                stick store-request src
                server s 127.0.0.1:8080
            backend other
                stick-table type string size 10
            """)
        XCTAssertEqual(diagnostics.alerts.map(\.message), [])
        let rules = try XCTUnwrap(config?.proxies.first?.stickingRules)
        XCTAssertEqual(rules.map(\.kind), [.matchAndStore, .match, .store])
        XCTAssertEqual(rules.map(\.table), ["be", "other", "be"])
        XCTAssertNotNil(rules[1].condition)

        let cases: [(String, String)] = [
            ("stick", "parsing [test.cfg:3] : 'stick' expects 'on', 'match', or 'store'."),
            ("stick foo", "parsing [test.cfg:3] : 'stick' expects 'on', 'match', or 'store'."),
            ("stick on", "parsing [test.cfg:3] : 'stick' expects a fetch method."),
            ("stick on src foo", "parsing [test.cfg:3] : 'stick': unknown keyword 'foo'."),
            ("stick on res.hdr(x)",
             "parsing [test.cfg:3] : 'stick': fetch method 'res.hdr' extracts information from 'HTTP response headers', none of which is available during request."),
            ("stick store-response req.hdr(x)",
             "parsing [test.cfg:3] : 'stick': fetch method 'req.hdr' extracts information from 'HTTP request headers', none of which is available for 'store-response'."),
        ]
        for (line, expected) in cases {
            let (config, diagnostics) = TestSupport.load("backend be\n    stick-table type ip size 1\n    \(line)\n")
            XCTAssertNil(config, line)
            XCTAssertEqual(diagnostics.alerts.first?.message, expected, line)
        }
        for (text, expected) in [
            ("defaults\n    stick-table type ip size 1\n", "parsing [test.cfg:2] : 'stick-table' is not supported in 'defaults' section."),
            ("defaults\n    stick on src\n", "parsing [test.cfg:2] : 'stick' not allowed in 'defaults' section."),
        ] {
            XCTAssertEqual(TestSupport.load(text).1.alerts.first?.message, expected)
        }
        let (_, warnings) = TestSupport.load("frontend fe\n    bind :80\n    stick on src\n")
        XCTAssertEqual(warnings.messages.first?.message,
                       "parsing [test.cfg:3] : 'stick' ignored because frontend 'fe' has no backend capability.")
    }
}

import HAProxyRules
import XCTest

/// Fetch values, checked against 2.6 with `lf-string "%[<fetch>]"` on a
/// request carrying `Host: Example.com`, `A: x, y`, `a: z`,
/// `Cookie: a=1; b=2; a=3` and `Cookie: c="q"`.
final class SampleFetchTests: XCTestCase {
    private func context() -> TestSampleContext {
        TestSampleContext(request: TestMessage(
            uri: Array("/p/q?a=1&b=2".utf8),
            headers: [("Host", "Example.com"), ("A", "x, y"), ("a", "z"), ("Cookie", "a=1; b=2; a=3"), ("Cookie", "c=\"q\"")]))
    }

    private func values(_ text: String, _ context: TestSampleContext) throws -> [Sample] {
        var all: [Sample] = []
        try SampleExpression.parse(text).forEachValue(context) { all.append($0); return false }
        return all
    }

    func testHeaders() throws {
        let c = context()
        XCTAssertEqual(try evaluate("req.hdr(a)", c), .text("z"))
        XCTAssertEqual(try evaluate("hdr(a,1)", c), .text("x"))
        XCTAssertEqual(try evaluate("req.hdr(a,-2)", c), .text("y"))
        XCTAssertEqual(try evaluate("req.hdr(a,4)", c), nil)
        XCTAssertEqual(try evaluate("req.fhdr(a)", c), .text("z"))
        XCTAssertEqual(try evaluate("req.fhdr(a,1)", c), .text("x, y"))
        XCTAssertEqual(try values("req.hdr(a)", c), [.text("x"), .text("y"), .text("z")])
        XCTAssertEqual(try values("req.hdr(a,2)", c), [.text("y")])
        XCTAssertEqual(try values("req.fhdr(a)", c), [.text("x, y"), .text("z")])
        XCTAssertEqual(try evaluate("req.hdr_cnt(a)", c), .int(3))
        // 2.6 counted 7 with its extra `x-expr` header.
        XCTAssertEqual(try evaluate("req.hdr_cnt", c), .int(6))
        XCTAssertEqual(try evaluate("req.fhdr_cnt(a)", c), .int(2))
        XCTAssertEqual(try evaluate("req.hdr_names", c), .text("host,a,a,cookie,cookie"))
        XCTAssertEqual(try evaluate("req.hdr_names(|)", c), .text("host|a|a|cookie|cookie"))
        XCTAssertEqual(
            try evaluate("req.hdrs", c), .text("host: Example.com\r\na: x, y\r\na: z\r\ncookie: a=1; b=2; a=3\r\ncookie: c=\"q\"\r\n\r\n"))
        XCTAssertEqual(try evaluate("req.hdr(a),upper", c), .text("Z"))
        XCTAssertEqual(try values("req.hdr(a),upper", c), [.text("X"), .text("Y"), .text("Z")])
    }

    func testTypedHeaders() throws {
        let c = TestSampleContext(request: TestMessage(headers: [("X-F", "10.0.0.1:80, 2001:db8::1"), ("N", "42abc")]))
        XCTAssertEqual(try evaluate("hdr_ip(x-f,1)", c), .ipv4(IPv4Address(0x0a00_0001)))
        XCTAssertEqual(try evaluate("req.hdr_ip(x-f)", c), .ipv6(IPv6Address(text: Array("2001:db8::1".utf8))!))
        XCTAssertEqual(try evaluate("hdr_val(n)", c), .int(42))
    }

    func testCookies() throws {
        let c = context()
        XCTAssertEqual(try evaluate("req.cook(a)", c), .text("3"))
        XCTAssertEqual(try evaluate("req.cook", c), .text("1"))
        XCTAssertEqual(try evaluate("cook(c)", c), .text("\"q\""))
        XCTAssertEqual(try evaluate("req.cook_cnt(a)", c), .int(2))
        XCTAssertEqual(try evaluate("req.cook_cnt", c), .int(4))
        XCTAssertEqual(try evaluate("req.cook_val(a)", c), .int(3))
        XCTAssertEqual(try values("cook(a)", c), [.text("1"), .text("3")])
        c.response = TestMessage(status: 200, headers: [("Set-Cookie", "s=abc; Path=/"), ("Set-Cookie", "t=1")])
        XCTAssertEqual(try evaluate("res.cook(s)", c), .text("abc"))
        XCTAssertEqual(try evaluate("scook_cnt", c), .int(2))
        XCTAssertEqual(try evaluate("status", c), .int(200))
        XCTAssertEqual(try evaluate("res.ver", c), .text("1.1"))
    }

    /// Comma-separated values split at each comma, blanks around an
    /// element trimmed, empty elements kept (before, between and after).
    func testHeaderListElements() throws {
        let c = TestSampleContext(request: TestMessage(headers: [("X", ",a,, b ,"), ("Y", "one")]))
        XCTAssertEqual(try values("req.hdr(x)", c), [.text(""), .text("a"), .text(""), .text("b"), .text("")])
        XCTAssertEqual(try evaluate("req.hdr_cnt(x)", c), .int(5))
        XCTAssertEqual(try values("req.hdr(y)", c), [.text("one")])
    }

    /// The path ends at the first `?`; a `?` with nothing after it is an
    /// empty query, none at all no query.
    func testPathAndQueryBoundaries() throws {
        let emptyQuery = TestSampleContext(request: TestMessage(uri: Array("/p?".utf8)))
        XCTAssertEqual(try evaluate("path", emptyQuery), .text("/p"))
        XCTAssertEqual(try evaluate("query", emptyQuery), .text(""))
        let noQuery = TestSampleContext(request: TestMessage(uri: Array("/p/q".utf8)))
        XCTAssertEqual(try evaluate("path", noQuery), .text("/p/q"))
        XCTAssertEqual(try evaluate("query", noQuery), nil)
        let twice = TestSampleContext(request: TestMessage(uri: Array("/a?b?c".utf8)))
        XCTAssertEqual(try evaluate("path", twice), .text("/a"))
        XCTAssertEqual(try evaluate("query", twice), .text("b?c"))
    }

    func testURL() throws {
        let c = context()
        XCTAssertEqual(try evaluate("base", c), .text("Example.com/p/q"))
        XCTAssertEqual(try evaluate("url", c), .text("/p/q?a=1&b=2"))
        XCTAssertEqual(try evaluate("pathq", c), .text("/p/q?a=1&b=2"))
        XCTAssertEqual(try evaluate("path", c), .text("/p/q"))
        XCTAssertEqual(try evaluate("query", c), .text("a=1&b=2"))
        XCTAssertEqual(try evaluate("req.ver", c), .text("1.1"))
        XCTAssertEqual(try evaluate("url_param", c), .text("1"))
        XCTAssertEqual(try evaluate("urlp(b)", c), .text("2"))
        XCTAssertEqual(try evaluate("url_param(c)", c), nil)
        XCTAssertEqual(try evaluate("method", c), .text("GET"))
        let absolute = TestSampleContext(request: TestMessage(uri: Array("http://10.1.2.3:8080/x?y".utf8)))
        XCTAssertEqual(try evaluate("path", absolute), .text("/x"))
        XCTAssertEqual(try evaluate("url_ip", absolute), .ipv4(IPv4Address(0x0a01_0203)))
        XCTAssertEqual(try evaluate("url_port", absolute), .int(8080))
    }

    /// `base32` and `url32` are sdbm with full avalanche over the base and
    /// the host plus `pathq`; values recorded from 2.6.
    func testBase32AndURL32() throws {
        func message(_ uri: String, host: String?) -> TestSampleContext {
            let headers = host.map { [("Host", $0)] } ?? []
            let c = TestSampleContext(request: TestMessage(uri: Array(uri.utf8), headers: headers))
            c.source = SocketEndpoint(address: .v4(IPv4Address(0x7f00_0001)), port: 40000)
            return c
        }
        let c = message("/foo/bar?x=1&y=2", host: "127.0.0.1:18081")
        XCTAssertEqual(try evaluate("base32", c), .int(4_001_722_090))
        XCTAssertEqual(try evaluate("url32", c), .int(264_693_600))
        XCTAssertEqual(try evaluate("baseq", c), .text("127.0.0.1:18081/foo/bar?x=1&y=2"))
        XCTAssertEqual(try evaluate("base32+src,hex", c), .text("EE856EEA7F000001"))
        XCTAssertEqual(try evaluate("url32+src,hex", c), .text("0FC6E7607F000001"))
        c.source = SocketEndpoint(address: .v6(IPv6Address(high: 0, low: 1)), port: 40000)
        XCTAssertEqual(try evaluate("base32+src,hex", c), .text("EE856EEA00000000000000000000000000000001"))
        c.source = nil
        XCTAssertEqual(try evaluate("base32+src", c), nil)
        // The first element of Host for base32, the whole header for url32.
        let list = message("/x", host: "a, b")
        XCTAssertEqual(try evaluate("base", list), .text("a/x"))
        XCTAssertEqual(try evaluate("base32", list), .int(1_844_136_846))
        XCTAssertEqual(try evaluate("url32", list), .int(264_785_703))
        let absolute = message("http://Foo.com:8080/a/b?c", host: "Foo.com:8080")
        XCTAssertEqual(try evaluate("base32", absolute), .int(1_751_995_174))
        XCTAssertEqual(try evaluate("url32", absolute), .int(1_831_927_108))
        XCTAssertEqual(try evaluate("baseq", absolute), .text("Foo.com:8080/a/b?c"))
        let star = message("*", host: "foo.com")
        XCTAssertEqual(try evaluate("base", star), .text("foo.com"))
        XCTAssertEqual(try evaluate("url32", star), .int(2_873_000_366))
        // Nothing to hash still gives a hash; base itself is then absent.
        let nothing = message("*", host: nil)
        XCTAssertEqual(try evaluate("base32", nothing), .int(2_874_071_335))
        XCTAssertEqual(try evaluate("base", nothing), nil)
        XCTAssertEqual(try evaluate("base", message("/a/b?c", host: nil)), .text("/a/b"))
    }

    /// `urlp_val` reads its integer as 2.6 does (values recorded from it).
    func testURLParameterValue() throws {
        func value(_ query: String, _ expression: String = "urlp_val(a)") throws -> Sample? {
            try evaluate(expression, TestSampleContext(request: TestMessage(uri: Array("/x;b=5?\(query)".utf8))))
        }
        XCTAssertEqual(try value("a=12&b=3"), .int(12))
        XCTAssertEqual(try value("a=-7x"), .int(-7))
        XCTAssertEqual(try value("a=abc"), .int(0))
        XCTAssertEqual(try value("a="), .int(0))
        XCTAssertEqual(try value("a=-"), .int(0))
        XCTAssertEqual(try value("c=4"), nil)
        XCTAssertEqual(try value("c=4&a=5", "urlp_val"), .int(4))
        XCTAssertEqual(try value("a=1", "urlp_val(b,;)"), .int(5))
        XCTAssertEqual(try value("a=99999999999999999999"), .int(1_661_992_959))
        XCTAssertEqual(try value("a=3000000000"), .int(-1_294_967_296))
        XCTAssertEqual(try value("a=-2147483649"), .int(2_147_483_647))
        XCTAssertEqual(try value("a=+5"), .int(-45))
        XCTAssertEqual(try value("a=1.5"), .int(85))
        XCTAssertEqual(try value("a=-1.5"), .int(-85))
        XCTAssertEqual(try value("a=%2B5"), .int(-108))
    }

    func testDateMicrosecondsAndHTTPMajor() throws {
        let c = context()
        XCTAssertEqual(try evaluate("date_us", c), .int(250_000))
        XCTAssertEqual(try evaluate("fc_http_major", c), .int(1))
        c.frontHTTPMajorVersion = nil
        XCTAssertEqual(try evaluate("fc_http_major", c), nil)
    }

    func testListenerFetches() throws {
        let c = context()
        XCTAssertEqual(try evaluate("so_id", c), nil)
        XCTAssertEqual(try evaluate("dst_conn", c), nil)
        let listener = ListenerView(name: "web", id: 3)
        listener.connectionOpened()
        listener.connectionOpened()
        c.listener = listener
        XCTAssertEqual(try evaluate("so_id", c), .int(3))
        XCTAssertEqual(try evaluate("dst_conn", c), .int(2))
        listener.connectionClosed()
        XCTAssertEqual(try evaluate("dst_conn", c), .int(1))
    }

    func testFrontendRates() throws {
        let c = context()
        XCTAssertEqual(try evaluate("fe_req_rate", c), nil)
        c.frontendRateTable = [
            "fe": FrontendRates(sessions: 4, requests: 9), "other": FrontendRates(sessions: 0, requests: 1),
        ]
        XCTAssertEqual(try evaluate("fe_req_rate", c), .int(9))
        XCTAssertEqual(try evaluate("fe_sess_rate", c), .int(4))
        XCTAssertEqual(try evaluate("fe_req_rate(other)", c), .int(1))
        XCTAssertEqual(try evaluate("fe_sess_rate(other)", c), .int(0))
    }

    /// The `fc_*` fetches read the socket, not `src`/`dst` (which a PROXY
    /// header or `set-src` may have changed).
    func testClientConnectionFetches() throws {
        let c = context()
        XCTAssertEqual(try evaluate("fc_src", c), nil)
        XCTAssertEqual(try evaluate("fc_rtt", c), nil)
        c.clientConnection = TestClientConnection(
            source: SocketEndpoint(address: .v4(IPv4Address(0x7f00_0003)), port: 51000),
            destination: SocketEndpoint(address: .v6(IPv6Address(high: 0, low: 1)), port: 443),
            roundTripTimes: (rtt: 12_345, variation: 999))
        XCTAssertEqual(try evaluate("fc_src", c), .ipv4(IPv4Address(0x7f00_0003)))
        XCTAssertEqual(try evaluate("src", c), .ipv4(IPv4Address(0x0a00_0001)))
        XCTAssertEqual(try evaluate("fc_src_port", c), .int(51000))
        XCTAssertEqual(try evaluate("fc_dst", c), .ipv6(IPv6Address(high: 0, low: 1)))
        XCTAssertEqual(try evaluate("fc_dst_port", c), .int(443))
        XCTAssertEqual(try evaluate("fc_rtt", c), .int(12))
        XCTAssertEqual(try evaluate("fc_rtt(ms)", c), .int(12))
        XCTAssertEqual(try evaluate("fc_rtt(us)", c), .int(12_345))
        XCTAssertEqual(try evaluate("fc_rttvar", c), .int(0))
        XCTAssertEqual(try evaluate("fc_rttvar(us)", c), .int(999))
        XCTAssertThrowsError(try SampleExpression.parse("fc_rtt(s)"))
    }

    func testProcessState() throws {
        let c = context()
        XCTAssertEqual(try evaluate("nbproc", c), .int(1))
        XCTAssertEqual(try evaluate("proc", c), .int(1))
        XCTAssertEqual(try evaluate("thread", c), .int(0))
        XCTAssertEqual(try evaluate("stopping", c), .bool(false))
        c.threadIndex = 3
        c.isStopping = true
        XCTAssertEqual(try evaluate("thread", c), .int(3))
        XCTAssertEqual(try evaluate("stopping", c), .bool(true))
        for name in ["lat_ns_avg", "lat_ns_tot", "cpu_ns_avg", "cpu_ns_tot"] {
            XCTAssertEqual(try evaluate(name, c), .int(0), name)
        }
    }

    func testLastRule() throws {
        let c = context()
        XCTAssertEqual(try evaluate("last_rule_file", c), nil)
        XCTAssertEqual(try evaluate("last_rule_line", c), nil)
        let rules = [
            TCPRule(action: .accept, condition: nil, location: "/etc/hap:x/a.cfg:12"),
            TCPRule(action: .reject, condition: nil, location: "/etc/hap:x/a.cfg:13"),
        ]
        XCTAssertEqual(TCPRuleRunner.run(rules, on: c), .accept)
        XCTAssertEqual(try evaluate("last_rule_file", c), .text("/etc/hap:x/a.cfg"))
        XCTAssertEqual(try evaluate("last_rule_line", c), .int(12))
    }

    func testBody() throws {
        let c = TestSampleContext(request: TestMessage(method: Array("POST".utf8), headers: [("Content-Length", "3")], body: Array("xyz".utf8)))
        XCTAssertEqual(try evaluate("req.body", c), .binary(Array("xyz".utf8)))
        XCTAssertEqual(try evaluate("req.body_len", c), .int(3))
        XCTAssertEqual(try evaluate("req.body_size", c), .int(3))
    }

    func testInternalStates() throws {
        let c = context()
        c.backendName = "be"
        c.backends["be"] = BackendState(usableServers: 2, connections: 5, queued: 3, freeSlots: nil)
        c.servers["be/s1"] = true
        XCTAssertEqual(try evaluate("nbsrv", c), .int(2))
        XCTAssertEqual(try evaluate("nbsrv(be)", c), .int(2))
        XCTAssertEqual(try evaluate("be_conn", c), .int(5))
        XCTAssertEqual(try evaluate("queue", c), .int(3))
        XCTAssertEqual(try evaluate("avg_queue", c), .int(2))
        XCTAssertEqual(try evaluate("connslots", c), .int(-1))
        XCTAssertEqual(try evaluate("srv_is_up(be/s1)", c), .bool(true))
        XCTAssertEqual(try evaluate("srv_is_up(s1)", c), .bool(true))
        XCTAssertEqual(try evaluate("fe_conn", c), .int(3))
        XCTAssertEqual(try evaluate("src", c), .ipv4(IPv4Address(0x0a00_0001)))
        XCTAssertEqual(try evaluate("src_port", c), .int(40000))
        XCTAssertEqual(try evaluate("dst_port", c), .int(8080))
        XCTAssertEqual(try evaluate("so_name", c), .text("web"))
        XCTAssertEqual(try evaluate("fe_name", c), .text("fe"))
        XCTAssertEqual(try evaluate("be_name", c), .text("be"))
        XCTAssertEqual(try evaluate("srv_name", c), nil)
        XCTAssertEqual(try evaluate("date", c), .int(1_700_000_000))
        XCTAssertEqual(try evaluate("date(10,ms)", c), .int(1_700_000_010_250))
        XCTAssertEqual(try evaluate("always_true", c), .bool(true))
        XCTAssertEqual(try evaluate("bool(false)", c), .bool(false))
        XCTAssertEqual(try evaluate("ipv6(::1)", c), .ipv6(IPv6Address(high: 0, low: 1)))
        XCTAssertEqual(try evaluate("bin(0aFF)", c), .binary([0x0a, 0xff]))
        XCTAssertEqual(try evaluate("var(txn.nope,dflt)", c), .text("dflt"))
        if case .int(let r)? = try evaluate("rand(10)", c) { XCTAssert((0..<10).contains(r)) } else { XCTFail("rand") }
        if case .string(let uuid)? = try evaluate("uuid", c) {
            XCTAssertEqual(uuid.count, 36)
            XCTAssertEqual(uuid[14], UInt8(ascii: "4"))
        } else {
            XCTFail("uuid")
        }
    }

    /// A ClientHello with SNI `example.com`, as a TLS client sends it.
    static func clientHello(serverName: String = "example.com") -> [UInt8] {
        let name = Array(serverName.utf8)
        let sniList: [UInt8] = [0] + be16(name.count) + name
        let sni: [UInt8] = be16(0) + be16(sniList.count + 2) + be16(sniList.count) + sniList
        let other: [UInt8] = be16(0x000b) + be16(2) + [1, 0]
        let extensions = other + sni
        var hello: [UInt8] = [3, 3] + [UInt8](repeating: 7, count: 32) + [0] + be16(2) + [0x13, 0x01] + [1, 0]
        hello += be16(extensions.count) + extensions
        let handshake: [UInt8] = [1, 0] + be16(hello.count) + hello
        return [0x16, 3, 1] + be16(handshake.count) + handshake
    }

    private static func be16(_ n: Int) -> [UInt8] { [UInt8(n >> 8), UInt8(n & 0xff)] }

    func testTLSClientHello() throws {
        let c = TestSampleContext()
        c.payload = Self.clientHello()
        XCTAssertEqual(try evaluate("req.ssl_sni", c), .text("example.com"))
        XCTAssertEqual(try evaluate("req_ssl_sni,upper", c), .text("EXAMPLE.COM"))
        XCTAssertEqual(try evaluate("req.ssl_hello_type", c), .int(1))
        // 2.6 reports the hello's version (3.3), not the record's (3.1): 196611
        // with this hello, in a `tcp-request content set-var` logged.
        XCTAssertEqual(try evaluate("req.ssl_ver", c), .int(0x30003))
        XCTAssertEqual(try evaluate("req.len", c), .int(Int64(c.payload!.count)))
        XCTAssertEqual(try evaluate("req.payload(0,3)", c), .binary([0x16, 3, 1]))
        XCTAssertEqual(try evaluate("req.payload_lv(3,2)", c), .binary(Array(c.payload![5...])))
        // Every truncation yields nothing, never a crash.
        let full = Self.clientHello()
        for length in 0..<full.count {
            c.payload = Array(full[..<length])
            XCTAssertNil(try evaluate("req.ssl_sni", c), "\(length)")
        }
        c.payload = Array("GET / HTTP/1.1\r\n".utf8)
        XCTAssertNil(try evaluate("req.ssl_sni", c))
        XCTAssertNil(try evaluate("req.ssl_hello_type", c))
    }

    func testRDPCookie() throws {
        let c = TestSampleContext()
        let cookie = Array("Cookie: mstshash=alice\r\n".utf8)
        c.payload = [3, 0, 0, UInt8(11 + cookie.count + 8), UInt8(6 + cookie.count + 8), 0xe0, 0, 0, 0, 0, 0] + cookie + [1, 0, 8, 0, 0, 0, 0, 0]
        XCTAssertEqual(try evaluate("req.rdp_cookie", c), .text("alice"))
        XCTAssertEqual(try evaluate("rdp_cookie(MSTSHASH)", c), .text("alice"))
        XCTAssertEqual(try evaluate("rdp_cookie(msts)", c), nil)
        XCTAssertEqual(try evaluate("rdp_cookie_cnt", c), .int(1))
    }
}

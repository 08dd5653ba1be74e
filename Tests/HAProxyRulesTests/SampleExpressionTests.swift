import HAProxyRules
import XCTest

/// Parsing errors are worded as Debian's haproxy 2.6.12 words them; each
/// was obtained with `haproxy -c -f` on a frontend holding
/// `http-request set-var(txn.x) <expression>`.
final class SampleExpressionTests: XCTestCase {
    func testUnknownKeywords() {
        XCTAssertEqual(parseError("foo"), "unknown fetch method 'foo'")
        XCTAssertEqual(parseError("src,foo"), "unknown converter 'foo'")
        XCTAssertEqual(parseError("str(a), lower"), "unknown converter ''")
        XCTAssertEqual(parseError(" str(a)"), "missing fetch method")
        XCTAssertEqual(parseError("str(a)b"), "missing comma after fetch keyword 'str'")
        XCTAssertEqual(parseError("str(a),lower()y"), "missing comma after converter 'lower'")
    }

    func testArgumentErrors() {
        XCTAssertEqual(parseError("req.hdr(a,x)"), "fetch method 'req.hdr' : failed to parse 'x' as type 'integer' at position 2")
        XCTAssertEqual(parseError("req.hdr(a,b,c,d)"), "fetch method 'req.hdr' : failed to parse 'b' as type 'integer' at position 2")
        XCTAssertEqual(parseError("req.hdr(a, 1)"), "fetch method 'req.hdr' : failed to parse ' 1' as type 'integer' at position 2")
        XCTAssertEqual(parseError("src(1)"), "fetch method 'src' : expected ')' before '1)'")
        XCTAssertEqual(parseError("str(a"), "fetch method 'str' : expected ')'")
        XCTAssertEqual(parseError("str(a,)"), "fetch method 'str' : expected ')' before ',)'")
        XCTAssertEqual(parseError("date(1,s,3)"), "fetch method 'date' : expected ')' before ',3)'")
        XCTAssertEqual(parseError("int"), "fetch method 'int' : expected type 'integer' at position 1, but got nothing")
        XCTAssertEqual(parseError("int()"), "fetch method 'int' : expected type 'integer' at position 1, but got nothing")
        XCTAssertEqual(parseError("int(0x10)"), "fetch method 'int' : failed to parse '0x10' as type 'integer' at position 1")
        XCTAssertEqual(parseError("ipv4(x)"), "fetch method 'ipv4' : failed to parse 'x' as type 'IPv4 address' at position 1")
        XCTAssertEqual(parseError("ipv6()"), "fetch method 'ipv6' : expected type 'IPv6 address' at position 1, but got nothing")
        XCTAssertEqual(parseError("str(a),add(1,2)"), "invalid arg 2 in converter 'add' : expected ')' before ',2)'")
        XCTAssertEqual(parseError("str(a),lower(1)"), "invalid arg 1 in converter 'lower' : expected ')' before '1)'")
        XCTAssertEqual(parseError("str(a),lower,upper("), "invalid arg 1 in converter 'upper' : expected ')'")
        XCTAssertEqual(parseError("str(a),word(1,2,3,4)"), "invalid arg 3 in converter 'word' : expected ')' before ',4)'")
        XCTAssertEqual(parseError("src,ipmask(24,64,1)"), "invalid arg 2 in converter 'ipmask' : expected ')' before ',1)'")
        XCTAssertEqual(parseError("str(a),word"), "invalid arg 1 in converter 'word' : expected type 'integer' at position 1, but got nothing")
        XCTAssertEqual(parseError("str(a),field(a,b)"), "invalid arg 1 in converter 'field' : failed to parse 'a' as type 'integer' at position 1")
        XCTAssertEqual(parseError("str(a),field(1)"), "invalid arg 2 in converter 'field' : missing arguments (got 1/2), type 'string' expected")
        XCTAssertEqual(parseError("str(a),ipmask(a)"), "invalid arg 1 in converter 'ipmask' : failed to parse 'a' as type 'IPv4 mask' at position 1")
        XCTAssertEqual(parseError("src,ipmask(24,x)"), "invalid arg 2 in converter 'ipmask' : failed to parse 'x' as type 'IPv6 mask' at position 2")
        XCTAssertEqual(parseError("src,ipmask(33)"), "invalid arg 1 in converter 'ipmask' : failed to parse '33' as type 'IPv4 mask' at position 1")
    }

    func testKeywordChecks() {
        XCTAssertEqual(
            parseError("var(foo)"),
            "invalid args in fetch method 'var' : invalid variable name 'foo'. A variable name must be start by its scope. The scope can be 'proc', 'sess', 'txn', 'req', 'res' or 'check'")
        XCTAssertEqual(parseError("var(txn.a-b)"), "invalid args in fetch method 'var' : invalid syntax at char '-b'")
        XCTAssertEqual(parseError("uuid(3)"), "invalid args in fetch method 'uuid' : Unsupported UUID version: '3'")
        XCTAssertEqual(parseError("bool(3)"), "invalid args in fetch method 'bool' : Expects 'true', 'false', '0' or '1'")
        XCTAssertEqual(parseError("str(a),mul(foo)"), "invalid args in converter 'mul' : expects an integer or a variable name")
        XCTAssertEqual(parseError("src,word(1,)"), "invalid args in converter 'word' : Empty separators list")
        XCTAssertEqual(
            parseError("int(1),json(foo)"),
            "invalid args in converter 'json' : Unexpected input code type. Allowed value are 'ascii', 'utf8', 'utf8s', 'utf8p' and 'utf8ps'")
    }

    /// `-c` accepts these.
    func testAcceptedForms() {
        for text in [
            "req.hdr", "req.hdr()", "str", "str()", "str(a),", "str(a),,lower", "str(a),lower()", "url_param",
            "str(a),field(1,a,)", "req.fhdr(x,)", "var(check.a)", "str(a),mul(txn.x)", "src,ipmask(24,64)", "rand(0)",
            "env()", "int(-5)", "int(99999999999999999999)",
        ] {
            XCTAssertNil(parseError(text), text)
        }
    }

    /// `haproxy -c` on `http-request set-var(txn.x) <fetch>,<converter>`:
    /// "converter 'add' cannot be applied".
    func testImplicitCasts() {
        XCTAssertEqual(parseError("ipv6(::1),add(1)"), "converter 'add' cannot be applied")
        XCTAssertEqual(parseError("bool(1),ipmask(24)"), "converter 'ipmask' cannot be applied")
        XCTAssertEqual(parseError("req.body,add(1)"), "converter 'add' cannot be applied")
        XCTAssertEqual(parseError("req.body,ipmask(24)"), "converter 'ipmask' cannot be applied")
        for text in [
            "bool(1),add(1)", "ipv4(1.2.3.4),add(1)", "str(a),add(1)", "src,add(1)", "int(1),ipmask(24)",
            "ipv6(::1),ipmask(24)", "str(a),ipmask(24)", "bool(1),lower,ipmask(24)", "src,hex2i", "int(1),lower,add(1)",
            "req.body,lower", "ipv4(1.2.3.4),hex",
        ] {
            XCTAssertNil(parseError(text), text)
        }
    }

    /// Run-time casts, from `lf-string "%[...]"` on the reference.
    func testRuntimeCasts() throws {
        XCTAssertEqual(try evaluate("str(a),add(1)"), .int(1))
        XCTAssertEqual(try evaluate("str(12abc),add(1)"), .int(13))
        XCTAssertEqual(try evaluate("str(+5),add(1)"), .int(6))
        XCTAssertEqual(try evaluate("str(),add(1)"), nil)
        XCTAssertEqual(try evaluate("str(99999999999999999999),add(1)"), .int(Int64.max))
        XCTAssertEqual(try evaluate("int(1),hex"), .text("0000000000000001"))
        XCTAssertEqual(try evaluate("ipv4(1.2.3.4),hex"), .text("01020304"))
        XCTAssertEqual(try evaluate("ipv6(::1),hex"), .text("00000000000000000000000000000001"))
        XCTAssertEqual(try evaluate("ipv6(::ffff:1.2.3.4),ipmask(24)"), .ipv4(IPv4Address(0x0102_0300)))
        XCTAssertEqual(try evaluate("ipv6(::1.2.3.4),ipmask(24)"), nil)
        XCTAssertEqual(try evaluate("int(-1),ipmask(8)"), .ipv4(IPv4Address(0xff00_0000)))
        XCTAssertEqual(try evaluate("str(::ffff:1.2.3.4),ipmask(16)"), .ipv4(IPv4Address(0x0102_0000)))
        XCTAssertEqual(try evaluate("str(\"a,b\")"), .text("a,b"))
    }

    /// What each fetch needs, against 2.6's matrix (`haproxy -c` refusing
    /// `be_name` in a frontend's http-request rules with "fetch method
    /// 'set-var(sess.x)' extracts information from 'backend', none of
    /// which is available here").
    func testSourcesPerStage() throws {
        func missing(_ text: String, _ stage: SampleStage) throws -> String? {
            try SampleExpression.parse(text).missingSource(at: stage)?.name
        }
        XCTAssertEqual(try missing("res.hdr(a)", .httpRequest(inBackend: false)), "HTTP response headers")
        XCTAssertEqual(try missing("status", .httpRequest(inBackend: false)), "HTTP response")
        XCTAssertEqual(try missing("srv_name", .httpRequest(inBackend: true)), "server")
        XCTAssertEqual(try missing("be_name", .httpRequest(inBackend: false)), "backend")
        XCTAssertNil(try missing("be_name", .httpRequest(inBackend: true)))
        XCTAssertEqual(try missing("req.len", .tcpRequestConnection), "request buffer")
        XCTAssertEqual(try missing("req.len", .httpResponse), "request buffer")
        XCTAssertEqual(try missing("req.hdr(a)", .httpResponse), "HTTP request headers")
        XCTAssertEqual(try missing("path", .httpResponse), "HTTP request headers")
        XCTAssertNil(try missing("method", .httpResponse))
        XCTAssertEqual(try missing("method", .tcpRequestConnection), "HTTP request")
        XCTAssertEqual(try missing("capture.req.hdr(0)", .tcpRequestSession), "HTTP request")
        XCTAssertNil(try missing("capture.req.hdr(0)", .httpResponse))
        XCTAssertEqual(try missing("res.len", .httpRequest(inBackend: false)), "response buffer")
        XCTAssertNil(try missing("src", .tcpRequestConnection))
        XCTAssertNil(try missing("var(txn.a)", .tcpRequestConnection))
        XCTAssertNil(try missing("so_name", .tcpRequestConnection))
        XCTAssertNil(try missing("res.hdr(a)", .logging))
    }
}

import HAProxyRules
import XCTest

/// Converter outputs as Debian's haproxy 2.6.12 renders them, obtained
/// with `http-request return status 200 content-type text/plain
/// lf-string "%[<expression>]"` and curl.
final class SampleConverterTests: XCTestCase {
    private func check(_ cases: [(String, Sample?)], file: StaticString = #filePath, line: UInt = #line) {
        for (text, expected) in cases {
            XCTAssertEqual(try evaluate(text), expected, text, file: file, line: line)
        }
    }

    func testHashes() {
        check([
            ("str(Hello World),crc32", .int(1_243_066_710)),
            ("str(Hello World),crc32(1)", .int(1_404_468_991)),
            ("str(Hello World),crc32c", .int(1_763_551_791)),
            ("str(Hello World),crc32c(1)", .int(1_324_635_658)),
            ("str(Hello World),djb2", .int(2_272_792_705)),
            ("str(Hello World),djb2(1)", .int(231_570_861)),
            ("str(Hello World),sdbm", .int(3_372_807_300)),
            ("str(Hello World),sdbm(1)", .int(1_975_300_275)),
            ("str(Hello World),wt6", .int(530_152_375)),
            ("str(Hello World),wt6(1)", .int(1_155_562_669)),
            ("str(Hello World),xxh32", .int(2_986_153_710)),
            ("str(Hello World),xxh32(5)", .int(2_883_948_335)),
            ("str(Hello World),xxh64", .int(7_148_569_436_472_236_994)),
            ("str(Hello World),xxh64(5)", .int(-587_343_727_175_272_655)),
            ("str(Hello World),xxh3", .int(-2_069_943_155_113_958_605)),
            ("str(Hello World),xxh3(5)", .int(5_823_217_317_355_946_111)),
            ("str(),xxh3", .int(3_244_421_341_483_603_138)),
            (
                "str(abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ),xxh3",
                .int(1_735_463_186_807_802_560)
            ),
        ])
    }

    func testEncodings() {
        check([
            ("str(aé),hex", .text("61C3A9")),
            ("str(a),base64", .text("YQ==")),
            ("str(YWJj),b64dec", .binary(Array("abc".utf8))),
            ("str(YWJ),b64dec", nil),
            ("str(??>),base64", .text("Pz8+")),
            ("str(??>),ub64enc", .text("Pz8-")),
            ("str(ab),ub64enc", .text("YWI")),
            ("str(%41%2Bb+c),url_dec", .text("A+b+c")),
            ("str(%41%2Bb+c),url_dec(1)", .text("A+b c")),
            ("str(a%),url_dec", nil),
            ("str(%zz),url_dec", nil),
            ("str(a b&c/é~),url_enc", .text("a%20b%26c%2F%C3%A9~")),
            ("str(a<b/c>é),json", .text("a<b\\/c>\\u00c3\\u00a9")),
            ("str(é),json(utf8)", .text("\\u00e9")),
            ("str(abc),hex2i", .int(2748)),
            ("str(1G),hex2i", nil),
            ("str(fffffffffffffffff),hex2i", .int(-1)),
            ("int(1),htonl,hex", .text("00000001")),
            ("str(abcd),be2dec(-,2)", .text("24930-25444")),
            ("str(abcde),be2dec(-,2)", .text("24930-25444-101")),
            ("str(abcde),be2dec(-,2,1)", .text("24930-25444")),
            ("str(abcde),be2hex(:,2)", .text("6162:6364:65")),
            ("str(abcde),be2hex", .text("6162636465")),
        ])
        let context = TestSampleContext()
        context.request = TestMessage(headers: [("Z", "!*'();:@=+$?#[]-._~,\"<>{}|^`"), ("X", "a\tb\u{7f}c")])
        XCTAssertEqual(
            try evaluate("req.fhdr(z),url_enc", context),
            .text("%21%2A%27%28%29%3B%3A%40%3D%2B%24%3F%23%5B%5D-._~%2C%22%3C%3E%7B%7D%7C%5E%60"))
        XCTAssertEqual(try evaluate("req.fhdr(z),json", context), .text("!*'();:@=+$?#[]-._~,\\\"<>{}|^`"))
        XCTAssertEqual(try evaluate("req.hdr(x),json", context), .text("a\\tb\\u007fc"))
    }

    func testStrings() {
        check([
            ("str(abc),upper", .text("ABC")),
            ("str(AbC),lower", .text("abc")),
            ("str(abc-1.z),lower", .text("abc-1.z")),
            ("str(ABC-1.Z),upper", .text("ABC-1.Z")),
            ("str(xY[@`{Z]),lower", .text("xy[@`{z]")),
            ("str(xY[@`{Z]),upper", .text("XY[@`{Z]")),
            ("str(abc),length", .int(3)),
            ("str(a b  c),word(2, )", .text("b")),
            ("str(a b  c),word(-1, )", .text("c")),
            ("str(a b  c),word(1, ,2)", .text("a b")),
            ("str(a b  c),word(5, )", .text("")),
            ("str(\"a,b,,c\"),field(3,\",\")", .text("")),
            ("str(\"a,b,,c\"),field(2,\",\",2)", .text("b,")),
            ("str(\"a,b,,c\"),field(-2,\",\",0)", .text("a,b,")),
            ("str(abcdef),bytes(2)", .binary(Array("cdef".utf8))),
            ("str(abcdef),bytes(2,3)", .binary(Array("cde".utf8))),
            ("str(abcdef),bytes(2,10)", .binary(Array("cdef".utf8))),
            ("str(abcdef),bytes(6)", .binary([])),
            ("str(abcdef),bytes(10)", nil),
            ("str(a),concat(<,txn.nope,>)", .text("a<>")),
            ("str(ab),concat(,,)", .text("ab")),
            ("str(abc),strcmp(txn.nope)", nil),
            ("str(Ex.COM:80),host_only", .text("ex.com")),
            ("str([::1]:80),port_only", .int(80)),
            ("str(a),iif(y,n)", .text("n")),
            ("str(a),length,iif(y,n)", .text("y")),
            ("str(a),set-var(txn.a),concat(-,txn.a)", .text("a-a")),
        ])
    }

    func testArithmetic() {
        check([
            ("int(5),neg", .int(-5)),
            ("int(7),div(2)", .int(3)),
            ("int(7),div(0)", .int(Int64.max)),
            ("int(-7),div(0)", .int(Int64.max)),
            ("int(7),mod(0)", .int(0)),
            ("int(-7),mod(2)", .int(-1)),
            ("int(6),and(3)", .int(2)),
            ("int(6),cpl", .int(-7)),
            ("int(3),odd", .bool(true)),
            ("int(3),not", .bool(false)),
            ("int(3),bool", .bool(true)),
            ("int(9223372036854775807),add(1)", .int(Int64.max)),
            ("int(-9223372036854775808),neg", .int(Int64.max)),
            ("int(-9223372036854775808),div(-1)", .int(Int64.max)),
            ("int(9223372036854775807),mul(2)", .int(Int64.max)),
            ("int(7),div(txn.nope)", nil),
        ])
        let context = TestSampleContext()
        context.variables.set(VariableName(scope: .txn, name: "x"), .text("5"))
        XCTAssertEqual(try evaluate("int(2),add(txn.x)", context), .int(7))
    }

    func testDates() {
        check([
            ("int(1700000000),utime(%Y-%m-%d %H:%M:%S)", .text("2023-11-14 22:13:20")),
            ("int(1700000000),utime(%s %%,-60)", .text("1699999940 %")),
            ("int(1700000000),http_date", .text("Tue, 14 Nov 2023 22:13:20 GMT")),
            ("int(1700000000),http_date(3600)", .text("Tue, 14 Nov 2023 23:13:20 GMT")),
            ("int(1700000000),http_date(0,ms)", .text("Tue, 20 Jan 1970 16:13:20.0 GMT")),
            ("int(1700000123),http_date(0,ms)", .text("Tue, 20 Jan 1970 16:13:20.123 GMT")),
            ("int(1700000),http_date(0,us)", .text("Thu, 01 Jan 1970 00:00:01.700000 GMT")),
        ])
    }

    func testAddresses() {
        check([
            ("ipv6(::ffff:1.2.3.4),ipmask(24,64)", .ipv4(IPv4Address(0x0102_0300))),
            ("ipv6(2001:db8::1),ipmask(24,ffff:ffff::)", .ipv6(IPv6Address(text: Array("2001:db8::".utf8))!)),
            ("ipv6(2001:db8::1),ipmask(24)", nil),
            ("ipv4(10.1.2.3),ipmask(255.255.0.0)", .ipv4(IPv4Address(0x0a01_0000))),
        ])
    }

    func testRefusedConverters() {
        XCTAssertEqual(parseError("str(a),aes_gcm_dec(128,txn.n,txn.k,txn.t)"), "converter 'aes_gcm_dec' is not supported by this build (it needs OpenSSL)")
        XCTAssertEqual(parseError("src,json_query(a)"), "converter 'json_query' is not supported by this build (it is not implemented)")
    }
}

import XCTest

@testable import HAProxyConfig

final class ConditionEvaluatorTests: XCTestCase {
    /// The real binary's feature list (`haproxy -vv`, "Feature list" entries with '+').
    static let realFeatures: Set<String> = ["ACCEPT4","BACKTRACE","CPU_AFFINITY","CRYPT_H","DL","EPOLL","GETADDRINFO","LIBCRYPT","LINUX_SPLICE","LINUX_TPROXY","LUA","NETFILTER","NS","OPENSSL","OT","PCRE2","PCRE2_JIT","POLL","PRCTL","PROMEX","RT","SLZ","SYSTEMD","TFO","THREAD","THREAD_DUMP","TPROXY"]

    /// Golden table: expression, exit status of the real HAProxy 2.6.12 and its message.
    /// Produced with:
    ///   FOO=bar EMPTY= ZERO=0 ~/.cache/proxybench/ref/usr/sbin/haproxy -cc "$EXPR"; echo $?
    /// (exit 0 = true, 1 = false, 2 = parse error, message after "Failed to evaluate condition: ").
    static let golden: [(String, Int32, String)] = [
        (#"1"#, 0, #""#),
        (#"0"#, 1, #""#),
        (#""#, 1, #""#),
        (#"00"#, 1, #""#),
        (#"2"#, 0, #""#),
        (#"-1"#, 0, #""#),
        (#"+3"#, 0, #""#),
        (#"foo"#, 2, #"unparsable conditional expression 'foo'"#),
        (#"defined(FOO)"#, 0, #""#),
        (#"defined(NOPE)"#, 1, #""#),
        (#"defined(EMPTY)"#, 0, #""#),
        (#"!defined(NOPE)"#, 0, #""#),
        (#"defined()"#, 1, #""#),
        (#"feature(OPENSSL)"#, 0, #""#),
        (#"feature(ZLIB)"#, 1, #""#),
        (#"feature(openssl)"#, 1, #""#),
        (#"feature()"#, 0, #""#),
        (#"streq(a,a)"#, 0, #""#),
        (#"streq(a,b)"#, 1, #""#),
        (#"strneq(a,b)"#, 0, #""#),
        (#"strneq(a,a)"#, 1, #""#),
        (#"streq("$FOO",bar)"#, 0, #""#),
        (#"streq($FOO,bar)"#, 1, #""#),
        (#"streq("${FOO}","bar")"#, 0, #""#),
        (#"streq("${NOPE-x}",x)"#, 0, #""#),
        (#"streq("$EMPTY","")"#, 0, #""#),
        (#"streq('a b','a b')"#, 0, #""#),
        (#"streq(a, a)"#, 1, #""#),
        (#"version_atleast(2.6)"#, 0, #""#),
        (#"version_atleast(2.7)"#, 1, #""#),
        (#"version_atleast(2.6.12)"#, 0, #""#),
        (#"version_atleast(2.6.13)"#, 1, #""#),
        (#"version_before(2.7)"#, 0, #""#),
        (#"version_before(2.6.12)"#, 1, #""#),
        (#"version_before(2.6)"#, 1, #""#),
        (#"version_atleast(2.4-dev19)"#, 0, #""#),
        (#"version_atleast(abc)"#, 0, #""#),
        (#"version_atleast()"#, 0, #""#),
        (#"1 && 0"#, 1, #""#),
        (#"1 || 0"#, 0, #""#),
        (#"0 || 0"#, 1, #""#),
        (#"!(1 && 0)"#, 0, #""#),
        (#"1 && 1 || 0"#, 0, #""#),
        (#"0 || 1 && 0"#, 1, #""#),
        (#"!0"#, 0, #""#),
        (#"! 1"#, 1, #""#),
        (#"!!1"#, 0, #""#),
        (#"(0 || 1) && !0"#, 0, #""#),
        (#"defined(FOO) && streq("${FOO}","bar")"#, 0, #""#),
        (#"(1"#, 2, #"expected ')' after conditional expression '(1'"#),
        (#"1)"#, 2, #"unexpected character ')' at the end of conditional expression '1)'"#),
        (#"foo("#, 2, #"unparsable conditional expression 'foo('"#),
        (#"streq(a)"#, 2, #"missing arguments (got 1/2), type 'string' expected in argument 1 of predicate 'streq' used in conditional expression"#),
        (#"streq(a,b,c)"#, 2, #"expected ')' before ',c)' in argument 1 of predicate 'streq' used in conditional expression"#),
        (#"1 &&"#, 2, #"unparsable conditional expression '&&'"#),
        (#"!"#, 2, #"unparsable conditional expression '!'"#),
        (#"$ZERO"#, 2, #"unparsable conditional expression '$ZERO'"#),
        (#"$FOO"#, 2, #"unparsable conditional expression '$FOO'"#),
        (#""0""#, 1, #""#),
        (#"x || 0"#, 2, #"unparsable conditional expression 'x || 0'"#),
        (#"unknown(1)"#, 2, #"unparsable conditional expression 'unknown(1)'"#),
        (#"1 1"#, 2, #"unexpected character '1' at the end of conditional expression '1 1'"#),
        (#"1x"#, 2, #"unexpected character 'x' at the end of conditional expression '1x'"#),
        (#"defined"#, 1, #""#),
        (#"((1))"#, 0, #""#),
        (#"( 1 )"#, 0, #""#),
        (#"1 &&& 1"#, 2, #"unparsable conditional expression '& 1'"#),
    ]

    func testCommandLineMatchesRealHAProxy() {
        let evaluator = ConditionEvaluator(
            environment: ["FOO": "bar", "EMPTY": "", "ZERO": "0"], features: Self.realFeatures, version: "2.6.12")
        XCTAssertGreaterThan(Self.golden.count, 20)
        for (expression, status, message) in Self.golden {
            switch evaluator.evaluateCommandLine(expression) {
            case .success(let value):
                XCTAssertEqual(value ? 0 : 1, status, "-cc '\(expression)'")
            case .failure(let error):
                XCTAssertEqual(2, status, "-cc '\(expression)': \(error.message)")
                XCTAssertEqual(error.message, message, "-cc '\(expression)'")
            }
        }
    }

    func testNoSSLLibraryMeansSSLPredicatesAreFalse() {
        let evaluator = ConditionEvaluator(environment: [:], features: [], version: "2.6.12")
        XCTAssertEqual(try evaluator.evaluate("openssl_version_atleast(1.1.1)").get(), false)
        XCTAssertEqual(try evaluator.evaluate("openssl_version_before(9.0.0)").get(), false)
        XCTAssertEqual(try evaluator.evaluate("ssllib_name_startswith(OpenSSL)").get(), false)
        XCTAssertEqual(try evaluator.evaluate("feature(OPENSSL)").get(), false)
    }

    /// As Debian's 2.6 on OpenSSL 3.0.22 answers `-cc`: the argument is read
    /// in the 1.x layout, so `3.0.22` is above 3.0.22's own number, and a
    /// version without three parts does not parse.
    func testSSLPredicatesOnOpenSSL3() {
        let evaluator = ConditionEvaluator(
            environment: [:], features: [], version: "2.6.12",
            sslLibrary: .init(name: "OpenSSL 3.0.22 25 Aug 2026", versionNumber: 0x3000_0160))
        let cases: [(String, Bool?)] = [
            ("openssl_version_atleast(3.0.0)", true), ("openssl_version_atleast(3.0.22)", false),
            ("openssl_version_atleast(1.1.1k)", true), ("openssl_version_atleast(3.0.0-beta)", true),
            ("openssl_version_before(3.1.0)", true), ("openssl_version_before(3.0.0)", false),
            ("ssllib_name_startswith(Open)", true), ("ssllib_name_startswith(BoringSSL)", false),
            ("openssl_version_atleast(3)", nil), ("openssl_version_before(9.0)", nil),
            ("openssl_version_atleast(x.y.z)", nil),
        ]
        for (text, expected) in cases {
            switch evaluator.evaluate(text) {
            case .success(let value): XCTAssertEqual(value, expected, text)
            case .failure: XCTAssertNil(expected, text)
            }
        }
    }

    func testVersionComparison() {
        XCTAssertEqual(ConditionEvaluator.compareVersions("2.6.12", "2.6"), 1)
        XCTAssertEqual(ConditionEvaluator.compareVersions("2.6", "2.6.0"), 0)
        XCTAssertEqual(ConditionEvaluator.compareVersions("2.4-dev19", "2.4"), -1)
        XCTAssertEqual(ConditionEvaluator.compareVersions("2.6.12-1+deb12u4", "2.6.12"), 0)
    }

    func testErrorPositionIsReported() {
        let evaluator = ConditionEvaluator(environment: [:], features: [], version: "2.6.12")
        guard case .failure(let error) = evaluator.evaluate("1 && foo") else { return XCTFail() }
        XCTAssertEqual(error.position, 5)
    }
}

import XCTest

@testable import HAProxyRules

/// Each normalizer of `http-request normalize-uri` on the targets recorded
/// from Debian's haproxy 2.6.12: one frontend per normalizer with
/// `expose-experimental-directives` and `option accept-invalid-http-request`
/// (for the `#`s), `http-request normalize-uri NAME [OPTION]`, and a
/// backend that echoes the request line it receives; each target sent as
/// `GET TARGET HTTP/1.1` with a `Host` equal to its authority.
final class URINormalizerTests: XCTestCase {
    /// `target -> what the server received` (nil: a 400 answer).
    private func check(_ normalizer: URINormalizer, _ cases: [(String, String?)], line: UInt = #line) {
        for (target, expected) in cases {
            let got: String?
            switch normalizer.normalize(Array(target.utf8)) {
            case .unchanged: got = target
            case .rewritten(let bytes): got = String(decoding: bytes, as: UTF8.self)
            case .invalid: got = nil
            }
            XCTAssertEqual(got, expected, "\(normalizer) \(target)", line: line)
        }
    }

    func testFragmentEncodeAndStrip() {
        check(.fragmentEncode, [
            ("/#foo", "/%23foo"), ("/#", "/%23"), ("/a#b#c", "/a%23b%23c"), ("/a?b#c", "/a?b%23c"),
            ("/a#b?c", "/a%23b?c"), ("//a//b#//c", "//a//b%23//c"), ("/a", "/a"),
            ("http://h/a#b", "http://h/a%23b"), ("http://h#x/a", "http://h#x/a"), ("*", "*"),
        ])
        check(.fragmentStrip, [
            ("/#foo", "/"), ("/#", "/"), ("/a#b#c", "/a"), ("/a?b#c", "/a?b"), ("/a#b?c", "/a"),
            ("/?a=1#b=2&a=0", "/?a=1"), ("http://h/a#b", "http://h/a"), ("http://h#x/a", "http://h#x/a"),
        ])
    }

    func testPathMergeSlashes() {
        check(.pathMergeSlashes, [
            ("/", "/"), ("//", "/"), ("///a", "/a"), ("/a//b///c", "/a/b/c"), ("/a//b?x=//y", "/a/b?x=//y"),
            ("//a//b#//c", "/a/b#/c"), ("/foo//../", "/foo/../"), ("http://h//a//b?q", "http://h/a/b?q"),
            ("http://h", "http://h"), ("*", "*"),
        ])
    }

    func testPathStripDot() {
        check(.pathStripDot, [
            ("/.", "/"), ("/./", "/"), ("/./bar/", "/bar/"), ("/a/./a", "/a/a"), ("/.well-known/", "/.well-known/"),
            ("/a/.", "/a/"), ("/a/./", "/a/"), ("/a/.././b", "/a/../b"), ("/./../a", "/../a"), ("/../.", "/../"),
            ("/./..", "/.."), ("/a/.../c", "/a/.../c"), ("/%2E/x", "/%2E/x"), ("/a/./b?x=/./", "/a/b?x=/./"),
            ("/a/./b#/../c", "/a/b#/../c"), ("http://h/a/./b/../c", "http://h/a/b/../c"),
        ])
    }

    func testPathStripDotDot() {
        check(.pathStripDotDot(full: false), [
            ("/foo/../", "/"), ("/foo/../bar/", "/bar/"), ("/foo/bar/../", "/foo/"), ("/../bar/", "/../bar/"),
            ("/bar/../../", "/../"), ("/foo//../", "/foo/"), ("/foo/%2E%2E/", "/foo/%2E%2E/"),
            ("/..", "/../"), ("/../..", "/../../"), ("/..?x", "/../?x"), ("/a/..?x", "/?x"), ("/a/..", "/"),
            ("/a/b/..", "/a/"), ("/a/b/../../..", "/../"), ("/x/../../..", "/../../"), ("/../a/..", "/../"),
            ("/a/b/../../../c", "/../c"), ("/./..", "/"), ("/a/./..", "/a/"), ("//..", "/"), ("/a/b//../..", "/a/"),
            ("/a/.././b", "/./b"), ("/a/b/c/./../../g", "/a/b/g"), ("/../.", "/../."), ("/a/..b/c", "/a/..b/c"),
            ("/a/./b#/../c", "/a/./c"), ("http://h/..", "http://h/../"), ("http://h/a/..", "http://h/"),
        ])
        check(.pathStripDotDot(full: true), [
            ("/../bar/", "/bar/"), ("/bar/../../", "/"), ("/..", "/"), ("/../..", "/"), ("/../../a", "/a"),
            ("/..?x", "/?x"), ("/../.", "/."), ("/x/y/../../../..", "/"), ("/a/b/../../../c", "/c"),
            ("http://h/../x", "http://h/x"),
        ])
    }

    func testPercentDecodeUnreserved() {
        let recorded: [(String, String)] = [
            ("/%61dmin", "/admin"), ("/foo%3Fbar=baz", "/foo%3Fbar=baz"), ("/%%36%36", "/%66"), ("/%ZZ", "/%ZZ"),
            ("/%7euser/%41bc%2fd?q=%61%2f", "/~user/Abc%2fd?q=a%2f"), ("/%41%42%5a%5F%2D%2E%7E%30", "/ABZ_-.~0"),
            ("/%2e%2e/x", "/../x"), ("/%c3%a9", "/%c3%a9"), ("/%2525", "/%2525"), ("/%41?%42", "/A?B"),
            ("http://%61b/%61", "http://%61b/a"),
        ]
        check(.percentDecodeUnreserved(strict: false), recorded + [
            ("/a%zz%6f", "/a%zzo"), ("/%6f%", "/o%"), ("/%%6f", "/%o"), ("/%6%6f", "/%6o"), ("/%g0%6f", "/%g0o"),
            ("/a%2", "/a%2"),
        ])
        check(.percentDecodeUnreserved(strict: true), recorded.filter { !$0.0.contains("%%") && !$0.0.contains("ZZ") } + [
            ("/%%36%36", nil), ("/%ZZ", nil), ("/a%zz%6f", nil), ("/%6f%", nil), ("/a%2", nil), ("/a%", nil),
            ("/x?q=%g0", nil), ("http://%61b/%61%zz", nil),
        ])
    }

    func testPercentToUppercase() {
        let recorded: [(String, String)] = [
            ("/%6f", "/%6F"), ("/%7euser/%41bc%2fd?q=%61%2f", "/%7Euser/%41bc%2Fd?q=%61%2F"), ("/%2e%2e/x", "/%2E%2E/x"),
            ("/%41%42%5a%5F", "/%41%42%5A%5F"), ("/%c3%a9", "/%C3%A9"), ("/%2525", "/%2525"),
        ]
        check(.percentToUppercase(strict: false), recorded + [
            ("/%zz", "/%zz"), ("/a%zz%6f", "/a%zz%6F"), ("/%6f%", "/%6F%"), ("/%%6f", "/%%6F"), ("/%6%6f", "/%6%6F"),
        ])
        check(.percentToUppercase(strict: true), recorded + [
            ("/%zz", nil), ("/%%36%36", nil), ("/bad%zz", nil), ("/a%2", nil), ("/%6f%", nil),
        ])
    }

    func testQuerySortByName() {
        check(.querySortByName, [
            ("/?c=3&a=1&b=2", "/?a=1&b=2&c=3"), ("/?aaa=3&a=1&aa=2", "/?a=1&aa=2&aaa=3"),
            ("/?a=3&b=4&a=1&b=5&a=2", "/?a=3&a=1&a=2&b=4&b=5"), ("/s?b=2&a=1&c&a=0", "/s?a=1&a=0&b=2&c"),
            ("/?b&a=&=x&=&a", "/?=x&=&a=&a&b"), ("/?B=1&a=2&b=3&A=4", "/?A=4&B=1&a=2&b=3"),
            ("/?a=%2F&a%3D=1&a=", "/?a=%2F&a=&a%3D=1"), ("/?a-b=1&a=2", "/?a=2&a-b=1"), ("/?ab&a=z", "/?a=z&ab"),
            ("/?", "/?"), ("/", "/"), ("/?&", "/?"), ("/?&&&", "/?&&"), ("/?a&&", "/?&a"), ("/?a&", "/?a"),
            ("/?&a", "/?&a"), ("/?a=1&&b=2&", "/?&a=1&b=2"), ("/?b#&a", "/?a&b#"), ("/?a=1#b=2&a=0", "/?a=1#b=2&a=0"),
            ("http://h/?b=1&a=2", "http://h/?a=2&b=1"), ("http://h?b=1&a=2", "http://h?b=1&a=2"),
        ])
    }

    func testNamesAndOptions() {
        XCTAssertEqual(URINormalizer(name: "path-strip-dotdot", option: true), .pathStripDotDot(full: true))
        XCTAssertEqual(URINormalizer(name: "percent-to-uppercase", option: false), .percentToUppercase(strict: false))
        XCTAssertNil(URINormalizer(name: "merge-slashes", option: false))
        XCTAssertEqual(URINormalizer.option(of: "percent-decode-unreserved"), "strict")
        XCTAssertEqual(URINormalizer.option(of: "path-strip-dotdot"), "full")
        XCTAssertNil(URINormalizer.option(of: "fragment-strip"))
    }
}

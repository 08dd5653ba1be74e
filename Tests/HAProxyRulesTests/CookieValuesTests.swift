import HAProxyRules
import XCTest

/// Values 2.6 writes in persistence cookies, recorded from the reference.
final class CookieValuesTests: XCTestCase {
    func testDynamicValuesFromKeyAndAddress() {
        // `cookie SRVID insert dynamic` with `dynamic-cookie-key "s3cr3t-key"`.
        XCTAssertEqual(CookieValues.dynamic(key: "s3cr3t-key", address: [127, 0, 0, 1], port: 19970), "b1ae07c47b4d77b1")
        XCTAssertEqual(CookieValues.dynamic(key: "s3cr3t-key", address: [10, 0, 0, 1], port: 8080), "870698cde1f0febc")
    }

    func testDatesMoveEveryFourSeconds() {
        // Recorded: `axTdZ` from 1796529506.5 s to 1796529508.7 s, `axTda` from 1796529509.8 s.
        XCTAssertEqual(String(decoding: CookieValues.encodeDate(seconds: 1_796_529_506), as: UTF8.self), "axTdZ")
        XCTAssertEqual(String(decoding: CookieValues.encodeDate(seconds: 1_796_529_508), as: UTF8.self), "axTdZ")
        XCTAssertEqual(String(decoding: CookieValues.encodeDate(seconds: 1_796_529_509), as: UTF8.self), "axTda")
        let step = CookieValues.step(seconds: 1_796_529_509)
        XCTAssertEqual(CookieValues.decodeDate(ArraySlice(CookieValues.encodeStep(step))), step)
        XCTAssertNil(CookieValues.decodeDate(ArraySlice("AAA".utf8)))
    }
}

import HAProxyConfig
import XCTest

@testable import HAProxyTLS

final class TLSVersionPolicyTests: XCTestCase {
    func testDefaultIsTLS12ToTLS13() {
        let p = TLSVersionPolicy.resolve(TLSVersionRange())
        XCTAssertEqual(p?.minimum, .tlsv12)
        XCTAssertEqual(p?.maximum, .tlsv13)
        XCTAssertEqual(p?.ignoredDisabled, false)
    }

    func testBoundsWinOverNoOptionsWithAWarning() {
        var r = TLSVersionRange()
        r.minimum = .tlsv12
        r.disabled = [.tlsv10]
        let p = TLSVersionPolicy.resolve(r)
        XCTAssertEqual(p?.ignoredDisabled, true)
        XCTAssertEqual(p?.disabled, [])
    }

    func testMaximumBelowDefaultLowersMinimum() {
        var r = TLSVersionRange()
        r.maximum = .tlsv10
        let p = TLSVersionPolicy.resolve(r)
        XCTAssertEqual(p?.minimum, .tlsv10)
        XCTAssertEqual(p?.loweredMinimum, true)
    }

    func testNoTLS13LeavesTLS12Only() {
        var r = TLSVersionRange()
        r.disabled = [.tlsv13]
        let p = TLSVersionPolicy.resolve(r)
        XCTAssertEqual(p?.minimum, .tlsv12)
        XCTAssertEqual(p?.maximum, .tlsv12)
    }

    func testMinimumAboveMaximumDisablesEverything() {
        var r = TLSVersionRange()
        r.minimum = .tlsv13
        r.maximum = .tlsv12
        XCTAssertNil(TLSVersionPolicy.resolve(r))
    }
}

import XCTest

@testable import HAProxyCore

final class AcceptAllowanceTests: XCTestCase {
    func testNoLimitIsUnlimited() {
        XCTAssertEqual(AcceptAllowance.under(0, FrequencyCounter(), now: 5000), .unlimited)
    }

    func testRoomUnderALimit() {
        var counter = FrequencyCounter()
        counter.add(2, now: 5000)
        XCTAssertEqual(AcceptAllowance.under(5, counter, now: 5000), .upTo(3))
        counter.add(3, now: 5000)
        XCTAssertEqual(AcceptAllowance.under(5, counter, now: 5000), .wait(milliseconds: 1001))
    }

    func testCombinedTakesTheTighterOfTwo() {
        XCTAssertEqual(AcceptAllowance.unlimited.combined(with: .upTo(4)), .upTo(4))
        XCTAssertEqual(AcceptAllowance.upTo(4).combined(with: .upTo(2)), .upTo(2))
        XCTAssertEqual(AcceptAllowance.upTo(4).combined(with: .wait(milliseconds: 30)), .wait(milliseconds: 30))
        XCTAssertEqual(AcceptAllowance.wait(milliseconds: 30).combined(with: .wait(milliseconds: 200)),
                       .wait(milliseconds: 200))
        XCTAssertEqual(AcceptAllowance.wait(milliseconds: 30).combined(with: .unlimited), .wait(milliseconds: 30))
    }
}

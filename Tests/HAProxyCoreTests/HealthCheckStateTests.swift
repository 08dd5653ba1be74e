import HAProxyConfig
import XCTest

@testable import HAProxyCore

final class HealthCheckStateTests: XCTestCase {
    private let ok = HealthCheckResult(code: .L7OK, statusCode: 200)
    private let refused = HealthCheckResult(code: .L4CON, info: "Connection refused")
    private let timeout = HealthCheckResult(code: .L7TOUT)

    func testStartsUpGoingDownAndFirstFailureMarksDown() {
        // Recorded: a refused first check logs "status: 0/2 DOWN" and the server goes DOWN.
        var s = HealthCheckState(rise: 2, fall: 3)
        XCTAssertTrue(s.isUp)
        XCTAssertEqual(s.statusText, "1/3 UP")
        XCTAssertEqual(s.record(refused), .wentDown(refused))
        XCTAssertEqual(s.statusText, "0/2 DOWN")
        XCTAssertTrue(s.lastRecordIsReportable)
    }

    func testFirstSuccessMakesFullyUp() {
        var s = HealthCheckState(rise: 2, fall: 3)
        XCTAssertEqual(s.record(ok), .none)
        XCTAssertEqual(s.statusText, "3/3 UP")
        XCTAssertTrue(s.lastRecordIsReportable)
        XCTAssertEqual(s.record(ok), .none)
        XCTAssertFalse(s.lastRecordIsReportable)
    }

    func testFallFailuresToGoDownAndRiseSuccessesToComeBack() {
        var s = HealthCheckState(rise: 2, fall: 3)
        _ = s.record(ok)
        XCTAssertEqual(s.record(refused), .none)
        XCTAssertEqual(s.statusText, "2/3 UP")
        XCTAssertEqual(s.record(refused), .none)
        XCTAssertEqual(s.statusText, "1/3 UP")
        XCTAssertEqual(s.record(refused), .wentDown(refused))
        XCTAssertEqual(s.statusText, "0/2 DOWN")
        XCTAssertEqual(s.record(refused), .none)
        XCTAssertFalse(s.lastRecordIsReportable)
        XCTAssertEqual(s.record(timeout), .none)
        XCTAssertTrue(s.lastRecordIsReportable, "a new result code is reported even at 0")
        XCTAssertEqual(s.record(ok), .none)
        XCTAssertEqual(s.statusText, "1/2 DOWN")
        XCTAssertEqual(s.record(ok), .wentUp(ok))
        XCTAssertEqual(s.statusText, "3/3 UP")
    }

    func testSuccessWhileGoingDownRestoresFullHealth() {
        var s = HealthCheckState(rise: 2, fall: 3)
        _ = s.record(ok)
        _ = s.record(refused)
        _ = s.record(refused)
        XCTAssertEqual(s.record(ok), .none)
        XCTAssertEqual(s.statusText, "3/3 UP")
    }

    func testFailureWhileGoingUpDropsToZero() {
        var s = HealthCheckState(rise: 3, fall: 2, startsUp: false)
        XCTAssertFalse(s.isUp)
        _ = s.record(ok)
        _ = s.record(ok)
        XCTAssertEqual(s.statusText, "2/3 DOWN")
        XCTAssertEqual(s.record(refused), .none)
        XCTAssertEqual(s.statusText, "0/3 DOWN")
    }

    func testRiseAndFallOfOne() {
        var s = HealthCheckState(rise: 1, fall: 1)
        XCTAssertEqual(s.record(refused), .wentDown(refused))
        XCTAssertEqual(s.record(ok), .wentUp(ok))
        XCTAssertEqual(s.statusText, "1/1 UP")
    }

    func testIntervals() {
        var s = HealthCheckState(rise: 2, fall: 3)
        // Not checked yet: fastinter.
        XCTAssertEqual(s.nextInterval(interMs: 2000, fastinterMs: 100, downinterMs: 5000), 100)
        XCTAssertEqual(s.nextInterval(interMs: 2000), 2000)
        _ = s.record(ok)
        XCTAssertEqual(s.nextInterval(interMs: 2000, fastinterMs: 100, downinterMs: 5000), 2000)
        _ = s.record(refused)
        XCTAssertEqual(s.nextInterval(interMs: 2000, fastinterMs: 100, downinterMs: 5000), 100)
        _ = s.record(refused)
        _ = s.record(refused)
        XCTAssertEqual(s.nextInterval(interMs: 2000, fastinterMs: 100, downinterMs: 5000), 5000)
        XCTAssertEqual(s.nextInterval(interMs: 2000, fastinterMs: 100), 2000)
        _ = s.record(ok)
        XCTAssertEqual(s.nextInterval(interMs: 2000, fastinterMs: 100, downinterMs: 5000), 100)
        var o = ServerOptions()
        o.interMs = 300
        o.downinterMs = 900
        XCTAssertEqual(s.nextInterval(options: o), 300)
    }
}

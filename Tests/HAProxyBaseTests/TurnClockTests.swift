#if canImport(Glibc)
import Glibc
#endif
import HAProxyBase
import XCTest

final class TurnClockTests: XCTestCase {
    /// The monotonic clock read directly, in nanoseconds.
    private func systemNanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    /// Spins until the system's clock is past `nanoseconds`.
    private func waitPast(_ nanoseconds: UInt64) {
        while systemNanoseconds() <= nanoseconds {}
    }

    func testATurnReadsEachClockOnceAndTheNextTurnReadsThemAgain() {
        let clock = TurnClock()
        let first = clock.uptimeNanoseconds
        let firstWall = clock.wallMicroseconds
        XCTAssertGreaterThan(first, 0)
        XCTAssertGreaterThan(firstWall, 0)
        waitPast(first + 2_000_000)
        // Same turn: the values read first.
        XCTAssertEqual(clock.uptimeNanoseconds, first)
        XCTAssertEqual(clock.wallMicroseconds, firstWall)
        clock.advance()
        XCTAssertGreaterThanOrEqual(clock.uptimeNanoseconds, first + 2_000_000)
        XCTAssertGreaterThan(clock.wallMicroseconds, firstWall)
    }

    func testTheLiveClockReadsTheSystemEveryTime() {
        let first = TurnClock.live.uptimeNanoseconds
        waitPast(first + 1_000_000)
        XCTAssertGreaterThanOrEqual(TurnClock.live.uptimeNanoseconds, first + 1_000_000)
    }

    func testTheMonotonicReadingIsNIOsClock() {
        let clock = TurnClock()
        let before = systemNanoseconds()
        let read = clock.uptimeNanoseconds
        XCTAssertGreaterThanOrEqual(read, before)
        XCTAssertLessThanOrEqual(read, systemNanoseconds())
    }
}

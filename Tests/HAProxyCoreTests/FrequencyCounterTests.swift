import XCTest

@testable import HAProxyCore

/// `FrequencyCounter` against the arithmetic of HAProxy's freq_ctr, driven
/// by explicit times in milliseconds (no clock, no sleeps).
final class FrequencyCounterTests: XCTestCase {
    /// A start far from zero, as a monotonic clock reads.
    private let t0: UInt64 = 5_000_000

    func testEmptyCounterHasNoRate() {
        let counter = FrequencyCounter()
        XCTAssertEqual(counter.rate(now: t0), 0)
        XCTAssertEqual(counter.remaining(under: 3, now: t0), 3)
        XCTAssertEqual(counter.delayUntilNextEvent(under: 3, now: t0), 0)
    }

    func testPreviousPeriodFadesOutOverTheNextSecond() {
        var counter = FrequencyCounter()
        for i in 0..<5 { counter.add(now: t0 + UInt64(i) * 100) }
        XCTAssertEqual(counter.rate(now: t0 + 999), 5)
        XCTAssertEqual(counter.rate(now: t0 + 1000), 5)
        XCTAssertEqual(counter.rate(now: t0 + 1500), 2)  // 5 × 500/1000
        XCTAssertEqual(counter.rate(now: t0 + 1999), 0)  // 5 × 1/1000
        XCTAssertEqual(counter.rate(now: t0 + 2000), 0)
        XCTAssertEqual(counter.rate(now: t0 + 60_000), 0)
    }

    func testRateBlendsCurrentAndPreviousPeriods() {
        var counter = FrequencyCounter()
        counter.add(10, now: t0)
        XCTAssertEqual(counter.add(now: t0 + 1250), 1, "a new period starts one period after the first")
        counter.add(3, now: t0 + 1250)
        // 4 now, plus 10 × 750/1000 of the period before.
        XCTAssertEqual(counter.rate(now: t0 + 1250), 11)
        XCTAssertEqual(counter.current, 4)
        XCTAssertEqual(counter.previous, 10)
    }

    func testAnIdlePeriodForgetsThePast() {
        var counter = FrequencyCounter()
        counter.add(7, now: t0)
        counter.add(now: t0 + 2500)
        XCTAssertEqual(counter.previous, 0)
        XCTAssertEqual(counter.periodStart, t0 + 2500, "the period restarts at the event after a gap")
        XCTAssertEqual(counter.rate(now: t0 + 2500), 1)
    }

    func testPeakIsTheMostEventsInOnePeriod() {
        var counter = FrequencyCounter()
        counter.add(3, now: t0)
        counter.add(now: t0 + 1100)
        XCTAssertEqual(counter.peak, 3)
        counter.add(4, now: t0 + 1200)
        XCTAssertEqual(counter.peak, 5)
        counter.clearPeak()
        XCTAssertEqual(counter.peak, 0)
        XCTAssertEqual(counter.rate(now: t0 + 1200), 7, "clearing the peak keeps the rate")
    }

    func testRemainingReachesZeroAtTheLimit() {
        var counter = FrequencyCounter()
        for _ in 0..<4 { counter.add(now: t0) }
        XCTAssertEqual(counter.remaining(under: 5, now: t0), 1)
        counter.add(now: t0)
        XCTAssertEqual(counter.remaining(under: 5, now: t0), 0)
        XCTAssertEqual(counter.remaining(under: 5, now: t0 + 1000), 0)
        XCTAssertEqual(counter.remaining(under: 5, now: t0 + 1001), 1)
    }

    func testDelayIsExactAfterABurst() {
        var counter = FrequencyCounter()
        counter.add(5, now: t0)
        // The burst fills this period; in the next one, the first event fits
        // once 5 × (1000 - e)/1000 drops below 5, at e = 1.
        XCTAssertEqual(counter.delayUntilNextEvent(under: 5, now: t0), 1001)
        XCTAssertEqual(counter.delayUntilNextEvent(under: 5, now: t0 + 600), 401)
        XCTAssertEqual(counter.remaining(under: 5, now: t0 + 1000), 0)
        XCTAssertEqual(counter.remaining(under: 5, now: t0 + 1001), 1)
        counter.add(now: t0 + 1001)
        // 1 now + 5 × (1000 - e)/1000 < 5 from e = 201 on.
        XCTAssertEqual(counter.delayUntilNextEvent(under: 5, now: t0 + 1001), 200)
        XCTAssertEqual(counter.remaining(under: 5, now: t0 + 1200), 0)
        XCTAssertEqual(counter.remaining(under: 5, now: t0 + 1201), 1)
    }

    func testDelayWhenTheCurrentPeriodAloneIsOverTheLimit() {
        var counter = FrequencyCounter()
        counter.add(10, now: t0)  // accepted before a lower limit was set
        // Next period: 10 × (1000 - e)/1000 < 5 from e = 501.
        XCTAssertEqual(counter.delayUntilNextEvent(under: 5, now: t0 + 200), 800 + 501)
        XCTAssertEqual(counter.remaining(under: 5, now: t0 + 1500), 0)
        XCTAssertEqual(counter.remaining(under: 5, now: t0 + 1501), 1)
    }

    /// A listener limited to 5 per second with 20 connections waiting: it
    /// takes what fits, sleeps exactly until the next one fits, and never
    /// wakes up for nothing. The first 5 go at once, then one every 200 ms.
    func testLimitedAcceptLoopSpreadsABurst() {
        var counter = FrequencyCounter()
        var now = t0
        var waiting = 20
        var acceptedAt: [UInt64] = []
        var wakeUps = 0
        while waiting > 0 {
            let room = counter.remaining(under: 5, now: now)
            if room == 0 {
                let delay = counter.delayUntilNextEvent(under: 5, now: now)
                XCTAssertGreaterThan(delay, 0)
                now += delay
                wakeUps += 1
                XCTAssertGreaterThan(counter.remaining(under: 5, now: now), 0, "woke up without room at \(now - t0)")
                continue
            }
            for _ in 0..<min(Int(room), waiting) {
                counter.add(now: now)
                acceptedAt.append(now - t0)
                waiting -= 1
            }
        }
        XCTAssertEqual(Array(acceptedAt.prefix(5)), [0, 0, 0, 0, 0])
        XCTAssertEqual(acceptedAt[5], 1001)
        XCTAssertEqual(zip(acceptedAt.dropFirst(6), acceptedAt.dropFirst(5)).map { $0 - $1 },
                       Array(repeating: 200, count: 14))
        XCTAssertEqual(acceptedAt.last, 3801)
        XCTAssertEqual(wakeUps, 15)
        XCTAssertEqual(counter.peak, 5)
    }
}

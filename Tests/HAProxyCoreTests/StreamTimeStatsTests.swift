@testable import HAProxyCore
import XCTest

final class StreamTimeStatsTests: XCTestCase {
    func testAverageIsExactUntilTheWindowIsFull() {
        var average = StreamTimeStats.Average()
        XCTAssertEqual(average.value, 0, "no value yet")
        for value in [10, 20, 30, -5] { average.add(value) }
        XCTAssertEqual(average.value, 15, "(10 + 20 + 30 + 0) / 4: a negative time counts as 0")
    }

    func testAverageFollowsTheLastValuesOnceTheWindowIsFull() {
        var average = StreamTimeStats.Average()
        let window = Int(StreamTimeStats.Average.window)
        for _ in 0..<window { average.add(100) }
        XCTAssertEqual(average.value, 100)
        for _ in 0..<(window * 8) { average.add(10) }
        XCTAssertLessThanOrEqual(average.value, 11, "old values fade out")
        XCTAssertGreaterThanOrEqual(average.value, 10)
    }

    func testMaximumsAndClear() {
        var stats = StreamTimeStats()
        stats.add(StreamTimeSample(queue: 3, connect: 1, response: 40, total: 50))
        stats.add(StreamTimeSample(queue: 0, connect: 7, response: 10, total: 20))
        XCTAssertEqual([stats.queueMax, stats.connectMax, stats.responseMax, stats.totalMax], [3, 7, 40, 50])
        XCTAssertEqual(stats.response.value, 25)
        stats.clearMaximums()
        XCTAssertEqual([stats.queueMax, stats.connectMax, stats.responseMax, stats.totalMax], [0, 0, 0, 0])
        XCTAssertEqual(stats.response.value, 25, "clearing maximums keeps the averages")
    }
}

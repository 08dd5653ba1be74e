import XCTest

@testable import HAProxyCore

final class HTTPResponseCountersTests: XCTestCase {
    func testResponsesCountByClass() {
        var counters = HTTPResponseCounters()
        for status in [100, 200, 204, 302, 404, 503, 99, 600] { counters.count(status: status) }
        XCTAssertEqual(counters.byClass, [1, 2, 1, 1, 1, 2], "1xx, 2xx, 3xx, 4xx, 5xx, then other")
    }
}

import XCTest

@testable import HAProxyConfig

final class DurationParserTests: XCTestCase {
    func ms(_ s: String) -> Int? { try? DurationParser.parse(s).get().milliseconds }

    func testUnits() {
        XCTAssertEqual(ms("5000"), 5000)
        XCTAssertEqual(ms("1us"), 1)
        XCTAssertEqual(ms("1500us"), 2)
        XCTAssertEqual(ms("10ms"), 10)
        XCTAssertEqual(ms("2s"), 2000)
        XCTAssertEqual(ms("3m"), 180_000)
        XCTAssertEqual(ms("1h"), 3_600_000)
        XCTAssertEqual(ms("24d"), 2_073_600_000)
        XCTAssertEqual(ms("0"), 0)
        XCTAssertEqual(try DurationParser.parse("30", defaultUnitMs: 1000).get().milliseconds, 30_000)
    }

    func testErrorsAsHAProxy() {
        XCTAssertEqual(DurationParser.parse("1.5s"), .failure(.unexpectedCharacter(".")))
        XCTAssertEqual(DurationParser.parse("1S"), .failure(.unexpectedCharacter("S")))
        XCTAssertEqual(DurationParser.parse("-1"), .failure(.unexpectedCharacter("-")))
        XCTAssertEqual(DurationParser.parse("25d"), .failure(.overflow))
        XCTAssertEqual(DurationParser.parse("99999999999"), .failure(.overflow))
        XCTAssertEqual(DurationParser.parse(""), .failure(.empty))
        XCTAssertEqual(
            DurationParser.message(.overflow, argument: "25d", keyword: "timeout check"),
            "timer overflow in argument '25d' to 'timeout check' (maximum value is 2147483647 ms or ~24.8 days)")
        XCTAssertEqual(
            DurationParser.message(.unexpectedCharacter("x"), argument: "10x", keyword: "timeout client"),
            "unexpected character 'x' in 'timeout client'")
    }

    func testTrailingTextIsAWarning() {
        let v = try? DurationParser.parse("1m1s").get()
        XCTAssertEqual(v?.milliseconds, 60_000)
        XCTAssertEqual(v?.trailing, "1")
    }
}

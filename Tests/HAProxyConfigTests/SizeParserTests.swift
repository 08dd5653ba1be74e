import XCTest

@testable import HAProxyConfig

final class SizeParserTests: XCTestCase {
    func testSuffixesInBothCases() {
        XCTAssertEqual(SizeParser.parse("512"), .success(512))
        XCTAssertEqual(SizeParser.parse("16k"), .success(16384))
        XCTAssertEqual(SizeParser.parse("16K"), .success(16384))
        XCTAssertEqual(SizeParser.parse("1m"), .success(1_048_576))
        XCTAssertEqual(SizeParser.parse("1G"), .success(1_073_741_824))
    }

    func testErrors() {
        XCTAssertEqual(SizeParser.parse(""), .failure(.empty))
        XCTAssertEqual(SizeParser.parse("1x"), .failure(.unexpectedCharacter("x")))
        XCTAssertEqual(SizeParser.parse("1kb"), .failure(.unexpectedCharacter("b")))
        XCTAssertEqual(SizeParser.parse("8g"), .failure(.overflow))
    }
}

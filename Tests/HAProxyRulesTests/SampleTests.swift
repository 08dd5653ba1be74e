import HAProxyRules
import XCTest

final class SampleTests: XCTestCase {
    func testTypeFollowsCase() {
        XCTAssertEqual(Sample.int(3).type, .int)
        XCTAssertEqual(Sample.string(Array("a".utf8)).type, .string)
        XCTAssertEqual(Sample.ipv4(IPv4Address(0x7f00_0001)).type, .ipv4)
    }
}

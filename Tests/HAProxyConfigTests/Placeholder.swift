import XCTest
final class HAProxyConfigTestsPlaceholder: XCTestCase { func testBuilds() {} }

import XCTest
final class HAProxyCoreTestsPlaceholder: XCTestCase { func testBuilds() {} }

import XCTest
final class HAProxyHTTPTestsPlaceholder: XCTestCase { func testBuilds() {} }

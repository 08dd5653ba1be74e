import NIOCore
import XCTest

@testable import HAProxyTLS

final class ProxyHeaderLengthTests: XCTestCase {
    func testVersion1() {
        XCTAssertNil(ProxyHeaderLength.of(ByteBuffer(string: "PRO")), "a prefix waits for more")
        XCTAssertNil(ProxyHeaderLength.of(ByteBuffer(string: "PROXY TCP4 1.2.3.4")))
        XCTAssertEqual(ProxyHeaderLength.of(ByteBuffer(string: "PROXY UNKNOWN\r\n\u{16}\u{03}")), 15)
        XCTAssertEqual(ProxyHeaderLength.of(ByteBuffer(string: "PROXY " + String(repeating: "x", count: 120))), 0)
    }

    func testVersion2() {
        let signature: [UInt8] = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A]
        XCTAssertNil(ProxyHeaderLength.of(ByteBuffer(bytes: signature.prefix(5))))
        XCTAssertNil(ProxyHeaderLength.of(ByteBuffer(bytes: signature + [0x21, 0x11])))
        XCTAssertEqual(ProxyHeaderLength.of(ByteBuffer(bytes: signature + [0x21, 0x11, 0x00, 0x0C] + Array(repeating: 0, count: 20))), 28)
    }

    func testAClientHelloIsNoHeader() {
        XCTAssertEqual(ProxyHeaderLength.of(ByteBuffer(bytes: [0x16, 0x03, 0x01, 0x00, 0xF4])), 0)
    }
}

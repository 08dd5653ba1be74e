import NIOCore
import XCTest
@testable import HAProxyHTTP

final class HTTPResponseBuilderTests: XCTestCase {
    func testReturnMatchesRecordedBytes() throws {
        // Recorded with a request carrying `Connection: close`.
        let r = HTTPResponseBuilder.returnResponse(status: 200, contentType: "text/plain", body: Array("Hello".utf8), connection: .close)
        XCTAssertEqual(Array(r.readableBytesView), try GoldenFile.bytes("return-hello.bin"))
        let ka = HTTPResponseBuilder.returnResponse(status: 200, contentType: "text/plain", body: Array("Hello".utf8))
        XCTAssertEqual(String(decoding: ka.readableBytesView, as: UTF8.self), "HTTP/1.1 200 OK\r\ncontent-length: 5\r\ncontent-type: text/plain\r\n\r\nHello")
    }

    func testReturnWithoutPayloadMatchesRecordedStatusLines() throws {
        let text = String(decoding: try GoldenFile.bytes("return-reasons.txt"), as: UTF8.self)
        var count = 0
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: "\t")
            let status = Int(parts[0])!
            let r = HTTPResponseBuilder.returnResponse(status: status, contentType: nil, body: [], connection: .close)
            let first = String(decoding: r.readableBytesView, as: UTF8.self).split(separator: "\r\n").first!
            XCTAssertEqual(String(first), String(parts[1]))
            count += 1
        }
        XCTAssertGreaterThan(count, 60)
    }

    func testDecimal() {
        var b = ByteBuffer()
        for v in [0, 7, 10, 1234567890] { HTTPResponseBuilder.writeDecimal(&b, v); b.writeStaticString(",") }
        XCTAssertEqual(b.readString(length: b.readableBytes), "0,7,10,1234567890,")
    }
}

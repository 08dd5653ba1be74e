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

    /// The `%B` share counted without parsing is the parser's, for every
    /// head it is given for; the others are left to the parser.
    func testLoggedHeadSizeAgreesWithTheParser() {
        let types: [String?] = [nil, "text/plain", " text/html ", "application/json; charset=utf-8", "", "a\tb\t"]
        let bodies: [[UInt8]] = [[], Array("ok".utf8), [UInt8](repeating: 0x41, count: 9), [UInt8](repeating: 0x42, count: 12345)]
        var compared = 0
        for status in [200, 201, 203, 204, 206, 301, 302, 304, 400, 403, 404, 429, 500, 503, 599, 600, 999] {
            for type in types {
                for body in bodies {
                    for connection in [HTTPResponseConnection.none, .close, .keepAlive] {
                        for method in [HTTPMethod.get, .head] {
                            let bytes = HTTPResponseBuilder.returnResponse(
                                status: status, contentType: type, body: body, connection: connection)
                            let size = HTTPResponseBuilder.returnResponseLoggedHeadSize(
                                status: status, headers: [], contentType: type, bodyCount: body.count)
                            var parser = HTTPHeadParser.response(to: method)
                            guard case .complete(let head) = parser.parse(bytes) else {
                                XCTAssertNil(size, "\(status) \(type ?? "-")")
                                continue
                            }
                            guard let size else {
                                XCTAssertTrue(status == 204 || status == 304, "\(status)")
                                continue
                            }
                            XCTAssertEqual(size, head.loggedSizeAsParsed, "\(status) \(type ?? "-") \(body.count)")
                            XCTAssertEqual(bytes.readableBytes - head.length, body.count)
                            XCTAssertNotEqual(head.bodyFraming, .untilClose)
                            compared += 1
                        }
                    }
                }
            }
        }
        XCTAssertGreaterThan(compared, 1000)
        XCTAssertNil(HTTPResponseBuilder.returnResponseLoggedHeadSize(
            status: 200, headers: [(Array("x".utf8), Array("y".utf8))], contentType: nil, bodyCount: 0))
        XCTAssertNil(HTTPResponseBuilder.returnResponseLoggedHeadSize(
            status: 200, headers: [], contentType: "a\rb", bodyCount: 0))
    }

    func testDecimal() {
        var b = ByteBuffer()
        for v in [0, 7, 10, 1234567890] { HTTPResponseBuilder.writeDecimal(&b, v); b.writeStaticString(",") }
        XCTAssertEqual(b.readString(length: b.readableBytes), "0,7,10,1234567890,")
    }
}

import NIOCore
import XCTest
@testable import HAProxyHTTP

final class HTTPErrorPagesTests: XCTestCase {
    func testStreamPagesMatchRecordedBytes() throws {
        for status in [200, 400, 401, 403, 404, 405, 407, 408, 410, 413, 425, 429, 500, 501, 502, 503, 504] {
            let expected = try GoldenFile.bytes("errorpage-\(status).bin")
            let page = try XCTUnwrap(HTTPErrorPages.page(for: status), "\(status)")
            XCTAssertEqual(String(decoding: page.readableBytesView, as: UTF8.self), String(decoding: expected, as: UTF8.self), "\(status)")
        }
    }

    func testRealTriggersMatch() throws {
        for status in [502, 503, 504] {
            XCTAssertEqual(Array(HTTPErrorPages.page(for: status)!.readableBytesView), try GoldenFile.bytes("trigger-\(status).bin"))
        }
        for status in [400, 408] {
            XCTAssertEqual(Array(HTTPErrorPages.earlyPage(for: status)!.readableBytesView), try GoldenFile.bytes("trigger-\(status).bin"))
        }
        // Recorded by hand from 2.6.12 for `Transfer-Encoding: gzip, chunked`.
        let early422 = "HTTP/1.1 422 Unprocessable Content\r\nContent-length: 116\r\nCache-Control: no-cache\r\nContent-Type: text/html\r\n\r\n<html><body><h1>422 Unprocessable Content</h1>\nThe server cannot process the contained instructions.\n</body></html>\n"
        XCTAssertEqual(String(decoding: HTTPErrorPages.earlyPage(for: 422)!.readableBytesView, as: UTF8.self), early422)
    }

    func testConnectionHeaderVariant() {
        let page = HTTPErrorPages.page(for: 403, connection: .close)!
        XCTAssertTrue(String(decoding: page.readableBytesView, as: UTF8.self).contains("content-type: text/html\r\nconnection: close\r\n\r\n"))
        XCTAssertNil(HTTPErrorPages.page(for: 418))
    }

    func testDebianErrorFileIsServedAsHAProxyDoes() throws {
        let file = try GoldenFile.bytes("errorfile-403-debian.http")
        let out = try HTTPErrorPages.loadErrorFile(file).get()
        XCTAssertEqual(String(decoding: out.readableBytesView, as: UTF8.self),
                       String(decoding: try GoldenFile.bytes("errorfile-403-debian.bin"), as: UTF8.self))
    }

    func testErrorFileErrorsAreWordedAsHAProxy() {
        func message(_ s: String) -> String? {
            if case .failure(let e) = HTTPErrorPages.loadErrorFile(Array(s.utf8)) { return e.message }
            return nil
        }
        XCTAssertEqual(message("garbage\r\n\r\n"), "unable to parse headers (error offset: 0)")
        XCTAssertEqual(message("HTTP/1.1 403 Nope\r\nContent-Length: 5\r\n\r\nhi"), "payload size does not match the announced content-length (2 != 5)")
        XCTAssertEqual(message("HTTP/1.1 403 Nope\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n"), "chunk-encoded payload not supported")
        let ok = try? HTTPErrorPages.loadErrorFile(Array("HTTP/1.1 403 Nope\r\nX-Foo: bar\r\nContent-Length: 2\r\n\r\nhi".utf8)).get()
        XCTAssertEqual(ok.map { String(decoding: $0.readableBytesView, as: UTF8.self) }, "HTTP/1.1 403 Nope\r\nx-foo: bar\r\ncontent-length: 2\r\n\r\nhi")
    }
}

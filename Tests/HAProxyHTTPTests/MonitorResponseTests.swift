import NIOCore
import XCTest

@testable import HAProxyHTTP

final class MonitorResponseTests: XCTestCase {
    struct NotParsed: Error { var text: String }

    private func head(_ text: String) throws -> (HTTPHead, ByteBuffer) {
        let bytes = ByteBuffer(string: text)
        var parser = HTTPHeadParser.request()
        guard case .complete(let head) = parser.parse(bytes) else {
            throw NotParsed(text: text)
        }
        return (head, bytes)
    }

    private func matches(_ uri: String, _ requestTarget: String) throws -> Bool {
        let (h, b) = try head("GET \(requestTarget) HTTP/1.1\r\nHost: a\r\n\r\n")
        return MonitorResponse(uri: uri).matches(h, in: b)
    }

    func testPathURIMatchesThePathExactlyQueryIncluded() throws {
        XCTAssertTrue(try matches("/health", "/health"))
        XCTAssertFalse(try matches("/health", "/health?x=1"))
        XCTAssertFalse(try matches("/health", "/healthz"))
        XCTAssertFalse(try matches("/health", "/"))
        XCTAssertTrue(try matches("/health?full", "/health?full"))
        XCTAssertTrue(try matches("/health", "http://a/health"), "absolute form: its path")
        XCTAssertFalse(try matches("/health", "http://a/healthy"))
        XCTAssertFalse(try matches("/", "http://a"))
    }

    func testOtherURIMatchesTheWholeTarget() throws {
        XCTAssertTrue(try matches("http://a/health", "http://a/health"))
        XCTAssertFalse(try matches("http://a/health", "/health"))
        XCTAssertTrue(try matches("*", "*"))
    }

    /// Byte-exact with HAProxy 2.6.12's answers (HTTP/1.1 client, HTTP/1.0
    /// client without keep-alive, HEAD).
    func testAnswerBytes() {
        let m = MonitorResponse(uri: "/health")
        let page = "<html><body><h1>200 OK</h1>\nService ready.\n</body></html>\n"
        let head = "HTTP/1.1 200 OK\r\ncontent-length: 58\r\ncache-control: no-cache\r\ncontent-type: text/html\r\n"
        XCTAssertEqual(String(buffer: m.bytes(connection: .none, isHEAD: false)), head + "\r\n" + page)
        XCTAssertEqual(
            String(buffer: m.bytes(connection: .close, isHEAD: false)), head + "connection: close\r\n\r\n" + page)
        XCTAssertEqual(
            String(buffer: m.bytes(connection: .keepAlive, isHEAD: false)),
            head + "connection: keep-alive\r\n\r\n" + page)
        XCTAssertEqual(String(buffer: m.bytes(connection: .none, isHEAD: true)), head + "\r\n")
    }
}

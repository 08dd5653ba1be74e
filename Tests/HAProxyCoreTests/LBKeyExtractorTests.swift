import HAProxyCore
import XCTest

final class LBKeyExtractorTests: XCTestCase {
    private func uri(_ s: String, whole: Bool = false, length: Int? = nil, depth: Int? = nil, pathOnly: Bool = false) -> String {
        let bytes = Array(s.utf8)
        let r = bytes.withUnsafeBytes { LBKeyExtractor.uri($0, whole: whole, length: length, depth: depth, pathOnly: pathOnly) }
        return String(decoding: bytes[r], as: UTF8.self)
    }

    func testURI() {
        XCTAssertEqual(uri("/a/b?x=1"), "/a/b")
        XCTAssertEqual(uri("/a/b?x=1", whole: true), "/a/b?x=1")
        XCTAssertEqual(uri("/abcdef", length: 4), "/abc")
        XCTAssertEqual(uri("/a/b/c/d", depth: 2), "/a/b")
        XCTAssertEqual(uri("/a/b/c/d", depth: 1), "/a")
        XCTAssertEqual(uri("/a/b/c/d", length: 3, depth: 2), "/a/")
        XCTAssertEqual(uri("http://example.com/p/q?z", pathOnly: true), "/p/q")
        XCTAssertEqual(uri("http://example.com/p/q?z"), "http://example.com/p/q")
        XCTAssertEqual(uri("http://example.com/p/q?z", depth: 1), "http:/")
        XCTAssertEqual(uri("http://example.com", pathOnly: true), "")
        XCTAssertEqual(uri("/p", pathOnly: true), "/p")
    }

    private func param(_ s: String, _ name: String) -> String? {
        let bytes = Array(s.utf8)
        let r = bytes.withUnsafeBytes { b in Array(name.utf8).withUnsafeBytes { LBKeyExtractor.urlParam(b, name: $0) } }
        return r.map { String(decoding: bytes[$0], as: UTF8.self) }
    }

    func testURLParam() {
        XCTAssertEqual(param("/q?id=42", "id"), "42")
        XCTAssertEqual(param("/q?x=1&id=42&y=2", "id"), "42")
        XCTAssertEqual(param("/q?id=", "id"), "")
        XCTAssertNil(param("/q?xid=3", "id"))
        XCTAssertNil(param("/q?id", "id"))
        XCTAssertNil(param("/q;id=3", "id"))
        XCTAssertNil(param("/id=3", "id"))
        XCTAssertEqual(param("/q?userid=7&id=8", "userid"), "7")
    }

    private func host(_ s: String) -> String? {
        let bytes = Array(s.utf8)
        let r = bytes.withUnsafeBytes { LBKeyExtractor.header($0, useDomainOnly: true) }
        return r.map { String(decoding: bytes[$0], as: UTF8.self) }
    }

    func testHeaderDomainOnly() {
        XCTAssertEqual(host("haproxy.1wt.eu"), "1wt")
        XCTAssertEqual(host("example.org"), "example")
        XCTAssertEqual(host("www.example.org:8080"), "example")
        XCTAssertEqual(host("localhost"), "localhost")
        XCTAssertNil(host(""))
    }

    func testSourceHash() {
        let v4: [UInt8] = [127, 0, 0, 1]
        XCTAssertEqual(v4.withUnsafeBytes { LBKeyExtractor.sourceHash($0, avalanche: false) }, 0x7F00_0001)
        var v6 = [UInt8](repeating: 0, count: 16)
        v6[15] = 1
        v6[0] = 0x20
        XCTAssertEqual(v6.withUnsafeBytes { LBKeyExtractor.sourceHash($0, avalanche: false) }, 0x2000_0001)
    }
}

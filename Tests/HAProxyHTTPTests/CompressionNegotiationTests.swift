import HAProxyConfig
import NIOCore
import XCTest

@testable import HAProxyHTTP

/// The choices recorded from Debian's 2.6 (`compression algo ...` with
/// curl and raw requests): which algorithm an `Accept-Encoding` picks,
/// which requests and responses are compressed.
final class CompressionNegotiationTests: XCTestCase {
    private func choose(_ values: [String], _ algorithms: [CompressionAlgorithm]) -> CompressionAlgorithm? {
        var bytes: [UInt8] = []
        var ranges: [Range<Int>] = []
        for v in values {
            ranges.append(bytes.count..<(bytes.count + v.utf8.count))
            bytes += Array(v.utf8)
        }
        return bytes.withUnsafeBytes { CompressionNegotiation.choose(ranges, in: $0, among: algorithms) }
    }

    func testTokenMatchesAlgorithmWithoutCase() {
        XCTAssertEqual(choose(["gzip"], [.gzip]), .gzip)
        XCTAssertEqual(choose(["GZIP"], [.gzip]), .gzip)
        XCTAssertEqual(choose(["gzip x"], [.gzip]), .gzip)
        XCTAssertNil(choose(["x-gzip"], [.gzip]))
        XCTAssertNil(choose(["gzipx"], [.gzip]))
        XCTAssertNil(choose(["deflate"], [.gzip]))
        XCTAssertNil(choose([], [.gzip]))
        XCTAssertNil(choose([""], [.gzip]))
        XCTAssertNil(choose(["identity"], [.gzip]))
    }

    func testZeroQValueChoosesNothing() {
        for zero in ["gzip;q=0", "gzip ; q=0.000", "gzip;q=00", "gzip;q=0.", "gzip;q=0.0001", "gzip;x=1;q=0", "gzip;q=0;x=1"] {
            XCTAssertNil(choose([zero], [.gzip]), zero)
        }
        for nonZero in ["gzip;q=0.001", "gzip;Q=0", "gzip;q= 0", "gzip;q=-1", "gzip;xq=0", "gzip;q =0", "gzip;q=2"] {
            XCTAssertEqual(choose([nonZero], [.gzip]), .gzip, nonZero)
        }
        XCTAssertEqual(choose(["gzip;q=0.0 , gzip"], [.gzip]), .gzip)
        XCTAssertNil(choose(["*;q=0"], [.gzip]))
    }

    func testHighestQValueWinsAndTheFirstOnATie() {
        let algorithms: [CompressionAlgorithm] = [.deflate, .gzip, .rawDeflate]
        XCTAssertEqual(choose(["gzip, deflate"], algorithms), .gzip)
        XCTAssertEqual(choose(["deflate, gzip"], algorithms), .rawDeflate)
        XCTAssertEqual(choose(["gzip;q=0.5, deflate;q=0.6"], algorithms), .rawDeflate)
        XCTAssertEqual(choose(["deflate;q=0.5, gzip"], algorithms), .gzip)
        XCTAssertEqual(choose(["br", "gzip"], [.gzip]), .gzip)
    }

    /// `*` and a token two algorithms share mean the one configured last.
    func testStarMeansTheLastConfigured() {
        XCTAssertEqual(choose(["*"], [.deflate, .gzip, .rawDeflate]), .rawDeflate)
        XCTAssertEqual(choose(["*"], [.rawDeflate, .deflate]), .deflate)
        XCTAssertEqual(choose(["deflate"], [.rawDeflate, .deflate]), .deflate)
        XCTAssertEqual(choose(["deflate;q=0, *"], [.deflate, .gzip, .rawDeflate]), .rawDeflate)
        XCTAssertEqual(choose(["gzip;q=0, *"], [.gzip]), .gzip)
    }

    func testIdentityAppliesWhateverTheHeader() {
        XCTAssertEqual(choose([], [.identity]), .identity)
        XCTAssertEqual(choose(["gzip"], [.identity]), .identity)
        XCTAssertEqual(choose(["gzip"], [.identity, .gzip]), .gzip)
    }

    private func head(_ text: String, request: Bool) -> (HTTPHead, ByteBuffer) {
        let buffer = ByteBuffer(string: text.replacingOccurrences(of: "\n", with: "\r\n") + "\r\n")
        var parser = request ? HTTPHeadParser.request() : HTTPHeadParser.response(to: .get)
        guard case .complete(let head) = parser.parse(buffer) else {
            XCTFail("unparsed: \(text)")
            return (HTTPHead(), buffer)
        }
        return (head, buffer)
    }

    func testRequestsThatAreNeverCompressed() {
        func allows(_ text: String) -> Bool {
            let (h, b) = head(text, request: true)
            return CompressionNegotiation.requestAllows(h, in: b)
        }
        XCTAssertTrue(allows("GET / HTTP/1.1\nHost: x\n"))
        XCTAssertTrue(allows("POST / HTTP/1.1\nHost: x\nContent-Length: 0\n"))
        XCTAssertFalse(allows("GET / HTTP/1.0\n"))
        XCTAssertFalse(allows("HEAD / HTTP/1.1\nHost: x\n"))
        XCTAssertFalse(allows("GET / HTTP/1.1\nUser-Agent: Mozilla/4.0 (compatible)\n"))
        XCTAssertFalse(allows("GET / HTTP/1.1\nUser-Agent: Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.0)\n"))
        XCTAssertTrue(allows("GET / HTTP/1.1\nUser-Agent: Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1; SV1)\n"))
        XCTAssertTrue(allows("GET / HTTP/1.1\nUser-Agent: Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 6.0)\n"))
        XCTAssertTrue(allows("GET / HTTP/1.1\nUser-Agent: Mozilla/5.0\n"))
    }

    private func plan(_ text: String, types: [String] = []) -> CompressionNegotiation.ResponsePlan? {
        let (h, b) = head(text, request: false)
        return CompressionNegotiation.responsePlan(h, in: b, types: types.map { Array($0.utf8) })
    }

    func testResponsesThatAreCompressed() {
        let ok = CompressionNegotiation.ResponsePlan(strongETag: nil)
        XCTAssertEqual(plan("HTTP/1.1 200 OK\nContent-Length: 10\n"), ok)
        XCTAssertEqual(plan("HTTP/1.1 203 OK\nTransfer-Encoding: chunked\n"), ok)
        XCTAssertEqual(plan("HTTP/1.1 200 OK\nContent-Type: TEXT/HTML; charset=utf-8\nContent-Length: 1\n", types: ["text/html"]), ok)
        XCTAssertEqual(plan("HTTP/1.1 200 OK\nContent-Type: text/htmlx\nContent-Length: 1\n", types: ["text/html"]), ok)
        XCTAssertEqual(plan("HTTP/1.1 200 OK\nCache-Control: no-transformx\nContent-Length: 1\n"), ok)
        XCTAssertEqual(plan("HTTP/1.1 200 OK\nETag: W/\"a\"\nContent-Length: 1\n"), ok)
        XCTAssertEqual(plan("HTTP/1.1 200 OK\nETag: \"a\"\nContent-Length: 1\n"), .init(strongETag: 0))
    }

    func testResponsesThatAreNotCompressed() {
        for text in [
            "HTTP/1.1 204 No Content\n",
            "HTTP/1.1 206 Partial\nContent-Length: 10\n",
            "HTTP/1.1 304 Not Modified\nContent-Length: 10\n",
            "HTTP/1.1 404 Not Found\nContent-Length: 10\n",
            "HTTP/1.0 200 OK\nContent-Length: 10\n",
            "HTTP/1.1 200 OK\n",
            "HTTP/1.1 200 OK\nContent-Length: 0\n",
            "HTTP/1.1 200 OK\nContent-Encoding: identity\nContent-Length: 10\n",
            "HTTP/1.1 200 OK\nCache-Control: public, No-Transform\nContent-Length: 10\n",
            "HTTP/1.1 200 OK\nETag: abc\nContent-Length: 10\n",
            "HTTP/1.1 200 OK\nETag: \"a\"\nETag: \"b\"\nContent-Length: 10\n",
            "HTTP/1.1 200 OK\nContent-Type: multipart/form-data\nContent-Length: 10\n",
        ] {
            XCTAssertNil(plan(text), text)
        }
        XCTAssertNil(plan("HTTP/1.1 200 OK\nContent-Type: text/css\nContent-Length: 1\n", types: ["text/html"]))
        XCTAssertNil(plan("HTTP/1.1 200 OK\nContent-Length: 1\n", types: ["text/html"]))
        // The first Content-Type decides.
        XCTAssertNil(plan("HTTP/1.1 200 OK\nContent-Type: text/css\nContent-Type: text/html\nContent-Length: 1\n", types: ["text/html"]))
    }
}

import NIOCore
import XCTest
@testable import HAProxyHTTP

final class HTTPHeadParserTests: XCTestCase {
    /// Plays a request through head parser and body framer the way the real
    /// one was driven when recording (`option http-buffer-request`, then
    /// `http-request return status 200`), feeding `pieces` one at a time.
    /// Returns the status HAProxy would answer: 100 for Expect, 408 when the
    /// request stays incomplete.
    static func outcome(_ bytes: [UInt8], pieces: [Int]) -> String {
        var parser = HTTPHeadParser.request()
        var framer: HTTPBodyFramer? = nil
        var buffer = ByteBuffer()
        var offset = 0
        for size in pieces {
            buffer.writeBytes(bytes[offset..<(offset + size)])
            offset += size
            if framer == nil {
                switch parser.parse(buffer) {
                case .needMore: continue
                case .error(let e): return String(e.status)
                case .complete(let head):
                    if head.expectsContinue { return "100" }
                    buffer.moveReaderIndex(forwardBy: head.length)
                    framer = HTTPBodyFramer(framing: head.bodyFraming, isRequest: true)
                }
            }
            do {
                let progress = try framer!.consume(buffer)
                buffer.moveReaderIndex(forwardBy: progress.length)
                if progress.isComplete { return "200" }
            } catch {
                return String(error.status)
            }
        }
        return "408"
    }

    static func splits<G: RandomNumberGenerator>(_ count: Int, random: inout G) -> [Int] {
        var out: [Int] = []
        var left = count
        while left > 0 {
            let n = Int.random(in: 1...max(1, min(left, 64)), using: &random)
            out.append(n); left -= n
        }
        return out
    }

    func testGoldenMalformedRequestsMatchHAProxy() throws {
        let cases = try GoldenFile.malformedRequests()
        XCTAssertGreaterThanOrEqual(cases.count, 100)
        var random = SeededRandom("testGoldenMalformedRequestsMatchHAProxy")
        for c in cases {
            let whole = Self.outcome(c.request, pieces: c.request.isEmpty ? [] : [c.request.count])
            XCTAssertEqual(whole, c.expected, "\(c.name): whole input")
            let drip = Self.outcome(c.request, pieces: Array(repeating: 1, count: c.request.count))
            XCTAssertEqual(drip, c.expected, "\(c.name): byte by byte")
            let split = Self.outcome(c.request, pieces: Self.splits(c.request.count, random: &random))
            XCTAssertEqual(split, c.expected, "\(c.name): random splits (seed \(random.seed))")
        }
    }

    /// What the client of the real one got for each recorded server response:
    /// the response's own status, or 502 when refused or cut short.
    static func responseOutcome(_ bytes: [UInt8], pieces: [Int]) -> String {
        var parser = HTTPHeadParser.response(to: .get)
        var buffer = ByteBuffer()
        var offset = 0
        for size in pieces {
            buffer.writeBytes(bytes[offset..<(offset + size)])
            offset += size
            switch parser.parse(buffer) {
            case .needMore: continue
            case .error(let e): return String(e.status)
            case .complete(let head):
                return buffer.getString(at: buffer.readerIndex + head.uriRange.lowerBound, length: head.uriRange.count)!
            }
        }
        return "502"
    }

    func testGoldenMalformedResponsesMatchHAProxy() throws {
        let cases = try GoldenFile.cases("malformed-responses.txt")
        XCTAssertGreaterThanOrEqual(cases.count, 25)
        for c in cases {
            XCTAssertEqual(Self.responseOutcome(c.request, pieces: [c.request.count]), c.expected, c.name)
            XCTAssertEqual(Self.responseOutcome(c.request, pieces: Array(repeating: 1, count: c.request.count)), c.expected, c.name)
        }
    }

    func parse(_ s: String, _ parser: HTTPHeadParser = .request()) -> (HTTPHeadParseResult, ByteBuffer) {
        var p = parser
        let buffer = ByteBuffer(string: s)
        return (p.parse(buffer), buffer)
    }

    func head(_ s: String, _ parser: HTTPHeadParser = .request(), file: StaticString = #filePath, line: UInt = #line) -> (HTTPHead, ByteBuffer)? {
        let (r, b) = parse(s, parser)
        guard case .complete(let h) = r else { XCTFail("not complete: \(r)", file: file, line: line); return nil }
        return (h, b)
    }

    func text(_ b: ByteBuffer, _ r: Range<Int>) -> String {
        b.getString(at: b.readerIndex + r.lowerBound, length: r.count)!
    }

    /// `option accept-invalid-http-request` (recorded from 2.6, see
    /// rules_differential.py's accept_invalid_request): what it lets
    /// through, and what stays a 400.
    func testLenientRequests() throws {
        var lenient = HTTPHeadParser.request()
        lenient.lenient = true
        guard let (h, b) = head("GET /caf\u{e9}#x HTTP/1.1\r\nhost: a\r\nx(y) z: 1\r\n\r\n", lenient) else { return }
        XCTAssertEqual(text(b, h.headers[1].name), "x(y) z")
        XCTAssertEqual(h.version, .http1_1)
        guard let (rtsp, rb) = head("GET / RTSP/1.0\r\nhost: a\r\n\r\n", lenient) else { return }
        XCTAssertEqual(rtsp.version, .http1_0)
        XCTAssertTrue(rtsp.forwardsVersionAsWritten)
        var out = ByteBuffer()
        HTTPHeadRewriter.write(rtsp, from: rb, edits: HTTPHeadEdits(), into: &out)
        XCTAssertEqual(String(buffer: out), "GET / RTSP/1.0\r\nhost: a\r\n\r\n")
        guard let (nine, nb) = head("GET /nine\r\n\r\n", lenient) else { return }
        out.clear()
        HTTPHeadRewriter.write(nine, from: nb, edits: HTTPHeadEdits(), into: &out)
        XCTAssertEqual(String(buffer: out), "GET /nine HTTP/1.0\r\n\r\n")
        for refused in ["GET / http/1.1\r\nhost: a\r\n\r\n", "GET / HTTP/1.1 more\r\nhost: a\r\n\r\n"] {
            guard case .error(let e) = parse(refused, lenient).0 else { return XCTFail(refused) }
            XCTAssertEqual(e.status, 400)
        }
        for strict in ["GET /a#b HTTP/1.1\r\nhost: a\r\n\r\n", "GET / RTSP/1.0\r\nhost: a\r\n\r\n",
                       "GET / HTTP/1.1\r\nx(y): 1\r\n\r\n", "GET /nine\r\n\r\n"] {
            guard case .error(let e) = parse(strict).0 else { return XCTFail(strict) }
            XCTAssertEqual(e.status, 400)
        }
    }

    /// The method of the HTTP/2 preface is refused in any case, lenient or
    /// not (recorded from 2.6; rules_differential.py's pri_method_refused).
    func testPRIMethodIsRefused() throws {
        var lenient = HTTPHeadParser.request()
        lenient.lenient = true
        for refused in ["PRI / HTTP/1.1\r\nhost: a\r\n\r\n", "pri / HTTP/1.1\r\nhost: a\r\n\r\n",
                        "PrI * HTTP/2.0\r\n\r\n"] {
            for parser in [HTTPHeadParser.request(), lenient] {
                guard case .error(let e) = parse(refused, parser).0 else { return XCTFail(refused) }
                XCTAssertEqual(e.status, 400, refused)
                XCTAssertEqual(e.reason, .invalidMethod, refused)
            }
        }
        for passing in ["PRIX / HTTP/1.1\r\nhost: a\r\n\r\n", "PR / HTTP/1.1\r\nhost: a\r\n\r\n"] {
            XCTAssertNotNil(head(passing), passing)
        }
    }

    /// Response versions as 2.6 reads them, with and without `option
    /// accept-invalid-http-response` (recorded; see the rules differential).
    func testResponseVersions() throws {
        let strict = HTTPHeadParser.response(to: .get)
        var lenient = strict
        lenient.lenient = true
        for (token, version) in [("HTTX/1.1", HTTPVersion.http1_1), ("ABCD/1.0", .http1_0), ("HTTP/2.0", HTTPVersion(major: 2, minor: 0))] {
            XCTAssertEqual(head("\(token) 200 OK\r\n\r\n", strict)?.0.version, version, token)
        }
        for token in ["HTTP/1.10", "HTTP/2", "XHTTP/1.1", "HTTP/A.1", "http/1.1"] {
            guard case .error(let e) = parse("\(token) 200 OK\r\n\r\n", strict).0 else { return XCTFail(token) }
            XCTAssertEqual(e.status, 502, token)
        }
        XCTAssertEqual(head("HTTP/1.10 200 OK\r\n\r\n", lenient)?.0.version, .http1_0)
        XCTAssertTrue(head("ABCDEFGH 200 OK\r\n\r\n", lenient)?.0.version.isPersistentByDefault ?? false)
        guard let (h, b) = head("HTTX/1.0 200 OK\r\ncontent-length: 0\r\n\r\n", strict) else { return }
        var out = ByteBuffer()
        HTTPHeadRewriter.write(h, from: b, edits: HTTPHeadEdits(), into: &out)
        XCTAssertEqual(String(buffer: out), "HTTX/1.0 200 OK\r\ncontent-length: 0\r\n\r\n")
    }

    func testRequestOffsetsAndFacts() throws {
        let s = "\r\nPOST /x?y HTTP/1.1\r\nHost: example\r\nContent-Length:  5 \r\nConnection: Keep-Alive, Upgrade\r\nUpgrade: ws\r\nExpect: 100-Continue\r\n\r\nhello"
        guard let (h, b) = head(s) else { return }
        XCTAssertEqual(h.length, s.utf8.count - 5)
        XCTAssertEqual(h.startLineStart, 2)
        XCTAssertEqual(h.method, .post)
        XCTAssertEqual(text(b, h.methodRange), "POST")
        XCTAssertEqual(text(b, h.uriRange), "/x?y")
        XCTAssertEqual(text(b, h.versionRange), "HTTP/1.1")
        XCTAssertEqual(h.version, .http1_1)
        XCTAssertEqual(h.headers.count, 5)
        XCTAssertEqual(text(b, h.headers[1].name), "Content-Length")
        XCTAssertEqual(text(b, h.headers[1].value), "5")
        XCTAssertEqual(text(b, h.headers[1].line), "Content-Length:  5 \r\n")
        XCTAssertEqual(h.headers[1].kind, .contentLength)
        XCTAssertEqual(h.contentLength, 5)
        XCTAssertEqual(h.bodyFraming, .contentLength(5))
        XCTAssertEqual(h.connection, [.keepAlive, .upgrade])
        XCTAssertTrue(h.hasHost)
        XCTAssertTrue(h.hasUpgrade)
        XCTAssertTrue(h.expectsContinue)
        XCTAssertTrue(h.isKeepAlive)
    }

    /// Heads parsed one after another take the field storage handed
    /// back; one still held elsewhere is left alone.
    func testHeaderStorageIsReused() {
        var parser = HTTPHeadParser.request()
        var storage: [HTTPHeaderField] = []
        let first = ByteBuffer(string: "GET /a HTTP/1.1\r\nHost: a\r\nX: 1\r\nY: 2\r\n\r\n")
        guard case .complete(var old) = parser.parse(first, headerStorage: &storage) else { return XCTFail() }
        XCTAssertTrue(storage.isEmpty)
        XCTAssertEqual(old.headers.count, 3)
        let kept = old.headers
        let address = old.headers.withUnsafeBufferPointer { $0.baseAddress }
        swap(&storage, &old.headers)
        let second = ByteBuffer(string: "GET /b HTTP/1.1\r\nHost: bb\r\n\r\n")
        guard case .complete(var current) = parser.parse(second, headerStorage: &storage) else { return XCTFail() }
        XCTAssertEqual(current.headers.count, 1)
        XCTAssertNotEqual(current.headers.withUnsafeBufferPointer { $0.baseAddress }, address)
        XCTAssertEqual(kept.count, 3)
        XCTAssertEqual(second.getString(at: current.headers[0].value.lowerBound, length: 2), "bb")
        // Once nothing else holds it, the same storage serves the next head.
        swap(&storage, &current.headers)
        let reused = storage.withUnsafeBufferPointer { $0.baseAddress }
        guard case .complete(let third) = parser.parse(first, headerStorage: &storage) else { return XCTFail() }
        XCTAssertEqual(third.headers.count, 3)
        XCTAssertEqual(third.headers.withUnsafeBufferPointer { $0.baseAddress }, reused)
        XCTAssertEqual(third.headers, kept)
    }

    func testMethodsAreClassified() {
        for (m, e) in [("GET", HTTPMethod.get), ("HEAD", .head), ("POST", .post), ("PUT", .put), ("DELETE", .delete),
                       ("OPTIONS", .options), ("TRACE", .trace), ("CONNECT", .connect), ("PATCH", .other), ("get", .other)] {
            XCTAssertEqual(head("\(m) / HTTP/1.1\r\n\r\n")?.0.method, e, m)
        }
    }

    func testChunkedWinsOverContentLength() {
        guard let (h, _) = head("POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n") else { return }
        XCTAssertEqual(h.bodyFraming, .chunked)
        XCTAssertTrue(h.isChunked)
    }

    func testObsFoldIsFlaggedAndValueSpansContinuation() {
        guard let (h, b) = head("GET / HTTP/1.1\r\nX: a\r\n  b\r\nY: c\r\n\r\n") else { return }
        XCTAssertTrue(h.hasObsFold)
        XCTAssertEqual(text(b, h.headers[0].value), "a\r\n  b")
        XCTAssertEqual(text(b, h.headers[1].value), "c")
    }

    func testHTTP10KeepAlive() {
        XCTAssertEqual(head("GET / HTTP/1.0\r\n\r\n")?.0.isKeepAlive, false)
        XCTAssertEqual(head("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")?.0.isKeepAlive, true)
        XCTAssertEqual(head("GET / HTTP/1.1\r\nConnection: close\r\n\r\n")?.0.isKeepAlive, false)
    }

    func testNeedMoreResumesWithoutLosingState() {
        var p = HTTPHeadParser.request()
        var b = ByteBuffer(string: "GET / HTTP/1.1\r\nHost: a\r")
        guard case .needMore = p.parse(b) else { return XCTFail() }
        b.writeString("\n\r")
        guard case .needMore = p.parse(b) else { return XCTFail() }
        b.writeString("\nGET")
        guard case .complete(let h) = p.parse(b) else { return XCTFail() }
        XCTAssertEqual(h.length, b.readableBytes - 3)
    }

    func testResponses() {
        let get = HTTPHeadParser.response(to: .get)
        XCTAssertEqual(head("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n", get)?.0.bodyFraming, .contentLength(3))
        XCTAssertEqual(head("HTTP/1.1 200 OK\r\n\r\n", get)?.0.bodyFraming, .untilClose)
        XCTAssertEqual(head("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", get)?.0.bodyFraming, .chunked)
        XCTAssertEqual(head("HTTP/1.1 204 No Content\r\n\r\n", get)?.0.bodyFraming, HTTPBodyFraming.none)
        XCTAssertEqual(head("HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n", get)?.0.bodyFraming, HTTPBodyFraming.none)
        XCTAssertEqual(head("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n", .response(to: .head))?.0.bodyFraming, HTTPBodyFraming.none)
        XCTAssertEqual(head("HTTP/1.1 200 OK\r\n\r\n", .response(to: .connect))?.0.bodyFraming, .tunnel)
        XCTAssertEqual(head("HTTP/1.1 101 Switching Protocols\r\n\r\n", get)?.0.bodyFraming, .tunnel)
        guard let (h, b) = head("HTTP/1.1 100 Continue\r\n\r\n", get) else { return }
        XCTAssertTrue(h.isInterim)
        XCTAssertEqual(h.status, 100)
        XCTAssertEqual(text(b, h.versionRange), "Continue")
        XCTAssertEqual(head("HTTP/1.0 404\r\n\r\n", get)?.0.status, 404)
    }

    func testMalformedResponsesAre502() {
        for s in ["HTTP/1.1 abc OK\r\n\r\n", "http/1.1 200 OK\r\n\r\n", "HTTP/x 200 OK\r\n\r\n", "NOT HTTP\r\n\r\n",
                  "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
                  "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", "HTTP/1.1 200 OK\r\nX Y: 1\r\n\r\n"] {
            guard case .error(let e) = parse(s, .response(to: .get)).0 else { XCTFail(s); continue }
            XCTAssertEqual(e.status, 502, s)
        }
    }
}

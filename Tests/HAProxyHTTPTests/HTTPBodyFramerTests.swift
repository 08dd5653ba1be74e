import NIOCore
import XCTest
@testable import HAProxyHTTP

final class HTTPBodyFramerTests: XCTestCase {
    /// One seeded source for every split of the class (its seed is printed once).
    static var random = SeededRandom("HTTPBodyFramerTests")

    /// Feeds `input` in `pieces`, forwarding what belongs to the message the
    /// way a proxy would; returns the bytes forwarded, completion, or the error.
    static func run(_ framing: HTTPBodyFraming, _ input: [UInt8], pieces: [Int], isRequest: Bool = true) -> (forwarded: Int, complete: Bool, error: Int?) {
        var framer = HTTPBodyFramer(framing: framing, isRequest: isRequest)
        var buffer = ByteBuffer()
        var forwarded = 0
        var offset = 0
        for size in pieces {
            buffer.writeBytes(input[offset..<(offset + size)])
            offset += size
            do {
                let p = try framer.consume(buffer)
                let slice = buffer.readSlice(length: p.length)!
                forwarded += slice.readableBytes
                if p.isComplete { return (forwarded, true, nil) }
            } catch {
                return (forwarded, false, error.status)
            }
        }
        return (forwarded, false, nil)
    }

    /// Checks one input whole, byte by byte and in random splits.
    func check(_ framing: HTTPBodyFraming, _ s: String, forwarded: Int?, complete: Bool, error: Int? = nil, isRequest: Bool = true, file: StaticString = #filePath, line: UInt = #line) {
        let input = Array(s.utf8)
        var splits: [[Int]] = [input.isEmpty ? [] : [input.count], Array(repeating: 1, count: input.count)]
        for _ in 0..<5 { splits.append(HTTPHeadParserTests.splits(input.count, random: &Self.random)) }
        for pieces in splits {
            let r = Self.run(framing, input, pieces: pieces, isRequest: isRequest)
            XCTAssertEqual(r.complete, complete, "pieces \(pieces), seed \(Self.random.seed)", file: file, line: line)
            XCTAssertEqual(r.error, error, "pieces \(pieces), seed \(Self.random.seed)", file: file, line: line)
            if let f = forwarded { XCTAssertEqual(r.forwarded, f, "pieces \(pieces), seed \(Self.random.seed)", file: file, line: line) }
        }
    }

    func testContentLengthStopsAtTheEndOfTheBody() {
        check(.contentLength(5), "helloGET / HTTP/1.1\r\n", forwarded: 5, complete: true)
        check(.contentLength(10), "hello", forwarded: 5, complete: false)
        check(.none, "GET", forwarded: 0, complete: true)
    }

    func testUntilCloseTakesEverything() {
        check(.untilClose, "abcdef", forwarded: 6, complete: false)
        check(.tunnel, "abc", forwarded: 3, complete: false)
    }

    func testChunked() {
        let body = "3\r\nabc\r\n10;name=value\r\n0123456789abcdef\r\n0\r\n\r\n"
        check(.chunked, body + "NEXT", forwarded: body.utf8.count, complete: true)
        let trailers = "A\r\n0123456789\r\n0\r\nX-Sum: 1\r\nY: 2\r\n\r\n"
        check(.chunked, trailers + "N", forwarded: trailers.utf8.count, complete: true)
        check(.chunked, "3\nabc\n0\n\n", forwarded: 9, complete: true)
        check(.chunked, "3 \t\r\nabc\r\n0\r\n\r\n", forwarded: 15, complete: true)
        check(.chunked, "3\r\nabc\r\n0\r\n", forwarded: 11, complete: false)
    }

    func testChunkedErrors() {
        check(.chunked, "zz\r\nabc\r\n0\r\n\r\n", forwarded: nil, complete: false, error: 400)
        check(.chunked, "\r\nabc\r\n0\r\n\r\n", forwarded: nil, complete: false, error: 400)
        check(.chunked, "3\r\nabcX\r\n0\r\n\r\n", forwarded: nil, complete: false, error: 400)
        check(.chunked, "3\rX", forwarded: nil, complete: false, error: 400)
        check(.chunked, "3 x\r\n", forwarded: nil, complete: false, error: 400)
        check(.chunked, "10000000000000\r\n", forwarded: nil, complete: false, error: 400)
        check(.chunked, "0\r\nbad trailer\r\n\r\n", forwarded: nil, complete: false, error: 400)
        check(.chunked, "zz\r\n", forwarded: nil, complete: false, error: 502, isRequest: false)
    }

    func testLargestChunkSizeIsAccepted() {
        // 13 hex digits (2^52 - 1) is HAProxy's maximum.
        check(.chunked, "fffffffffffff\r\nabc", forwarded: 18, complete: false)
    }

    /// Re-encodes `input` fed in `pieces`; returns what would be forwarded.
    static func reencoded(_ input: [UInt8], pieces: [Int]) throws -> (out: String, complete: Bool) {
        var framer = HTTPBodyFramer(framing: .chunked, isRequest: true)
        var buffer = ByteBuffer()
        var out = ByteBuffer()
        var offset = 0
        for size in pieces {
            buffer.writeBytes(input[offset..<(offset + size)])
            offset += size
            let p = try framer.reencode(buffer, into: &out)
            buffer.moveReaderIndex(forwardBy: p.length)
            if p.isComplete { return (String(buffer: out), true) }
        }
        return (String(buffer: out), false)
    }

    /// Whole, the body goes out as one chunk with the 2.6 spelling; in any
    /// split, the data, the end and the trailers are the same once decoded.
    func testReencodedAsHAProxy26() throws {
        let input = Array("005;ext=1\r\nhello\r\n6 \r\n world\r\n0;x\r\nX-Sum:  1 \r\nY:2\r\n\r\nNEXT".utf8)
        let whole = try Self.reencoded(input, pieces: [input.count])
        XCTAssertEqual(whole.out, "B\r\nhello world\r\n0\r\nx-sum: 1\r\ny: 2\r\n\r\n")
        XCTAssertTrue(whole.complete)
        var splits = [Array(repeating: 1, count: input.count)]
        for _ in 0..<20 { splits.append(HTTPHeadParserTests.splits(input.count, random: &Self.random)) }
        for pieces in splits {
            let r = try Self.reencoded(input, pieces: pieces)
            XCTAssertTrue(r.complete, "pieces \(pieces), seed \(Self.random.seed)")
            XCTAssertEqual(Self.decode(r.out), "hello world|x-sum: 1\r\ny: 2\r\n", "pieces \(pieces), seed \(Self.random.seed)")
        }
    }

    func testReencodedSizesAreUppercaseHex() throws {
        let data = String(repeating: "z", count: 300)
        let input = Array("12C\r\n\(data)\r\n0\r\n\r\n".utf8)
        XCTAssertEqual(try Self.reencoded(input, pieces: [input.count]).out, "12C\r\n\(data)\r\n0\r\n\r\n")
    }

    /// The data of a well-formed chunked body, then `|` and its trailers.
    static func decode(_ s: String) -> String {
        var rest = ArraySlice(Array(s.utf8)), data: [UInt8] = []
        while let cr = rest.firstIndex(of: 0x0D) {
            guard let size = Int(String(decoding: rest[..<cr], as: UTF8.self), radix: 16) else { return "malformed: \(s.debugDescription)" }
            rest = rest[(cr + 2)...]
            if size == 0 { break }
            data += rest.prefix(size)
            rest = rest.dropFirst(size + 2)
        }
        return String(decoding: data, as: UTF8.self) + "|" + String(decoding: rest.dropLast(2), as: UTF8.self)
    }
}

/// `decode`: the payload a compressed response's encoder gets, whatever
/// the split of the input.
final class HTTPBodyFramerDecodeTests: XCTestCase {
    static var random = SeededRandom("HTTPBodyFramerDecodeTests")

    private func decodeAll(_ framing: HTTPBodyFraming, _ input: [UInt8], pieces: [Int]) throws -> (payload: [UInt8], consumed: Int, complete: Bool, trailers: String?) {
        var framer = HTTPBodyFramer(framing: framing, isRequest: false)
        var buffer = ByteBuffer()
        var payload: [UInt8] = []
        var consumed = 0
        var offset = 0
        for size in pieces {
            buffer.writeBytes(input[offset..<(offset + size)])
            offset += size
            let p = try framer.decode(buffer) { payload += $0 }
            buffer.moveReaderIndex(forwardBy: p.length)
            consumed += p.length
            if p.isComplete {
                var out = ByteBuffer()
                let trailers = framer.takeTrailers().map { t -> String in
                    HTTPBodyFramer.writeTrailers(t, into: &out)
                    return out.readString(length: out.readableBytes) ?? ""
                }
                return (payload, consumed, true, trailers)
            }
        }
        return (payload, consumed, false, nil)
    }

    func testPayloadAndTrailersSurviveAnySplit() throws {
        let body = "3\r\nabc\r\n10;ext=1\r\n0123456789abcdef\r\n1\nZ\n0\r\nX-Sum: 1 \r\ny:2\r\n\r\n"
        let input = Array((body + "NEXT").utf8)
        var splits: [[Int]] = [[input.count], Array(repeating: 1, count: input.count)]
        for _ in 0..<20 { splits.append(HTTPHeadParserTests.splits(input.count, random: &Self.random)) }
        for pieces in splits {
            let r = try decodeAll(.chunked, input, pieces: pieces)
            XCTAssertEqual(String(decoding: r.payload, as: UTF8.self), "abc0123456789abcdefZ", "\(pieces) seed \(Self.random.seed)")
            XCTAssertTrue(r.complete)
            XCTAssertEqual(r.consumed, body.utf8.count)
            XCTAssertEqual(r.trailers, "x-sum: 1\r\ny: 2\r\n", "\(pieces)")
        }
    }

    func testContentLengthPayloadStopsAtItsEnd() throws {
        let input = Array("hello worldGET".utf8)
        for pieces in [[input.count], Array(repeating: 1, count: input.count), [3, 9, 2]] {
            let r = try decodeAll(.contentLength(11), input, pieces: pieces)
            XCTAssertEqual(String(decoding: r.payload, as: UTF8.self), "hello world")
            XCTAssertTrue(r.complete)
            XCTAssertNil(r.trailers)
        }
    }
}

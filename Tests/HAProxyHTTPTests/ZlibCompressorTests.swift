import CZlib
import HAProxyConfig
import NIOCore
import XCTest

@testable import HAProxyHTTP

/// The encoder's output is HTTP/1.1 chunks whose payload zlib decodes
/// back to the input, for each wrapper.
final class ZlibCompressorTests: XCTestCase {
    /// De-chunks `body` (sizes in hex, CRLF framing, `0` then the empty
    /// line, which the tests write after `finish` as the stream does).
    private func dechunk(_ body: ByteBuffer, file: StaticString = #filePath, line: UInt = #line) -> [UInt8] {
        var b = body
        var out: [UInt8] = []
        while true {
            guard let sizeLine = b.readString(length: (b.readableBytesView.firstIndex(of: 0x0D) ?? b.readerIndex) - b.readerIndex),
                  let size = Int(sizeLine, radix: 16)
            else {
                XCTFail("bad chunk size", file: file, line: line)
                return out
            }
            b.moveReaderIndex(forwardBy: 2)
            if size == 0 {
                XCTAssertEqual(b.readString(length: b.readableBytes), "\r\n", file: file, line: line)
                return out
            }
            out += b.readBytes(length: size) ?? []
            XCTAssertEqual(b.readString(length: 2), "\r\n", file: file, line: line)
        }
    }

    private func inflate(_ data: [UInt8], windowBits: Int32) -> [UInt8]? {
        var stream = z_stream()
        guard inflateInit2_(&stream, windowBits, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else { return nil }
        defer { inflateEnd(&stream) }
        var input = data
        var out = [UInt8](repeating: 0, count: 1 << 20)
        let status = input.withUnsafeMutableBufferPointer { i in
            out.withUnsafeMutableBufferPointer { o in
                stream.next_in = i.baseAddress
                stream.avail_in = uInt(i.count)
                stream.next_out = o.baseAddress
                stream.avail_out = uInt(o.count)
                return CZlib.inflate(&stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END else { return nil }
        return Array(out[0..<Int(stream.total_out)])
    }

    func testEachWrapperDecodesBackToTheInput() throws {
        let input = Array((0..<40_000).map { UInt8(truncatingIfNeeded: $0 * 7 % 251) })
        for (algorithm, bits) in [(CompressionAlgorithm.gzip, Int32(31)), (.deflate, 15), (.rawDeflate, -15)] {
            let compressor = try XCTUnwrap(ZlibCompressor(algorithm: algorithm))
            var out = ByteBuffer()
            // In three runs, as a body arriving in several reads.
            for part in [input[0..<100], input[100..<20_000], input[20_000...]] {
                Array(part).withUnsafeBytes { compressor.compress($0, into: &out) }
            }
            compressor.finish(into: &out)
            out.writeString("0\r\n\r\n")
            let payload = dechunk(out)
            XCTAssertLessThan(payload.count, input.count, "\(algorithm)")
            XCTAssertEqual(inflate(payload, windowBits: bits), input, "\(algorithm)")
        }
    }

    func testEmptyBodyIsAValidStream() throws {
        let compressor = try XCTUnwrap(ZlibCompressor(algorithm: .gzip))
        var out = ByteBuffer()
        compressor.finish(into: &out)
        out.writeString("0\r\n\r\n")
        XCTAssertEqual(inflate(dechunk(out), windowBits: 31), [])
    }

    func testIdentityOnlyRechunks() throws {
        let compressor = try XCTUnwrap(ZlibCompressor(algorithm: .identity))
        var out = ByteBuffer()
        Array("hello".utf8).withUnsafeBytes { compressor.compress($0, into: &out) }
        compressor.finish(into: &out)
        out.writeString("0\r\n\r\n")
        XCTAssertEqual(out.readString(length: out.readableBytes), "5\r\nhello\r\n0\r\n\r\n")
    }
}

import CZlib
import HAProxyConfig
import NIOCore

/// Encodes one response body with Debian's zlib for `compression algo`,
/// writing it as HTTP/1.1 chunks.
///
/// gzip, deflate (zlib format) and raw-deflate are zlib's deflate with
/// its three wrappers; identity passes the bytes through unchanged (the
/// manual's debugging algorithm: the body is only re-chunked). Each input
/// run is flushed (`Z_SYNC_FLUSH`) so that a body streamed slowly reaches
/// the client as it comes rather than at its end. The level is
/// `tune.comp.maxlevel` (1 by default, as in 2.6).
public final class ZlibCompressor {
    /// zlib's version this build was compiled against and the one loaded.
    public static let builtVersion = ZLIB_VERSION
    public static var runningVersion: String { String(cString: zlibVersion()) }

    public let algorithm: CompressionAlgorithm
    private let stream: UnsafeMutablePointer<z_stream>?
    /// Where deflate writes before the bytes are framed as a chunk; kept
    /// for the whole body.
    private var scratch: UnsafeMutableRawBufferPointer
    private var finished = false
    /// Bytes given to the encoder and the encoded bytes it produced
    /// (chunk framing not counted).
    public private(set) var bytesIn: UInt64 = 0
    public private(set) var bytesOut: UInt64 = 0

    /// - Returns: nil when zlib cannot set up a stream (out of memory).
    public init?(algorithm: CompressionAlgorithm, level: Int32 = 1) {
        self.algorithm = algorithm
        let windowBits: Int32
        switch algorithm {
        case .identity:
            stream = nil
            scratch = UnsafeMutableRawBufferPointer(start: nil, count: 0)
            return
        case .gzip: windowBits = 15 + 16
        case .deflate: windowBits = 15
        case .rawDeflate: windowBits = -15
        }
        let s = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        s.initialize(to: z_stream())
        guard czlib_deflate_init(s, level, windowBits) == Z_OK else {
            s.deinitialize(count: 1)
            s.deallocate()
            return nil
        }
        stream = s
        scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 16384, alignment: 1)
    }

    deinit {
        if let stream {
            deflateEnd(stream)
            stream.deinitialize(count: 1)
            stream.deallocate()
            scratch.deallocate()
        }
    }

    /// Encodes `input` and appends what comes out as one chunk (none when
    /// nothing does).
    public func compress(_ input: UnsafeRawBufferPointer, into out: inout ByteBuffer) {
        guard !input.isEmpty, !finished else { return }
        bytesIn &+= UInt64(input.count)
        guard stream != nil else {
            bytesOut &+= UInt64(input.count)
            Self.writeChunk(input, into: &out)
            return
        }
        run(input, flush: Z_SYNC_FLUSH, into: &out)
    }

    /// Ends the encoded body (its trailer: gzip's CRC and length, zlib's
    /// Adler-32) as one more chunk; the caller writes the last chunk (`0`),
    /// the message's trailers and the empty line.
    public func finish(into out: inout ByteBuffer) {
        if !finished, stream != nil {
            run(UnsafeRawBufferPointer(start: nil, count: 0), flush: Z_FINISH, into: &out)
        }
        finished = true
    }

    private func run(_ input: UnsafeRawBufferPointer, flush: Int32, into out: inout ByteBuffer) {
        guard let stream else { return }
        stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.pointee.avail_in = uInt(input.count)
        // One chunk for the whole run: its size is written once known.
        var produced = 0
        let sizeAt = out.writerIndex
        out.writeStaticString("0000000\r\n")
        repeat {
            stream.pointee.next_out = scratch.baseAddress!.assumingMemoryBound(to: Bytef.self)
            stream.pointee.avail_out = uInt(scratch.count)
            let status = deflate(stream, flush)
            let n = scratch.count - Int(stream.pointee.avail_out)
            if n > 0 {
                out.writeBytes(UnsafeRawBufferPointer(rebasing: scratch[0..<n]))
                produced += n
            }
            if status == Z_STREAM_END || status == Z_BUF_ERROR { break }
            if status != Z_OK { break }
        } while stream.pointee.avail_out == 0 || stream.pointee.avail_in > 0
        stream.pointee.next_in = nil
        if produced == 0 {
            out.moveWriterIndex(to: sizeAt)
            return
        }
        bytesOut &+= UInt64(produced)
        // The size field is fixed-width (leading zeros are valid chunk-size digits).
        Self.writeFixedHex(produced, at: sizeAt, in: &out)
        out.writeStaticString("\r\n")
    }

    static func writeChunk(_ data: UnsafeRawBufferPointer, into out: inout ByteBuffer) {
        out.reserveCapacity(minimumWritableBytes: data.count + 24)
        HTTPBodyFramer.writeHex(data.count, into: &out)
        out.writeStaticString("\r\n")
        out.writeBytes(data)
        out.writeStaticString("\r\n")
    }

    /// Writes `value` as 7 hex digits over the placeholder at `index`.
    private static func writeFixedHex(_ value: Int, at index: Int, in out: inout ByteBuffer) {
        let digits: StaticString = "0123456789ABCDEF"
        for i in 0..<7 {
            let digit = (value >> ((6 - i) * 4)) & 0xF
            out.setInteger(digits.utf8Start[digit], at: index + i)
        }
    }
}

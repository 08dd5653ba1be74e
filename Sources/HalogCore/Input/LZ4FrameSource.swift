import CLZ4

/// Decompresses LZ4 frames (as written by `lz4` and by logrotate's
/// `compresscmd /usr/bin/lz4`) while reading them.
///
/// Streaming: compressed bytes are read into a fixed 256 KiB buffer and
/// `LZ4F_decompress` writes straight into the caller's buffer, so a file of
/// any size is decoded in constant memory. Concatenated frames are followed
/// (LZ4F_decompress starts a new frame after a frame's end mark).
public struct LZ4FrameSource: ByteSource {
    private var upstream: any ByteSource
    private let context: Context
    private var input: UnsafeMutableRawBufferPointer
    private var inputStart = 0
    private var inputEnd = 0
    private var upstreamDone = false
    /// True between frames, when ending the input there is not an error.
    private var atFrameBoundary = true

    /// Owns the decompression context and the input buffer.
    private final class Context {
        let dctx: OpaquePointer
        let buffer: UnsafeMutableRawBufferPointer
        init(dctx: OpaquePointer, size: Int) {
            self.dctx = dctx
            self.buffer = .allocate(byteCount: size, alignment: 16)
        }
        deinit {
            LZ4F_freeDecompressionContext(dctx)
            buffer.deallocate()
        }
    }

    /// - Parameters:
    ///   - upstream: the compressed bytes.
    ///   - prefix: bytes already read from `upstream` (the sniffed magic).
    public init(upstream: any ByteSource, prefix: [UInt8] = []) throws {
        var dctx: OpaquePointer?
        let rc = LZ4F_createDecompressionContext(&dctx, UInt32(LZ4F_VERSION))
        guard LZ4F_isError(rc) == 0, let dctx else { throw HalogError.lz4("cannot create a decompression context") }
        self.upstream = upstream
        self.context = Context(dctx: dctx, size: max(256 * 1024, prefix.count))
        self.input = context.buffer
        if !prefix.isEmpty {
            prefix.withUnsafeBytes { input.copyMemory(from: $0) }
            inputEnd = prefix.count
        }
    }

    public mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            if inputStart == inputEnd && !upstreamDone {
                inputStart = 0
                inputEnd = try upstream.read(into: input)
                if inputEnd == 0 { upstreamDone = true }
            }
            if inputStart == inputEnd && upstreamDone {
                if !atFrameBoundary { throw HalogError.lz4("truncated frame") }
                return 0
            }
            var dstSize = buffer.count
            var srcSize = inputEnd - inputStart
            let hint = LZ4F_decompress(context.dctx, buffer.baseAddress, &dstSize,
                                       input.baseAddress! + inputStart, &srcSize, nil)
            if LZ4F_isError(hint) != 0 {
                throw HalogError.lz4(String(cString: LZ4F_getErrorName(hint)))
            }
            inputStart += srcSize
            atFrameBoundary = hint == 0
            if dstSize > 0 { return dstSize }
        }
    }
}

extension LZ4FrameSource {
    /// The first four bytes of an LZ4 frame, 0x184D2204 little-endian.
    public static let magic: [UInt8] = [0x04, 0x22, 0x4D, 0x18]
}

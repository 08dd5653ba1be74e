#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Splits a byte source into lines without copying them.
///
/// Lines are handed out as buffer slices (without the `\n`) that stay valid
/// only during the callback. The buffer is fixed (1 MiB) and grows only for
/// a line longer than itself; a partial line at the end of a fill is moved
/// to the front before the next read, as in NIO's LineBasedFrameDecoder
/// which remembers where its last scan stopped.
public struct LineReader {
    private var source: any ByteSource
    private var buffer: UnsafeMutableRawBufferPointer

    public init(source: any ByteSource, bufferSize: Int = 1 << 20) {
        self.source = source
        self.buffer = .allocate(byteCount: bufferSize, alignment: 16)
    }

    /// Calls `body` for every line; `body` returns false to stop early.
    public mutating func forEachLine(_ body: (UnsafeBufferPointer<UInt8>) -> Bool) throws {
        defer { buffer.deallocate() }
        var start = 0     // first byte of the pending line
        var end = 0       // end of valid bytes
        while true {
            if end == buffer.count {
                if start > 0 {
                    let pending = end - start
                    buffer.baseAddress!.copyMemory(from: buffer.baseAddress! + start, byteCount: pending)
                    start = 0
                    end = pending
                } else {
                    let bigger = UnsafeMutableRawBufferPointer.allocate(byteCount: buffer.count * 2, alignment: 16)
                    bigger.baseAddress!.copyMemory(from: buffer.baseAddress!, byteCount: end)
                    buffer.deallocate()
                    buffer = bigger
                }
            }
            let n = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[end...]))
            let base = buffer.baseAddress!.assumingMemoryBound(to: UInt8.self)
            if n == 0 {
                if end > start {
                    _ = body(UnsafeBufferPointer(start: base + start, count: end - start))
                }
                return
            }
            var scan = end
            end += n
            while scan < end {
                guard let nl = memchr(base + scan, 0x0A, end - scan) else { break }
                let pos = UnsafeMutablePointer<UInt8>(nl.assumingMemoryBound(to: UInt8.self)) - base
                if !body(UnsafeBufferPointer(start: base + start, count: pos - start)) { return }
                start = pos + 1
                scan = start
            }
            if start == end { start = 0; end = 0 }
        }
    }
}

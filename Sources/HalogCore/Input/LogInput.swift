#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Opens a log for reading: a path (or "-" and nil for standard input),
/// decompressed when it ends in `.lz4` or starts with the LZ4 frame magic.
public enum LogInput {
    public static func open(path: String?) throws -> any ByteSource {
        var fd: Int32 = 0
        if let path, path != "-" {
            fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
            if fd < 0 { throw HalogError.open(path: path, errno: errno) }
        }
        return try sniff(FileDescriptorSource(fd: fd), forceLZ4: path?.hasSuffix(".lz4") ?? false)
    }

    /// Reads the first bytes of `source` and wraps it in an LZ4 decoder
    /// when they are the frame magic (or when `forceLZ4`).
    public static func sniff(_ source: any ByteSource, forceLZ4: Bool = false) throws -> any ByteSource {
        var source = source
        var head = [UInt8](repeating: 0, count: 4)
        var got = 0
        while got < 4 {
            let n = try head.withUnsafeMutableBytes { buf in
                try source.read(into: UnsafeMutableRawBufferPointer(rebasing: buf[got...]))
            }
            if n == 0 { break }
            got += n
        }
        head.removeSubrange(got...)
        if forceLZ4 || head == LZ4FrameSource.magic {
            return try LZ4FrameSource(upstream: source, prefix: head)
        }
        return PrefixedSource(prefix: head, upstream: source)
    }
}

/// Replays a few already-read bytes before the rest of a source.
struct PrefixedSource: ByteSource {
    var prefix: [UInt8]
    var upstream: any ByteSource

    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if !prefix.isEmpty {
            let n = min(prefix.count, buffer.count)
            prefix.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: n) }
            prefix.removeFirst(n)
            return n
        }
        return try upstream.read(into: buffer)
    }
}

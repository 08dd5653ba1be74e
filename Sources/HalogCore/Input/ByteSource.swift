#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Something that fills a caller's buffer with the next bytes of a log.
///
/// halog reads plain files, LZ4 frames and standard input the same way: the
/// line splitter asks for bytes and never sees where they came from.
public protocol ByteSource {
    /// Reads up to `buffer.count` bytes into `buffer`.
    /// - Returns: the number of bytes read, 0 at end of input.
    /// - Throws: `HalogError` on a read or decompression error.
    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
}

/// Errors that stop the analysis of an input.
public enum HalogError: Error, CustomStringConvertible {
    case open(path: String, errno: Int32)
    case read(errno: Int32)
    case lz4(String)

    public var description: String {
        switch self {
        case .open(let path, let e): return "cannot open \(path): \(String(cString: strerror(e)))"
        case .read(let e): return "read error: \(String(cString: strerror(e)))"
        case .lz4(let message): return "lz4: \(message)"
        }
    }
}

/// Plain bytes from a file descriptor (a file or standard input).
public struct FileDescriptorSource: ByteSource {
    public let fd: Int32

    public init(fd: Int32) { self.fd = fd }

    public mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if n >= 0 { return n }
            if errno == EINTR { continue }
            throw HalogError.read(errno: errno)
        }
    }
}

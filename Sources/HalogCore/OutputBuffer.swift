#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A buffered writer to a file descriptor; also collects into memory for
/// tests (fd < 0).
public final class OutputBuffer {
    private var bytes: [UInt8] = []
    public let fd: Int32
    public private(set) var collected: [UInt8] = []

    public init(fd: Int32) {
        self.fd = fd
        bytes.reserveCapacity(1 << 16)
    }

    @inline(__always)
    public func write(_ p: UnsafeBufferPointer<UInt8>) {
        bytes.append(contentsOf: p)
        if bytes.count >= 1 << 16 { flush() }
    }

    public func write(_ s: String) {
        bytes.append(contentsOf: s.utf8)
        if bytes.count >= 1 << 16 { flush() }
    }

    public func write<S: Sequence>(bytes s: S) where S.Element == UInt8 {
        bytes.append(contentsOf: s)
    }

    public func flush() {
        if fd < 0 {
            collected.append(contentsOf: bytes)
        } else {
            bytes.withUnsafeBytes { buf in
                var off = 0
                while off < buf.count {
                    let n = Glibc.write(fd, buf.baseAddress! + off, buf.count - off)
                    if n < 0 { if errno == EINTR { continue }; break }
                    off += n
                }
            }
        }
        bytes.removeAll(keepingCapacity: true)
    }

    public var text: String {
        flush()
        return String(decoding: collected, as: UTF8.self)
    }
}

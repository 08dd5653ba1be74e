#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes lines to an inherited descriptor (`stdout`, `stderr`, `fd@N`), one
/// write per line.
///
/// Pipes and sockets are switched to non-blocking so a stalled reader never
/// stalls the event loop: a line that does not fit is dropped and counted.
/// A partial write (only possible for lines above PIPE_BUF) counts as a
/// drop too, and a newline is written so the next line starts clean.
/// Terminals and regular files are written as they are, as HAProxy does.
public final class FDLogSink: LogSink, @unchecked Sendable {
    public let fd: Int32
    private let dropped: LogCounter
    private let lock = LogLock()
    private var closed = false

    public init(fd: Int32, dropped: LogCounter) {
        self.fd = fd
        self.dropped = dropped
        var st = stat()
        if fstat(fd, &st) == 0 {
            let type = st.st_mode & S_IFMT
            if type == S_IFIFO || type == S_IFSOCK {
                let flags = fcntl(fd, F_GETFL)
                if flags >= 0 { _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK) }
            }
        }
    }

    @discardableResult
    public func send(_ line: UnsafeRawBufferPointer) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard !closed else { dropped.increment(); return false }
        var n: Int
        repeat { n = write(fd, line.baseAddress, line.count) } while n < 0 && errno == EINTR
        if n == line.count { return true }
        dropped.increment()
        if n > 0 {
            var nl: UInt8 = 0x0A
            _ = write(fd, &nl, 1)
        }
        return false
    }

    /// The descriptor belongs to the process (stdout/stderr): left open.
    public func close() { lock.withLock { closed = true } }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The write end of the self-pipe; the only state a signal handler touches.
private var signalPipeWriteEnd: CInt = -1

/// Signals turned into bytes on a pipe (the self-pipe trick), for the master
/// process: its loop polls the read end with everything else and handles
/// signals outside any handler. Unlike dispatch sources it starts no thread,
/// so the master can still fork workers safely.
public final class SignalPipe {
    public let readEnd: CInt
    private let writeEnd: CInt

    public init() throws {
        var fds: [CInt] = [-1, -1]
        guard makePipe(&fds, nonBlocking: true) else {
            throw RuntimeError("[haproxy.main()] Cannot create the signal pipe (\(String(cString: strerror(errno)))).")
        }
        readEnd = fds[0]
        writeEnd = fds[1]
        signalPipeWriteEnd = writeEnd
    }

    /// Routes `signals` to the pipe.
    public func watch(_ signals: [Int32]) {
        for signo in signals {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { signo in
                let saved = errno
                var byte = UInt8(truncatingIfNeeded: signo)
                _ = write(signalPipeWriteEnd, &byte, 1)
                errno = saved
            }
            sigemptyset(&action.sa_mask)
            action.sa_flags = SA_RESTART
            sigaction(signo, &action, nil)
        }
        var set = sigset_t()
        sigemptyset(&set)
        for signo in signals { sigaddset(&set, signo) }
        sigprocmask(SIG_UNBLOCK, &set, nil)
    }

    /// Signals received since the last call, in order.
    public func drain() -> [Int32] {
        var received: [Int32] = []
        var buffer = [UInt8](repeating: 0, count: 64)
        while true {
            let n = read(readEnd, &buffer, buffer.count)
            if n <= 0 { break }
            received += buffer[0..<n].map { Int32($0) }
        }
        return received
    }

    /// In a freshly forked child: back to default dispositions, pipe closed.
    public func release(restoring signals: [Int32]) {
        for signo in signals { signal(signo, SIG_DFL) }
        close(readEnd)
        close(writeEnd)
        signalPipeWriteEnd = -1
    }
}

/// pipe(2) with flags set afterwards (Glibc's module does not export pipe2).
func makePipe(_ fds: inout [CInt], nonBlocking: Bool = false) -> Bool {
    guard pipe(&fds) == 0 else { return false }
    for fd in fds {
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        if nonBlocking { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
    }
    return true
}

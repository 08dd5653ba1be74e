#if canImport(Glibc)
import Glibc
#endif
import CEpoll
import NIOConcurrencyHelpers

/// A pipe carrying one direction of a relay from one socket to another
/// with splice(2): the bytes go from the source socket into the pipe and
/// from the pipe into the target socket inside the kernel, never copied
/// to the process (HAProxy's `option splice-*`).
///
/// Shared by the two connections: the source fills it, the target
/// empties it; the descriptors close when neither holds it any more.
public final class IOSplice {
    let readFD: CInt
    let writeFD: CInt
    /// Bytes in the pipe, not yet sent to the target.
    var bytes = 0
    let capacity: Int

    /// Pipes open now in the process (`show info` PipesUsed).
    public static var inUse: Int { opened.withLockedValue { $0 } }
    private static let opened = NIOLockedValueBox(0)

    init() throws {
        var fds: [CInt] = [0, 0]
        guard cepoll_pipe(&fds) == 0 else { throw SystemCallError(errno: errno, call: "pipe2") }
        readFD = fds[0]
        writeFD = fds[1]
        let size = cepoll_pipe_size(writeFD)
        capacity = size > 0 ? Int(size) : 65536
        Self.count(+1)
    }

    deinit {
        Glibc.close(readFD)
        Glibc.close(writeFD)
        Self.count(-1)
    }

    private static func count(_ delta: Int) {
        opened.withLockedValue { $0 += delta }
    }
}

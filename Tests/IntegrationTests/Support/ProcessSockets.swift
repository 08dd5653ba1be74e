import Foundation
import XCTest

/// An IPv4 TCP socket of a running process and the options tests check,
/// read from outside with pidfd_getfd(2) (the process is ours or 2.6).
struct ProcessSocket {
    let localPort: Int
    /// Nil for a listening socket.
    let peerPort: Int?
    let keepAlive: Int, keepCount: Int, keepIdle: Int, keepInterval: Int
    let quickAck: Int
}

extension IntegrationTestCase {
    /// Prints "local-port peer-port-or-0 SO_KEEPALIVE KEEPCNT KEEPIDLE
    /// KEEPINTVL TCP_QUICKACK" for every IPv4 TCP socket of process argv[1].
    private static let socketInspector = """
        import ctypes, os, socket, sys
        libc = ctypes.CDLL(None, use_errno=True)
        pid = int(sys.argv[1])
        pidfd = os.pidfd_open(pid)
        for name in os.listdir(f"/proc/{pid}/fd"):
            fd = libc.syscall(438, pidfd, int(name), 0)  # pidfd_getfd
            if fd < 0:
                continue
            try:
                s = socket.socket(fileno=fd)
            except OSError:
                os.close(fd)
                continue
            try:
                if s.type != socket.SOCK_STREAM or s.family != socket.AF_INET:
                    continue
                try:
                    peer = s.getpeername()[1]
                except OSError:
                    peer = 0
                g = s.getsockopt
                print(s.getsockname()[1], peer, g(socket.SOL_SOCKET, socket.SO_KEEPALIVE),
                      g(socket.IPPROTO_TCP, socket.TCP_KEEPCNT), g(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE),
                      g(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL), g(socket.IPPROTO_TCP, socket.TCP_QUICKACK))
            finally:
                s.detach()
                os.close(fd)
        """

    /// The IPv4 TCP sockets process `pid` holds now.
    func tcpSockets(of pid: Int32) throws -> [ProcessSocket] {
        let r = try runTool(Paths.python(), ["-c", Self.socketInspector, "\(pid)"], dir: tmp)
        XCTAssertEqual(r.status, 0, r.stderr)
        return r.stdout.split(separator: "\n").compactMap { line in
            let f = line.split(separator: " ").compactMap { Int($0) }
            guard f.count == 7 else { return nil }
            return ProcessSocket(
                localPort: f[0], peerPort: f[1] == 0 ? nil : f[1], keepAlive: f[2], keepCount: f[3], keepIdle: f[4],
                keepInterval: f[5], quickAck: f[6])
        }
    }
}

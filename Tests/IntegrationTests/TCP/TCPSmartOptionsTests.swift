import Foundation
import XCTest

/// `option tcp-smart-accept` (on by default in `mode http`) and `option
/// tcp-smart-connect`: TCP_QUICKACK off on the listening socket, and on a
/// server connection before its handshake, read from outside with
/// pidfd_getfd(2). The listeners are compared with Debian's 2.6 running the
/// same configuration.
final class TCPSmartOptionsTests: IntegrationTestCase {
    /// Prints "local-port peer-port-or-0 TCP_QUICKACK" for every IPv4 TCP
    /// socket of process argv[1].
    private static let inspector = """
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
                print(s.getsockname()[1], peer, s.getsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK))
            finally:
                s.detach()
                os.close(fd)
        """

    /// TCP_QUICKACK of `pid`'s sockets: listeners by port, connections by peer port.
    private func quickAck(pid: Int32) throws -> (listeners: [Int: Int], peers: [Int: Int]) {
        let r = try runTool(Paths.python(), ["-c", Self.inspector, "\(pid)"], dir: tmp)
        XCTAssertEqual(r.status, 0, r.stderr)
        var listeners: [Int: Int] = [:], peers: [Int: Int] = [:]
        for line in r.stdout.split(separator: "\n") {
            let f = line.split(separator: " ").compactMap { Int($0) }
            guard f.count == 3 else { continue }
            if f[1] == 0 { listeners[f[0]] = f[2] } else { peers[f[1]] = f[2] }
        }
        return (listeners, peers)
    }

    private func listenersConfig(_ p: [Int]) -> String {
        """
        defaults
            timeout connect 2s
            timeout client 10s
            timeout server 10s

        frontend http_default
            mode http
            bind 127.0.0.1:\(p[0])
            default_backend be_http

        frontend http_off
            mode http
            bind 127.0.0.1:\(p[1])
            no option tcp-smart-accept
            default_backend be_http

        frontend tcp_default
            mode tcp
            bind 127.0.0.1:\(p[2])
            default_backend be

        frontend tcp_on
            mode tcp
            bind 127.0.0.1:\(p[3])
            option tcp-smart-accept
            default_backend be

        backend be
            server s 127.0.0.1:9

        backend be_http
            mode http
            server s 127.0.0.1:9
        """
    }

    private func observeListeners(_ executable: String, label: String, environment: [String: String]?) throws -> [Int] {
        let ports = (0..<4).map { _ in Ports.free() }
        let file = try writeConfig(listenersConfig(ports), name: "\(label).cfg")
        let p = track(try ManagedProcess(label: label, executable: executable, arguments: ["-db", "-f", file.path],
                                         dir: tmp, environment: environment))
        defer { p.stop() }
        for port in ports { try Ports.waitUntilListening(port, timeout: 10, while: { p.isRunning }) }
        let found = try quickAck(pid: p.pid).listeners
        return ports.map { found[$0] ?? -1 }
    }

    func testListenersDelayTheirAcksAs26Does() throws {
        let ours = try observeListeners(haproxyPath, label: "ours", environment: nil)
        // HTTP by default, TCP when asked: quick ACKs off (0).
        XCTAssertEqual(ours, [0, 1, 1, 0])
        let root = NSHomeDirectory() + "/.cache/proxybench/ref"
        var env = ProcessInfo.processInfo.environment
        env["LD_LIBRARY_PATH"] = "\(root)/lib/x86_64-linux-gnu:\(root)/usr/lib/x86_64-linux-gnu"
        XCTAssertEqual(ours, try observeListeners(try referenceBinary(), label: "ref", environment: env))
    }

    /// The kernel takes the mode back once the handshake is done, so the
    /// option shows in the system calls: TCP_QUICKACK off on the server
    /// socket before its connect, only in the backend that asks for it.
    func testSmartConnectTurnsQuickAcksOffBeforeTheConnect() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/strace") else {
            throw XCTSkip("strace is not installed")
        }
        let on = try startBackend("on"), off = try startBackend("off")
        let ports = (on: Ports.free(), off: Ports.free())
        let file = try writeConfig(Self.defaultsHTTP + """
        listen smart
            bind 127.0.0.1:\(ports.on)
            option tcp-smart-connect
            server s 127.0.0.1:\(on.port)

        listen plain
            bind 127.0.0.1:\(ports.off)
            server s 127.0.0.1:\(off.port)
        """)
        let trace = tmp.appendingPathComponent("trace.txt")
        let p = track(try ManagedProcess(
            label: "traced", executable: "/usr/bin/strace",
            arguments: ["-f", "-e", "trace=setsockopt,connect", "-o", trace.path, haproxyPath, "-db", "-f", file.path],
            dir: tmp))
        defer { p.stop() }
        for port in [ports.on, ports.off] {
            try Ports.waitUntilListening(port, timeout: 10, while: { p.isRunning })
            XCTAssertEqual(try HTTPClient.get(port: port).status, 200)
        }
        var lines: [Substring] = []
        try waitUntil("both connects are traced") {
            lines = (try? String(contentsOf: trace, encoding: .utf8))?.split(separator: "\n") ?? []
            return lines.contains { $0.contains("htons(\(on.port))") } && lines.contains { $0.contains("htons(\(off.port))") }
        }
        // The descriptor of each server's connect, and whether that
        // descriptor had TCP_QUICKACK set to 0 on the line before.
        func quickAckOffBeforeConnect(to port: Int) -> Bool? {
            guard let i = lines.firstIndex(where: { $0.contains("connect(") && $0.contains("htons(\(port))") }),
                  let open = lines[i].range(of: "connect("),
                  let comma = lines[i][open.upperBound...].firstIndex(of: ",")
            else { return nil }
            let fd = lines[i][open.upperBound..<comma]
            return lines[..<i].contains { $0.contains("setsockopt(\(fd), SOL_TCP, TCP_QUICKACK, [0]") }
        }
        XCTAssertEqual(quickAckOffBeforeConnect(to: on.port), true)
        XCTAssertEqual(quickAckOffBeforeConnect(to: off.port), false)
    }
}

import Foundation
import XCTest

/// `option tcp-smart-accept` (on by default in `mode http`) and `option
/// tcp-smart-connect`: TCP_QUICKACK off on the listening socket (read from
/// outside, compared with Debian's 2.6 running the same configuration),
/// and on a server connection before its handshake.
final class TCPSmartOptionsTests: IntegrationTestCase {
    /// TCP_QUICKACK of `pid`'s listening sockets, by port.
    private func listenerQuickAcks(pid: Int32) throws -> [Int: Int] {
        var found: [Int: Int] = [:]
        for socket in try tcpSockets(of: pid) where socket.peerPort == nil { found[socket.localPort] = socket.quickAck }
        return found
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
        let p = try startProxy(
            config: listenersConfig(ports), ports: ports, executable: executable, environment: environment,
            name: "\(label).cfg")
        defer { p.stop() }
        let found = try listenerQuickAcks(pid: p.pid)
        return ports.map { found[$0] ?? -1 }
    }

    func testListenersDelayTheirAcksAs26Does() throws {
        let ours = try observeListeners(haproxyPath, label: "ours", environment: nil)
        // HTTP by default, TCP when asked: quick ACKs off (0).
        XCTAssertEqual(ours, [0, 1, 1, 0])
        let env = referenceEnvironment()
        XCTAssertEqual(ours, try observeListeners(try referenceBinary(), label: "ref", environment: env))
    }

    /// The kernel takes the mode back once the handshake is done, so the
    /// option shows in the system calls: TCP_QUICKACK off on the server
    /// socket before its connect, only in the backend that asks for it.
    func testSmartConnectTurnsQuickAcksOffBeforeTheConnect() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/strace") else {
            throw XCTSkip("strace is not installed")
        }
        guard try runTool("/usr/bin/strace", ["-o", "/dev/null", "/bin/true"], dir: tmp).status == 0 else {
            throw XCTSkip("this machine does not let strace trace (ptrace)")
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
        defer {
            // Stopping strace would detach the proxy and leave it running:
            // the proxy is stopped first, and strace ends with its tracee.
            let children = (try? String(contentsOfFile: "/proc/\(p.pid)/task/\(p.pid)/children", encoding: .utf8)) ?? ""
            for child in children.split(separator: " ").compactMap({ Int32($0) }) { kill(child, SIGTERM) }
            if !p.waitForExit(timeout: 10) { p.stop() }
        }
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

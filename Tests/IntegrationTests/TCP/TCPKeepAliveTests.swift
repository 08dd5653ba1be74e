import Foundation
import XCTest

/// `option clitcpka`/`srvtcpka`/`tcpka` and the `clitcpka-*`/`srvtcpka-*`
/// timers: SO_KEEPALIVE, TCP_KEEPCNT, TCP_KEEPIDLE and TCP_KEEPINTVL on the
/// proxy's own sockets, read from outside with pidfd_getfd(2), beside
/// Debian's 2.6 running the same configuration.
final class TCPKeepAliveTests: IntegrationTestCase {
    private struct Options: Equatable, CustomStringConvertible {
        let keepAlive: Int, count: Int, idle: Int, interval: Int
        var description: String { "keepalive=\(keepAlive) cnt=\(count) idle=\(idle) intvl=\(interval)" }
    }

    /// The options of `pid`'s socket whose local (or else peer) port is `port`.
    private func options(pid: Int32, local: Int? = nil, peer: Int? = nil) throws -> Options? {
        for socket in try tcpSockets(of: pid) {
            guard let peerPort = socket.peerPort else { continue }
            if let local, socket.localPort != local { continue }
            if let peer, peerPort != peer { continue }
            return Options(
                keepAlive: socket.keepAlive, count: socket.keepCount, idle: socket.keepIdle, interval: socket.keepInterval)
        }
        return nil
    }

    private func config(_ ports: (on: Int, off: Int), _ echoes: (on: Int, off: Int)) -> String {
        """
        defaults
            mode tcp
            timeout connect 2s
            timeout client 10s
            timeout server 10s

        listen on
            bind 127.0.0.1:\(ports.on)
            option clitcpka
            clitcpka-cnt 3
            clitcpka-idle 37
            clitcpka-intvl 1m
            option srvtcpka
            srvtcpka-cnt 4
            srvtcpka-idle 1500ms
            srvtcpka-intvl 500ms
            server echo 127.0.0.1:\(echoes.on)

        listen off
            bind 127.0.0.1:\(ports.off)
            clitcpka-cnt 3
            clitcpka-idle 37
            srvtcpka-cnt 4
            srvtcpka-idle 41
            server echo 127.0.0.1:\(echoes.off)
        """
    }

    /// The four sockets' options of one running proxy, with a connection
    /// open through each listen section.
    private func observe(
        _ executable: String, label: String, environment: [String: String]?,
        echoes: (on: Backend, off: Backend)
    ) throws -> [String: Options?] {
        let ports = (on: Ports.free(), off: Ports.free())
        let p = try startProxy(
            config: config(ports, (echoes.on.port, echoes.off.port)), ports: [ports.on, ports.off],
            executable: executable, environment: environment, name: "\(label).cfg")
        defer { p.stop() }
        var clients: [Conn] = []
        defer { clients.forEach { $0.close() } }
        for port in [ports.on, ports.off] {
            let c = try Conn(port: port, timeout: 5)
            clients.append(c)
            try c.send("ping\n")
            XCTAssertEqual(try c.read(exactly: 5), Data("ping\n".utf8))
        }
        return [
            "client on": try options(pid: p.pid, local: ports.on),
            "server on": try options(pid: p.pid, peer: echoes.on.port),
            "client off": try options(pid: p.pid, local: ports.off),
            "server off": try options(pid: p.pid, peer: echoes.off.port),
        ]
    }

    func testKeepAliveOptionsAndTimersReachTheSocketsAs26() throws {
        let echoes = (on: try startBackend("on", mode: "echo"), off: try startBackend("off", mode: "echo"))
        let ours = try observe(haproxyPath, label: "ours", environment: nil, echoes: echoes)
        // Seconds by default, rounded up; the timers apply only with the option.
        XCTAssertEqual(ours["client on"], Options(keepAlive: 1, count: 3, idle: 37, interval: 60))
        XCTAssertEqual(ours["server on"], Options(keepAlive: 1, count: 4, idle: 2, interval: 1))
        XCTAssertEqual(ours["client off"]??.keepAlive, 0)
        XCTAssertEqual(ours["server off"]??.keepAlive, 0)

        let env = referenceEnvironment()
        let reference = try observe(try referenceBinary(), label: "ref", environment: env, echoes: echoes)
        XCTAssertEqual(ours.mapValues { $0?.description }, reference.mapValues { $0?.description })
    }

    /// `option tcpka` turns both sides on, each where the proxy has it.
    func testTcpkaCoversBothSides() throws {
        let echo = try startBackend("echo", mode: "echo")
        let port = Ports.free()
        let p = try startProxy(config: """
        defaults
            mode tcp
            timeout connect 2s
            timeout client 10s
            timeout server 10s
            option tcpka
            clitcpka-idle 50
            srvtcpka-idle 70

        listen both
            bind 127.0.0.1:\(port)
            server echo 127.0.0.1:\(echo.port)
        """, ports: [port])
        let c = try Conn(port: port, timeout: 5)
        defer { c.close() }
        try c.send("ping\n")
        XCTAssertEqual(try c.read(exactly: 5), Data("ping\n".utf8))
        XCTAssertEqual(try options(pid: p.pid, local: port)?.idle, 50)
        XCTAssertEqual(try options(pid: p.pid, local: port)?.keepAlive, 1)
        XCTAssertEqual(try options(pid: p.pid, peer: echo.port)?.idle, 70)
        XCTAssertEqual(try options(pid: p.pid, peer: echo.port)?.keepAlive, 1)
    }
}

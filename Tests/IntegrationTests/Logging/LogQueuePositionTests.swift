import Foundation
import XCTest

/// `%sq/%bq` of `option tcplog` for connections that waited for a server
/// at its `maxconn 1`. HAProxy 2.6.12, same configuration and traffic,
/// logs for three connections arriving in turn: `0/0`, then `0/1` and
/// `0/2` when they waited in the backend's queue (`balance roundrobin`),
/// `1/0` and `2/0` when they waited in the server's own queue (a hash,
/// here `balance source`): the streams taken from that queue while one
/// waited, itself included; never the queue's length at log time.
final class LogQueuePositionTests: IntegrationTestCase {
    private func run(balance: String) throws -> [String] {
        let sock = tmp.appendingPathComponent("log-\(balance).sock").path
        let stats = tmp.appendingPathComponent("stats-\(balance).sock").path
        let receiver = try DatagramReceiver(unixPath: sock)
        defer { receiver.close() }
        let echo = try startBackend("e-\(balance)", mode: "echo")
        let port = Ports.free()
        try startProxy(config: """
        global
            log \(sock) format raw local0
            stats socket \(stats) level admin

        defaults
            mode tcp
            log global
            option tcplog
            timeout connect 2s
            timeout client 20s
            timeout server 20s
            timeout queue 20s

        listen l
            bind 127.0.0.1:\(port)
            balance \(balance)
            server s1 127.0.0.1:\(echo.port) maxconn 1

        """, ports: [port])
        func queued() throws -> Int {
            try StatsSocket.command(stats, "show stat").split(separator: "\n").reduce(0) { total, line in
                let f = line.split(separator: ",", omittingEmptySubsequences: false)
                return total + (f.count > 2 && f[0] == "l" && f[1] != "FRONTEND" ? Int(f[2]) ?? 0 : 0)
            }
        }
        let first = try Conn(port: port, timeout: 20)
        try first.send("a")
        XCTAssertEqual(try first.read(exactly: 1), Data("a".utf8))
        var waiting: [Conn] = []
        for n in 1...2 {
            let c = try Conn(port: port, timeout: 20)
            try c.send("b")
            waiting.append(c)
            let deadline = Date().addingTimeInterval(10)
            while try queued() < n, Date() < deadline { usleep(20_000) }
            XCTAssertEqual(try queued(), n, "connection \(n) waits in a queue")
        }
        var ports: [Int] = []
        for c in [first] + waiting {
            if c !== first { XCTAssertEqual(try c.read(exactly: 1), Data("b".utf8)) }
            ports.append(c.localPort)
            c.shutdownWrite()
            _ = try c.readToEOF()
            c.close()
        }
        let lastPort = ports[2]
        let lines = try receiver.receive(until: { $0.contains("127.0.0.1:\(lastPort) [") }, timeout: 10, maxLines: 20)
        return try ports.map { p in
            let line = try XCTUnwrap(lines.first { $0.contains("127.0.0.1:\(p) [") }, "\(lines)")
            return String(try XCTUnwrap(line.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: " ").last))
        }
    }

    func testBackendQueuePositions() throws {
        XCTAssertEqual(try run(balance: "roundrobin"), ["0/0", "0/1", "0/2"])
    }

    func testServerQueuePositions() throws {
        XCTAssertEqual(try run(balance: "source"), ["0/0", "1/0", "2/0"])
    }
}

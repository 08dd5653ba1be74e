import Foundation
import XCTest

/// A `mode tcp` stream that finds no server (all in maintenance, all down,
/// none at all): 2.6.12, with the same configuration and client, reads what
/// the client already sent and closes with a FIN, never a reset; it logs
/// `<NOSRV> -1/-1/0 0 SC`, and the backend whose last server went down
/// counts it in `chkdown` (one that started in maintenance does not).
final class TCPNoServerCloseTests: IntegrationTestCase {
    func testClientThatAlreadySentDataGetsAFinNotAReset() throws {
        let log = try DatagramReceiver()
        defer { log.close() }
        let maint = Ports.free(), down = Ports.free(), none = Ports.free(), closed = Ports.free()
        let socket = tmp.appendingPathComponent("admin.sock").path
        try startProxy(config: """
        global
            stats socket \(socket) level admin

        defaults
            mode tcp
            log 127.0.0.1:\(log.udpPort) local0
            option tcplog
            timeout connect 2s
            timeout client 10s
            timeout server 10s

        listen maint
            bind 127.0.0.1:\(maint)
            server s1 127.0.0.1:\(closed) disabled

        listen down
            bind 127.0.0.1:\(down)
            server s1 127.0.0.1:\(closed) check inter 100ms

        listen none
            bind 127.0.0.1:\(none)

        """, ports: [maint, down, none])
        try waitUntil("down/s1 is down") {
            StatsCSV.rows(try StatsSocket.command(socket, "show stat"), proxy: "down")["s1"]?["status"] == "DOWN"
        }
        for (name, port) in [("maint", maint), ("down", down), ("none", none)] {
            // Sent at once after the connect: the bytes are in the proxy's
            // socket before it decides, which a plain close would reset.
            for round in 0..<5 {
                let c = try Conn(port: port)
                defer { c.close() }
                try c.send("hello\n")
                c.setTimeout(5)
                XCTAssertEqual(try c.fill(), 0, "\(name) round \(round): the connection ends with a FIN")
                let line = try XCTUnwrap(log.receive(until: { $0.contains(" \(name) \(name)/") }).last)
                XCTAssertTrue(line.contains(" \(name) \(name)/<NOSRV> -1/-1/0 0 SC "), line)
            }
        }
        let csv = try StatsSocket.command(socket, "show stat")
        XCTAssertEqual(StatsCSV.rows(csv, proxy: "down")["BACKEND"]?["chkdown"], "1")
        XCTAssertEqual(StatsCSV.rows(csv, proxy: "maint")["BACKEND"]?["chkdown"], "0")
        XCTAssertEqual(StatsCSV.rows(csv, proxy: "none")["BACKEND"]?["chkdown"], "0")
        XCTAssertEqual(StatsCSV.rows(csv, proxy: "down")["BACKEND"]?["econ"], "5")
    }
}

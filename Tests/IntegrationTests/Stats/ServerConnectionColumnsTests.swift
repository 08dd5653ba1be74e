import Foundation
import XCTest

/// `show stat`'s server connection columns after keep-alive requests, as
/// 2.6.12 reports them with the same configuration and clients (recorded
/// side by side, one thread): `srv_icur` the idle connections in the
/// server's pool, split into `idle_conn_cur` (never reused) and
/// `safe_conn_cur` (reused), `used_conn_cur` those in use, `need_conn_est`
/// the estimate of those needed; the pool keeps no more than the estimate,
/// so `http-reuse safe` ends with one safe connection, not one per client.
final class ServerConnectionColumnsTests: IntegrationTestCase {
    func testIdlePoolColumnsFollowTheReuseMode() throws {
        let server = try startBackend("one")
        let socket = tmp.appendingPathComponent("admin.sock").path
        let modes = ["safe", "always", "never"]
        var ports: [String: Int] = [:]
        for mode in modes { ports[mode] = Ports.free() }
        try startProxy(config: """
        global
            nbthread 1
            stats socket \(socket) level admin

        """ + Self.defaultsHTTP + modes.map { mode in """
        listen \(mode)
            bind 127.0.0.1:\(ports[mode]!)
            http-reuse \(mode)
            server s1 127.0.0.1:\(server.port)

        """ }.joined(), ports: Array(ports.values))
        let columns = ["srv_icur", "idle_conn_cur", "safe_conn_cur", "used_conn_cur", "need_conn_est", "connect", "reuse"]
        func expect(_ stage: String, _ wanted: [String: String]) throws {
            // The last response is out before its connection is parked:
            // wait until the pool holds what 2.6 shows, then compare all.
            var rows: [String: String] = [:]
            try? waitUntil("\(stage): the columns settle", timeout: 5) {
                let csv = try StatsSocket.command(socket, "show stat")
                for mode in modes {
                    let row = StatsCSV.rows(csv, proxy: mode)["s1"] ?? [:]
                    rows[mode] = columns.map { row[$0] ?? "?" }.joined(separator: " ")
                }
                return rows == wanted
            }
            XCTAssertEqual(rows, wanted, stage)
        }
        func client(_ mode: String) throws -> Conn { try Conn(port: ports[mode]!) }
        func request(_ c: Conn) throws {
            try c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            XCTAssertEqual(try c.readResponse().status, 200)
        }
        try expect("before any request", ["safe": "0 0 0 0 0 0 0", "always": "0 0 0 0 0 0 0", "never": "0 0 0 0 0 0 0"])
        for mode in modes {
            let c = try client(mode)
            try request(c)
            c.close()
        }
        try expect("one request", ["safe": "1 1 0 0 1 1 0", "always": "1 1 0 0 1 1 0", "never": "0 0 0 0 1 1 0"])
        for mode in modes {
            let c = try client(mode)
            for _ in 0..<3 { try request(c) }
            c.close()
        }
        try expect("three more on a new client", ["safe": "1 0 1 0 1 2 2", "always": "1 0 1 0 1 1 3", "never": "0 0 0 0 1 2 2"])
        var held: [Conn] = []
        for mode in modes {
            let a = try client(mode), b = try client(mode)
            try request(a)
            try request(b)
            try request(a)
            try request(b)
            held += [a, b]
        }
        try expect("two clients in turn", ["safe": "1 0 1 0 1 4 4", "always": "1 0 1 0 1 1 7", "never": "0 0 0 0 1 4 4"])
        for c in held { c.close() }
    }
}

import Foundation
import XCTest

/// What 2.6.12 shows of the statistics services beside the counters (read
/// from it with the same configurations): the page's and the exporter's
/// answers are logged with `<STATS>` and `<PROMEX>` as the server, no
/// queue, connect or response time, and `LR--`; the `addr`, `cookie` and
/// `algo` columns are filled for operator and admin sockets and for a page
/// with `stats show-legends`, empty for a user-level socket and a page
/// without it.
final class StatsLegendsAndLogTests: IntegrationTestCase {
    func testServicesAreLoggedAsTheirApplets() throws {
        let log = try DatagramReceiver()
        defer { log.close() }
        let stats = Ports.free(), prom = Ports.free()
        try startProxy(config: """
        defaults
            mode http
            log 127.0.0.1:\(log.udpPort) local0
            option httplog
            timeout connect 2s
            timeout client 10s
            timeout server 10s

        listen stats
            bind 127.0.0.1:\(stats)
            stats enable
            stats uri /

        frontend prom
            bind 127.0.0.1:\(prom)
            http-request use-service prometheus-exporter if { path /metrics }
        """, ports: [stats, prom])
        XCTAssertEqual(try HTTPClient.get(port: stats, path: "/;csv").status, 200)
        let statsLine = try XCTUnwrap(log.receive(timeout: 5))
        // The timers after the request's own (%TR, a millisecond or more
        // on a slow build): no queue, connect or server time.
        XCTAssertNotNil(statsLine.range(of: #" stats stats/<STATS> \d+/0/0/0/"#, options: .regularExpression), statsLine)
        XCTAssertTrue(statsLine.contains(" 200 ") && statsLine.contains(" LR-- "), statsLine)
        XCTAssertEqual(try HTTPClient.get(port: prom, path: "/metrics").status, 200)
        let promLine = try XCTUnwrap(log.receive(timeout: 5))
        XCTAssertNotNil(promLine.range(of: #" prom prom/<PROMEX> \d+/0/0/0/"#, options: .regularExpression), promLine)
        XCTAssertTrue(promLine.contains(" LR-- "), promLine)
    }

    func testLegendColumnsFollowTheLevelAndShowLegends() throws {
        let b = try startBackend("b")
        let plain = Ports.free(), legends = Ports.free(), fe = Ports.free()
        let admin = tmp.appendingPathComponent("admin.sock").path
        let oper = tmp.appendingPathComponent("operator.sock").path
        let user = tmp.appendingPathComponent("user.sock").path
        try startProxy(config: """
        global
            stats socket \(admin) level admin
            stats socket \(oper) level operator
            stats socket \(user) level user

        defaults
            mode http
            timeout connect 2s
            timeout client 10s
            timeout server 10s

        frontend fe
            bind 127.0.0.1:\(fe)
            default_backend be

        backend be
            balance leastconn
            cookie SRV insert indirect
            server s1 127.0.0.1:\(b.port) cookie a

        listen plain
            bind 127.0.0.1:\(plain)
            stats enable
            stats uri /

        listen legends
            bind 127.0.0.1:\(legends)
            stats enable
            stats uri /
            stats show-legends
        """, ports: [fe, plain, legends])
        func legendColumns(_ csv: String) -> [String] {
            let rows = StatsCSV.rows(csv, proxy: "be")
            return [rows["s1"]?["addr"], rows["s1"]?["cookie"], rows["BACKEND"]?["cookie"], rows["BACKEND"]?["algo"]]
                .map { $0 ?? "?" }
        }
        let shown = ["127.0.0.1:\(b.port)", "a", "SRV", "leastconn"]
        let hidden = ["", "", "", ""]
        XCTAssertEqual(legendColumns(LifecycleHarness.unixCommand(admin, "show stat") ?? ""), shown)
        XCTAssertEqual(legendColumns(LifecycleHarness.unixCommand(oper, "show stat") ?? ""), shown)
        XCTAssertEqual(legendColumns(LifecycleHarness.unixCommand(user, "show stat") ?? ""), hidden)
        XCTAssertEqual(legendColumns(String(decoding: try HTTPClient.get(port: legends, path: "/;csv").body, as: UTF8.self)), shown)
        XCTAssertEqual(legendColumns(String(decoding: try HTTPClient.get(port: plain, path: "/;csv").body, as: UTF8.self)), hidden)
    }
}

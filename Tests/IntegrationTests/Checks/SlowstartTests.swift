import Foundation
import XCTest

/// `slowstart`: a server that comes back up (its check passes again, or
/// `enable server` after maintenance) takes its weight and its maxconn
/// linearly from 1 to full over that time; not when the proxy starts.
/// What the statistics show meanwhile (the ramping `weight`, `throttle`,
/// `show servers state` STARTING with the user weight unchanged) is what
/// HAProxy 2.6.12 shows.
final class SlowstartTests: IntegrationTestCase {
    private var statsSocket: String { tmp.appendingPathComponent("admin.sock").path }
    private var port = 0

    private func start(_ lines: String) throws -> ManagedProcess {
        port = Ports.free()
        return try startProxy(config: """
        global
            stats socket \(statsSocket) level admin

        defaults
            mode http
            timeout connect 2s
            timeout client 10s
            timeout server 10s
            timeout queue 10s

        frontend fe
            bind 127.0.0.1:\(port)
            stats uri /st
            default_backend be

        backend be
        \(lines)

        """, ports: [port])
    }

    private func cli(_ command: String) throws -> String {
        try XCTUnwrap(LifecycleHarness.unixCommand(statsSocket, command))
    }

    /// `show stat` row of `be`'s server `name`.
    private func stat(_ name: String) throws -> [String: String] {
        let text = try cli("show stat")
        return try XCTUnwrap(StatsCSV.rows(text, proxy: "be")[name], text)
    }

    /// `show servers state` columns of `name`: srv_op_state, srv_uweight, srv_iweight.
    private func serversState(_ name: String) throws -> [String] {
        let text = try cli("show servers state be")
        let line = try XCTUnwrap(text.split(separator: "\n").first { $0.split(separator: " ").dropFirst(3).first == Substring(name) }, text)
        let f = line.split(separator: " ").map(String.init)
        return [f[5], f[7], f[8]]
    }

    /// s1 (slowstart 3s, weight 100, checked) and s2 (weight 100): full
    /// weight at start; after s1's check fails and passes again, its
    /// weight starts from almost nothing and takes few of the requests,
    /// its throttle counts up, `show servers state` says 1 (STARTING) with
    /// the user weight 100; at the end, full weight, state 2, no throttle.
    func testWeightRampsAfterTheServerComesBackUp() throws {
        let s1 = try startBackend("s1")
        let s2 = try startBackend("s2")
        var health = try CheckTargetServer()
        let healthPort = health.port
        defer { health.stop() }
        let proxy = try start("""
            balance roundrobin
            server s1 127.0.0.1:\(s1.port) weight 100 slowstart 3s check port \(healthPort) inter 100 fall 1 rise 1
            server s2 127.0.0.1:\(s2.port) weight 100
        """)
        // Not at start-up.
        XCTAssertEqual(try stat("s1")["weight"], "100")
        XCTAssertEqual(try stat("s1")["throttle"], "")
        XCTAssertEqual(try serversState("s1"), ["2", "100", "100"])

        health.stop()
        XCTAssertTrue(proxy.waitForOutput("Server be/s1 is DOWN", timeout: 5), proxy.stderr)
        health = try CheckTargetServer(port: healthPort)
        XCTAssertTrue(proxy.waitForOutput("Server be/s1 is UP", timeout: 5), proxy.stderr)

        var served = ["s1": 0, "s2": 0]
        for _ in 0..<30 { served[try HTTPClient.get(port: port).server, default: 0] += 1 }
        // Equal weights would give s1 15 of them.
        XCTAssertLessThan(served["s1"] ?? 0, 10, "\(served)")
        let ramping = try stat("s1")
        let weight = try XCTUnwrap(Int(ramping["weight"] ?? ""), "\(ramping)")
        XCTAssertTrue((1..<100).contains(weight), "\(ramping)")
        XCTAssertNotNil(Int(ramping["throttle"] ?? ""), "\(ramping)")
        XCTAssertEqual(try serversState("s1"), ["1", "100", "100"])
        XCTAssertTrue(try cli("get weight be/s1").hasPrefix("100 (initial 100)\n"))

        // (The weight, rounded up, may reach 100 a step before the end.)
        try waitUntil("s1 at full speed", timeout: 10) { try serversState("s1")[0] == "2" }
        XCTAssertEqual(try stat("s1")["throttle"], "")
        XCTAssertEqual(try stat("s1")["weight"], "100")
        XCTAssertEqual(try serversState("s1"), ["2", "100", "100"])
        XCTAssertEqual(try stat("BACKEND")["weight"], "200")
    }

    /// `default-server slowstart 20s`, maxconn 10: right after `enable
    /// server` the server takes one connection at a time (maxconn grows
    /// from 1); the others wait in the backend's queue. A server without
    /// slowstart would take all three. The statistics page shows the
    /// throttle.
    func testMaxconnStartsFromOneAfterMaintenance() throws {
        let s1 = try startBackend("s1")
        try start("""
            default-server slowstart 20s
            server s1 127.0.0.1:\(s1.port) maxconn 10
        """)
        _ = try cli("disable server be/s1")
        _ = try cli("enable server be/s1")
        XCTAssertEqual(try serversState("s1")[0], "1")
        // The statistics page's Thrtle column, "N %" as 2.6 writes it.
        let page = try HTTPClient.get(port: port, path: "/st").text
        XCTAssertNotNil(page.range(of: #"<td class="?ac"?>[0-9]+ %</td>"#, options: .regularExpression), page)
        let port = self.port
        let group = DispatchGroup()
        for _ in 0..<3 {
            group.enter()
            Thread {
                _ = try? HTTPClient.get(port: port, path: "/slow?ms=1500")
                group.leave()
            }.start()
        }
        try waitUntil("three requests in") {
            (Int(try stat("s1")["scur"] ?? "") ?? 0) + (Int(try stat("BACKEND")["qcur"] ?? "") ?? 0) == 3
        }
        let row = try stat("s1")
        XCTAssertEqual(row["scur"], "1", "\(row)")
        XCTAssertEqual(try stat("BACKEND")["qcur"], "2")
        XCTAssertEqual(row["slim"], "10", "\(row)")
        XCTAssertEqual(group.wait(timeout: .now() + 15), .success)
    }
}

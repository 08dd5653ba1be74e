import Foundation
import XCTest

/// The admin form's other actions on the real binary, as Debian's 2.6
/// answers them (recorded): DRAIN, the health actions of a checked server
/// (force NOLB: out of load balancing until the next check that passes;
/// force DOWN: back after `rise` passing checks; force UP) with 2.6's
/// "changed from Web interface" messages, `set server ... health stopping`
/// on the CLI, and "Kill Sessions" closing a server's streams.
final class StatsAdminActionsTests: IntegrationTestCase {
    private var statsPort = 0, frontendPort = 0
    private var socket: String { tmp.appendingPathComponent("admin.sock").path }
    private var proxy: ManagedProcess!

    private func start(inter: String) throws {
        let a = try startBackend("a"), b = try startBackend("b")
        statsPort = Ports.free()
        frontendPort = Ports.free()
        proxy = try startProxy(config: """
        global
            stats socket \(socket) level admin
        \(Self.defaultsHTTP)
        frontend fe
            bind 127.0.0.1:\(frontendPort)
            default_backend be

        backend be
            server a 127.0.0.1:\(a.port) check inter \(inter)
            server b 127.0.0.1:\(b.port) check inter \(inter)

        listen stats
            bind 127.0.0.1:\(statsPort)
            stats enable
            stats uri /stats
            stats admin if TRUE
        """, ports: [statsPort, frontendPort])
        try waitUntil("both servers checked UP") { status("a") == "UP" && status("b") == "UP" }
    }

    private func status(_ server: String) -> String? {
        (try? StatsSocket.command(socket, "show stat")).flatMap { StatsCSV.rows($0, proxy: "be")[server]?["status"] }
    }

    private func post(_ form: String) throws -> String? {
        let c = try Conn(port: statsPort, timeout: 5)
        defer { c.close() }
        try c.send("POST /stats HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                   + "Content-Length: \(form.utf8.count)\r\nConnection: close\r\n\r\n\(form)")
        return try c.readResponse().header("location")
    }

    private func servers(_ n: Int) throws -> Set<String> {
        var seen = Set<String>()
        for _ in 0..<n { if let s = try HTTPClient.get(port: frontendPort, path: "/").header("x-server") { seen.insert(s) } }
        return seen
    }

    /// With checks every 2 s, the forced states are seen before the next
    /// check, then the checks bring the server back.
    func testHealthActionsLastUntilTheChecksSayOtherwise() throws {
        try start(inter: "2s")
        XCTAssertEqual(try post("s=a&action=hnolb&b=be"), "/stats;st=DONE")
        XCTAssertEqual(status("a"), "NOLB")
        XCTAssertTrue(try HTTPClient.get(port: statsPort, path: "/stats").text.contains("<tr class=\"active_nolb\">"))
        XCTAssertEqual(try servers(4), ["b"])
        XCTAssertTrue(proxy.waitForOutput("Server be/a is stopping, changed from Web interface. 1 active and 0 backup servers online."))
        try waitUntil("a UP after its next check", timeout: 15) { status("a") == "UP" }
        XCTAssertTrue(proxy.waitForOutput("Server be/a is UP, reason: Layer4 check passed"))

        XCTAssertEqual(try post("s=a&action=hdown&b=be"), "/stats;st=DONE")
        XCTAssertEqual(status("a"), "DOWN")
        XCTAssertEqual(try servers(4), ["b"])
        XCTAssertTrue(proxy.waitForOutput("Server be/a is DOWN, changed from Web interface. 1 active and 0 backup servers left."))
        try waitUntil("a UP after two passing checks", timeout: 15) { status("a") == "UP" }

        XCTAssertEqual(try post("s=a&action=hdown&b=be"), "/stats;st=DONE")
        XCTAssertEqual(try post("s=a&action=hrunn&b=be"), "/stats;st=DONE")
        XCTAssertEqual(status("a"), "UP")
        XCTAssertTrue(proxy.waitForOutput("Server be/a is UP, changed from Web interface."))

        _ = try StatsSocket.command(socket, "set server be/a health stopping")
        XCTAssertEqual(status("a"), "NOLB")
        XCTAssertTrue(proxy.waitForOutput("Server be/a is stopping, changed from CLI."))
        // `show servers state`: srv_op_state 3 (stopping), as 2.6 writes it.
        let state = try StatsSocket.command(socket, "show servers state be").split(separator: "\n")
            .first { $0.split(separator: " ").dropFirst(3).first == "a" }
        XCTAssertEqual(state?.split(separator: " ")[5], "3", state.map(String.init) ?? "no line for a")
        _ = try StatsSocket.command(socket, "set server be/a health up")
        XCTAssertEqual(status("a"), "UP")
    }

    /// DRAIN and back to READY; "Kill Sessions" ends a's stream in flight.
    func testDrainAndKillSessions() throws {
        try start(inter: "1s")
        XCTAssertEqual(try post("s=a&action=drain&b=be"), "/stats;st=DONE")
        XCTAssertEqual(status("a"), "DRAIN")
        XCTAssertTrue(try HTTPClient.get(port: statsPort, path: "/stats").text.contains("<tr class=\"active_draining\">"))
        XCTAssertEqual(try servers(4), ["b"])
        XCTAssertEqual(try post("s=b&action=maint&b=be"), "/stats;st=DONE")
        XCTAssertEqual(try post("s=a&action=ready&b=be"), "/stats;st=DONE")

        // A slow request held by a, then its sessions killed.
        let c = try Conn(port: frontendPort, timeout: 10)
        defer { c.close() }
        try c.send("GET /slow?ms=8000 HTTP/1.1\r\nHost: x\r\n\r\n")
        try waitUntil("a holds the request") {
            StatsCSV.rows(try StatsSocket.command(socket, "show stat"), proxy: "be")["a"]?["scur"] == "1"
        }
        let started = Date()
        XCTAssertEqual(try post("s=a&action=shutdown&b=be"), "/stats;st=DONE")
        // 2.6 answers the killed request with its 502.
        XCTAssertEqual(try c.readResponse().status, 502)
        XCTAssertLessThan(Date().timeIntervalSince(started), 6, "closed before the server answered")
        try waitUntil("a has no session left") {
            StatsCSV.rows(try StatsSocket.command(socket, "show stat"), proxy: "be")["a"]?["scur"] == "0"
        }
    }
}

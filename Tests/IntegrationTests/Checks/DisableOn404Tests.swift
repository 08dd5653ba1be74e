import Foundation
import XCTest

/// `http-check disable-on-404`, as Debian's 2.6.12 behaves (recorded with
/// the same kind of configuration, its stderr and `show stat`): a running
/// server whose check gets a 404 is NOLB (`L7OKC`, out of the load
/// balancing, "is stopping" told at notice level); a server that is down
/// stays down on a 404 (`L7STS`).
final class DisableOn404Tests: IntegrationTestCase {
    private func stat(_ socket: String, _ server: String) throws -> [String: String] {
        StatsCSV.rows(try StatsSocket.command(socket, "show stat"), proxy: "be")[server] ?? [:]
    }

    func testA404PutsARunningServerInNOLBAndKeepsADownOneDown() throws {
        let s1 = try startBackend("s1")
        let s2 = try startBackend("s2")
        let port = Ports.free()
        let socket = "\(tmp.path)/admin.sock"
        let proxy = try startProxy(config: """
        global
            stats socket \(socket) level admin
        \(Self.defaultsHTTP)
        frontend fe
            bind 127.0.0.1:\(port)
            default_backend be
        backend be
            option httpchk GET /status/404
            http-check disable-on-404
            server s1 127.0.0.1:\(s1.port) check inter 100 rise 1 fall 1
            server s2 127.0.0.1:\(s2.port)
        backend plain
            option httpchk GET /status/404
            server s3 127.0.0.1:\(s1.port) check inter 100 rise 1 fall 1
        """, ports: [port])

        try waitUntil("s1 is NOLB") { try stat(socket, "s1")["status"] == "NOLB" }
        let s1Row = try stat(socket, "s1")
        XCTAssertEqual([s1Row["check_status"], s1Row["check_code"]], ["L7OKC", "404"])
        XCTAssertTrue(proxy.waitForOutput(
            "Server be/s1 is stopping, reason: Layer7 check conditionally passed, code: 404, check duration: ",
            timeout: 5), proxy.stderr)
        XCTAssertTrue(proxy.stderr.contains(". 1 active and 0 backup servers online. 0 sessions requeued, 0 total in queue."))
        // Out of the load balancing: every request goes to s2.
        for _ in 0..<4 { XCTAssertEqual(try HTTPClient.get(port: port).text, "s2\n") }
        // Without the option the same 404 is a failed check.
        try waitUntil("s3 is checked") {
            let plain = StatsCSV.rows(try StatsSocket.command(socket, "show stat"), proxy: "plain")["s3"] ?? [:]
            return plain["check_status"] != "INI"
        }
        let plain = StatsCSV.rows(try StatsSocket.command(socket, "show stat"), proxy: "plain")["s3"] ?? [:]
        XCTAssertEqual([plain["status"], plain["check_status"]], ["DOWN", "L7STS"])

        // A server that is down stays down on a 404.
        _ = try StatsSocket.command(socket, "set server be/s1 health down")
        try waitUntil("s1's next check after it was set down") {
            let row = try stat(socket, "s1")
            return row["check_status"] == "L7STS"
        }
        let down = try stat(socket, "s1")
        XCTAssertEqual([down["status"], down["check_status"], down["check_code"]], ["DOWN", "L7STS", "404"])
    }
}

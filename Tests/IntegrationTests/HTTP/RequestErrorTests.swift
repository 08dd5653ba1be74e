import Foundation
import XCTest

/// Requests that never complete, as HAProxy 2.6.12 treats them (read from
/// it with the same configuration): a connection closed before its first
/// request gets a 400 and is logged as `<BADREQ>` with `CR--`, one whose
/// request times out gets a 408 (`cR--`), a malformed head a 400
/// (`PR--`); each counts in the frontend's `ereq`, `req_tot` and
/// `hrsp_4xx`. `option http-ignore-probes` drops the empty connections
/// silently (a browser's pre-connect), not the partial requests.
final class RequestErrorTests: IntegrationTestCase {
    private var statsSocket: String { tmp.appendingPathComponent("admin.sock").path }

    func testIncompleteRequestsAreErrorsUnlessTheyAreProbes() throws {
        let b = try startBackend("b")
        let log = try DatagramReceiver()
        defer { log.close() }
        let counted = Ports.free()
        let ignored = Ports.free()
        try startProxy(config: """
        global
            stats socket \(statsSocket) level admin

        defaults
            mode http
            log 127.0.0.1:\(log.udpPort) local0
            option httplog
            timeout connect 2s
            timeout client 10s
            timeout server 10s
            timeout http-request 300ms

        frontend counted
            bind 127.0.0.1:\(counted)
            default_backend be

        frontend ignored
            bind 127.0.0.1:\(ignored)
            option http-ignore-probes
            default_backend be

        backend be
            server s1 127.0.0.1:\(b.port)
        """, ports: [counted, ignored])

        for port in [counted, ignored] {
            // Connected, then closed with nothing sent.
            let empty = try Conn(port: port)
            empty.shutdownWrite()
            let answer = String(decoding: try empty.readToEOF(), as: UTF8.self)
            XCTAssertEqual(answer.hasPrefix("HTTP/1.1 400"), port == counted, "port \(port): \(answer)")
            empty.close()
            // Connected, silent until the request timeout.
            let silent = try Conn(port: port)
            let late = String(decoding: try silent.readToEOF(), as: UTF8.self)
            XCTAssertEqual(late.hasPrefix("HTTP/1.1 408"), port == counted, "port \(port): \(late)")
            silent.close()
            // Half a request line, then the client's shutdown: never a probe.
            let partial = try Conn(port: port)
            try partial.send("GET /half HT")
            partial.shutdownWrite()
            XCTAssertTrue(String(decoding: try partial.readToEOF(), as: UTF8.self).hasPrefix("HTTP/1.1 400"))
            partial.close()
            // A malformed head.
            let bad = try Conn(port: port)
            try bad.send("GET / HTTP/1.1\r\nHost a\r\n\r\n")
            XCTAssertEqual(try bad.readResponse().status, 400)
            bad.close()
        }

        let csv = LifecycleHarness.unixCommand(statsSocket, "show stat") ?? ""
        let countedRow = try XCTUnwrap(StatsCSV.rows(csv, proxy: "counted")["FRONTEND"])
        let ignoredRow = try XCTUnwrap(StatsCSV.rows(csv, proxy: "ignored")["FRONTEND"])
        XCTAssertEqual(countedRow["ereq"], "4")
        XCTAssertEqual(countedRow["req_tot"], "4")
        XCTAssertEqual(countedRow["hrsp_4xx"], "4")
        XCTAssertEqual(ignoredRow["ereq"], "2")
        XCTAssertEqual(ignoredRow["req_tot"], "2")
        XCTAssertEqual(ignoredRow["hrsp_4xx"], "2")

        var lines: [String] = []
        while lines.count < 6, let line = log.receive(timeout: 5) { lines.append(line) }
        let terms = lines.map { line -> String in
            let fields = line.split(separator: " ")
            let frontend = fields.first { $0 == "counted" || $0 == "ignored" } ?? "?"
            let state = fields.first { $0.count == 4 && "cCP".contains($0.first!) && $0.hasSuffix("R--") } ?? "?"
            return "\(frontend) \(state) \(line.contains("\"<BADREQ>\"") ? "<BADREQ>" : "request")"
        }
        XCTAssertEqual(terms, [
            "counted CR-- <BADREQ>", "counted cR-- <BADREQ>", "counted CR-- <BADREQ>", "counted PR-- <BADREQ>",
            "ignored CR-- <BADREQ>", "ignored PR-- <BADREQ>",
        ], lines.joined(separator: "\n"))
    }
}

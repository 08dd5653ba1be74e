import Foundation
import XCTest

/// The counters of requests and responses the rules answered, as Debian's
/// 2.6.12 keeps them (recorded with the same configurations and requests
/// on its stats socket): a backend's rules count for the backend too.
final class RuleCountersTests: IntegrationTestCase {
    private func rows(_ socket: String, _ proxy: String) throws -> [String: [String: String]] {
        StatsCSV.rows(try StatsSocket.command(socket, "show stat"), proxy: proxy)
    }

    func testRequestsAnsweredByABackendsRulesCountForTheBackend() throws {
        let port = Ports.free()
        let socket = "\(tmp.path)/admin.sock"
        try startProxy(config: """
        global
            stats socket \(socket) level admin
        \(Self.defaultsHTTP)
        frontend fe
            bind 127.0.0.1:\(port)
            http-request deny if { path /fe }
            default_backend be
        backend be
            http-request deny if { path /be }
            http-request return status 200 if { path /ret }
            server s 127.0.0.1:1
        """, ports: [port])
        for (path, status) in [("/fe", 403), ("/be", 403), ("/be", 403), ("/ret", 200)] {
            XCTAssertEqual(try HTTPClient.get(port: port, path: path).status, status, path)
        }
        var fe: [String: String] = [:], be: [String: String] = [:]
        // The responses are counted as their transactions end, which may
        // be after the client read them: wait for all four.
        try waitUntil("the four requests and their responses are counted") {
            fe = try rows(socket, "fe")["FRONTEND"] ?? [:]
            be = try rows(socket, "be")["BACKEND"] ?? [:]
            let answered = ["hrsp_2xx", "hrsp_4xx"].reduce(0) { $0 + (Int(fe[$1] ?? "") ?? 0) }
            return fe["req_tot"] == "4" && be["req_tot"] == "3" && answered == 4
        }
        // Recorded: fe dreq 3 hrsp_2xx 1 hrsp_4xx 3; be stot 3 dreq 2 hrsp_2xx 1 hrsp_4xx 2
        // (the frontend's stot also counts the harness's probe connection).
        XCTAssertEqual([fe["dreq"], fe["hrsp_2xx"], fe["hrsp_4xx"]], ["3", "1", "3"])
        XCTAssertEqual([be["stot"], be["dreq"], be["hrsp_2xx"], be["hrsp_4xx"]], ["3", "2", "1", "2"])
    }

    func testResponsesDeniedByRulesCountAsDeniedResponses() throws {
        let app = try startBackend("app")
        let port = Ports.free()
        let socket = "\(tmp.path)/admin.sock"
        try startProxy(config: """
        global
            stats socket \(socket) level admin
        \(Self.defaultsHTTP)
        frontend fe
            bind 127.0.0.1:\(port)
            http-response deny if { capture.req.uri -m beg /fe }
            default_backend be
        backend be
            http-response deny if { res.hdr(x-server) -m found } { capture.req.uri /be }
            server s 127.0.0.1:\(app.port)
        """, ports: [port])
        XCTAssertEqual(try HTTPClient.get(port: port, path: "/fe").status, 502)
        XCTAssertEqual(try HTTPClient.get(port: port, path: "/be").status, 502)
        XCTAssertEqual(try HTTPClient.get(port: port, path: "/ok").status, 200)
        var fe: [String: String] = [:], be: [String: String] = [:], s: [String: String] = [:]
        try waitUntil("the three requests are counted") {
            fe = try rows(socket, "fe")["FRONTEND"] ?? [:]
            let backend = try rows(socket, "be")
            be = backend["BACKEND"] ?? [:]
            s = backend["s"] ?? [:]
            return fe["req_tot"] == "3" && be["req_tot"] == "3"
        }
        // Recorded: a denied response is dresp (not dreq) on the frontend,
        // the backend and the server.
        XCTAssertEqual([fe["dreq"], fe["dresp"]], ["0", "2"])
        XCTAssertEqual([be["dreq"], be["dresp"]], ["0", "2"])
        XCTAssertEqual(s["dresp"], "2")
    }
}

import Foundation
import XCTest

/// Connection and session rate limits on the real binary, and the rate and
/// HTTP counters `show info` and `show stat` report after real traffic.
final class RateLimitTests: IntegrationTestCase {
    private var socketPath: String { tmp.appendingPathComponent("admin.sock").path }

    /// Starts the proxy with a stats socket; `proxies` holds the sections.
    private func start(_ proxies: String, global: String = "", port: Int) throws {
        try startProxy(config: """
            global
                stats socket \(socketPath) level admin
            \(global)

            """ + Self.defaultsHTTP + proxies, ports: [port])
    }

    private func command(_ line: String) throws -> String {
        try StatsSocket.command(socketPath, line)
    }

    /// `show info` as name → value.
    private func info() throws -> [String: String] {
        var fields: [String: String] = [:]
        for line in try command("show info").split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[String(line[..<colon])] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return fields
    }

    /// One `show stat` line (`proxy`, `service`) as column → value.
    private func stat(_ proxy: String, _ service: String) throws -> [String: String] {
        let lines = try command("show stat").split(separator: "\n").map(String.init)
        let columns = try XCTUnwrap(lines.first).dropFirst(2).split(separator: ",", omittingEmptySubsequences: false)
        let line = try XCTUnwrap(lines.first { $0.hasPrefix("\(proxy),\(service),") }, "no \(proxy)/\(service) line")
        let values = line.split(separator: ",", omittingEmptySubsequences: false)
        return Dictionary(uniqueKeysWithValues: zip(columns.map(String.init), values.map(String.init)))
    }

    /// Frontend `fe` to backend `be` with one server named `server`; the
    /// frontend's port.
    private func startHTTPProxy(server: String) throws -> Int {
        let b = try startBackend(server)
        let port = Ports.free()
        try start("""
            frontend fe
                bind 127.0.0.1:\(port)
                default_backend be

            backend be
                server \(server) 127.0.0.1:\(b.port)

            """, port: port)
        return port
    }

    /// 20 clients connect at once while the process accepts 5 connections
    /// per second: the kernel queues them, the proxy takes 5 at once and then
    /// one about every 200 ms, and every client is served.
    func testConnectionRateLimitSpreadsABurstAndRefusesNone() throws {
        let port = try startHTTPProxy(server: "r1")
        XCTAssertEqual(try command("set rate-limit connections global 5"), "\n")
        let t0 = Date()
        let results = try concurrently(20, timeout: 30) { _ -> (status: Int, at: TimeInterval) in
            let status = (try? HTTPClient.get(port: port, timeout: 15))?.status ?? -1
            return (status, Date().timeIntervalSince(t0))
        }
        XCTAssertEqual(results.map(\.status), Array(repeating: 200, count: 20), "every client served, none refused")
        let times = results.map(\.at).sorted()
        // Unlimited, the 20 requests take well under half a second.
        XCTAssertLessThanOrEqual(times.filter { $0 < 0.8 }.count, 5, "more than 5 accepted in the first second: \(times)")
        XCTAssertGreaterThan(times.last!, 2.5, "the burst was not spread: \(times)")
        XCTAssertLessThan(times.last!, 8, "accepting did not resume at the expected pace: \(times)")
        let fields = try info()
        XCTAssertEqual(fields["ConnRateLimit"], "5")
        XCTAssertGreaterThan(Int(fields["ConnRate"] ?? "") ?? 0, 0)
        let maxRate = Int(fields["MaxConnRate"] ?? "") ?? 0
        XCTAssertTrue((1...6).contains(maxRate), "MaxConnRate \(maxRate) with a limit of 5")
    }

    /// `rate-limit sessions` on a TCP listen section: 15 clients, 10 taken at
    /// once, the rest as the rate allows, all echoed.
    func testFrontendSessionRateLimitInTCPMode() throws {
        let b = try startBackend("e1", mode: "echo")
        let port = Ports.free()
        try start("""
            listen echo
                mode tcp
                bind 127.0.0.1:\(port)
                rate-limit sessions 10
                server e1 127.0.0.1:\(b.port)

            """, port: port)
        let t0 = Date()
        let results = try concurrently(15, timeout: 30) { i -> (echoed: Bool, at: TimeInterval) in
            guard let c = try? Conn(port: port, timeout: 15) else { return (false, Date().timeIntervalSince(t0)) }
            defer { c.close() }
            let line = "client-\(i)\n"
            let echoed = (try? c.send(line)).flatMap { try? c.read(until: Data("\n".utf8)) }
            return (echoed == Data(line.utf8), Date().timeIntervalSince(t0))
        }
        XCTAssertEqual(results.filter(\.echoed).count, 15)
        let times = results.map(\.at).sorted()
        XCTAssertLessThanOrEqual(times.filter { $0 < 0.8 }.count, 10, "more than 10 accepted in the first second: \(times)")
        XCTAssertGreaterThan(times.last!, 1.0, "the burst was not spread: \(times)")
        let frontend = try stat("echo", "FRONTEND")
        XCTAssertEqual(frontend["rate_lim"], "10")
        XCTAssertTrue((1...11).contains(Int(frontend["rate_max"] ?? "") ?? 0), "rate_max \(frontend["rate_max"] ?? "")")
        XCTAssertEqual(frontend["hrsp_2xx"], "", "no HTTP counters in TCP mode")
    }

    /// Requests through the proxy appear in `show stat` (req_tot, hrsp_*)
    /// for the frontend, backend and server, and in the rates of `show info`.
    func testShowStatCountsRequestsAndResponses() throws {
        let port = try startHTTPProxy(server: "c1")
        let c = try Conn(port: port)
        for path in ["/", "/", "/status/404", "/", "/status/302", "/"] {
            try c.send(HTTPClient.request("GET", path))
            _ = try c.readResponse()
        }
        c.close()
        XCTAssertEqual(try HTTPClient.get(port: port, path: "/status/503").status, 503)
        for (proxy, service) in [("fe", "FRONTEND"), ("be", "BACKEND"), ("be", "c1")] {
            let row = try stat(proxy, service)
            XCTAssertEqual(row["req_tot"], "7", "\(proxy)/\(service)")
            XCTAssertEqual(row["hrsp_2xx"], "4", "\(proxy)/\(service)")
            XCTAssertEqual(row["hrsp_3xx"], "1", "\(proxy)/\(service)")
            XCTAssertEqual(row["hrsp_4xx"], "1", "\(proxy)/\(service)")
            XCTAssertEqual(row["hrsp_5xx"], "1", "\(proxy)/\(service)")
            XCTAssertEqual(row["hrsp_1xx"], "0", "\(proxy)/\(service)")
            XCTAssertEqual(row["hrsp_other"], "0", "\(proxy)/\(service)")
            XCTAssertGreaterThan(Int(row["rate_max"] ?? "") ?? 0, 0, "\(proxy)/\(service)")
        }
        let frontend = try stat("fe", "FRONTEND")
        XCTAssertGreaterThan(Int(frontend["req_rate_max"] ?? "") ?? 0, 0)
        XCTAssertGreaterThan(Int(frontend["conn_rate_max"] ?? "") ?? 0, 0)
        let fields = try info()
        XCTAssertGreaterThan(Int(fields["ConnRate"] ?? "") ?? 0, 0)
        XCTAssertGreaterThan(Int(fields["MaxConnRate"] ?? "") ?? 0, 0)
        XCTAssertGreaterThan(Int(fields["SessRate"] ?? "") ?? 0, 0)
        XCTAssertEqual(fields["CumReq"], "7")
    }
}

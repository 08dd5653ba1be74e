import Foundation
import XCTest

/// `hash-balance-factor`: requests for one URI, each arriving while the
/// earlier ones are still served, go to the server the hash names until it
/// holds its share, then to the next ones on the ring; ours and Debian's
/// 2.6 send them to the same servers in the same order.
final class HashBalanceFactorTests: IntegrationTestCase {
    private func config(port: Int, socket: String, factor: Int, backends: [Backend]) -> String {
        let servers = zip(["a", "b", "c"], backends).map { "    server \($0) 127.0.0.1:\($1.port)" }
        return """
        global
            stats socket \(socket) level admin

        """ + Self.defaultsHTTP + """
        frontend fe
            bind 127.0.0.1:\(port)
            default_backend be

        backend be
            balance uri
            hash-type consistent
            hash-balance-factor \(factor)
        \(servers.joined(separator: "\n"))
        """
    }

    /// The sessions `be` holds now (`scur` of its BACKEND line).
    private func sessions(_ socket: String) -> Int {
        let csv = LifecycleHarness.unixCommand(socket, "show stat") ?? ""
        return Int(StatsCSV.rows(csv, proxy: "be")["BACKEND"]?["scur"] ?? "") ?? -1
    }

    /// Sends `count` slow requests one after the other, each once the
    /// previous one reached its server, and returns the servers in order.
    private func servers(
        _ executable: String, label: String, factor: Int, count: Int, backends: [Backend],
        environment: [String: String]? = nil
    ) throws -> String {
        let port = Ports.free()
        let socket = tmp.appendingPathComponent("\(label).sock").path
        let p = try startProxy(
            config: config(port: port, socket: socket, factor: factor, backends: backends), ports: [port],
            executable: executable, environment: environment, name: "\(label).cfg")
        defer { p.stop() }
        var clients: [Conn] = []
        defer { clients.forEach { $0.close() } }
        for i in 0..<count {
            let c = try Conn(port: port, timeout: 15)
            clients.append(c)
            try c.send(HTTPClient.request("GET", "/slow?ms=3000", close: true))
            try waitUntil("request \(i + 1) is served") { sessions(socket) == i + 1 }
        }
        return try clients.map { try $0.readResponse().server }.joined()
    }

    func testRequestsOverflowToTheNextServersAs26() throws {
        let backends = [try startBackend("a"), try startBackend("b"), try startBackend("c")]
        let unbounded = try servers(haproxyPath, label: "ours-0", factor: 0, count: 6, backends: backends)
        XCTAssertEqual(unbounded, "bbbbbb", "without a factor the hash decides alone")
        let ours = try servers(haproxyPath, label: "ours-125", factor: 125, count: 9, backends: backends)
        XCTAssertEqual(ours, "bccbcbacb")

        let env = referenceEnvironment()
        let reference = try servers(
            try referenceBinary(), label: "ref-125", factor: 125, count: 9, backends: backends, environment: env)
        XCTAssertEqual(ours, reference)
    }

    /// 2.6's parse errors (0 or above 100; atoi-like reading).
    func testFactorMustBeZeroOrAboveAHundred() throws {
        for (value, message) in [
            ("100", "'hash-balance-factor' must be 0 or greater than 100."),
            ("", "'hash-balance-factor' expects an integer argument."),
        ] {
            let file = try writeConfig("""
            backend be
                hash-balance-factor \(value)
                server s 127.0.0.1:9
            """)
            let r = try haproxy(["-c", "-f", file.path])
            XCTAssertEqual(r.status, 1)
            XCTAssertTrue(r.stderr.contains("parsing [\(file.path):2] : \(message)"), r.stderr)
        }
    }
}

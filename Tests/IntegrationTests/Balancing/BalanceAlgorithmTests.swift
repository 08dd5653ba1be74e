import Foundation
import XCTest

/// Every `balance` algorithm, observed from the server each response names.
final class BalanceAlgorithmTests: IntegrationTestCase {
    private var backends: [String: Backend] = [:]
    private var port = 0
    private var proxy: ManagedProcess?
    private var statsSocket = ""

    /// The sessions backend `be`'s servers hold now (`scur` in `show stat`).
    private func currentSessions() -> Int {
        let csv = LifecycleHarness.unixCommand(statsSocket, "show stat") ?? ""
        return StatsCSV.rows(csv, proxy: "be").filter { $0.key != "BACKEND" }
            .reduce(0) { $0 + (Int($1.value["scur"] ?? "") ?? 0) }
    }

    /// Starts backends named in `servers` (name → extra server keywords) and a proxy.
    private func start(balance: String, servers: [(String, String)], backendExtra: String = "") throws {
        for (name, _) in servers where backends[name] == nil {
            backends[name] = try startBackend(name)
        }
        try restartProxy(balance: balance, servers: servers, backendExtra: backendExtra)
    }

    private func restartProxy(balance: String, servers: [(String, String)], backendExtra: String = "") throws {
        if let proxy {
            proxy.stop()
            XCTAssertTrue(Ports.waitUntilClosed(port))
        }
        port = Ports.free()
        let lines = servers.map { "    server \($0.0) 127.0.0.1:\(backends[$0.0]!.port) \($0.1)" }.joined(separator: "\n")
        statsSocket = tmp.appendingPathComponent("stats-\(port).sock").path
        proxy = try startProxy(config: """
        global
            stats socket \(statsSocket)

        """ + Self.defaultsHTTP + """
        frontend fe
            bind 127.0.0.1:\(port)
            default_backend be

        backend be
            balance \(balance)
        \(backendExtra)
        \(lines)

        """, ports: [port])
    }

    private func hit(_ path: String = "/", headers: [String: String] = [:], source: String? = nil) throws -> String {
        let r = try HTTPClient.get(port: port, path: path, headers: headers, source: source)
        XCTAssertEqual(r.status, 200, "\(path): \(r.text)")
        return r.server
    }

    private func distribution(_ n: Int, path: (Int) -> String = { _ in "/" }) throws -> [String: Int] {
        var d: [String: Int] = [:]
        for i in 0..<n { d[try hit(path(i)), default: 0] += 1 }
        return d
    }

    func testRoundRobinWeights() throws {
        try start(balance: "roundrobin", servers: [("s1", "weight 1"), ("s2", "weight 2"), ("s3", "weight 3")])
        XCTAssertEqual(try distribution(60), ["s1": 10, "s2": 20, "s3": 30])
    }

    func testStaticRoundRobinWeights() throws {
        try start(balance: "static-rr", servers: [("s1", "weight 1"), ("s2", "weight 2"), ("s3", "weight 3")])
        XCTAssertEqual(try distribution(60), ["s1": 10, "s2": 20, "s3": 30])
    }

    func testLeastConnSpreadsConcurrentSlowRequests() throws {
        try start(balance: "leastconn", servers: [("s1", ""), ("s2", ""), ("s3", "")])
        let port = self.port
        let names = try concurrently(6) { _ -> String in
            (try? HTTPClient.get(port: port, path: "/slow?ms=800"))?.server ?? "error"
        }
        var d: [String: Int] = [:]
        for n in names { d[n, default: 0] += 1 }
        XCTAssertEqual(d, ["s1": 2, "s2": 2, "s3": 2], "6 concurrent slow requests over 3 leastconn servers")
    }

    func testFirstFillsServersUpToMaxconn() throws {
        try start(balance: "first", servers: [("s1", "maxconn 2"), ("s2", "maxconn 2"), ("s3", "maxconn 2")])
        // Sequential traffic all goes to the first server.
        XCTAssertEqual(try distribution(10), ["s1": 10])
        // Three concurrent long requests: s1 takes two, s2 the third. Each
        // request starts once the proxy holds a session for every earlier one.
        let port = self.port
        let names = try concurrently(3) { i -> String in
            do {
                try waitUntil("the proxy holds the \(i) earlier requests") { self.currentSessions() == i }
            } catch {
                return "\(error)"
            }
            return (try? HTTPClient.get(port: port, path: "/slow?ms=1000"))?.server ?? "error"
        }
        XCTAssertEqual(names.sorted(), ["s1", "s1", "s2"])
    }

    func testSourceIsStablePerClientAndSpreadsAcrossClients() throws {
        try start(balance: "source", servers: [("s1", ""), ("s2", ""), ("s3", "")])
        var chosen: [String: String] = [:]
        for i in 1...24 {
            let src = "127.0.0.\(i)"
            let first = try hit(source: src)
            for _ in 0..<3 { XCTAssertEqual(try hit(source: src), first, "source \(src) moved") }
            chosen[src] = first
        }
        XCTAssertGreaterThan(Set(chosen.values).count, 1, "24 client addresses all hashed to one server: \(chosen)")
    }

    func testURIHashing() throws {
        try start(balance: "uri", servers: [("s1", ""), ("s2", ""), ("s3", "")])
        var seen: [String: String] = [:]
        for i in 0..<30 {
            let path = "/item/\(i)"
            let a = try hit(path)
            XCTAssertEqual(try hit(path), a, "same URI went to another server")
            XCTAssertEqual(try hit(path), a)
            seen[path] = a
        }
        XCTAssertEqual(Set(seen.values).count, 3, "30 URIs did not use all 3 servers: \(seen)")
    }

    func testURLParam() throws {
        try start(balance: "url_param userid", servers: [("s1", ""), ("s2", ""), ("s3", "")])
        var seen: [String: String] = [:]
        for i in 0..<30 {
            let a = try hit("/x?userid=user\(i)")
            XCTAssertEqual(try hit("/other/path?foo=1&userid=user\(i)"), a, "same userid, other path: moved")
            seen["user\(i)"] = a
        }
        XCTAssertEqual(Set(seen.values).count, 3, "30 userids did not use all 3 servers: \(seen)")
        // Without the parameter it falls back to round robin: all servers used.
        XCTAssertEqual(Set(try distribution(6).keys).count, 3)
    }

    func testHeaderHashing() throws {
        try start(balance: "hdr(x-user)", servers: [("s1", ""), ("s2", ""), ("s3", "")])
        var seen: [String: String] = [:]
        for i in 0..<30 {
            let user = "person-\(i)"
            let a = try hit("/a", headers: ["X-User": user])
            XCTAssertEqual(try hit("/b/\(i)", headers: ["x-user": user]), a, "same x-user moved")
            seen[user] = a
        }
        XCTAssertEqual(Set(seen.values).count, 3, "30 header values did not use all 3 servers: \(seen)")
        XCTAssertEqual(Set(try distribution(6).keys).count, 3, "no header: round robin")
    }

    func testRandomUsesAllServers() throws {
        try start(balance: "random(2)", servers: [("s1", ""), ("s2", ""), ("s3", "")])
        let d = try distribution(60)
        XCTAssertEqual(Set(d.keys), ["s1", "s2", "s3"], "\(d)")
        XCTAssertEqual(d.values.reduce(0, +), 60)
    }

    /// With `hash-type consistent`, removing a server only moves the keys it had.
    func testConsistentHashingKeepsKeysWhenAServerGoes() throws {
        let servers = [("s1", ""), ("s2", ""), ("s3", ""), ("s4", "")]
        try start(balance: "uri", servers: servers, backendExtra: "    hash-type consistent")
        var before: [String: String] = [:]
        for i in 0..<40 { before["/k/\(i)"] = try hit("/k/\(i)") }
        XCTAssertGreaterThanOrEqual(Set(before.values).count, 2, "\(before)")
        // Restart with s4 disabled.
        try restartProxy(balance: "uri", servers: [("s1", ""), ("s2", ""), ("s3", ""), ("s4", "disabled")],
                         backendExtra: "    hash-type consistent")
        var moved = 0
        for (path, was) in before {
            let now = try hit(path)
            XCTAssertNotEqual(now, "s4")
            if was != "s4" {
                XCTAssertEqual(now, was, "\(path) was on \(was), moved to \(now) though \(was) is still up")
            } else {
                moved += 1
            }
        }
        XCTAssertGreaterThan(moved, 0)
        // Same result on a fresh start: the mapping is deterministic.
        try restartProxy(balance: "uri", servers: servers, backendExtra: "    hash-type consistent")
        for (path, was) in before { XCTAssertEqual(try hit(path), was) }
    }

    /// Mappings taken from HAProxy 2.6.12 (Debian 12) with this exact backend
    /// (4 servers s1..s4, weight 1, `balance uri`), for GET /k/0 ... /k/39.
    /// A drop-in replacement must send each key to the same server, or caches
    /// behind the proxy are all invalidated on migration.
    static let referenceMapBased = "s2 s3 s4 s1 s2 s3 s4 s1 s2 s3 s3 s4 s1 s2 s3 s4 s1 s2 s3 s4 s2 s3 s4 s1 s2 s3 s4 s1 s2 s3 s1 s2 s3 s4 s1 s2 s3 s4 s1 s2"
    static let referenceConsistent = "s2 s1 s4 s1 s1 s1 s4 s4 s2 s4 s2 s3 s4 s3 s3 s3 s1 s4 s1 s2 s1 s4 s1 s4 s3 s4 s1 s1 s2 s3 s3 s4 s1 s1 s2 s3 s4 s2 s2 s4"

    private func mapping(hashType: String) throws -> String {
        try start(balance: "uri", servers: [("s1", ""), ("s2", ""), ("s3", ""), ("s4", "")],
                  backendExtra: "    hash-type \(hashType)")
        return try (0..<40).map { try hit("/k/\($0)") }.joined(separator: " ")
    }

    func testMapBasedMappingMatchesReference() throws {
        XCTAssertEqual(try mapping(hashType: "map-based"), Self.referenceMapBased)
    }

    func testConsistentMappingMatchesReference() throws {
        let got = try mapping(hashType: "consistent")
        if got != Self.referenceConsistent {
            return XCTFail("`balance uri` + `hash-type consistent`, 4 servers s1..s4: GET /k/0../k/39 map to [\(got)]; HAProxy 2.6.12 maps them to [\(Self.referenceConsistent)] (12/8/8/12 spread)")
        }
    }

    func testMapBasedHashingIsDeterministicAcrossRestarts() throws {
        let servers = [("s1", ""), ("s2", ""), ("s3", "")]
        try start(balance: "uri", servers: servers, backendExtra: "    hash-type map-based")
        var before: [String: String] = [:]
        for i in 0..<20 { before["/m/\(i)"] = try hit("/m/\(i)") }
        try restartProxy(balance: "uri", servers: servers, backendExtra: "    hash-type map-based")
        for (path, was) in before { XCTAssertEqual(try hit(path), was) }
    }

    func testBackupUnusedWhileActivesAreUp() throws {
        try start(balance: "roundrobin", servers: [("s1", ""), ("s2", ""), ("b1", "backup")])
        XCTAssertEqual(try distribution(20), ["s1": 10, "s2": 10])
    }

    func testBackupUsedWhenActivesDisabled() throws {
        try start(balance: "roundrobin", servers: [("s1", "disabled"), ("s2", "disabled"), ("b1", "backup"), ("b2", "backup")])
        // Without allbackups only the first backup serves.
        XCTAssertEqual(try distribution(10), ["b1": 10])
    }

    func testAllBackups() throws {
        try start(balance: "roundrobin", servers: [("s1", "disabled"), ("b1", "backup"), ("b2", "backup")],
                  backendExtra: "    option allbackups")
        XCTAssertEqual(try distribution(10), ["b1": 5, "b2": 5])
    }
}

import Foundation
import XCTest

/// `resolvers` sections on the real binary with Debian's dnsmasq as the
/// nameserver: addresses that change under traffic, server-template
/// slots that fill and empty, NXDOMAIN and a silent nameserver per `hold`,
/// and hostile answers that neither stall traffic nor crash the proxy.
final class ResolversTests: IntegrationTestCase {
    var socketPath: String { tmp.appendingPathComponent("admin.sock").path }

    func command(_ line: String) throws -> String { try StatsSocket.command(socketPath, line) }

    /// `show servers state be` as server name → fields (srv_addr, op, admin, ...).
    func states(_ backend: String = "be") throws -> [String: [String]] {
        var out: [String: [String]] = [:]
        for line in try command("show servers state \(backend)").split(separator: "\n") where !line.hasPrefix("#") {
            let f = line.split(separator: " ").map(String.init)
            if f.count > 5 { out[f[3]] = Array(f[4...]) }
        }
        return out
    }

    /// An HTTP backend named `name` on `host`:`port` (port 0: any).
    func startBackend(_ name: String, host: String, port: Int = 0) throws -> Backend {
        let portFile = tmp.appendingPathComponent("port-\(name)")
        var env = ProcessInfo.processInfo.environment
        env["BACKEND_HOST"] = host
        env["BACKEND_PORT"] = "\(port)"
        let p = track(try ManagedProcess(
            label: "backend-\(name)", executable: Paths.python(),
            arguments: [Paths.backendScript.path, "http", name, portFile.path], dir: tmp, environment: env))
        try waitUntil("backend \(name) listening") {
            guard !p.isRunning || (try? String(contentsOf: portFile, encoding: .utf8)) == nil else { return true }
            return !p.isRunning
        }
        guard let text = try? String(contentsOf: portFile, encoding: .utf8), let bound = Int(text) else {
            throw HarnessError("backend \(name) failed: \(p.stderr)")
        }
        return Backend(name: name, port: bound, process: p)
    }

    /// The proxy, once its frontend and its stats socket both answer.
    @discardableResult
    func startResolvingProxy(config: String, port: Int) throws -> ManagedProcess {
        let proxy = try startProxy(config: config, ports: [port])
        try waitUntil("stats socket answers") { (try? command("show info")) != nil || !proxy.isRunning }
        return proxy
    }

    func config(dnsPort: Int, frontendPort: Int, resolvers: String = "", servers: String, transport: String = "") -> String {
        """
        global
            stats socket \(socketPath) level admin
        resolvers ns
            nameserver dns \(transport)127.0.0.1:\(dnsPort)
            hold valid 200ms
            timeout resolve 100ms
            timeout retry 100ms
            resolve_retries 2
        \(resolvers)
        \(Self.defaultsHTTP)
        frontend fe
            bind 127.0.0.1:\(frontendPort)
            default_backend be
        backend be
            retries 3
            option redispatch
        \(servers)
        """
    }

    /// `-c` words init-addr failures as 2.6 does (recorded from it): a
    /// server with `resolvers` and the default methods is disabled with a
    /// warning, explicit methods that all fail stop the start.
    func testInitAddrFailuresAsTheReference() throws {
        let cfg = try writeConfig(
            """
            resolvers ns
             nameserver dns 127.0.0.1:53
            backend be
             timeout connect 1s
             timeout server 1s
             server s1 nowhere.invalid:80 resolvers ns
             server s2 nowhere.invalid:80 resolvers ns init-addr libc
             server s3 nowhere.invalid:80 resolvers ns init-addr libc,127.0.0.1
            """, name: "initaddr.cfg")
        let result = try haproxy(["-c", "-f", cfg.lastPathComponent])
        XCTAssertEqual(result.status, 1)
        let lines = result.stderr.split(separator: "\n").filter { !$0.hasPrefix("[NOTICE]") }.map {
            $0.replacingOccurrences(of: #"\(\d+\)"#, with: "(0)", options: .regularExpression)
        }
        XCTAssertEqual(lines, [
            "[WARNING]  (0) : config : [initaddr.cfg:6] : 'server be/s1' : could not resolve address 'nowhere.invalid', disabling server.",
            "[ALERT]    (0) : config : [initaddr.cfg:7] : 'server be/s2' : could not resolve address 'nowhere.invalid'.",
            "[ALERT]    (0) : config : Failed to initialize server(s) addr.",
        ])
    }

    func testAddressChangeUnderTrafficFailsNoRequest() throws {
        let a = try startBackend("a", host: "127.0.0.2")
        _ = try startBackend("b", host: "127.0.0.3", port: a.port)
        let dns = try DNSMasq(in: self, hosts: "127.0.0.2 web.test\n")
        let port = Ports.free()
        let proxy = try startResolvingProxy(
            config: config(dnsPort: dns.port, frontendPort: port,
                           servers: "    server s1 web.test:\(a.port) resolvers ns init-addr none"),
            port: port)
        try waitUntil("s1 resolved to 127.0.0.2") { try states()["s1"]?.first == "127.0.0.2" }
        XCTAssertEqual(try HTTPClient.get(port: port).server, "a")

        let tally = Tally()
        let traffic = Thread {
            while tally.lock.withLock({ tally.running }) {
                do {
                    let r = try HTTPClient.get(port: port)
                    tally.lock.withLock {
                        if r.status == 200 { tally.seen[r.server, default: 0] += 1 } else { tally.failures.append(r.statusLine) }
                    }
                } catch {
                    tally.lock.withLock { tally.failures.append("\(error)") }
                }
            }
        }
        traffic.start()
        try waitUntil("traffic flowing") { tally.lock.withLock { (tally.seen["a"] ?? 0) > 20 } }
        try dns.setHosts("127.0.0.3 web.test\n")
        try waitUntil("responses come from b") { tally.lock.withLock { (tally.seen["b"] ?? 0) > 20 } }
        tally.lock.withLock { tally.running = false }
        try waitUntil("traffic thread ends") { traffic.isFinished }
        XCTAssertEqual(tally.lock.withLock { tally.failures }, [], "requests failed while the address changed")
        XCTAssertEqual(try states()["s1"]?.first, "127.0.0.3")
        XCTAssertTrue(proxy.stderr.contains("be/s1 changed its IP from (none) to 127.0.0.2 by ns/dns."), proxy.stderr)
        XCTAssertTrue(proxy.stderr.contains("be/s1 changed its IP from 127.0.0.2 to 127.0.0.3 by ns/dns."), proxy.stderr)
        XCTAssertTrue(proxy.stderr.contains("Server be/s1 ('web.test') is UP/READY (resolves again)."), proxy.stderr)
    }

    /// SRV records: each server of the template takes a record's target,
    /// port and weight (none with `ignore-weight`) and serves traffic there.
    func testSRVRecordsGiveTargetsPortsAndWeights() throws {
        let a = try startBackend("a", host: "127.0.0.2")
        let b = try startBackend("b", host: "127.0.0.3")
        let dns = try DNSMasq(
            in: self, hosts: "127.0.0.2 a.svc.test\n127.0.0.3 b.svc.test\n",
            options: [
                "--srv-host=_http._tcp.svc.test,a.svc.test,\(a.port),0,600",
                "--srv-host=_http._tcp.svc.test,b.svc.test,\(b.port),0,10",
            ])
        let port = Ports.free()
        try startResolvingProxy(
            config: config(dnsPort: dns.port, frontendPort: port, servers: """
                    server-template t 2 _http._tcp.svc.test resolvers ns init-addr none
                backend other
                    server-template u 2 _http._tcp.svc.test resolvers ns init-addr none resolve-opts ignore-weight
                """),
            port: port)
        try waitUntil("all four resolved") {
            try (states().values.map { $0 } + states("other").values.map { $0 }).filter { $0[1] == "2" }.count == 4
        }
        let all = try states().merging(try states("other")) { a, _ in a }
        for name in ["t1", "t2", "u1", "u2"] {
            let f = try XCTUnwrap(all[name])
            let ignoring = name.hasPrefix("u")
            switch f[13] {  // srv_fqdn
            case "a.svc.test":
                XCTAssertEqual([f[0], f[14], f[3]], ["127.0.0.2", "\(a.port)", ignoring ? "1" : "3"], name)
            case "b.svc.test":
                XCTAssertEqual([f[0], f[14], f[3]], ["127.0.0.3", "\(b.port)", "1"], name)
            default:
                XCTFail("\(name): \(f)")
            }
            XCTAssertEqual(f[15], "_http._tcp.svc.test")
        }
        var seen: Set<String> = []
        for _ in 0..<12 { seen.insert(try HTTPClient.get(port: port).server) }
        XCTAssertEqual(seen, ["a", "b"], "traffic reaches both targets on their SRV ports")
    }

    /// A `tcp@` nameserver: the same answers over one TCP connection.
    func testTCPNameserverFollowsChanges() throws {
        let dns = try DNSMasq(in: self, hosts: "127.0.0.2 web.test\n")
        let port = Ports.free()
        let proxy = try startResolvingProxy(
            config: config(dnsPort: dns.port, frontendPort: port,
                           servers: "    server s1 web.test:8080 resolvers ns init-addr none", transport: "tcp@"),
            port: port)
        try waitUntil("s1 resolved over TCP") { try states()["s1"]?.first == "127.0.0.2" }
        try dns.setHosts("127.0.0.3 web.test\n")
        try waitUntil("s1 follows") { try states()["s1"]?.first == "127.0.0.3" }
        XCTAssertTrue(proxy.stderr.contains("be/s1 changed its IP from 127.0.0.2 to 127.0.0.3 by ns/dns."), proxy.stderr)
        let counters = try command("show resolvers ns")
        XCTAssertFalse(counters.contains("  valid:       0\n"), counters)
        XCTAssertTrue(counters.contains("  snd_error:   0\n"), counters)
        // The nameserver restarts: the connection is opened again.
        try dns.restart(options: [])
        try dns.setHosts("127.0.0.4 web.test\n")
        try waitUntil("s1 follows after a reconnection") { try states()["s1"]?.first == "127.0.0.4" }
    }

    func testServerTemplateScalesUpAndDown() throws {
        let dns = try DNSMasq(in: self, hosts: "127.0.0.2 multi.test\n127.0.0.3 multi.test\n")
        let port = Ports.free()
        let proxy = try startResolvingProxy(
            config: config(dnsPort: dns.port, frontendPort: port,
                           servers: "    server-template t 3 multi.test:8080 resolvers ns init-addr none resolve-prefer ipv4"),
            port: port)
        func addresses() throws -> [String] { try ["t1", "t2", "t3"].map { try states()[$0]?.first ?? "?" } }
        try waitUntil("two slots filled") { try addresses().filter { $0 != "-" }.count == 2 }
        XCTAssertEqual(Set(try addresses()), ["127.0.0.2", "127.0.0.3", "-"])
        let idle = try XCTUnwrap(try states().first { $0.value.first == "-" })
        XCTAssertEqual(Array(idle.value[1...2]), ["0", "32"], "an unused slot is in MAINT (resolution)")
        let stat = try command("show stat")
        XCTAssertTrue(stat.contains("be,\(idle.key),") && stat.contains("MAINT (resolution)"), stat)

        try dns.setHosts("127.0.0.2 multi.test\n127.0.0.3 multi.test\n127.0.0.4 multi.test\n")
        try waitUntil("three slots filled") { try addresses().allSatisfy { $0 != "-" } }
        XCTAssertEqual(Set(try addresses()), ["127.0.0.2", "127.0.0.3", "127.0.0.4"])

        try dns.setHosts("127.0.0.3 multi.test\n")
        try waitUntil("one slot left") { try addresses().filter { $0 != "-" } == ["127.0.0.3"] }
        XCTAssertTrue(proxy.stderr.contains("is going DOWN for maintenance (No IP for server ). "), proxy.stderr)
        for (name, fields) in try states() where fields.first == "-" {
            XCTAssertEqual(fields[2], "32", "\(name) is in MAINT (resolution)")
        }
    }

    func testNXDomainPutsTheServerInMaintenanceAfterHoldNX() throws {
        let dns = try DNSMasq(in: self, hosts: "127.0.0.2 web.test\n")
        let port = Ports.free()
        let proxy = try startResolvingProxy(
            config: config(dnsPort: dns.port, frontendPort: port, resolvers: "    hold nx 1s",
                           servers: "    server s1 web.test:8080 resolvers ns init-addr none\n    server s2 127.0.0.1:1"),
            port: port)
        try waitUntil("s1 resolved") { try states()["s1"]?.first == "127.0.0.2" }
        try dns.setHosts("")
        let removed = Date()
        try waitUntil("s1 in maintenance", timeout: 10) { try states()["s1"]?.first == "-" }
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(removed), 0.8, "hold nx keeps the address for 1s")
        XCTAssertTrue(
            proxy.stderr.contains(
                "Server be/s1 is going DOWN for maintenance (DNS NX status). 1 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue."),
            proxy.stderr)
        XCTAssertTrue(try command("show resolvers ns").contains("  nx:          "))
        // The name comes back: the server leaves maintenance.
        try dns.setHosts("127.0.0.5 web.test\n")
        try waitUntil("s1 back") { try states()["s1"]?.first == "127.0.0.5" }
        XCTAssertTrue(proxy.stderr.contains("be/s1 changed its IP from (none) to 127.0.0.5 by ns/dns."), proxy.stderr)
    }

    func testSilentNameserverTimesOutAfterHoldTimeout() throws {
        let silent = try HostileNameserver(behaviour: .silent)
        defer { silent.stop() }
        let port = Ports.free()
        let proxy = try startResolvingProxy(
            config: config(dnsPort: silent.port, frontendPort: port, resolvers: "    hold timeout 1s",
                           servers: "    server s1 web.test:8080 resolvers ns init-addr 127.0.0.2\n    server s2 127.0.0.1:1"),
            port: port)
        XCTAssertEqual(try states()["s1"]?.first, "127.0.0.2", "init-addr gives the first address")
        try waitUntil("s1 in maintenance", timeout: 10) { try states()["s1"]?.first == "-" }
        XCTAssertTrue(proxy.stderr.contains("Server be/s1 is going DOWN for maintenance (DNS timeout status)."), proxy.stderr)
        let resolvers = try command("show resolvers ns")
        XCTAssertTrue(resolvers.hasPrefix("Resolvers section ns\n nameserver dns:\n  sent:        "), resolvers)
        XCTAssertFalse(resolvers.contains("  timeout:     0\n"), resolvers)
        XCTAssertGreaterThanOrEqual(silent.queries, 2)
    }

    /// REFUSED and SERVFAIL keep the address for `hold refused` and `hold
    /// other`, then the server goes to maintenance with 2.6's reason.
    func testRefusedAndOtherErrorsFollowTheirHolds() throws {
        let refused = try HostileNameserver(behaviour: .responseCode(5))
        defer { refused.stop() }
        let failing = try HostileNameserver(behaviour: .responseCode(2))
        defer { failing.stop() }
        let port = Ports.free()
        let proxy = try startResolvingProxy(
            config: config(dnsPort: refused.port, frontendPort: port, resolvers: """
                    hold refused 1s
                resolvers other
                    nameserver dns 127.0.0.1:\(failing.port)
                    hold other 2s
                    timeout resolve 100ms
                    timeout retry 100ms
                """,
                servers: """
                    server s1 web.test:8080 resolvers ns init-addr 127.0.0.2
                    server s2 web.test:8080 resolvers other init-addr 127.0.0.3
                    server s3 127.0.0.1:1
                """),
            port: port)
        let start = Date()
        try waitUntil("s1 in maintenance") { try states()["s1"]?.first == "-" }
        XCTAssertEqual(try states()["s2"]?.first, "127.0.0.3", "hold other is longer")
        try waitUntil("s2 in maintenance") { try states()["s2"]?.first == "-" }
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(start), 1.5)
        XCTAssertTrue(proxy.stderr.contains("Server be/s1 is going DOWN for maintenance (DNS refused status)."), proxy.stderr)
        XCTAssertTrue(proxy.stderr.contains("Server be/s2 is going DOWN for maintenance (unspecified DNS error)."), proxy.stderr)
        XCTAssertFalse(try command("show resolvers ns").contains("  refused:     0\n"))
        XCTAssertFalse(try command("show resolvers other").contains("  other:       0\n"))
    }

    func testHostileAnswersNeitherStallTrafficNorCrash() throws {
        let a = try startBackend("a", host: "127.0.0.2")
        let hostile = try HostileNameserver(behaviour: .hostile)
        defer { hostile.stop() }
        let port = Ports.free()
        let proxy = try startResolvingProxy(
            config: config(dnsPort: hostile.port, frontendPort: port, resolvers: "    hold other 60s\n    hold timeout 60s",
                           servers: "    server s1 web.test:\(a.port) resolvers ns init-addr 127.0.0.2"),
            port: port)
        var served = 0
        let start = Date()
        while Date().timeIntervalSince(start) < 3 {
            let r = try HTTPClient.get(port: port, timeout: 2)
            XCTAssertEqual(r.status, 200)
            served += 1
        }
        XCTAssertTrue(proxy.isRunning)
        XCTAssertGreaterThan(hostile.answersSent, 20, "the hostile nameserver answered")
        XCTAssertGreaterThan(served, 20)
        XCTAssertEqual(try states()["s1"]?.first, "127.0.0.2", "no hostile answer moved the server")
        let counters = try command("show resolvers ns")
        XCTAssertFalse(counters.contains("  invalid:     0\n"), counters)
        XCTAssertFalse(counters.contains("  outdated:    0\n"), counters)
        // A well-formed answer from the right port is still taken.
        hostile.behaviour = .answer([127, 0, 0, 9])
        try waitUntil("s1 follows a valid answer") { try states()["s1"]?.first == "127.0.0.9" }
        XCTAssertTrue(proxy.isRunning)
    }
}

/// Requests of a traffic thread, by answering server, and failures.
final class Tally: @unchecked Sendable {
    let lock = NSLock()
    var running = true
    var seen: [String: Int] = [:]
    var failures: [String] = []
}

/// A nameserver written for the tests: silent, hostile (garbage, truncated
/// messages, wrong IDs, wrong questions, answers from another port), or
/// answering every A query with one address.
final class HostileNameserver: @unchecked Sendable {
    enum Behaviour { case silent, hostile, answer([UInt8]), responseCode(UInt8) }

    let fd: Int32
    let other: Int32
    let port: Int
    private let lock = NSLock()
    private var _behaviour: Behaviour
    private var _queries = 0
    private var _answers = 0
    private var stopped = false
    private var thread: Thread?

    var behaviour: Behaviour {
        get { lock.withLock { _behaviour } }
        set { lock.withLock { _behaviour = newValue } }
    }
    var queries: Int { lock.withLock { _queries } }
    var answersSent: Int { lock.withLock { _answers } }

    init(behaviour: Behaviour) throws {
        _behaviour = behaviour
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        self.fd = fd
        other = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else { throw HarnessError("bind failed") }
        var bound = sockaddr_in()
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &bound) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        port = Int(UInt16(bigEndian: bound.sin_port))
        var tv = timeval(tv_sec: 0, tv_usec: 100_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        let t = Thread { [unowned self] in self.serve() }
        thread = t
        t.start()
    }

    func stop() {
        lock.withLock { stopped = true }
        while !(thread?.isFinished ?? true) { usleep(10_000) }
        close(fd)
        close(other)
    }

    private func serve() {
        var seed = UInt64(ProcessInfo.processInfo.environment["DNS_HOSTILE_SEED"] ?? "") ?? UInt64.random(in: 1...UInt64.max)
        print("hostile nameserver seed: \(seed) (repeat with DNS_HOSTILE_SEED=\(seed))")
        func random() -> UInt64 {
            seed ^= seed << 13
            seed ^= seed >> 7
            seed ^= seed << 17
            return seed
        }
        var round = 0
        while !lock.withLock({ stopped }) {
            var buffer = [UInt8](repeating: 0, count: 1500)
            var from = sockaddr_in()
            var len = socklen_t(MemoryLayout<sockaddr_in>.size)
            let n = withUnsafeMutablePointer(to: &from) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { recvfrom(fd, &buffer, buffer.count, 0, $0, &len) }
            }
            guard n >= 12 else { continue }
            let query = Array(buffer[0..<n])
            lock.withLock { _queries += 1 }
            var replies: [(fd: Int32, bytes: [UInt8])] = []
            switch behaviour {
            case .silent:
                continue
            case .answer(let address):
                replies.append((fd, Self.answer(to: query, address: address)))
            case .responseCode(let code):
                var reply = Self.answer(to: query, address: [0, 0, 0, 0])
                reply[3] = 0x80 | code
                reply[7] = 0  // no answer records
                replies.append((fd, Array(reply[0..<(12 + (reply.count > 12 ? Self.questionLength(query) : 0))])))
            case .hostile:
                round += 1
                let good = Self.answer(to: query, address: [127, 0, 0, 66])
                switch round % 6 {
                case 0: replies.append((fd, (0..<(Int(random() % 300))).map { _ in UInt8(truncatingIfNeeded: random()) }))
                case 1: replies.append((fd, Array(good[0..<(12 + Int(random() % UInt64(good.count - 12)))])))
                case 2:
                    var wrong = good
                    wrong[0] ^= 0x5a
                    replies.append((fd, wrong))
                case 3: replies.append((other, good))  // right answer, wrong source port
                case 4:
                    var loop = Array(query[0..<12])
                    loop[2] = 0x81
                    loop += [0xc0, 12, 0, 1, 0, 1]  // a question name pointing at itself
                    replies.append((fd, loop))
                default:
                    var mutated = good
                    for _ in 0..<4 { mutated[Int(random() % UInt64(mutated.count))] = UInt8(truncatingIfNeeded: random()) }
                    if mutated.suffix(4) == [127, 0, 0, 66] || mutated[0..<2] == good[0..<2] {
                        mutated[0] ^= 0xff  // never a valid answer for the query in flight
                    }
                    replies.append((fd, mutated))
                }
            }
            for (socket, bytes) in replies {
                _ = withUnsafePointer(to: &from) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        sendto(socket, bytes, bytes.count, 0, $0, len)
                    }
                }
                lock.withLock { _answers += 1 }
            }
        }
    }

    /// The question's length in `query` (name, type, class).
    static func questionLength(_ query: [UInt8]) -> Int {
        var end = 12
        while end < query.count, query[end] != 0 { end += Int(query[end]) + 1 }
        return min(query.count, end + 5) - 12
    }

    /// A NOERROR answer to `query` with one A record.
    static func answer(to query: [UInt8], address: [UInt8]) -> [UInt8] {
        var end = 12
        while end < query.count, query[end] != 0 { end += Int(query[end]) + 1 }
        let question = Array(query[12..<min(query.count, end + 5)])
        var out = Array(query[0..<2]) + [0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0] + question
        let type = question.count >= 4 ? question[question.count - 3] : 1
        if type != 1 {
            out[7] = 0  // no AAAA: NOERROR without answers
            return out
        }
        out += [0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4] + address
        return out
    }
}

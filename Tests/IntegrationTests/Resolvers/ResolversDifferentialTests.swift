import Foundation
import XCTest

/// The same configuration on this build and on Debian's 2.6, both asking
/// the same dnsmasq, through the same DNS events: the servers end in the
/// same states (`show servers state`, `show stat` status and address) and
/// both print the same lines about them.
final class ResolversDifferentialTests: IntegrationTestCase {
    static var referencePath: String {
        if let path = ProcessInfo.processInfo.environment["HAPROXY_REFERENCE"] { return path }
        return NSHomeDirectory() + "/.cache/proxybench/ref/usr/sbin/haproxy"
    }

    struct Side {
        let process: ManagedProcess
        let socket: String

        func command(_ line: String) throws -> String { try StatsSocket.command(socket, line) }

        /// Server lines of `show servers state be` without the seconds since
        /// the last change (field 10), which depend on when each was read.
        func states() throws -> [String: String] {
            var out: [String: String] = [:]
            for line in try command("show servers state be").split(separator: "\n") where !line.hasPrefix("#") {
                var f = line.split(separator: " ").map(String.init)
                guard f.count > 10 else { continue }
                f[9] = "*"
                out[f[3]] = f.joined(separator: " ")
            }
            return out
        }

        /// Named `show stat` columns of one server.
        func columns(_ server: String, _ names: [String]) throws -> [String] {
            let lines = try command("show stat").split(separator: "\n").map(String.init)
            guard let header = lines.first?.dropFirst(2).split(separator: ",", omittingEmptySubsequences: false),
                let line = lines.first(where: { $0.hasPrefix("be,\(server),") })
            else { return [] }
            let values = line.split(separator: ",", omittingEmptySubsequences: false)
            return names.map { name in header.firstIndex(of: Substring(name)).map { String(values[$0]) } ?? "?" }
        }

        /// `show stat` status and address of each server.
        func stat() throws -> [String] {
            try command("show stat").split(separator: "\n").compactMap { line in
                let f = line.split(separator: ",", omittingEmptySubsequences: false)
                guard f.count > 73, f[0] == "be", f[1] != "BACKEND" else { return nil }
                return "\(f[1]) \(f[17]) \(f[73])"
            }
        }

        static let dnsWords = ["changed its IP", "resolves again", "valid DNS answer", "for maintenance", "no server available"]

        /// The DNS lines printed on standard error so far, without the PID.
        func messages() -> [String] {
            process.stderr.split(separator: "\n").compactMap { line in
                guard line.hasPrefix("["), let range = line.range(of: ") : ") else { return nil }
                let text = String(line[range.upperBound...])
                return Self.dnsWords.contains { text.contains($0) } ? text : nil
            }
        }

        /// The DNS lines sent to the log (`log stderr format short`): `<level>text`.
        func logLines() -> [String] {
            process.stderr.split(separator: "\n").compactMap { line in
                guard line.hasPrefix("<") else { return nil }
                return Self.dnsWords.contains { line.contains($0) } ? String(line) : nil
            }
        }
    }

    static let templateServers = """
            server s1 web.test:8000 resolvers ns init-addr none resolve-prefer ipv4
            server-template t 3 multi.test:8000 resolvers ns init-addr none
            server s9 127.0.0.1:1
        """

    func start(
        _ executable: String, name: String, dnsPort: Int, environment: [String: String]? = nil,
        servers: String = templateServers, global: String = "", resolvers: String = ""
    ) throws -> Side {
        let socket = tmp.appendingPathComponent("\(name).sock").path
        let port = Ports.free()
        let config = try writeConfig(
            """
            global
                stats socket \(socket) level admin
                log stderr format short local0
            \(global)
            resolvers ns
                nameserver dns 127.0.0.1:\(dnsPort)
                hold valid 200ms
                hold nx 1s
                timeout resolve 100ms
                timeout retry 200ms
            \(resolvers)
            defaults
                mode http
                log global
                timeout connect 1s
                timeout client 5s
                timeout server 5s
            frontend fe
                bind 127.0.0.1:\(port)
                default_backend be
            backend be
            \(servers)
            """, name: "\(name).cfg")
        let process = track(try ManagedProcess(
            label: name, executable: executable, arguments: ["-f", config.path, "-db"], dir: tmp,
            environment: environment))
        try Ports.waitUntilAccepting(port, timeout: 10, while: { process.isRunning })
        let side = Side(process: process, socket: socket)
        try waitUntil("\(name)'s stats socket answers") { (try? side.command("show info")) != nil }
        return side
    }

    /// The reference binary and the environment it runs in (its libraries).
    func reference() throws -> (path: String, environment: [String: String]) {
        let reference = Self.referencePath
        guard FileManager.default.isExecutableFile(atPath: reference) else {
            XCTFail("Debian's haproxy 2.6 is not unpacked at \(reference): run `make reference`")
            throw HarnessError("reference binary missing")
        }
        let root = URL(fileURLWithPath: reference).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        var env = ProcessInfo.processInfo.environment
        env["LD_LIBRARY_PATH"] = ["lib/x86_64-linux-gnu", "usr/lib/x86_64-linux-gnu"]
            .map { root.appendingPathComponent($0).path }.joined(separator: ":")
        return (reference, env)
    }

    /// Servers with `check`: no check runs while a server has no address,
    /// a resolved server is UP at once, the check columns as 2.6 shows them.
    func testChecksOfResolvedServersMatchHAProxy26() throws {
        let (reference, env) = try reference()
        let web = try startHTTPBackend(host: "127.0.0.2")
        let dns = try DNSMasq(in: self, hosts: "127.0.0.2 web.test\n")
        let servers = """
                server s1 web.test:\(web) resolvers ns init-addr none check inter 200ms
                server s2 nope.test:\(web) resolvers ns init-addr none check inter 200ms
            """
        let ours = try start(haproxyPath, name: "ours", dnsPort: dns.port, servers: servers)
        let theirs = try start(reference, name: "reference", dnsPort: dns.port, environment: env, servers: servers)
        let columns = ["status", "chkdown", "check_status", "check_rise", "check_fall", "check_health", "addr"]
        for side in [ours, theirs] {
            try waitUntil("s1 checked (\(side.process.label))") { try side.columns("s1", columns)[2] == "L4OK" }
        }
        for server in ["s1", "s2"] {
            XCTAssertEqual(try ours.columns(server, columns), try theirs.columns(server, columns), server)
        }
        // s1's check fields (last status code, health) belong to the
        // health checks' own comparison; the waiting server's are DNS's.
        XCTAssertEqual(try ours.states()["s2"], try theirs.states()["s2"])
        XCTAssertEqual(ours.messages(), theirs.messages())
        XCTAssertEqual(ours.messages().count, 3)
    }

    /// A server-template on an SRV name: records fill the servers with
    /// their target, port, weight and the address of the additional
    /// records; a record that goes away empties its server.
    func testSRVRecordsMatchHAProxy26() throws {
        let (reference, env) = try reference()
        func srv(_ target: String, _ port: Int, _ weight: Int) -> String {
            "--srv-host=_http._tcp.svc.test,\(target).svc.test,\(port),0,\(weight)"
        }
        let dns = try DNSMasq(
            in: self, hosts: "127.0.0.2 a.svc.test\n127.0.0.3 b.svc.test\n", options: [srv("a", 8001, 10), srv("b", 8002, 20)])
        let servers = "    server-template t 3 _http._tcp.svc.test resolvers ns init-addr none"
        let ours = try start(haproxyPath, name: "ours", dnsPort: dns.port, servers: servers)
        let theirs = try start(reference, name: "reference", dnsPort: dns.port, environment: env, servers: servers)
        let sides = [ours, theirs]
        func settle(_ what: String, _ done: @escaping ([String: String]) -> Bool) throws {
            for side in sides { try waitUntil("\(what) (\(side.process.label))") { done(try side.states()) } }
            XCTAssertEqual(try ours.states(), try theirs.states(), what)
            XCTAssertEqual(try ours.stat(), try theirs.stat(), what)
        }
        func resolved(_ states: [String: String]) -> Int { states.values.filter { $0.contains(" 2 64 ") }.count }

        try settle("two records") { resolved($0) == 2 }
        let fqdn = "set server be/t1 fqdn other.test"
        XCTAssertEqual(try ours.command(fqdn), try theirs.command(fqdn), "an SRV server keeps its records' names")
        try dns.restart(options: [srv("a", 8001, 10)])
        try settle("a record removed") { resolved($0) == 1 && $0.values.contains { $0.contains(" 0 96 ") } }
        try dns.restart(options: [srv("a", 8001, 600), srv("c", 8003, 10)])
        try settle("a record without its address, a new weight") { states in
            states.values.contains { $0.contains("c.svc.test 8003") } && states.values.contains { $0.contains(" 2 64 3 1 ") }
        }
        XCTAssertEqual(ours.messages().sorted(), theirs.messages().sorted())
        XCTAssertEqual(ours.logLines().sorted(), theirs.logLines().sorted())
        // The target's address comes both in the SRV answer's additional
        // records and from the target's own resolution: which one is first
        // depends on timing, in 2.6 as here.
        let before = ours.messages().count
        try dns.setHosts("127.0.0.2 a.svc.test\n127.0.0.3 b.svc.test\n127.0.0.4 c.svc.test\n")
        try settle("its address") { resolved($0) == 2 }
        for side in sides {
            let last = side.messages().dropFirst(before).joined(separator: "\n")
            XCTAssertTrue(last.contains("be/t3 changed its IP from (none) to 127.0.0.4 by "), last)
            XCTAssertTrue(last.contains("Server be/t3 ('c.svc.test') is UP/READY (resolves again)."), last)
        }
    }

    /// `init-addr last` takes the address the server state file holds
    /// (`load-server-state-from-file`), before libc and before DNS answers;
    /// `init-addr libc` asks the system resolver.
    func testInitAddrLastReadsTheServerStateFile() throws {
        let (reference, env) = try reference()
        let state = tmp.appendingPathComponent("state")
        try """
            1
            # be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl srv_check_port srv_check_addr srv_agent_addr srv_agent_port
            3 be 1 s1 127.0.0.9 2 0 1 1 5 1 0 0 0 0 0 0 web.test 8000 - 0 0 - - 0
            3 be 2 s2 - 0 32 1 1 5 1 0 0 0 0 0 0 web.test 8000 - 0 0 - - 0

            """.write(to: state, atomically: true, encoding: .utf8)
        // A nameserver that never answers: the first addresses stay (hold timeout is 30s).
        let dns = try HostileNameserver(behaviour: .silent)
        defer { dns.stop() }
        let servers = """
                load-server-state-from-file global
                server s1 web.test:8000 resolvers ns init-addr last,none
                server s2 web.test:8000 resolvers ns init-addr last,127.0.0.5
                server s3 web.test:8000 resolvers ns init-addr last,none
                server s4 localhost:8000 resolvers ns init-addr libc resolve-prefer ipv4
            """
        let global = "    server-state-file \(state.path)"
        let ours = try start(haproxyPath, name: "ours", dnsPort: dns.port, servers: servers, global: global)
        let theirs = try start(
            reference, name: "reference", dnsPort: dns.port, environment: env, servers: servers, global: global)
        let o = try ours.states(), t = try theirs.states()
        XCTAssertEqual(o["s1"]?.split(separator: " ")[4], "127.0.0.9")
        XCTAssertEqual(o["s2"]?.split(separator: " ")[4], "127.0.0.5")
        XCTAssertEqual(o["s3"]?.split(separator: " ")[4], "-")
        XCTAssertEqual(o["s4"]?.split(separator: " ")[4], "127.0.0.1", "init-addr libc: the system resolver")
        for name in ["s1", "s2", "s3", "s4"] {
            XCTAssertEqual(o[name]?.split(separator: " ")[4...6], t[name]?.split(separator: " ")[4...6], name)
        }
        // Without the file, `last` alone finds nothing: both refuse to start.
        let lone = try writeConfig(
            "resolvers ns\n nameserver dns 127.0.0.1:\(dns.port)\nbackend be\n server s1 web.test:80 resolvers ns init-addr last\n",
            name: "last.cfg")
        let mine = try haproxy(["-c", "-f", lone.lastPathComponent])
        let ref = try runTool(reference, ["-c", "-f", lone.lastPathComponent], dir: tmp, environment: env)
        func alerts(_ text: String) -> [String] {
            text.split(separator: "\n").filter { $0.hasPrefix("[ALERT]") }.map { $0.replacingOccurrences(of: #"\(\d+\)"#, with: "", options: .regularExpression) }
        }
        XCTAssertEqual(alerts(mine.stderr), alerts(ref.stderr))
        XCTAssertEqual(mine.status, ref.status)
    }

    /// backend.py's HTTP server on `host`; returns its port.
    func startHTTPBackend(host: String) throws -> Int {
        let portFile = tmp.appendingPathComponent("port-\(host)")
        var env = ProcessInfo.processInfo.environment
        env["BACKEND_HOST"] = host
        let p = track(try ManagedProcess(
            label: "backend-\(host)", executable: Paths.python(),
            arguments: [Paths.backendScript.path, "http", host, portFile.path], dir: tmp, environment: env))
        try waitUntil("backend on \(host)") { FileManager.default.fileExists(atPath: portFile.path) || !p.isRunning }
        guard let text = try? String(contentsOf: portFile, encoding: .utf8), let port = Int(text) else {
            throw HarnessError("backend on \(host) failed: \(p.stderr)")
        }
        return port
    }

    func testServerStatesAndMessagesMatchHAProxy26() throws {
        let (reference, env) = try reference()

        let dns = try DNSMasq(in: self, hosts: "127.0.0.2 web.test\n127.0.0.3 multi.test\n")
        let ours = try start(haproxyPath, name: "ours", dnsPort: dns.port)
        let theirs = try start(reference, name: "reference", dnsPort: dns.port, environment: env)
        let sides = [ours, theirs]

        func settle(_ what: String, _ done: @escaping (Side) throws -> Bool) throws {
            for side in sides { try waitUntil("\(what) (\(side.process.label))") { try done(side) } }
            XCTAssertEqual(try ours.states(), try theirs.states(), what)
            XCTAssertEqual(try ours.stat(), try theirs.stat(), what)
        }
        func address(_ side: Side, _ server: String) throws -> String {
            try side.states()[server]?.split(separator: " ")[4].description ?? "?"
        }

        try settle("first answers") { try address($0, "s1") == "127.0.0.2" && address($0, "t1") == "127.0.0.3" }
        try dns.setHosts("127.0.0.5 web.test\n127.0.0.3 multi.test\n127.0.0.4 multi.test\n")
        try settle("new addresses") { try address($0, "s1") == "127.0.0.5" && address($0, "t2") == "127.0.0.4" }
        try dns.setHosts("127.0.0.4 multi.test\n127.0.0.7 other.test\n")
        try settle("NXDOMAIN and a vanished address") { try address($0, "s1") == "-" && address($0, "t1") == "-" }
        for refused in ["set server be/s1 fqdn", "set server be/s1 fqdn bad..name", "set server be/s9 fqdn x.test"] {
            XCTAssertEqual(try ours.command(refused), try theirs.command(refused), refused)
        }
        XCTAssertEqual(try ours.command("set server be/s1 fqdn other.test"), try theirs.command("set server be/s1 fqdn other.test"))
        try settle("a new name") { try address($0, "s1") == "127.0.0.7" }
        XCTAssertEqual(try ours.command("show resolvers nope"), try theirs.command("show resolvers nope"))
        // The same layout; the counts depend on each one's timing.
        func layout(_ text: String) -> [String] { text.split(separator: "\n").map { $0.prefix { !$0.isNumber }.description } }
        XCTAssertEqual(layout(try ours.command("show resolvers ns")), layout(try theirs.command("show resolvers ns")))
        XCTAssertEqual(ours.messages().sorted(), theirs.messages().sorted())
        XCTAssertEqual(ours.logLines().sorted(), theirs.logLines().sorted())
        XCTAssertGreaterThanOrEqual(ours.messages().count, 12, "\(ours.messages())")
    }
}

import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// The protocol checks against real servers started here on loopback
/// (Debian's redis-server, MariaDB and PostgreSQL, as user nobody when run
/// as root) and small conversation servers (protocol_servers.py, `openssl
/// s_server`), our proxy and Debian's haproxy 2.6 side by side on the same
/// servers and the same events: the same server states, `show stat` check
/// columns and "Health check for server" log lines.
///
/// The reference binary is Debian's package unpacked by `make reference`
/// (never an installed haproxy); HAPROXY_REFERENCE may point elsewhere.
final class ProtocolCheckTests: IntegrationTestCase {
    static var referencePath: String {
        if let path = ProcessInfo.processInfo.environment["HAPROXY_REFERENCE"] { return path }
        return NSHomeDirectory() + "/.cache/proxybench/ref/usr/sbin/haproxy"
    }

    static let referenceLibraries = [
        NSHomeDirectory() + "/.cache/proxybench/ref/lib/x86_64-linux-gnu",
        NSHomeDirectory() + "/.cache/proxybench/ref/usr/lib/x86_64-linux-gnu",
    ].joined(separator: ":")

    /// Service processes by pid file, stopped in `tearDown` (runuser does
    /// not pass every signal on).
    private var pidFiles: [(path: String, signal: Int32)] = []

    override func tearDown() {
        for (path, sig) in pidFiles.reversed() { Self.signalPidFile(path, sig) }
        pidFiles.removeAll()
        super.tearDown()
    }

    static func signalPidFile(_ path: String, _ sig: Int32) {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
              let pid = Int32(text.split(separator: "\n").first?.trimmingCharacters(in: .whitespaces) ?? "")
        else { return }
        kill(pid, sig)
        let deadline = Date().addingTimeInterval(10)
        while kill(pid, 0) == 0 && Date() < deadline { usleep(20_000) }
    }

    private var isRoot: Bool { getuid() == 0 }

    /// A directory the service's user may write.
    private func serviceDir(_ name: String) throws -> URL {
        let dir = tmp.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        if isRoot, let pw = getpwnam("nobody") {
            chmod(tmp.path, 0o755)
            chown(dir.path, pw.pointee.pw_uid, pw.pointee.pw_gid)
        }
        return dir
    }

    /// `executable arguments` as nobody when root.
    private func asServiceUser(_ label: String, _ executable: String, _ arguments: [String]) throws -> ManagedProcess {
        if isRoot {
            return track(try ManagedProcess(label: label, executable: "/usr/sbin/runuser",
                                            arguments: ["-u", "nobody", "--", executable] + arguments, dir: tmp))
        }
        return track(try ManagedProcess(label: label, executable: executable, arguments: arguments, dir: tmp))
    }

    private func runAsServiceUser(_ executable: String, _ arguments: [String], timeout: TimeInterval = 60) throws {
        let result = isRoot
            ? try runTool("/usr/sbin/runuser", ["-u", "nobody", "--", executable] + arguments, dir: tmp, timeout: timeout)
            : try runTool(executable, arguments, dir: tmp, timeout: timeout)
        guard result.status == 0 else {
            throw HarnessError("\(executable) failed (\(result.status)): \(result.stdout)\(result.stderr)")
        }
    }

    // MARK: - Services

    private func startRedis() throws -> (port: Int, pidFile: String) {
        let dir = try serviceDir("redis")
        let port = Ports.free()
        let pidFile = dir.appendingPathComponent("redis.pid").path
        let p = try asServiceUser("redis", "/usr/bin/redis-server", [
            "--port", "\(port)", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir.path,
            "--pidfile", pidFile, "--daemonize", "no",
        ])
        pidFiles.append((pidFile, SIGTERM))
        try Ports.waitUntilAccepting(port, timeout: 20, while: { p.isRunning })
        return (port, pidFile)
    }

    /// MariaDB with a user `hap`@127.0.0.1 (no password).
    private func startMariaDB() throws -> Int {
        let dir = try serviceDir("mariadb")
        let data = dir.appendingPathComponent("data").path
        let socketPath = dir.appendingPathComponent("sock").path
        let pidFile = dir.appendingPathComponent("mariadb.pid").path
        try runAsServiceUser("/usr/bin/mariadb-install-db", [
            "--no-defaults", "--datadir=\(data)", "--auth-root-authentication-method=normal", "--skip-test-db",
        ] + (isRoot ? ["--user=nobody"] : []), timeout: 120)
        let port = Ports.free()
        let p = try asServiceUser("mariadb", "/usr/sbin/mariadbd", [
            "--no-defaults", "--datadir=\(data)", "--socket=\(socketPath)", "--port=\(port)",
            "--bind-address=127.0.0.1", "--skip-name-resolve", "--pid-file=\(pidFile)", "--skip-log-bin",
        ])
        pidFiles.append((pidFile, SIGTERM))
        try Ports.waitUntilAccepting(port, timeout: 60, while: { p.isRunning })
        let created = try runTool("/usr/bin/mariadb", [
            "--no-defaults", "-S", socketPath, "-u", "root", "-e", "CREATE USER 'hap'@'127.0.0.1'",
        ], dir: tmp)
        guard created.status == 0 else { throw HarnessError("CREATE USER failed: \(created.stderr)") }
        return port
    }

    /// PostgreSQL trusting every user from 127.0.0.1 but `refused`.
    private func startPostgreSQL() throws -> Int {
        let dir = try serviceDir("postgresql")
        let data = dir.appendingPathComponent("data").path
        let bin = try Self.postgresBin()
        try runAsServiceUser(bin + "/initdb", ["-D", data, "-U", "postgres", "--auth=trust", "--no-sync"], timeout: 120)
        let hba = data + "/pg_hba.conf"
        let rules = "host all refused 127.0.0.1/32 reject\n" + (try String(contentsOfFile: hba, encoding: .utf8))
        try rules.write(toFile: hba, atomically: false, encoding: .utf8)
        let port = Ports.free()
        let p = try asServiceUser("postgres", bin + "/postgres", [
            "-D", data, "-p", "\(port)", "-k", dir.path, "-c", "listen_addresses=127.0.0.1",
        ])
        // SIGINT: PostgreSQL's fast shutdown.
        pidFiles.append((data + "/postmaster.pid", SIGINT))
        try Ports.waitUntilAccepting(port, timeout: 60, while: { p.isRunning })
        // The port accepts before the server takes logins ("the database
        // system is starting up"): wait until it does, so that no check meets
        // a server still starting.
        try waitUntil("PostgreSQL accepts logins", timeout: 60) {
            guard p.isRunning else { throw HarnessError("postgres exited: \(p.stderr)") }
            return try runTool(bin + "/pg_isready", ["-q", "-h", "127.0.0.1", "-p", "\(port)"], dir: tmp).status == 0
        }
        return port
    }

    static func postgresBin() throws -> String {
        let root = "/usr/lib/postgresql"
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        guard let version = versions.compactMap(Int.init).max() else {
            throw HarnessError("PostgreSQL is not installed under \(root) (Debian package postgresql)")
        }
        return "\(root)/\(version)/bin"
    }

    // MARK: - The two proxies

    struct Proxy {
        let process: ManagedProcess
        let socket: String
    }

    /// The same configuration for ours and for 2.6, each with its own
    /// listener and stats socket.
    private func startBoth(backends: String) throws -> (ours: Proxy, reference: Proxy) {
        let reference = Self.referencePath
        guard FileManager.default.isExecutableFile(atPath: reference) else {
            XCTFail("Debian's haproxy 2.6 is not unpacked at \(reference): run `make reference`")
            throw HarnessError("reference missing")
        }
        func config(_ name: String, port: Int) -> (String, String) {
            let socket = tmp.appendingPathComponent("\(name).sock").path
            return ("""
            global
                log stderr format raw local0
                stats socket \(socket) level admin
            defaults
                mode tcp
                log global
                timeout connect 1s
                timeout client 5s
                timeout server 5s
                timeout check 2s
            frontend f
                bind 127.0.0.1:\(port)
            \(backends)
            """, socket)
        }
        let ourPort = Ports.free()
        let (ourConfig, ourSocket) = config("ours", port: ourPort)
        let ours = try startProxy(config: ourConfig, ports: [ourPort])
        let refPort = Ports.free()
        let (refConfig, refSocket) = config("reference", port: refPort)
        let refFile = try writeConfig(refConfig, name: "reference.cfg")
        let ref = track(try ManagedProcess(
            label: "reference", executable: reference, arguments: ["-f", refFile.path, "-db"], dir: tmp,
            environment: ["LD_LIBRARY_PATH": Self.referenceLibraries]))
        try Ports.waitUntilAccepting(refPort, timeout: 10, while: { ref.isRunning })
        return (Proxy(process: ours, socket: ourSocket), Proxy(process: ref, socket: refSocket))
    }

    static let columns = ["status", "check_status", "check_code", "last_chk", "check_desc"]

    /// The check columns of `backend`'s server `s`.
    private func row(_ proxy: Proxy, _ backend: String) throws -> [String] {
        let rows = StatsCSV.rows(try StatsSocket.command(proxy.socket, "show stat"), proxy: backend)
        let s = rows["s"] ?? [:]
        return Self.columns.map { s[$0] ?? "?" }
    }

    /// Waits until both proxies show `expected` (status, check_status,
    /// check_code, last_chk, check_desc) for each backend's server.
    private func expectBoth(_ both: (ours: Proxy, reference: Proxy), _ expected: [String: [String]],
                            timeout: TimeInterval = 15) throws {
        for (backend, values) in expected.sorted(by: { $0.key < $1.key }) {
            for (label, proxy) in [("2.6", both.reference), ("ours", both.ours)] {
                var last: [String] = []
                do {
                    try waitUntil("\(label) shows \(values) for \(backend)", timeout: timeout) {
                        last = try row(proxy, backend)
                        return last == values
                    }
                } catch {
                    XCTFail("\(label): \(backend)/s shows \(last), expected \(values)")
                }
            }
        }
    }

    /// The "Health check for server" and "Server ... is" lines, without
    /// priority, durations and order.
    static func healthLines(_ output: String) -> [String] {
        output.components(separatedBy: "\n").compactMap { line -> String? in
            guard let start = line.range(of: "Health check for server") ?? line.range(of: "Server ") else { return nil }
            let text = String(line[start.lowerBound...])
            guard text.hasPrefix("Health check") || text.contains(" is UP") || text.contains(" is DOWN") else { return nil }
            guard let d = text.range(of: "duration: "), let end = text[d.upperBound...].range(of: "ms") else { return text }
            return text.replacingCharacters(in: d.upperBound..<end.lowerBound, with: "N")
        }.sorted()
    }

    /// Compares the distinct lines. A server's first failed check while it
    /// is still UP ("status: 1/2 UP") depends on the moment a check meets a
    /// service that is starting or stopping (reset, empty answer or refused
    /// connection), and a check that passes again repeats a line already
    /// there: neither says anything about the checks themselves.
    private func compareLogs(_ both: (ours: Proxy, reference: Proxy)) {
        func stable(_ output: String) -> Set<String> {
            Set(Self.healthLines(output).filter { !($0.contains(" failed, ") && $0.hasSuffix("status: 1/2 UP.")) })
        }
        XCTAssertEqual(stable(both.ours.process.stderr), stable(both.reference.process.stderr),
                       "log lines differ from 2.6's")
    }

    // MARK: - Tests

    /// Redis, MariaDB and PostgreSQL: passing checks (L7OK), a refused
    /// check user (MariaDB's error code and message; PostgreSQL's error
    /// severity), then the service stopped (L4CON).
    func testRedisMySQLAndPgSQLMatchHAProxy26() throws {
        let redis = try startRedis()
        let mysqlPort = try startMariaDB()
        let pgsqlPort = try startPostgreSQL()
        let server = "server s 127.0.0.1:%d check inter 300 rise 2 fall 2"
        func backend(_ name: String, _ option: String, _ port: Int) -> String {
            "backend \(name)\n    option \(option)\n    option log-health-checks\n    "
                + String(format: server, port) + "\n"
        }
        let both = try startBoth(backends: [
            backend("redis", "redis-check", redis.port),
            backend("mysql", "mysql-check user hap", mysqlPort),
            backend("mysql_pre41", "mysql-check user hap pre-41", mysqlPort),
            backend("mysql_post41", "mysql-check user hap post-41", mysqlPort),
            backend("mysql_greeting", "mysql-check", mysqlPort),
            backend("mysql_refused", "mysql-check user nobodyx", mysqlPort),
            backend("pgsql", "pgsql-check user hap", pgsqlPort),
            backend("pgsql_refused", "pgsql-check user refused", pgsqlPort),
        ].joined())
        try expectBoth(both, [
            "redis": ["UP", "L7OK", "0", "Redis server is ok", "Layer7 check passed"],
            // 2.6 leaves MySQL's version out of last_chk (it logs it).
            "mysql": ["UP", "L7OK", "0", "", "Layer7 check passed"],
            "mysql_greeting": ["UP", "L7OK", "0", "", "Layer7 check passed"],
            // MariaDB takes 2.6's pre-4.1 login as well.
            "mysql_pre41": ["UP", "L7OK", "0", "", "Layer7 check passed"],
            "mysql_post41": ["UP", "L7OK", "0", "", "Layer7 check passed"],
            "mysql_refused": [
                "DOWN", "L7STS", "1045", "#28000Access denied for user 'nobodyx'@'127.0.0.1' (using password: NO)",
                "Layer7 wrong status",
            ],
            "pgsql": ["UP", "L7OK", "0", "PostgreSQL server is ok", "Layer7 check passed"],
            "pgsql_refused": ["DOWN", "L7RSP", "", "FATAL", "Layer7 invalid response"],
        ])
        XCTAssertTrue(both.ours.process.stderr.contains(
            "Health check for server mysql/s succeeded, reason: Layer7 check passed, code: 0, info: \"5.5.5-10"),
                      both.ours.process.stderr)

        Self.signalPidFile(redis.pidFile, SIGTERM)
        try expectBoth(both, ["redis": ["DOWN", "L4CON", "", "Connection refused", "Layer4 connection problem"]])
        // Both logged the same changes.
        try waitUntil("both logged the redis server DOWN") {
            both.ours.process.stderr.contains("Server redis/s is DOWN")
                && both.reference.process.stderr.contains("Server redis/s is DOWN")
        }
        compareLogs(both)
        // MariaDB and PostgreSQL stopped in turn: their checks fail at layer 4
        // (the lines of a service shutting down depend on the moment each
        // check meets it: only the final states and DOWN lines are compared).
        let refused = ["DOWN", "L4CON", "", "Connection refused", "Layer4 connection problem"]
        for (service, backends) in [("mariadb.pid", ["mysql", "mysql_post41"]), ("postmaster.pid", ["pgsql"])] {
            for (path, sig) in pidFiles where path.hasSuffix(service) { Self.signalPidFile(path, sig) }
            try expectBoth(both, Dictionary(uniqueKeysWithValues: backends.map { ($0, refused) }))
            for backend in backends {
                try waitUntil("both logged \(backend)/s DOWN") {
                    both.ours.process.stderr.contains("Server \(backend)/s is DOWN")
                        && both.reference.process.stderr.contains("Server \(backend)/s is DOWN")
                }
            }
        }
    }

    /// SMTP and LDAP conversations of small servers, and an SSL hello to
    /// `openssl s_server` (a TLS server's alert passes at layer 6) and to a
    /// server that does not speak TLS.
    func testSMTPLDAPAndSSLHelloMatchHAProxy26() throws {
        let portFile = tmp.appendingPathComponent("ports").path
        let script = Paths.supportDir.deletingLastPathComponent().appendingPathComponent("Checks/protocol_servers.py").path
        let servers = track(try ManagedProcess(
            label: "servers", executable: Paths.python(),
            arguments: [script, portFile, "smtp-ok", "smtp-busy", "ldap-ok", "ldap-refused"], dir: tmp))
        var ports: [Int] = []
        try waitUntil("the conversation servers listen") {
            guard servers.isRunning else { throw HarnessError("protocol_servers.py exited: \(servers.stderr)") }
            ports = ((try? String(contentsOfFile: portFile, encoding: .utf8)) ?? "").split(separator: "\n").compactMap { Int($0) }
            return ports.count == 4
        }
        let tlsPort = Ports.free()
        let key = tmp.appendingPathComponent("key.pem").path
        let cert = tmp.appendingPathComponent("cert.pem").path
        let made = try runTool("/usr/bin/openssl", [
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=test",
        ], dir: tmp)
        XCTAssertEqual(made.status, 0, made.stderr)
        let tls = track(try ManagedProcess(
            label: "s_server", executable: "/usr/bin/openssl",
            arguments: ["s_server", "-accept", "127.0.0.1:\(tlsPort)", "-key", key, "-cert", cert, "-quiet", "-naccept", "1000"],
            dir: tmp))
        try Ports.waitUntilAccepting(tlsPort, timeout: 10, while: { tls.isRunning })

        func backend(_ name: String, _ option: String, _ port: Int) -> String {
            "backend \(name)\n    option \(option)\n    option log-health-checks\n"
                + "    server s 127.0.0.1:\(port) check inter 300 rise 2 fall 2\n"
        }
        let both = try startBoth(backends: [
            backend("smtp", "smtpchk EHLO proxy.test", ports[0]),
            backend("smtp_busy", "smtpchk", ports[1]),
            backend("ldap", "ldap-check", ports[2]),
            backend("ldap_refused", "ldap-check", ports[3]),
            backend("ssl", "ssl-hello-chk", tlsPort),
            backend("ssl_plain", "ssl-hello-chk", ports[0]),
        ].joined())
        try expectBoth(both, [
            "smtp": ["UP", "L7OK", "221", "2.0.0 Bye", "Layer7 check passed"],
            "smtp_busy": ["DOWN", "L7STS", "554", "5.3.2 too busy", "Layer7 wrong status"],
            "ldap": ["UP", "L7OK", "0", "", "Layer7 check passed"],
            "ldap_refused": [
                "DOWN", "L7STS", "49", "See RFC: http://tools.ietf.org/html/rfc4511#section-4.1.9", "Layer7 wrong status",
            ],
            "ssl": ["UP", "L6OK", "", "", "Layer6 check passed"],
            "ssl_plain": ["DOWN", "L6RSP", "", "", "Layer6 invalid response"],
        ])
        compareLogs(both)
    }

    /// Checks over TLS speak HTTP or plain connect only in this build: a
    /// protocol check on an `ssl` server is refused by name.
    func testProtocolCheckOverSSLIsRefused() throws {
        let cfg = try writeConfig("""
        defaults
            timeout connect 1s
            timeout client 1s
            timeout server 1s
        frontend f
            bind 127.0.0.1:\(Ports.free())
        backend b
            option redis-check
            server s 127.0.0.1:6379 ssl verify none check
        """)
        let result = try haproxy(["-c", "-f", cfg.path])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains(
            "[\(cfg.path):9] : 'server b/s' : 'option redis-check' health checks over SSL are not supported by this build."),
                      result.stderr)
    }
}

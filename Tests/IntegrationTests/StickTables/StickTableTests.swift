import Foundation
import XCTest

/// Stick tables on the real binary with real clients and servers: the
/// request rate limit and connection limit recipes of the manual, and
/// `show table` compared with Debian's haproxy 2.6 under the same traffic.
final class StickTableTests: IntegrationTestCase {
    private var socketPath: String { tmp.appendingPathComponent("admin.sock").path }

    private func cli(_ line: String, socket: String? = nil) throws -> String {
        try StatsSocket.command(socket ?? socketPath, line)
    }

    /// Debian's 2.6 (`binary`, its libraries beside it) on `config`, once
    /// `port` listens.
    @discardableResult
    private func startReference(_ binary: String, config: String, port: Int) throws -> ManagedProcess {
        let file = tmp.appendingPathComponent("ref.cfg")
        try config.write(to: file, atomically: true, encoding: .utf8)
        let root = NSHomeDirectory() + "/.cache/proxybench/ref"
        let ref = track(try ManagedProcess(
            label: "haproxy-2.6", executable: binary, arguments: ["-f", file.path, "-db"], dir: tmp,
            environment: ["LD_LIBRARY_PATH": "\(root)/lib/x86_64-linux-gnu:\(root)/usr/lib/x86_64-linux-gnu"]))
        try Ports.waitUntilListening(port, timeout: 10, while: { ref.isRunning })
        return ref
    }

    private func get(_ port: Int, _ path: String = "/", source: String? = nil) throws -> Int {
        let c = try Conn(port: port, timeout: 5, source: source)
        defer { c.close() }
        try c.send(HTTPClient.request("GET", path, close: true))
        return try c.readResponse().status
    }

    /// `http-request deny deny_status 429 if { sc_http_req_rate(0) gt 3 }`:
    /// the fourth request within the period is refused (the rate counts the
    /// request being tracked, as in 2.6), another client is not, and the
    /// client gets through again once its rate has fallen (every refused
    /// request counts too, so the test waits on `show table`).
    func testRequestRateLimitDeniesWith429AndReleasesAfterThePeriod() throws {
        let b = try startBackend("a")
        let port = Ports.free()
        try startProxy(config: """
            global
                stats socket \(socketPath) level admin

            """ + Self.defaultsHTTP + """
            frontend fe
                bind 127.0.0.1:\(port)
                stick-table type ip size 100k expire 30s store http_req_rate(1s),conn_cur
                http-request track-sc0 src
                http-request deny deny_status 429 if { sc_http_req_rate(0) gt 3 }
                default_backend be

            backend be
                server a 127.0.0.1:\(b.port)

            """, ports: [port])
        let start = Date()
        let statuses = try (0..<5).map { _ in try get(port) }
        // All five within one period (the test would be meaningless otherwise).
        if Date().timeIntervalSince(start) < 0.9 {
            XCTAssertEqual(statuses, [200, 200, 200, 429, 429])
        }
        XCTAssertEqual(try get(port, source: "127.0.0.2"), 200)
        XCTAssertTrue(try cli("show table fe").contains("key=127.0.0.1 use=0 exp="))
        try waitUntil("the rate falls to 0", timeout: 5) {
            try cli("show table fe key 127.0.0.1").contains("http_req_rate(1000)=0")
        }
        XCTAssertEqual(try get(port), 200)
    }

    /// `tcp-request connection reject if { src_conn_cur ge 2 }` after
    /// `track-sc0 src`: a third concurrent connection is reset, and once one
    /// closes a new one is accepted (`conn_cur` drops when a stream ends).
    func testConcurrentConnectionLimitRejectsAndRecovers() throws {
        let b = try startBackend("a")
        let port = Ports.free()
        try startProxy(config: """
            global
                stats socket \(socketPath) level admin

            """ + Self.defaultsHTTP + """
            frontend fe
                bind 127.0.0.1:\(port)
                stick-table type ip size 1k expire 30s store conn_cur,conn_cnt
                tcp-request connection track-sc0 src
                tcp-request connection reject if { src_conn_cur ge 3 }
                default_backend be

            backend be
                server a 127.0.0.1:\(b.port)

            """, ports: [port])
        let first = try Conn(port: port, timeout: 5)
        let second = try Conn(port: port, timeout: 5)
        try waitUntil("two connections tracked") { try cli("show table fe").contains("conn_cur=2") }
        let third = try Conn(port: port, timeout: 5)
        XCTAssertTrue(third.closesWithin(5), "a third connection from the same address is rejected")
        third.close()
        // The rejected connection let its entry go as well.
        try waitUntil("conn_cur back to 2") { try cli("show table fe").contains("conn_cnt=3 conn_cur=2") }
        first.close()
        try waitUntil("conn_cur drops to 1") { try cli("show table fe").contains("conn_cur=1") }
        try second.send(HTTPClient.request("GET", "/", close: true))
        XCTAssertEqual(try second.readResponse().status, 200)
        second.close()
        XCTAssertEqual(try get(port), 200)
        try waitUntil("no connection tracked") { try cli("show table fe").contains("conn_cur=0") }
    }

    /// Every stick table fetch and converter family, in one log-format string.
    static let conversions = [
        "%[src,table_conn_cnt(fe)]", "%[src,in_table(be)]", "%[str(127.0.0.9),in_table(fe)]", "%[str(127.0.0.1),table_gpc0(fe)]",
        "%[src,table_http_req_rate(fe)]", "%[str(127.0.0.1),table_gpt0(be)]", "%[src,table_trackers(fe)]",
        "%[str(10.9.9.9),table_conn_cnt(fe)]", "%[src,table_kbytes_out(fe)]", "%[src,table_http_err_cnt(fe)]",
        "%[src,table_gpc1(fe)]", "%[src,table_gpc0_rate(fe)]", "%[sc_get_gpc0(0)]", "%[sc0_conn_cur]",
        "%[sc0_conn_cnt]", "%[src_http_req_cnt]", "%[src_get_gpt0(be)]", "%[sc_tracked(1)]", "%[sc2_tracked]",
        "%[sc_trackers(0)]", "%[table_cnt]", "%[table_avl(be)]", "%[src_inc_gpc0]", "%[sc_clr_gpc0(0)]",
        "%[src_kbytes_in]", "%[sc1_http_req_cnt]", "%[sc_http_req_cnt(1,fe)]", "%[sc2_get_gpt0]", "%[sc_inc_gpc1(2)]",
        "%[src_conn_rate]", "%[sc0_sess_cnt]", "%[sc1_sess_cnt]", "%[src_http_err_rate]", "%[src_bytes_in_rate]",
    ].joined(separator: " ")

    /// The same traffic through our binary and Debian's 2.6: `show table`
    /// prints the same lines (entry addresses and expiry masked), with
    /// session and stream trackers, string keys, gpc0/gpt0 actions, denied
    /// requests counted as errors, and bytes.
    func testShowTableMatchesHAProxy26() throws {
        let reference = try referenceBinary()
        let b = try startBackend("a")
        func config(port: Int, socket: String) -> String {
            """
            global
                stats socket \(socket) level admin
                stats socket \(socket).user level user

            """ + Self.defaultsHTTP + """
            frontend fe
                bind 127.0.0.1:\(port)
                stick-table type ip size 100k expire 30s store http_req_rate(10s),conn_cur,conn_cnt,gpc0,gpc0_rate(10s),gpc1,gpt0,http_req_cnt,http_err_cnt,http_err_rate(10s),sess_cnt,bytes_in_cnt,bytes_out_cnt
                tcp-request connection track-sc1 src table be
                tcp-request connection sc-inc-gpc0(1) if { src 127.0.0.3 }
                tcp-request session track-sc2 src,ipmask(24)
                tcp-request session sc-set-gpt0(2) 7
                tcp-request content sc-inc-gpc1(2) if { path /inc }
                tcp-request content track-sc0 src table be if { path /ct }
                http-request track-sc0 src
                http-response sc-inc-gpc0(0) if { status 404 }
                http-response sc-set-gpt0(0) 5 if { status 404 }
                http-request sc-inc-gpc0(0) if { path /inc }
                http-request sc-set-gpt0(1) 42 if { path /inc }
                http-request deny if { path /deny }
                http-request return status 200 content-type text/plain string ok if { path /ok }
                http-request return status 200 content-type text/plain lf-string "\(Self.conversions)" if { path /conv }
                default_backend be

            backend be
                stick-table type string len 12 size 10 expire 1m store gpt0,gpc0,conn_cur,conn_cnt,http_req_cnt,sess_cnt
                server a 127.0.0.1:\(b.port)

            """
        }
        let ourPort = Ports.free()
        try startProxy(config: config(port: ourPort, socket: socketPath), ports: [ourPort])
        let refPort = Ports.free()
        let refSocket = tmp.appendingPathComponent("ref.sock").path
        try startReference(reference, config: config(port: refPort, socket: refSocket), port: refPort)

        func traffic(_ port: Int) throws {
            for (path, source) in [("/", "127.0.0.1"), ("/inc", "127.0.0.1"), ("/deny", "127.0.0.2"), ("/ok", "127.0.0.1"),
                                   ("/inc", "127.0.0.3"), ("/ct", "127.0.0.1"),
                                   ("/status/404", "127.0.0.2"), ("/status/404", "127.0.0.2")] {
                _ = try get(port, path, source: source)
            }
            // Two requests on one connection: one session, two streams.
            let c = try Conn(port: port, timeout: 5)
            defer { c.close() }
            try c.send(HTTPClient.request("GET", "/"))
            _ = try c.readResponse()
            try c.send(HTTPClient.request("GET", "/inc", close: true))
            _ = try c.readResponse()
        }
        func masked(_ text: String) -> [String] {
            text.split(separator: "\n").map { line in
                var words = line.split(separator: " ").map(String.init)
                for i in words.indices {
                    if words[i].hasPrefix("0x") { words[i] = "0x:" }
                    if words[i].hasPrefix("exp=") { words[i] = "exp=" }
                }
                return words.joined(separator: " ")
            }
        }
        try traffic(ourPort)
        try traffic(refPort)
        for command in ["show table", "show table fe", "show table be", "show table fe data.gpc0 gt 0",
                        "show table fe key 127.0.0.2", "show table be key 127.0.0.1"] {
            var ours = "", theirs = ""
            // conn_cur falls as each side closes: wait until both are idle.
            try waitUntil("both idle for '\(command)'") {
                ours = try cli(command)
                theirs = try cli(command, socket: refSocket)
                return !ours.contains("conn_cur=1") && !theirs.contains("conn_cur=1")
            }
            XCTAssertEqual(masked(ours), masked(theirs), command)
        }
        // Fetches and converters read the same values. Each round waits
        // until the last one's connections left the tables: at `nbthread 2`
        // another loop may close them after the next one is read.
        for _ in 0..<2 {
            try waitUntil("both idle before /conv") {
                let ours = try cli("show table fe"), theirs = try cli("show table fe", socket: refSocket)
                return !ours.contains("conn_cur=1") && !theirs.contains("conn_cur=1")
            }
            let c = try Conn(port: ourPort, timeout: 5), r = try Conn(port: refPort, timeout: 5)
            defer { c.close(); r.close() }
            try c.send(HTTPClient.request("GET", "/conv", close: true))
            try r.send(HTTPClient.request("GET", "/conv", close: true))
            XCTAssertEqual(String(decoding: try c.readResponse().body, as: UTF8.self),
                           String(decoding: try r.readResponse().body, as: UTF8.self))
        }
        XCTAssertEqual(try cli("set table fe key 10.0.0.1 data.gpc0 7"), try cli("set table fe key 10.0.0.1 data.gpc0 7", socket: refSocket))
        XCTAssertEqual(masked(try cli("show table fe key 10.0.0.1")), masked(try cli("show table fe key 10.0.0.1", socket: refSocket)))
        // A user-level session sees the summary lines only and changes nothing.
        for command in ["show table fe", "show table fe key 127.0.0.1", "show table fe data.gpc0 gt 0",
                        "set table fe key 127.0.0.1 data.gpc0 9", "clear table fe key 127.0.0.1", "clear table fe",
                        "clear table fe data.gpc0 gt 0", "show table"] {
            XCTAssertEqual(try cli(command, socket: socketPath + ".user"), try cli(command, socket: refSocket + ".user"), command)
        }
        XCTAssertEqual(masked(try cli("show table fe")), masked(try cli("show table fe", socket: refSocket)))
        for command in ["show table fe data.foo gt 1", "show table fe data.conn_rate gt 1", "clear table fe data.gpc0",
                        "show table nope", "set table fe key 10.0.0.1 data.gpc0 x", "clear table fe key 10.0.0.1",
                        "show table fe key 10.0.0.1"] {
            XCTAssertEqual(try cli(command), try cli(command, socket: refSocket), command)
        }
    }
}

extension StickTableTests {
    /// Server answers as 2.6 counts them: every 4xx (401 and 407 too) in
    /// `http_err_cnt`, every 5xx but 501 and 505 in `http_fail_cnt`.
    func testServerErrorsAndFailuresAreCountedAs26() throws {
        let b = try startBackend("a")
        let port = Ports.free()
        try startProxy(config: """
            global
                stats socket \(socketPath) level admin

            """ + Self.defaultsHTTP + """
            frontend fe
                bind 127.0.0.1:\(port)
                stick-table type ip size 1k expire 30s store http_err_cnt,http_fail_cnt,http_fail_rate(10s)
                http-request track-sc0 src
                http-response track-sc1 src table other
                default_backend be

            backend other
                stick-table type ip size 1k expire 30s store conn_cnt,conn_cur,http_req_cnt,http_err_cnt,http_fail_cnt

            backend be
                server a 127.0.0.1:\(b.port)

            """, ports: [port])
        var seen: [String] = []
        for status in [200, 401, 403, 404, 407, 500, 501, 502, 503, 504, 505] {
            XCTAssertEqual(try get(port, "/status/\(status)"), status)
            try waitUntil("the stream of \(status) ended") { try cli("show table fe").contains("use=0") }
            let line = try cli("show table fe").split(separator: "\n")[1]
            seen.append(line.split(separator: " ").dropFirst(4).joined(separator: " "))
        }
        // Recorded from Debian's haproxy 2.6.12 under the same requests.
        XCTAssertEqual(seen, [
            "http_err_cnt=0 http_fail_cnt=0 http_fail_rate(10000)=0",
            "http_err_cnt=1 http_fail_cnt=0 http_fail_rate(10000)=0",
            "http_err_cnt=2 http_fail_cnt=0 http_fail_rate(10000)=0",
            "http_err_cnt=3 http_fail_cnt=0 http_fail_rate(10000)=0",
            "http_err_cnt=4 http_fail_cnt=0 http_fail_rate(10000)=0",
            "http_err_cnt=4 http_fail_cnt=1 http_fail_rate(10000)=1",
            "http_err_cnt=4 http_fail_cnt=1 http_fail_rate(10000)=1",
            "http_err_cnt=4 http_fail_cnt=2 http_fail_rate(10000)=2",
            "http_err_cnt=4 http_fail_cnt=3 http_fail_rate(10000)=3",
            "http_err_cnt=4 http_fail_cnt=4 http_fail_rate(10000)=4",
            "http_err_cnt=4 http_fail_cnt=4 http_fail_rate(10000)=4",
        ])
        // `http-response track-sc1`: the response counts as for a request
        // tracker (recorded from 2.6 with `http-response track-sc0 src`).
        let other = try cli("show table other").split(separator: "\n")[1].split(separator: " ").dropFirst(4)
        XCTAssertEqual(other.joined(separator: " "), "conn_cnt=11 conn_cur=0 http_req_cnt=11 http_err_cnt=4 http_fail_cnt=4")
    }
}

extension StickTableTests {
    /// `stick on src` in a backend: a client goes back to the server it
    /// was sent to first; when that server is down it goes to another and
    /// the table follows; a `set table` entry naming a server by id sends
    /// the client there. `show table` is compared with 2.6's after the same
    /// requests, through HTTP and TCP backends.
    func testStickOnSourceSendsClientsBackToTheirServerAs26() throws {
        let reference = try referenceBinary()
        let a = try startBackend("a"), b = try startBackend("b")
        func config(port: Int, tcpPort: Int, socket: String) -> String {
            """
            global
                stats socket \(socket) level admin

            """ + Self.defaultsHTTP + """
            frontend fe
                bind 127.0.0.1:\(port)
                default_backend be

            backend be
                balance roundrobin
                stick-table type ip size 1m expire 30m
                stick on src
                server a 127.0.0.1:\(a.port)
                server b 127.0.0.1:\(b.port)

            listen tcp
                mode tcp
                bind 127.0.0.1:\(tcpPort)
                balance roundrobin
                stick-table type ip size 10 expire 30m store conn_cnt,gpc0
                tcp-request content track-sc1 src
                tcp-response content sc-inc-gpc0(1)
                stick match src
                stick store-request src if { src 127.0.0.1 }
                server a 127.0.0.1:\(a.port)
                server b 127.0.0.1:\(b.port)

            """
        }
        let ourPort = Ports.free(), ourTCP = Ports.free()
        try startProxy(config: config(port: ourPort, tcpPort: ourTCP, socket: socketPath), ports: [ourPort, ourTCP])
        let refPort = Ports.free(), refTCP = Ports.free()
        let refSocket = tmp.appendingPathComponent("ref.sock").path
        try startReference(reference, config: config(port: refPort, tcpPort: refTCP, socket: refSocket), port: refPort)

        func server(_ port: Int, _ source: String) throws -> String {
            let c = try Conn(port: port, timeout: 5, source: source)
            defer { c.close() }
            try c.send(HTTPClient.request("GET", "/", close: true))
            return try c.readResponse().header("x-server") ?? "?"
        }
        func masked(_ text: String) -> [String] {
            text.split(separator: "\n").map { line in
                line.split(separator: " ").map { $0.hasPrefix("0x") ? "0x:" : $0.hasPrefix("exp=") ? "exp=" : String($0) }
                    .joined(separator: " ")
            }
        }
        var seen: [String: [String]] = [:]
        for (port, tcp, socket) in [(ourPort, ourTCP, socketPath), (refPort, refTCP, refSocket)] {
            var servers: [String] = []
            for source in ["127.0.0.1", "127.0.0.2", "127.0.0.1", "127.0.0.3", "127.0.0.2", "127.0.0.1"] {
                servers.append(try server(port, source))
            }
            _ = try cli("disable server be/\(servers[0])", socket: socket)
            servers.append(try server(port, "127.0.0.1"))
            _ = try cli("enable server be/\(servers[0])", socket: socket)
            servers.append(try server(port, "127.0.0.1"))
            _ = try cli("set table be key 127.0.0.9 data.server_id 2", socket: socket)
            servers.append(try server(port, "127.0.0.9"))
            for source in ["127.0.0.1", "127.0.0.2", "127.0.0.1", "127.0.0.2"] { servers.append(try server(tcp, source)) }
            // The client closes once it has the response, which may be before
            // the proxy ends the stream and releases its entry (use=1).
            try waitUntil("every stream released its entries", timeout: 5) {
                let tables = try cli("show table be", socket: socket) + cli("show table tcp", socket: socket)
                return !tables.split(separator: " ").contains { $0.hasPrefix("use=") && $0 != "use=0" }
            }
            servers += masked(try cli("show table be", socket: socket)) + masked(try cli("show table tcp", socket: socket))
            seen[socket] = servers
        }
        let ours = try XCTUnwrap(seen[socketPath]), theirs = try XCTUnwrap(seen[refSocket])
        XCTAssertEqual(Array(ours.prefix(6)), [ours[0], ours[1], ours[0], ours[0], ours[1], ours[0]])
        XCTAssertNotEqual(ours[0], ours[1])
        XCTAssertEqual(ours, theirs)
    }
}

extension StickTableTests {
    /// `stick store-response res.hdr(x-server)` with `stick match
    /// req.hdr(x-want)`: the key a response carried sends the requests that
    /// name it to the server that sent it; compared with 2.6.
    func testStickStoreResponseLearnsKeysFromResponsesAs26() throws {
        let reference = try referenceBinary()
        let a = try startBackend("a"), b = try startBackend("b")
        func config(port: Int, socket: String) -> String {
            """
            global
                stats socket \(socket) level admin

            """ + Self.defaultsHTTP + """
            listen web
                bind 127.0.0.1:\(port)
                balance roundrobin
                stick-table type string len 8 size 10 expire 30m
                stick match req.hdr(x-want)
                stick store-response res.hdr(x-server)
                server a 127.0.0.1:\(a.port)
                server b 127.0.0.1:\(b.port)

            """
        }
        let ourPort = Ports.free()
        try startProxy(config: config(port: ourPort, socket: socketPath), ports: [ourPort])
        let refPort = Ports.free()
        let refSocket = tmp.appendingPathComponent("ref.sock").path
        try startReference(reference, config: config(port: refPort, socket: refSocket), port: refPort)

        var seen: [[String]] = []
        for (port, socket) in [(ourPort, socketPath), (refPort, refSocket)] {
            var answers: [String] = []
            for want in [nil, nil, "b", "b", "a", "zzz", "b", "a"] as [String?] {
                let c = try Conn(port: port, timeout: 5)
                defer { c.close() }
                try c.send(HTTPClient.request("GET", "/", extra: want.map { "x-want: \($0)\r\n" } ?? "", close: true))
                answers.append(try c.readResponse().header("x-server") ?? "?")
            }
            answers += try cli("show table web", socket: socket).split(separator: "\n").map { line in
                line.split(separator: " ").map { $0.hasPrefix("0x") ? "0x:" : $0.hasPrefix("exp=") ? "exp=" : String($0) }
                    .joined(separator: " ")
            }
            seen.append(answers)
        }
        XCTAssertEqual(Array(seen[0][2...4]), ["b", "b", "a"])
        XCTAssertEqual(seen[0], seen[1])
    }
}

extension StickTableTests {
    /// `haproxy -c` refuses tables that rules name but no proxy declares,
    /// with 2.6's lines (recorded from Debian's 2.6.12).
    func testCheckModeRefusesMissingTablesAs26() throws {
        let cfg = try writeConfig(Self.defaultsHTTP + """
            frontend fe
                bind 127.0.0.1:\(Ports.free())
                http-request track-sc0 src
                default_backend be

            backend be
                stick on src
                server s 127.0.0.1:1

            """)
        let result = try haproxy(["-c", "-f", cfg.path])
        XCTAssertEqual(result.status, 1)
        let alerts = result.stderr.split(separator: "\n").filter { $0.contains("[ALERT]") }
            .map { String($0[$0.range(of: "config : ")!.upperBound...]) }
        XCTAssertEqual(alerts, [
            "Proxy 'fe': unable to find table 'fe' referenced by track-sc0.",
            "Proxy 'be': unable to find stick-table 'be'.",
            "Fatal errors found in configuration.",
        ])
    }
}

extension StickTableTests {
    /// Without peers a reload starts with empty tables (as 2.6 does when no
    /// `peers` section hands the entries over): the new worker's table is
    /// empty.
    func testReloadStartsWithEmptyTables() throws {
        let port = Ports.free()
        let master = tmp.appendingPathComponent("master.sock").path
        let p = try startProxy(config: Self.defaultsHTTP + """
            frontend fe
                bind 127.0.0.1:\(port)
                stick-table type ip size 1k expire 30s store gpc0
                http-request return status 200

            """, ports: [port], extraArgs: ["-W", "-S", master])
        func workers() -> [String] {
            let text = (try? StatsSocket.command(master, "show proc")) ?? ""
            return text.split(separator: "\n").filter { $0.contains(" worker ") }.map { String($0.split(separator: " ")[0]) }
        }
        var first: [String] = []
        try waitUntil("a worker") { first = workers(); return !first.isEmpty }
        XCTAssertEqual(try StatsSocket.command(master, "@1 set table fe key 10.0.0.1 data.gpc0 3"), "\n")
        XCTAssertTrue(try StatsSocket.command(master, "@1 show table fe").contains("key=10.0.0.1 use=0"))
        p.signal(SIGUSR2)
        try waitUntil("a new worker", timeout: 15) { let now = workers(); return !now.isEmpty && now.first != first.first }
        try waitUntil("the new worker answers") {
            (try? StatsSocket.command(master, "@1 show table fe"))?.hasPrefix("# table: fe") ?? false
        }
        XCTAssertEqual(try StatsSocket.command(master, "@1 show table fe"), "# table: fe, type: ip, size:1024, used:0\n\n")
    }
}

extension StickTableTests {
    /// A log line's samples read the entries the transaction tracked (2.6
    /// writes the line before the stream lets them go): compared with 2.6.
    func testLogFormatReadsTheTrackedEntriesAs26() throws {
        let reference = try referenceBinary()
        func config(port: Int) -> String {
            Self.defaultsHTTP + """
            frontend fe
                bind 127.0.0.1:\(port)
                log stdout format raw local0
                log-format "%[sc0_tracked] %[sc0_conn_cur] %[sc0_http_req_cnt] %[sc_trackers(0)] %[sc1_tracked] %[src_conn_cur]"
                stick-table type ip size 1k expire 30s store conn_cur,http_req_cnt
                tcp-request connection track-sc1 src table other
                http-request track-sc0 src
                http-request return status 200

            backend other
                stick-table type ip size 1k expire 30s store conn_cur

            """
        }
        let ourPort = Ports.free()
        let ours = try startProxy(config: config(port: ourPort), ports: [ourPort])
        let refPort = Ports.free()
        let ref = try startReference(reference, config: config(port: refPort), port: refPort)
        var lines: [[String]] = []
        for (port, process) in [(ourPort, ours), (refPort, ref)] {
            let c = try Conn(port: port, timeout: 5)
            try c.send(HTTPClient.request("GET", "/"))
            _ = try c.readResponse()
            try c.send(HTTPClient.request("GET", "/", close: true))
            _ = try c.readResponse()
            c.close()
            try waitUntil("two log lines") { process.stdout.split(separator: "\n").count >= 2 }
            lines.append(process.stdout.split(separator: "\n").map(String.init))
        }
        XCTAssertEqual(lines[0], lines[1])
        XCTAssertEqual(lines[0], ["1 1 1 1 1 1", "1 1 2 1 1 1"])
    }
}

extension StickTableTests {
    /// The fetches of the `gpt(N)`, `gpc(N)` and `gpc_rate(N,period)` arrays
    /// (and of the legacy types that use their first elements), the
    /// actions on them, `table_idle`, and `set|show|clear table` on them:
    /// the same requests and commands through our binary and Debian's 2.6
    /// give the same answers and the same `show table`.
    func testArraysMatchHAProxy26() throws {
        let reference = try referenceBinary()
        let fetches = [
            "sc_inc_gpc(1,0)", "sc_inc_gpc0(0)", "sc_get_gpc(1,0)", "sc_get_gpc0(0)", "sc_gpc_rate(1,0)", "sc_gpc1_rate(0)",
            "sc_get_gpt(1,0)", "sc_get_gpt(5,0)", "sc_inc_gpc(5,0)", "sc_clr_gpc(5,0)", "sc_inc_gpc(0,1)",
            "sc_get_gpc(0,1)", "sc_inc_gpc1(2)", "sc_inc_gpc(1,2)", "sc_get_gpc(1,2)", "sc_clr_gpc(1,2)",
            "src_get_gpc(0,A)", "src_gpc_rate(1,A)", "src_get_gpt(1,A)", "src_get_gpc(0,C)", "src_inc_gpc(0,R)",
            "src_clr_gpc(0,L)", "str(9.9.9.9),table_gpc(0,A)", "src,table_gpc(1,A)", "src,table_gpc_rate(1,A)",
            "src,table_gpt(1,A)", "src,table_gpc(5,A)", "src,table_gpc(0,L)", "src,table_gpc0(A)", "src,table_idle(C)",
            "str(9.9.9.9),table_idle(A)", "str(9.9.9.9),table_idle(A,7)", "sc_clr_gpc(1,0)", "sc_get_gpc1(0)",
        ].map { "%[\($0)]" }.joined(separator: " ")
        func config(port: Int, socket: String) -> String {
            """
            global
                stats socket \(socket) level admin

            """ + Self.defaultsHTTP + """
            backend A
                stick-table type ip size 1k expire 30s store gpc(2),gpc_rate(2,10s),gpt(2)
            backend L
                stick-table type ip size 1k expire 30s store gpc0,gpc1,gpt0,gpc0_rate(10s)
            backend R
                stick-table type ip size 1k expire 30s store gpc_rate(2,10s)
            backend C
                stick-table type ip size 1k store gpc(1)

            frontend fe
                bind 127.0.0.1:\(port)
                http-request track-sc0 src table A
                http-request track-sc1 src table L
                http-request track-sc2 src table R
                http-request sc-inc-gpc(1,0) if { path /a }
                http-request sc-inc-gpc1(0) if { path /a }
                http-request sc-set-gpt(1,0) 9 if { path /a }
                http-request sc-set-gpt(5,0) 9 if { path /a }
                http-request sc-inc-gpc(0,1) if { path /a }
                http-request sc-set-gpt(0,1) 9 if { path /a }
                http-request sc-inc-gpc(0,2) if { path /a }
                http-request sc-inc-gpc0(2) if { path /a }
                http-request sc-set-gpt(0,0) -3 if { path /b }
                http-request sc-set-gpt0(0) req.hdr(x) if { path /c }
                http-request return status 200 content-type text/plain lf-string "\(fetches)"

            """
        }
        let ourPort = Ports.free()
        try startProxy(config: config(port: ourPort, socket: socketPath), ports: [ourPort])
        let refPort = Ports.free()
        let refSocket = tmp.appendingPathComponent("ref.sock").path
        try startReference(reference, config: config(port: refPort, socket: refSocket), port: refPort)
        func masked(_ text: String) -> [String] {
            text.split(separator: "\n").map { line in
                line.split(separator: " ").map { $0.hasPrefix("0x") ? "0x:" : $0.hasPrefix("exp=") ? "exp=" : String($0) }
                    .joined(separator: " ")
            }
        }
        for (path, header) in [("/", nil), ("/a", nil), ("/b", nil), ("/", nil), ("/c", "x: 12"), ("/c", nil), ("/", nil)] {
            var answers: [String] = []
            for port in [ourPort, refPort] {
                let c = try Conn(port: port, timeout: 5)
                defer { c.close() }
                try c.send(HTTPClient.request("GET", path, extra: header.map { "\($0)\r\n" } ?? "", close: true))
                answers.append(String(decoding: try c.readResponse().body, as: UTF8.self))
            }
            XCTAssertEqual(answers[0], answers[1], path)
        }
        for command in [
            "show table A", "show table L", "show table R", "show table C",
            "set table A key 10.0.0.1 data.gpc(1) 7", "set table A key 10.0.0.2 data.gpc 7 data.gpt 3 data.gpc_rate 4",
            "set table A key 10.0.0.3 data.gpc0 7", "set table A key 10.0.0.4 data.gpt 3 data.bogus 4",
            "set table A key 10.0.0.5 data.gpt -5", "show table A", "show table A data.gpc gt 1",
            "show table A data.gpt0 gt 1", "show table A data.gpc(1) gt 1", "clear table A data.gpt ge 3", "show table A",
        ] {
            XCTAssertEqual(masked(try cli(command)), masked(try cli(command, socket: refSocket)), command)
        }
    }
}

import Foundation
import XCTest

/// `show stat` columns that follow the traffic (and the check) of a server
/// and its backend: `lastsess`, `connect`, `reuse`, the average and
/// longest times, the backend's `smax`, and the check columns. Which
/// columns HAProxy 2.6.12 fills, and when, was read from it with the same
/// configurations.
final class StatCountersTests: IntegrationTestCase {
    private var statsSocket: String { tmp.appendingPathComponent("admin.sock").path }
    private var port = 0

    private func start(_ backendLines: String) throws {
        port = Ports.free()
        try startProxy(config: """
        global
            stats socket \(statsSocket) level admin

        defaults
            mode http
            timeout connect 2s
            timeout client 10s
            timeout server 10s

        frontend fe
            bind 127.0.0.1:\(port)
            default_backend be

        backend be
        \(backendLines)

        """, ports: [port])
    }

    /// `show stat` as [svname: [column: value]] for backend `be`.
    private func stats() throws -> [String: [String: String]] {
        let text = try XCTUnwrap(LifecycleHarness.unixCommand(statsSocket, "show stat"))
        let lines = text.split(separator: "\n")
        let header = try XCTUnwrap(lines.first).dropFirst(2).split(separator: ",", omittingEmptySubsequences: false)
        var rows: [String: [String: String]] = [:]
        for line in lines.dropFirst() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            guard fields.count >= header.count, fields[0] == "be" else { continue }
            var row: [String: String] = [:]
            for (name, value) in zip(header, fields) { row[String(name)] = String(value) }
            rows[String(fields[1])] = row
        }
        return rows
    }

    private func int(_ row: [String: String]?, _ column: String) throws -> Int {
        try XCTUnwrap(Int(try XCTUnwrap(row?[column], "no column \(column)")), "\(column): \(row?[column] ?? "")")
    }

    /// Five requests on one client connection, `http-reuse always`, one
    /// server: the first connects, the next four take the kept connection.
    /// The unused server has no last session (-1); the times follow a
    /// server that waits 200 ms before answering.
    func testConnectionsReusesTimesAndLastSession() throws {
        let b = try startBackend("b")
        try start("""
            balance first
            http-reuse always
            server s1 127.0.0.1:\(b.port)
            server spare 127.0.0.1:\(Ports.free())
        """)
        var before = try stats()
        XCTAssertEqual(before["s1"]?["lastsess"], "-1")
        XCTAssertEqual(before["BACKEND"]?["lastsess"], "-1")
        XCTAssertEqual(before["s1"]?["connect"], "0")
        XCTAssertEqual(before["s1"]?["ttime_max"], "0")

        let c = try Conn(port: port)
        defer { c.close() }
        for i in 0..<5 {
            try c.send(HTTPClient.request("GET", i == 0 ? "/slow?ms=200" : "/"))
            XCTAssertEqual(try c.readResponse().status, 200, "request \(i)")
        }
        before = [:]
        var rows: [String: [String: String]] = [:]
        // The fifth transaction is counted once its log line is written,
        // just after the answer reached the client.
        try waitUntil("five transactions counted") {
            rows = try stats()
            return rows["s1"]?["connect"].flatMap(Int.init).map { $0 + (Int(rows["s1"]?["reuse"] ?? "") ?? 0) } == 5
        }
        let s1 = rows["s1"], backend = rows["BACKEND"]
        XCTAssertEqual(s1?["connect"], "1")
        XCTAssertEqual(s1?["reuse"], "4")
        XCTAssertEqual(backend?["connect"], "1")
        XCTAssertEqual(backend?["reuse"], "4")
        XCTAssertEqual(rows["spare"]?["lastsess"], "-1", "a server never used has no last session")
        XCTAssertEqual(rows["spare"]?["connect"], "0")
        let lastSession = try int(s1, "lastsess")
        XCTAssertTrue((0...5).contains(lastSession), "lastsess \(lastSession)")
        XCTAssertTrue((0...5).contains(try int(backend, "lastsess")))
        // The slow answer sets the longest response and total times; the
        // average over five holds a fifth of it at least.
        let rtimeMax = try int(s1, "rtime_max"), ttimeMax = try int(s1, "ttime_max")
        XCTAssertGreaterThanOrEqual(rtimeMax, 200)
        XCTAssertGreaterThanOrEqual(ttimeMax, rtimeMax)
        XCTAssertGreaterThanOrEqual(try int(s1, "rtime"), 40)
        XCTAssertLessThan(try int(s1, "rtime"), rtimeMax)
        XCTAssertGreaterThanOrEqual(try int(backend, "ttime_max"), 200)
        XCTAssertEqual(backend?["smax"], "1", "one stream at a time")

        // `clear counters` starts the maximums again; `all` the rest.
        XCTAssertNotNil(LifecycleHarness.unixCommand(statsSocket, "clear counters"))
        rows = try stats()
        XCTAssertEqual(rows["s1"]?["rtime_max"], "0")
        XCTAssertEqual(rows["s1"]?["connect"], "1")
        XCTAssertNotNil(LifecycleHarness.unixCommand(statsSocket, "clear counters all"))
        rows = try stats()
        XCTAssertEqual(rows["s1"]?["connect"], "0")
        XCTAssertEqual(rows["s1"]?["reuse"], "0")
        XCTAssertEqual(rows["s1"]?["rtime"], "0")
    }

    /// A TCP stream counts its connection and its times too, when it ends.
    func testTCPStreamCountsItsConnection() throws {
        let b = try startBackend("e")
        port = Ports.free()
        try startProxy(config: """
        global
            stats socket \(statsSocket) level admin

        defaults
            mode tcp
            timeout connect 2s
            timeout client 10s
            timeout server 10s

        listen be
            bind 127.0.0.1:\(port)
            server e 127.0.0.1:\(b.port)

        """, ports: [port])
        // The server closes after its answer, which ends the stream.
        XCTAssertEqual(try HTTPClient.get(port: port).status, 200)
        // Every stream that ended made one connection.
        try waitUntil("the streams counted") {
            let row = try stats()["e"]
            return row?["scur"] == "0" && (Int(row?["connect"] ?? "") ?? 0) >= 1
        }
        let row = try stats()["e"]
        XCTAssertEqual(row?["connect"], row?["stot"])
        XCTAssertEqual(row?["reuse"], "0")
        XCTAssertEqual(row?["rtime"], "0", "no response time in TCP mode")
        XCTAssertNotEqual(row?["lastsess"], "-1")
    }

    /// Response errors and aborts as 2.6.12 counts them on the server and
    /// its backend: a server timeout before the response (sH) is an
    /// `eresp`; a server's reset in the body (SD) an `eresp` and a
    /// `srv_abrt`; its timeout in the body (sD) a `srv_abrt`; the client's
    /// reset in the body (CD) a `cli_abrt`, in HTTP and in TCP mode.
    func testResponseErrorsAndAborts() throws {
        let b = try startBackend("b")
        let echo = try startBackend("e", mode: "echo")
        port = Ports.free()
        let tcpPort = Ports.free()
        try startProxy(config: """
        global
            stats socket \(statsSocket) level admin

        defaults
            timeout connect 2s
            timeout client 10s
            timeout server 300ms

        frontend fe
            mode http
            bind 127.0.0.1:\(port)
            default_backend be

        backend be
            mode http
            server s1 127.0.0.1:\(b.port)

        listen tcp
            mode tcp
            bind 127.0.0.1:\(tcpPort)
            server e 127.0.0.1:\(echo.port)

        """, ports: [port, tcpPort])
        func columns(_ proxy: String, _ server: String) -> [String] {
            let row = StatsCSV.rows(LifecycleHarness.unixCommand(statsSocket, "show stat") ?? "", proxy: proxy)[server]
            return ["eresp", "cli_abrt", "srv_abrt"].map { row?[$0] ?? "?" }
        }
        func reset(_ c: Conn) {
            var linger = linger(l_onoff: 1, l_linger: 0)
            setsockopt(c.fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<linger>.size))
            c.close()
        }
        func expect(_ event: String, _ values: [String]) throws {
            try waitUntil("\(event): eresp, cli_abrt, srv_abrt of s1 and be = \(values)") {
                columns("be", "s1") == values && columns("be", "BACKEND") == values
            }
        }

        XCTAssertEqual(columns("be", "s1"), ["0", "0", "0"])
        XCTAssertEqual(try HTTPClient.get(port: port, path: "/slow?ms=1000").status, 504)
        try expect("server timeout before the response", ["1", "0", "0"])

        var c = try Conn(port: port)
        try c.send(HTTPClient.request("GET", "/cut?bytes=100&reset=1"))
        _ = try c.readToEOF()
        c.close()
        try expect("server reset in the body", ["2", "0", "1"])

        c = try Conn(port: port)
        try c.send(HTTPClient.request("GET", "/cut?bytes=100&hold=1000"))
        _ = try c.readToEOF()
        c.close()
        try expect("server timeout in the body", ["2", "0", "2"])

        c = try Conn(port: port)
        try c.send(HTTPClient.request("GET", "/big?bytes=50000000"))
        _ = try c.read(exactly: 1000)
        reset(c)
        try expect("client reset in the body", ["2", "1", "2"])

        let t = try Conn(port: tcpPort)
        try t.send("ping")
        XCTAssertEqual(try t.read(exactly: 4), Data("ping".utf8))
        reset(t)
        try waitUntil("a TCP client's reset is its abort") { columns("tcp", "e") == ["0", "1", "0"] }
        XCTAssertEqual(columns("fe", "FRONTEND"), ["", "", ""], "a frontend has none of these columns")
    }

    /// The data-phase ends 2.6.12 counted with the same configuration and
    /// traffic: a malformed chunk after the response head (SD) is an
    /// `eresp`, not a `srv_abrt`; a CONNECT tunnel its timeout ends (cD) a
    /// `cli_abrt`, whichever side was silent.
    func testMalformedChunkAndTunnelTimeout() throws {
        let b = try startBackend("b")
        port = Ports.free()
        try startProxy(config: """
        global
            stats socket \(statsSocket) level admin

        defaults
            mode http
            timeout connect 2s
            timeout client 10s
            timeout server 10s
            timeout tunnel 300ms

        frontend fe
            bind 127.0.0.1:\(port)
            default_backend be

        backend be
            server s1 127.0.0.1:\(b.port)

        """, ports: [port])
        func columns(_ server: String) -> [String] {
            let row = StatsCSV.rows(LifecycleHarness.unixCommand(statsSocket, "show stat") ?? "", proxy: "be")[server]
            return ["eresp", "cli_abrt", "srv_abrt"].map { row?[$0] ?? "?" }
        }
        func expect(_ event: String, _ values: [String]) throws {
            try waitUntil("\(event): eresp, cli_abrt, srv_abrt of s1 and be = \(values)") {
                columns("s1") == values && columns("BACKEND") == values
            }
        }

        var c = try Conn(port: port)
        try c.send(HTTPClient.request("GET", "/chunked?n=2&bad=1"))
        let cut = try c.readToEOF()
        c.close()
        XCTAssertTrue(String(decoding: cut, as: UTF8.self).contains("chunk-1"), "the good chunks came through")
        try expect("malformed chunk in the body", ["1", "0", "0"])

        c = try Conn(port: port)
        try c.send("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n")
        let established = try c.readToEOF()
        c.close()
        XCTAssertTrue(String(decoding: established, as: UTF8.self).hasPrefix("HTTP/1.1 200"))
        try expect("tunnel timeout", ["1", "1", "0"])
    }

    /// A checked server shows its last check's status, code, duration and
    /// description, as 2.6 does: L7OK with code 200 for an HTTP check,
    /// L4CON after a refused connection.
    func testCheckColumns() throws {
        let b = try startBackend("b")
        try start("""
            option httpchk GET /
            server ok 127.0.0.1:\(b.port) check inter 200
            server refused 127.0.0.1:\(Ports.free()) check inter 200
            server unchecked 127.0.0.1:\(b.port)
        """)
        var rows: [String: [String: String]] = [:]
        try waitUntil("both checks ran") {
            rows = try stats()
            return rows["ok"]?["check_status"] == "L7OK" && rows["refused"]?["check_status"] == "L4CON"
        }
        XCTAssertEqual(rows["ok"]?["check_code"], "200")
        XCTAssertEqual(rows["ok"]?["check_desc"], "Layer7 check passed")
        XCTAssertNotNil(Int(rows["ok"]?["check_duration"] ?? ""))
        XCTAssertEqual(rows["refused"]?["check_code"], "", "no layer 7 code for a refused connection")
        XCTAssertEqual(rows["refused"]?["check_desc"], "Layer4 connection problem")
        XCTAssertEqual(rows["unchecked"]?["check_status"], "")
        XCTAssertEqual(rows["unchecked"]?["check_desc"], "")
        XCTAssertEqual(rows["BACKEND"]?["check_status"], "")
    }
}

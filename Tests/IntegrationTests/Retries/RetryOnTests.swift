import Foundation
import XCTest

/// `retry-on`: which failures send a request again within `retries`, and
/// what the backend, the log line (`%rc`, `%ts`) and `show stat` (`wretr`,
/// `wredis`, `stot`) then say. The expected values are those HAProxy
/// 2.6.12 gives in the same scenarios, against the same flaky server
/// (flaky_server.py, beside this file).
final class RetryOnTests: IntegrationTestCase {
    private var statsSocket: String { tmp.appendingPathComponent("admin.sock").path }
    private var requestLog: URL { tmp.appendingPathComponent("requests.log") }
    private var port = 0
    private var proxy: ManagedProcess!

    /// Starts flaky_server.py as `name`; returns its port.
    private func startFlaky(_ name: String) throws -> Int {
        let portFile = tmp.appendingPathComponent("port-\(name)")
        let script = Paths.supportDir.deletingLastPathComponent().appendingPathComponent("Retries/flaky_server.py").path
        let python = Paths.python()
        let args = (python == "/usr/bin/env" ? ["python3"] : []) + [script, name, portFile.path, requestLog.path]
        let p = track(try ManagedProcess(label: "flaky-\(name)", executable: python, arguments: args, dir: tmp))
        var port = 0
        try waitUntil("flaky server \(name) listening") {
            if !p.isRunning { throw HarnessError("flaky_server.py exited: \(p.stderr)") }
            port = Int((try? String(contentsOf: portFile, encoding: .utf8)) ?? "") ?? 0
            return port > 0
        }
        try Ports.waitUntilAccepting(port, timeout: 5)
        return port
    }

    /// A frontend to backend `be` made of `lines`, logging each request as
    /// "PATH STATUS rc=RETRIES ts=TERMINATION srv=SERVER" on its stderr.
    private func start(_ lines: String, serverTimeout: String = "10s") throws {
        port = Ports.free()
        proxy = try startProxy(config: """
        global
            stats socket \(statsSocket) level admin
            log stderr format raw local0

        defaults
            mode http
            log global
            log-format "%HP %ST rc=%rc ts=%ts srv=%s"
            timeout connect 1s
            timeout client 10s
            timeout server \(serverTimeout)

        frontend fe
            bind 127.0.0.1:\(port)
            default_backend be

        backend be
        \(lines)

        """, ports: [port])
    }

    /// The log line of `path` (waits for it).
    private func logLine(_ path: String) throws -> String {
        var line = ""
        try waitUntil("log line of \(path)") {
            line = proxy.stderr.split(separator: "\n").first { $0.hasPrefix(path + " ") }.map(String.init) ?? ""
            return !line.isEmpty
        }
        return line
    }

    /// What the servers saw of `path`: "SERVER METHOD BODY-LENGTH BODY-PREFIX" per request.
    private func seen(_ path: String) -> [String] {
        let text = (try? String(contentsOf: requestLog, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            let f = line.split(separator: " ", maxSplits: 4, omittingEmptySubsequences: false)
            guard f.count >= 4, f[2] == path else { return nil }
            return ([f[0], f[1], f[3]] + (f.count > 4 && !f[4].isEmpty ? [f[4]] : [])).joined(separator: " ")
        }
    }

    /// `stot,econ,eresp,wretr,wredis,lbtot` of `be`'s row `name`.
    private func counters(_ name: String) throws -> String {
        let text = try XCTUnwrap(LifecycleHarness.unixCommand(statsSocket, "show stat"))
        let rows = StatsCSV.rows(text, proxy: "be")
        let row = try XCTUnwrap(rows[name], text)
        return ["stot", "econ", "eresp", "wretr", "wredis", "lbtot"].map { row[$0] ?? "?" }.joined(separator: ",")
    }

    private func get(_ target: String) throws -> HTTPResponse {
        try HTTPClient.get(port: port, path: target, timeout: 20)
    }

    private func post(_ target: String, body: String, chunked: Bool = false) throws -> HTTPResponse {
        let c = try Conn(port: port, timeout: 20)
        defer { c.close() }
        let framing = chunked ? "Transfer-Encoding: chunked\r\n" : "Content-Length: \(body.utf8.count)\r\n"
        let payload = chunked ? String(body.utf8.count, radix: 16) + "\r\n" + body + "\r\n0\r\n\r\n" : body
        try c.send("POST \(target) HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\(framing)\r\n\(payload)")
        return try c.readResponse()
    }

    /// A listed status is retried on the same server at once until it
    /// answers otherwise. 2.6: 200 with `%rc` 2; each retry counts twice
    /// in `wretr` (the retry, then the new connection's), one `stot` per
    /// attempt, one `lbtot`.
    func testListedStatusIsRetriedOnTheSameServer() throws {
        let s1 = try startFlaky("s1")
        try start("""
            retries 3
            retry-on 503
            server s1 127.0.0.1:\(s1)
        """)
        let r = try get("/a?fail=2&kind=503")
        XCTAssertEqual(r.status, 200)
        XCTAssertEqual(r.text, "s1 3\n")
        XCTAssertEqual(try logLine("/a"), "/a 200 rc=2 ts=-- srv=s1")
        XCTAssertEqual(seen("/a"), ["s1 GET 0", "s1 GET 0", "s1 GET 0"])
        XCTAssertEqual(try counters("s1"), "3,0,0,4,0,1")
    }

    /// `http-request disable-l7-retry`: the listed status is not retried
    /// for the requests it ran on (the server sees one request), others
    /// are.
    func testDisableL7RetryKeepsTheRequestFromBeingSentAgain() throws {
        let s1 = try startFlaky("s1")
        try start("""
            retries 3
            retry-on 503
            http-request disable-l7-retry if { path /once }
            server s1 127.0.0.1:\(s1)
        """)
        let r = try get("/once?fail=1&kind=503")
        XCTAssertEqual(r.status, 503)
        XCTAssertEqual(try logLine("/once"), "/once 503 rc=0 ts=-- srv=s1")
        XCTAssertEqual(seen("/once").count, 1)
        XCTAssertEqual(try get("/twice?fail=1&kind=503").status, 200)
        XCTAssertEqual(seen("/twice").count, 2)
    }

    /// No retry left: the last response goes to the client as the server
    /// sent it (2.6: its 503 and body, `%rc` 3, four requests seen).
    /// A status that is not listed is never retried.
    func testLastAttemptsResponseIsForwardedAndOtherStatusesAreNot() throws {
        let s1 = try startFlaky("s1")
        try start("""
            retries 3
            retry-on 503 504
            server s1 127.0.0.1:\(s1)
        """)
        let r = try get("/b?fail=9&kind=503")
        XCTAssertEqual(r.status, 503)
        XCTAssertEqual(r.text, "fail\n")
        XCTAssertEqual(try logLine("/b"), "/b 503 rc=3 ts=-- srv=s1")
        XCTAssertEqual(seen("/b").count, 4)
        let other = try get("/c?fail=1&kind=500")
        XCTAssertEqual(other.status, 500)
        XCTAssertEqual(try logLine("/c"), "/c 500 rc=0 ts=-- srv=s1")
        XCTAssertEqual(seen("/c").count, 1)
    }

    /// empty-response (a partial head and the close too, in 2.6),
    /// junk-response, and their errors once no retry is left: 502 `SH`
    /// for a server that closed, 502 `PH` for junk, as 2.6.
    func testEmptyAndJunkResponses() throws {
        let s1 = try startFlaky("s1")
        try start("""
            retries 3
            retry-on empty-response junk-response
            server s1 127.0.0.1:\(s1)
        """)
        XCTAssertEqual(try get("/d?fail=2&kind=close").status, 200)
        XCTAssertEqual(try logLine("/d"), "/d 200 rc=2 ts=-- srv=s1")
        XCTAssertEqual(try get("/e?fail=2&kind=junk").status, 200)
        XCTAssertEqual(try logLine("/e"), "/e 200 rc=2 ts=-- srv=s1")
        XCTAssertEqual(try get("/f?fail=2&kind=partial").status, 200)
        XCTAssertEqual(try logLine("/f"), "/f 200 rc=2 ts=-- srv=s1")
        XCTAssertEqual(try counters("s1").split(separator: ",")[2], "2")
        XCTAssertEqual(try get("/g?fail=9&kind=close").status, 502)
        XCTAssertEqual(try logLine("/g"), "/g 502 rc=3 ts=SH srv=s1")
        XCTAssertEqual(try get("/h?fail=9&kind=junk").status, 502)
        XCTAssertEqual(try logLine("/h"), "/h 502 rc=3 ts=PH srv=s1")
        XCTAssertEqual(seen("/g").count, 4)
        // 2.6 counts each junk response as a response error (`eresp`),
        // retried (2 + 3) or not (1), and the last close (1); the other
        // closes not.
        XCTAssertEqual(try counters("s1").split(separator: ",")[2], "7")
    }

    /// response-timeout: `timeout server` strikes, the request goes again
    /// (2.6: 200, `%rc` 1; 504 `sH` once no retry is left).
    func testResponseTimeout() throws {
        let s1 = try startFlaky("s1")
        try start("""
            retries 1
            retry-on response-timeout
            server s1 127.0.0.1:\(s1)
        """, serverTimeout: "300ms")
        XCTAssertEqual(try get("/i?fail=1&kind=hang").status, 200)
        XCTAssertEqual(try logLine("/i"), "/i 200 rc=1 ts=-- srv=s1")
        XCTAssertEqual(try get("/j?fail=9&kind=hang").status, 504)
        XCTAssertEqual(try logLine("/j"), "/j 504 rc=1 ts=sH srv=s1")
    }

    /// Without `retry-on`, only connections are retried: a 503 or a
    /// server that closes goes to the client at once.
    func testDefaultRetriesNoResponse() throws {
        let s1 = try startFlaky("s1")
        try start("""
            retries 3
            server s1 127.0.0.1:\(s1)
        """)
        XCTAssertEqual(try get("/k?fail=1&kind=503").status, 503)
        XCTAssertEqual(try get("/l?fail=1&kind=close").status, 502)
        XCTAssertEqual(try logLine("/l"), "/l 502 rc=0 ts=SH srv=s1")
        XCTAssertEqual(seen("/k").count + seen("/l").count, 2)
    }

    /// A request body goes again whole (with its chunked framing too); a
    /// body that does not fit in one buffer next to the head (2.6: a
    /// 20000-byte body) is never retried.
    func testRequestBodyIsSentAgainUnlessTooLarge() throws {
        let s1 = try startFlaky("s1")
        try start("""
            retries 3
            retry-on 503 empty-response
            server s1 127.0.0.1:\(s1)
        """)
        XCTAssertEqual(try post("/m?fail=2&kind=503", body: "hello=world").status, 200)
        XCTAssertEqual(seen("/m"), Array(repeating: "s1 POST 11 hello=world", count: 3))
        XCTAssertEqual(try post("/n?fail=1&kind=close", body: "chunky", chunked: true).status, 200)
        XCTAssertEqual(seen("/n"), Array(repeating: "s1 POST 6 chunky", count: 2))
        let fits = String(repeating: "a", count: 12000)
        XCTAssertEqual(try post("/o?fail=1&kind=503", body: fits).status, 200)
        XCTAssertEqual(seen("/o").count, 2)
        let big = String(repeating: "b", count: 20000)
        let r = try post("/p?fail=1&kind=503", body: big)
        XCTAssertEqual(r.status, 503)
        XCTAssertEqual(try logLine("/p"), "/p 503 rc=0 ts=-- srv=s1")
        XCTAssertEqual(seen("/p"), ["s1 POST 20000 bbbbbbbbbbbbbbbb"])
    }

    /// `retry-on` without `conn-failure` retries no failed connection:
    /// 2.6 answers 503 `SC` at the first refusal, `%rc` 0, even with
    /// `option redispatch` and another server up.
    func testWithoutConnFailureConnectionsAreNotRetried() throws {
        let s2 = try startFlaky("s2")
        try start("""
            balance roundrobin
            retries 3
            option redispatch
            retry-on none
            server s1 127.0.0.1:\(Ports.free())
            server s2 127.0.0.1:\(s2)
        """)
        XCTAssertEqual(try get("/q").status, 503)
        XCTAssertEqual(try logLine("/q"), "/q 503 rc=0 ts=SC srv=s1")
        XCTAssertEqual(try counters("s1"), "1,1,0,0,0,1")
    }

    /// With `option redispatch` each retry asks the load balancer again
    /// (`%rc` with a `+`). 2.6, roundrobin, s1 always 503: s2 answers;
    /// s1 counts a retry and a redispatch. When both fail: s1, s2, s1,
    /// s2, and s2's 503 goes to the client.
    func testRedispatchLeavesTheServer() throws {
        let s1 = try startFlaky("s1")
        let s2 = try startFlaky("s2")
        try start("""
            balance roundrobin
            retries 3
            option redispatch
            retry-on all-retryable-errors
            server s1 127.0.0.1:\(s1)
            server s2 127.0.0.1:\(s2)
        """)
        let r = try get("/r?fail=99&kind=503&only=s1")
        XCTAssertEqual(r.status, 200)
        XCTAssertEqual(r.text, "s2 1\n")
        XCTAssertEqual(try logLine("/r"), "/r 200 rc=+1 ts=-- srv=s2")
        XCTAssertEqual(try counters("s1"), "1,0,0,1,1,1")
        XCTAssertEqual(try get("/s?fail=99&kind=503").status, 503)
        XCTAssertEqual(try logLine("/s"), "/s 503 rc=+3 ts=-- srv=s2")
        XCTAssertEqual(seen("/s").map { $0.prefix(2) }, ["s1", "s2", "s1", "s2"])
        XCTAssertEqual(try counters("s1"), "3,0,0,3,3,3")
        XCTAssertEqual(try counters("s2"), "3,0,0,1,1,3")
        XCTAssertEqual(try counters("BACKEND"), "2,0,0,4,4,6")
    }
}

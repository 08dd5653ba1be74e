import Foundation
import XCTest

/// Responses the proxy makes by itself: 503, 504, 400, errorfile, return, deny.
final class ErrorResponseTests: IntegrationTestCase {
    func testNoServerGives503() throws {
        let port = Ports.free()
        try startProxy(config: Self.defaultsHTTP + """
        frontend fe
            bind 127.0.0.1:\(port)
            default_backend empty

        backend empty

        """, ports: [port])
        let r = try HTTPClient.get(port: port)
        XCTAssertEqual(r.status, 503)
    }

    func testUnreachableServerGives503() throws {
        let port = Ports.free(), dead = Ports.free()
        try startProxy(config: Self.defaultsHTTP + """
        frontend fe
            bind 127.0.0.1:\(port)
            default_backend be

        backend be
            retries 1
            server dead 127.0.0.1:\(dead)

        """, ports: [port])
        let r = try HTTPClient.get(port: port)
        XCTAssertEqual(r.status, 503)
    }

    /// 2.6 answers "no server available" (every server in maintenance,
    /// the non-page paths of a `listen` stats section, retries exhausted)
    /// and serves the next request on the same connection; the page
    /// carries the connection header of a local answer. Recorded against
    /// 2.6.12: the `SC--` log lines, the backend's `econ` and no `lbtot`.
    func testNoServer503KeepsTheConnection() throws {
        let port = Ports.free(), statsPort = Ports.free(), deadPort = Ports.free(), dead = Ports.free()
        let logs = try DatagramReceiver(udp: ())
        try startProxy(config: """
        global
            stats socket \(tmp.path)/admin.sock level admin

        """ + Self.defaultsHTTP + """
            log 127.0.0.1:\(logs.udpPort) local0
            option httplog

        frontend fe
            bind 127.0.0.1:\(port)
            default_backend be

        backend be
            server s1 127.0.0.1:\(dead) disabled

        frontend fe2
            bind 127.0.0.1:\(deadPort)
            default_backend unreachable

        backend unreachable
            retries 1
            server s1 127.0.0.1:\(dead)

        listen st
            bind 127.0.0.1:\(statsPort)
            stats enable
            stats uri /stats

        """, ports: [port, statsPort, deadPort])
        for target in [port, deadPort] {
            let c = try Conn(port: target)
            for path in ["/a", "/b"] {
                try c.send(HTTPClient.request("GET", path))
                let r = try c.readResponse()
                XCTAssertEqual(r.status, 503, "\(target) \(path)")
                XCTAssertNil(r.header("connection"), "\(target) \(path)")
                XCTAssertEqual(r.header("content-length"), "107")
            }
            c.close()
        }
        // The stats section: a 503 off the page, then the page itself.
        let s = try Conn(port: statsPort)
        try s.send(HTTPClient.request("GET", "/x"))
        XCTAssertEqual(try s.readResponse().status, 503)
        try s.send(HTTPClient.request("GET", "/stats;csv"))
        XCTAssertEqual(try s.readResponse().status, 200)
        s.close()
        // HTTP/1.0 keep-alive is told so; a client that asks to close is told so and closed.
        let ten = try Conn(port: port)
        try ten.send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        XCTAssertEqual(try ten.readResponse().header("connection"), "keep-alive")
        try ten.send("GET / HTTP/1.0\r\n\r\n")
        XCTAssertEqual(try ten.readResponse().header("connection"), "close")
        XCTAssertTrue(ten.closesWithin(5))
        let closing = try Conn(port: port)
        try closing.send(HTTPClient.request("GET", "/", close: true))
        XCTAssertEqual(try closing.readResponse().header("connection"), "close")
        XCTAssertTrue(closing.closesWithin(5))

        let line = try logs.receive(until: { $0.contains(" fe be/") && $0.contains("\"GET /b HTTP/1.1\"") }).last!
        XCTAssertTrue(line.contains(" fe be/<NOSRV> 0/-1/-1/-1/"), line)
        XCTAssertTrue(line.contains(" 503 217 - - SC-- "), line)
        let csv = try StatsSocket.command(tmp.appendingPathComponent("admin.sock").path, "show stat")
        let be = StatsCSV.rows(csv, proxy: "be")["BACKEND"] ?? [:]
        XCTAssertEqual(be["econ"], "5", csv)
        XCTAssertEqual(be["lbtot"], "0", csv)
        XCTAssertEqual(be["stot"], "5", csv)
        let st = StatsCSV.rows(csv, proxy: "st")["BACKEND"] ?? [:]
        XCTAssertEqual(st["econ"], "1", csv)
        XCTAssertEqual(st["lbtot"], "0", csv)
        XCTAssertEqual(st["stot"], "1", csv)
        // The listen section is its own backend: the page's bytes count there too.
        let stFrontend = StatsCSV.rows(csv, proxy: "st")["FRONTEND"] ?? [:]
        XCTAssertEqual(st["bin"], stFrontend["bin"], csv)
        XCTAssertEqual(st["bout"], stFrontend["bout"], csv)
    }

    func testServerTimeoutGives504() throws {
        let b = try startBackend("slow")
        let port = Ports.free()
        try startProxy(config: """
        defaults
            mode http
            timeout connect 2s
            timeout client 10s
            timeout server 300ms

        frontend fe
            bind 127.0.0.1:\(port)
            default_backend be

        backend be
            server slow 127.0.0.1:\(b.port)

        """, ports: [port])
        let start = Date()
        let r = try HTTPClient.get(port: port, path: "/slow?ms=2000")
        let elapsed = Date().timeIntervalSince(start)
        XCTAssertEqual(r.status, 504)
        XCTAssertLessThan(elapsed, 1.5, "504 should come after ~300 ms, took \(elapsed)s")
    }

    func testMalformedRequestGives400() throws {
        let b = try startBackend("web")
        let port = Ports.free()
        try startProxy(config: Self.defaultsHTTP + """
        frontend fe
            bind 127.0.0.1:\(port)
            default_backend be

        backend be
            server web 127.0.0.1:\(b.port)

        """, ports: [port])
        for bad in ["THIS IS NOT HTTP\r\n\r\n", "GET / HTTP/1.1\r\nHost: a\r\nbad header line\r\n\r\n",
                    "GET / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\nhello"] {
            let c = try Conn(port: port)
            try c.send(bad)
            let r = try c.readResponse()
            XCTAssertEqual(r.status, 400, "for request \(bad.debugDescription)")
            XCTAssertTrue(c.closesWithin(3))
        }
        let stats = try b.stats()
        XCTAssertEqual(stats.requests, 1, "a malformed request reached the backend")
    }

    func testErrorfileContentServed() throws {
        let page = "HTTP/1.0 503 Service Unavailable\r\nCache-Control: no-cache\r\nConnection: close\r\nContent-Type: text/html\r\n\r\n<html><body>itest custom 503 page</body></html>\n"
        let file = tmp.appendingPathComponent("503.http")
        try page.write(to: file, atomically: true, encoding: .utf8)
        let port = Ports.free()
        try startProxy(config: Self.defaultsHTTP + """
            errorfile 503 \(file.path)

        frontend fe
            bind 127.0.0.1:\(port)
            default_backend empty

        backend empty

        """, ports: [port])
        let r = try HTTPClient.get(port: port)
        XCTAssertEqual(r.status, 503)
        XCTAssertEqual(r.header("content-type"), "text/html")
        XCTAssertTrue(r.text.contains("itest custom 503 page"), r.text)
    }

    func testDebianErrorPagesServed() throws {
        let errors = Paths.packageRoot.appendingPathComponent("etc/haproxy/errors")
        let expected = try String(contentsOf: errors.appendingPathComponent("503.http"), encoding: .utf8)
        let port = Ports.free()
        try startProxy(config: Self.defaultsHTTP + """
            errorfile 503 \(errors.path)/503.http

        frontend fe
            bind 127.0.0.1:\(port)
            default_backend empty

        backend empty

        """, ports: [port])
        let c = try Conn(port: port)
        try c.send(HTTPClient.request("GET", "/", close: true))
        let raw = String(decoding: try c.readToEOF(), as: UTF8.self)
        // HAProxy 2.6 parses the file at load time and sends it back normalized:
        // same status line and body, header names in lower case, no Connection header.
        let sep = expected.range(of: "\r\n\r\n")!
        let body = String(expected[sep.upperBound...])
        XCTAssertEqual(raw, "HTTP/1.0 503 Service Unavailable\r\ncache-control: no-cache\r\ncontent-type: text/html\r\n\r\n" + body)
    }

    func testHTTPRequestReturnAndDeny() throws {
        // ACL conditions are not implemented yet (refused with an ALERT), so each
        // rule gets its own frontend.
        let b = try startBackend("web")
        let ret = Ports.free(), tea = Ports.free(), deny = Ports.free(), pass = Ports.free()
        try startProxy(config: Self.defaultsHTTP + """
        frontend ret
            bind 127.0.0.1:\(ret)
            http-request return status 200 content-type text/plain string "pong"
            default_backend be

        frontend tea
            bind 127.0.0.1:\(tea)
            http-request return status 418 content-type text/plain string "teapot"

        frontend deny
            bind 127.0.0.1:\(deny)
            http-request deny
            default_backend be

        frontend pass
            bind 127.0.0.1:\(pass)
            default_backend be

        backend be
            server web 127.0.0.1:\(b.port)

        """, ports: [ret, tea, deny, pass])
        let ping = try HTTPClient.get(port: ret, path: "/ping")
        XCTAssertEqual(ping.status, 200)
        XCTAssertEqual(ping.text, "pong")
        XCTAssertEqual(ping.header("content-type"), "text/plain")
        let teapot = try HTTPClient.get(port: tea, path: "/tea")
        XCTAssertEqual(teapot.status, 418)
        XCTAssertEqual(teapot.text, "teapot")
        let denied = try HTTPClient.get(port: deny, path: "/admin/x")
        XCTAssertEqual(denied.status, 403)
        let passed = try HTTPClient.get(port: pass, path: "/")
        XCTAssertEqual(passed.status, 200)
        XCTAssertEqual(passed.server, "web")
        // return answers on a keep-alive connection without closing it.
        let c = try Conn(port: ret)
        for _ in 0..<3 {
            try c.send(HTTPClient.request("GET", "/ping"))
            XCTAssertEqual(try c.readResponse().text, "pong")
        }
        XCTAssertEqual(try b.stats().requests, 2, "return/deny must not reach the backend (1 passed request + this /stats)")
    }

    func testConditionNamingAnUnknownACLIsRefusedWithItsLine() throws {
        let cfg = try writeConfig(Self.defaultsHTTP + """
        frontend fe
            bind 127.0.0.1:1
            http-request deny if { path_beg /admin } no_such_acl

        """)
        let r = try haproxy(["-c", "-f", cfg.path])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("[ALERT]") && r.stderr.contains("haproxy.cfg:8"), r.stderr)
        XCTAssertTrue(r.stderr.contains("no such ACL : 'no_such_acl'"), r.stderr)
    }
}

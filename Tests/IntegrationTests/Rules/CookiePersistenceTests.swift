import Foundation
import HAProxyRules
import XCTest

/// Cookie persistence and `use-server` through the real binary and two
/// real backends: which server answers, what the client is told to keep,
/// what the server sees.
final class CookiePersistenceTests: IntegrationTestCase {
    func testInsertIndirectKeepsTheClientOnItsServer() throws {
        let one = try startBackend("one"), two = try startBackend("two")
        let port = Ports.free()
        try startProxy(config: Self.defaultsHTTP + """
        frontend fe
            bind 127.0.0.1:\(port)
            default_backend be

        backend be
            balance roundrobin
            cookie SERVERID insert indirect nocache httponly
            force-persist if { req.hdr(x-force) 1 }
            ignore-persist if { path_end .png }
            use-server two if { path_beg /admin }
            server one 127.0.0.1:\(one.port) cookie s1
            server two 127.0.0.1:\(two.port) cookie s2

        """, ports: [port])
        let first = try HTTPClient.get(port: port, path: "/")
        XCTAssertEqual(first.server, "one")
        XCTAssertEqual(first.header("set-cookie"), "SERVERID=s1; path=/; HttpOnly")
        // The cookie brings the client back to `one`, and is not passed on.
        for _ in 0..<3 {
            let again = try HTTPClient.get(port: port, path: "/headers", headers: ["Cookie": "lang=fr; SERVERID=s1"])
            XCTAssertEqual(again.header("x-server"), "one")
            XCTAssertNil(again.header("set-cookie"))
            XCTAssertTrue(again.text.lowercased().contains("cookie: lang=fr\n"), again.text)
            XCTAssertFalse(again.text.contains("SERVERID"), again.text)
        }
        // An unknown value is replaced.
        let unknown = try HTTPClient.get(port: port, path: "/", headers: ["Cookie": "SERVERID=zz"])
        XCTAssertNotNil(unknown.header("set-cookie"))
        // use-server wins over the cookie and sets none.
        let admin = try HTTPClient.get(port: port, path: "/admin", headers: ["Cookie": "SERVERID=s1"])
        XCTAssertEqual(admin.header("x-server"), "two")
        XCTAssertNil(admin.header("set-cookie"))
        // ignore-persist: the cookie is neither used nor set.
        let png = try HTTPClient.get(port: port, path: "/a.png")
        XCTAssertNil(png.header("set-cookie"))
    }

    /// A server out of load balancing but up (DRAIN, weight 0, NOLB) still
    /// takes the requests its cookie names, as in 2.6.12 (recorded: its
    /// log shows them `--VN`); in maintenance it does not, and the load
    /// balancer picks another.
    func testCookieStillReachesADrainingOrStoppingServer() throws {
        let one = try startBackend("one"), two = try startBackend("two")
        let port = Ports.free()
        let socket = tmp.appendingPathComponent("admin.sock").path
        try startProxy(config: """
        global
            stats socket \(socket) level admin

        """ + Self.defaultsHTTP + """
        frontend fe
            bind 127.0.0.1:\(port)
            default_backend be

        backend be
            balance roundrobin
            cookie SRV insert indirect nocache
            server one 127.0.0.1:\(one.port) cookie c1 check inter 1h
            server two 127.0.0.1:\(two.port) cookie c2

        """, ports: [port])
        // `health stopping` holds until the next check: after the first one.
        try waitUntil("the first check of one") {
            let csv = try StatsSocket.command(socket, "show stat")
            return StatsCSV.rows(csv, proxy: "be")["one"]?["check_status"] == "L4OK"
        }
        func servers(cookie: String?) throws -> [String] {
            try (0..<4).map { _ in
                let r = try HTTPClient.get(port: port, path: "/", headers: cookie.map { ["Cookie": "SRV=\($0)"] } ?? [:])
                return r.header("x-server") ?? "?"
            }
        }
        func state() throws -> String {
            let csv = try StatsSocket.command(socket, "show stat")
            return StatsCSV.rows(csv, proxy: "be")["one"]?["status"] ?? "?"
        }
        for (command, status, undo) in [
            ("set server be/one state drain", "DRAIN", "set server be/one state ready"),
            ("set server be/one weight 0", "UP", "set server be/one weight 1"),
            ("set server be/one health stopping", "NOLB", "set server be/one health up"),
        ] {
            _ = try StatsSocket.command(socket, command)
            XCTAssertEqual(try state(), status, command)
            XCTAssertEqual(try servers(cookie: "c1"), ["one", "one", "one", "one"], command)
            XCTAssertEqual(try servers(cookie: nil), ["two", "two", "two", "two"], command)
            _ = try StatsSocket.command(socket, undo)
        }
        _ = try StatsSocket.command(socket, "set server be/one state maint")
        XCTAssertEqual(try state(), "MAINT")
        XCTAssertEqual(try servers(cookie: "c1"), ["two", "two", "two", "two"])
    }

    func testPrefixModeWrapsTheServersOwnCookie() throws {
        let one = try startBackend("one")
        let port = Ports.free()
        try startProxy(config: Self.defaultsHTTP + """
        frontend fe
            bind 127.0.0.1:\(port)
            http-response set-header Set-Cookie "APP=abc; Path=/"
            default_backend be

        backend be
            cookie APP prefix
            server one 127.0.0.1:\(one.port) cookie s1

        """, ports: [port])
        let r = try HTTPClient.get(port: port, path: "/headers", headers: ["Cookie": "APP=s1~xyz"])
        XCTAssertTrue(r.text.lowercased().contains("cookie: app=xyz\n"), r.text)
    }
}

extension CookiePersistenceTests {
    func testMaxIdleDatesAndDynamicValues() throws {
        let one = try startBackend("one")
        let port = Ports.free(), dynamicPort = Ports.free()
        try startProxy(config: Self.defaultsHTTP + """
        frontend fe
            bind 127.0.0.1:\(port)
            default_backend be

        frontend dyn
            bind 127.0.0.1:\(dynamicPort)
            default_backend be_dynamic

        backend be
            cookie SRV insert indirect maxidle 30m maxlife 8h
            server one 127.0.0.1:\(one.port) cookie s1

        backend be_dynamic
            cookie SRVID insert dynamic
            dynamic-cookie-key s3cr3t-key
            server one 127.0.0.1:\(one.port)

        """, ports: [port, dynamicPort])
        let first = try XCTUnwrap(try HTTPClient.get(port: port).header("set-cookie"))
        XCTAssertNotNil(first.range(of: #"^SRV=s1\|[A-Za-z0-9+/]{5}\|[A-Za-z0-9+/]{5}; path=/$"#, options: .regularExpression), first)
        // A cookie dated 1970 is too old: a fresh one is set.
        let old = try HTTPClient.get(port: port, headers: ["Cookie": "SRV=s1|AAAAA|AAAAA"])
        XCTAssertNotEqual(old.header("set-cookie"), nil)
        let value = CookieValues.dynamic(key: "s3cr3t-key", address: [127, 0, 0, 1], port: one.port)
        XCTAssertEqual(try HTTPClient.get(port: dynamicPort).header("set-cookie"), "SRVID=\(value); path=/")
    }
}


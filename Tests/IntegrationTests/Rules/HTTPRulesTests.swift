import Foundation
import XCTest

/// `http-request`, `http-response`, `http-after-response`, `redirect` and
/// `use_backend` rules through the real binary, a real backend and raw
/// sockets: what the client gets and what the server saw.
final class HTTPRulesTests: IntegrationTestCase {
    func testHeaderAndURIRewritesReachTheServer() throws {
        let b = try startBackend("web")
        let port = Ports.free()
        try startProxy(config: Self.defaultsHTTP + """
        frontend fe
            bind 127.0.0.1:\(port)
            http-request set-header X-Port %[dst_port]
            http-request add-header X-Added one
            http-request add-header X-Added two
            http-request del-header X-Secret
            http-request del-header x-drop- -m beg
            http-request set-header X-Client %[src] if TRUE
            http-request set-header X-Never 1 if FALSE
            http-request set-header X-Unless 1 unless FALSE
            http-request set-path /headers
            default_backend be

        backend be
            server web 127.0.0.1:\(b.port)

        """, ports: [port])
        let r = try HTTPClient.get(
            port: port, path: "/ignored?q=1",
            headers: ["X-Secret": "s", "X-Drop-A": "a", "X-Drop-B": "b", "X-Kept": "k"])
        XCTAssertEqual(r.status, 200)
        let seen = r.text.lowercased()
        XCTAssertTrue(seen.contains("x-port: \(port)\n"), seen)
        XCTAssertTrue(seen.contains("x-added: one\nx-added: two\n"), seen)
        XCTAssertTrue(seen.contains("x-client: 127.0.0.1\n"), seen)
        XCTAssertTrue(seen.contains("x-unless: 1\n"), seen)
        XCTAssertTrue(seen.contains("x-kept: k\n"), seen)
        for absent in ["x-secret", "x-drop-a", "x-drop-b", "x-never"] {
            XCTAssertFalse(seen.contains(absent), "\(absent) in \(seen)")
        }
    }

    func testSetQueryAndSetURIAndSetMethod() throws {
        let port = Ports.free()
        try startProxy(config: Self.defaultsHTTP + """
        frontend fe
            bind 127.0.0.1:\(port)
            http-request set-query a=%[query]
            http-request set-method PUT
            http-request return status 200 content-type text/plain lf-string "%[method] %[url]"

        """, ports: [port])
        let r = try HTTPClient.get(port: port, path: "/p?x=1")
        XCTAssertEqual(r.text, "PUT /p?a=x=1")
        let plain = try HTTPClient.get(port: port, path: "/p")
        XCTAssertEqual(plain.text, "PUT /p?a=")
    }

    /// `normalize-uri` (behind `expose-experimental-directives`) rewrites
    /// the target the later rules see; a `strict` normalizer meeting a bad
    /// escape answers 2.6's 400 and closes, even on a keep-alive request
    /// with another one behind it (recorded).
    func testNormalizeURIRewritesAndStrictAnswers400() throws {
        let port = Ports.free()
        try startProxy(config: """
        global
            expose-experimental-directives

        """ + Self.defaultsHTTP + """
        frontend fe
            bind 127.0.0.1:\(port)
            http-request normalize-uri path-merge-slashes
            http-request normalize-uri path-strip-dot
            http-request normalize-uri path-strip-dotdot full
            http-request normalize-uri percent-decode-unreserved strict
            http-request normalize-uri percent-to-uppercase
            http-request normalize-uri query-sort-by-name
            http-request return status 200 content-type text/plain lf-string "%[url]"

        """, ports: [port])
        let r = try HTTPClient.get(port: port, path: "//a/./b/../../..//%7euser/%2fx?b=2&a=%61&a=0")
        XCTAssertEqual(r.text, "/~user/%2Fx?a=a&a=0&b=2")
        let c = try Conn(port: port)
        defer { c.close() }
        try c.send(HTTPClient.request("GET", "/bad%zz") + HTTPClient.request("GET", "/next"))
        let raw = String(decoding: try c.readToEOF(), as: UTF8.self)
        XCTAssertTrue(raw.hasPrefix("HTTP/1.1 400 Bad request\r\ncontent-length: 90\r\n"), raw)
        XCTAssertTrue(raw.contains("\r\nconnection: close\r\n"), raw)
        XCTAssertFalse(raw.contains("/next"), raw)
    }

    func testRedirectsAsTheReferenceWritesThem() throws {
        let scheme = Ports.free(), location = Ports.free(), prefix = Ports.free()
        try startProxy(config: Self.defaultsHTTP + """
        frontend scheme
            bind 127.0.0.1:\(scheme)
            http-request redirect scheme https set-cookie A=1

        frontend location
            bind 127.0.0.1:\(location)
            http-request redirect location /loc code 301

        frontend prefix
            bind 127.0.0.1:\(prefix)
            redirect prefix /p drop-query append-slash clear-cookie B= code 303

        """, ports: [scheme, location, prefix])
        // Recorded from 2.6 (curl -si): status, then these headers in order.
        let conn = try Conn(port: scheme)
        try conn.send(HTTPClient.request("GET", "/a?q=1", host: "ex.com"))
        let a = try conn.readResponse()
        XCTAssertEqual(a.statusLine, "HTTP/1.1 302 Found")
        XCTAssertEqual(a.headers.map(\.0).prefix(4), ["content-length", "location", "cache-control", "set-cookie"])
        XCTAssertEqual(a.header("location"), "https://ex.com/a?q=1")
        XCTAssertEqual(a.header("set-cookie"), "A=1; path=/;")
        let c = try HTTPClient.get(port: location, path: "/c")
        XCTAssertEqual(c.statusLine, "HTTP/1.1 301 Moved Permanently")
        XCTAssertEqual(c.header("location"), "/loc")
        XCTAssertNil(c.header("cache-control"))
        let b = try HTTPClient.get(port: prefix, path: "/b/x?q=1")
        XCTAssertEqual(b.status, 303)
        XCTAssertEqual(b.header("location"), "/p/b/x/")
        XCTAssertEqual(b.header("set-cookie"), "B=; path=/; Max-Age=0;")
    }

    func testDenyReturnAndAfterResponse() throws {
        let port = Ports.free()
        try startProxy(config: Self.defaultsHTTP + """
        frontend fe
            bind 127.0.0.1:\(port)
            http-request set-var(txn.who) req.hdr(x-who)
            http-request deny deny_status 429 if FALSE
            http-request return status 201 content-type text/plain lf-string "hello %[var(txn.who)]" hdr X-Extra %[var(txn.who),upper]
            http-after-response set-header X-After %[status]

        """, ports: [port])
        let r = try HTTPClient.get(port: port, path: "/", headers: ["X-Who": "bob"])
        XCTAssertEqual(r.status, 201)
        XCTAssertEqual(r.text, "hello bob")
        XCTAssertEqual(r.header("x-extra"), "BOB")
        XCTAssertEqual(r.header("x-after"), "201")
    }

    func testDenyStatusAndCustomDeny() throws {
        let b = try startBackend("web")
        let deny = Ports.free(), custom = Ports.free()
        try startProxy(config: Self.defaultsHTTP + """
        frontend deny
            bind 127.0.0.1:\(deny)
            http-request deny deny_status 429 if TRUE
            default_backend be

        frontend custom
            bind 127.0.0.1:\(custom)
            http-request deny deny_status 400 content-type text/plain string "go away" hdr X-Why test
            default_backend be

        backend be
            server web 127.0.0.1:\(b.port)

        """, ports: [deny, custom])
        XCTAssertEqual(try HTTPClient.get(port: deny).status, 429)
        let c = try HTTPClient.get(port: custom)
        XCTAssertEqual(c.status, 400)
        XCTAssertEqual(c.text, "go away")
        XCTAssertEqual(c.header("x-why"), "test")
    }

    func testResponseRulesEditTheServerResponse() throws {
        let b = try startBackend("web")
        let port = Ports.free()
        try startProxy(config: Self.defaultsHTTP + """
        frontend fe
            bind 127.0.0.1:\(port)
            http-response set-header X-Frontend %[res.hdr(x-server)]
            default_backend be

        backend be
            http-response del-header x-server
            http-response set-status 299 reason Fine if TRUE
            server web 127.0.0.1:\(b.port)

        """, ports: [port])
        let c = try Conn(port: port)
        for _ in 0..<2 {
            try c.send(HTTPClient.request("GET", "/"))
            let r = try c.readResponse()
            XCTAssertEqual(r.statusLine, "HTTP/1.1 299 Fine")
            XCTAssertNil(r.header("x-server"))
            // The backend's rules ran first: the header was gone for the frontend's.
            XCTAssertEqual(r.header("x-frontend"), "")
            XCTAssertEqual(r.server, "web")
        }
    }

    func testUseBackendWithDynamicNameFallsBackToDefault() throws {
        let one = try startBackend("one"), two = try startBackend("two")
        let port = Ports.free()
        try startProxy(config: Self.defaultsHTTP + """
        frontend fe
            bind 127.0.0.1:\(port)
            use_backend be_%[req.hdr(x-target),lower]
            default_backend be_one

        backend be_one
            server one 127.0.0.1:\(one.port)

        backend be_two
            server two 127.0.0.1:\(two.port)

        """, ports: [port])
        XCTAssertEqual(try HTTPClient.get(port: port, headers: ["X-Target": "TWO"]).server, "two")
        XCTAssertEqual(try HTTPClient.get(port: port, headers: ["X-Target": "one"]).server, "one")
        XCTAssertEqual(try HTTPClient.get(port: port, headers: ["X-Target": "nope"]).server, "one")
    }
}

extension HTTPRulesTests {
    func testACLsRouteAndDeny() throws {
        let web = try startBackend("web"), api = try startBackend("api")
        let port = Ports.free()
        let map = tmp.appendingPathComponent("hosts.map")
        try "api.example.com be_api\n".write(to: map, atomically: true, encoding: .utf8)
        try startProxy(config: Self.defaultsHTTP + """
        frontend fe
            bind 127.0.0.1:\(port)
            acl is_admin path_beg /admin
            acl local src 127.0.0.1
            acl blocked hdr_sub(user-agent) -i badbot
            http-request deny deny_status 403 if is_admin !local || blocked
            http-request deny deny_status 404 if { path_end .env }
            use_backend %[req.hdr(host),lower,map(\(map.path),be_web)]

        backend be_web
            server web 127.0.0.1:\(web.port)

        backend be_api
            server api 127.0.0.1:\(api.port)

        """, ports: [port])
        XCTAssertEqual(try HTTPClient.get(port: port, path: "/admin").server, "web")
        XCTAssertEqual(try HTTPClient.get(port: port, path: "/x", headers: ["User-Agent": "BadBot/1"]).status, 403)
        XCTAssertEqual(try HTTPClient.get(port: port, path: "/a/.env").status, 404)
        let c = try Conn(port: port)
        try c.send(HTTPClient.request("GET", "/", host: "API.example.com"))
        XCTAssertEqual(try c.readResponse().server, "api")
    }
}

extension HTTPRulesTests {
    /// Rules of a named defaults section run before the proxy's own, for the
    /// proxies that use it; an anonymous defaults section may not hold any.
    func testRulesOfANamedDefaultsSection() throws {
        let port = Ports.free()
        try startProxy(config: """
        defaults base
            mode http
            timeout connect 2s
            timeout client 10s
            timeout server 10s
            http-request set-header X-From-Defaults 1

        frontend fe from base
            bind 127.0.0.1:\(port)
            http-request set-header X-Fe 1
            http-request return status 200 content-type text/plain lf-string "%[req.hdr(x-from-defaults)]-%[req.hdr(x-fe)]"

        """, ports: [port])
        XCTAssertEqual(try HTTPClient.get(port: port).text, "1-1")
        let cfg = try writeConfig("defaults\n    mode http\n    http-request set-header X 1\nfrontend fe\n    bind 127.0.0.1:1\n")
        let r = try haproxy(["-c", "-f", cfg.path])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("'http-request' not allowed in anonymous 'defaults' section."), r.stderr)
    }
}

extension HTTPRulesTests {
    func testProcessVariablesFromTheGlobalSection() throws {
        let port = Ports.free()
        try startProxy(config: """
        global
            set-var proc.x str(a),upper
            set-var-fmt proc.y abc%[str(q)]

        """ + Self.defaultsHTTP + """
        frontend fe
            bind 127.0.0.1:\(port)
            http-request return status 200 content-type text/plain lf-string "%[var(proc.x)]/%[var(proc.y)]"

        """, ports: [port])
        // Recorded from 2.6 with the same configuration.
        XCTAssertEqual(try HTTPClient.get(port: port).text, "A/abcq")
    }
}

extension HTTPRulesTests {
    /// `set-timeout server` shortens the server timeout for one request:
    /// a slow answer then gets the 504 the backend's 10 s would not give.
    func testSetTimeoutOverridesTheServerTimeoutForTheRequest() throws {
        let b = try startBackend("web")
        let port = Ports.free()
        try startProxy(config: Self.defaultsHTTP + """
        frontend fe
            bind 127.0.0.1:\(port)
            default_backend be

        backend be
            http-request set-timeout server 100 if { url_param(short) -m found }
            http-request set-timeout server req.hdr(x-timeout) if { req.hdr(x-timeout) -m found }
            server web 127.0.0.1:\(b.port)

        """, ports: [port])
        XCTAssertEqual(try HTTPClient.get(port: port, path: "/slow?ms=3000&short=1").status, 504)
        XCTAssertEqual(try HTTPClient.get(port: port, path: "/slow?ms=3000", headers: ["X-Timeout": "100"]).status, 504)
        XCTAssertEqual(try HTTPClient.get(port: port, path: "/slow?ms=50").status, 200)
    }
}

extension HTTPRulesTests {
    /// `set-src` and `set-dst-port`: later fetches, X-Forwarded-For and the
    /// log see the new values.
    func testSetSourceAndDestination() throws {
        let b = try startBackend("web")
        let port = Ports.free()
        try startProxy(config: Self.defaultsHTTP + """
        frontend fe
            bind 127.0.0.1:\(port)
            option forwardfor
            http-request set-src hdr(x-real-ip) if { req.hdr(x-real-ip) -m found }
            http-request set-dst-port int(4000)
            http-request set-header X-Seen %[src]:%[dst_port]
            http-request set-path /headers
            default_backend be

        backend be
            server web 127.0.0.1:\(b.port)

        """, ports: [port])
        let seen = try HTTPClient.get(port: port, headers: ["X-Real-IP": "198.18.0.7"]).text.lowercased()
        XCTAssertTrue(seen.contains("x-seen: 198.18.0.7:4000\n"), seen)
        XCTAssertTrue(seen.contains("x-forwarded-for: 198.18.0.7\n"), seen)
        let plain = try HTTPClient.get(port: port).text.lowercased()
        XCTAssertTrue(plain.contains("x-forwarded-for: 127.0.0.1\n"), plain)
    }
}

extension HTTPRulesTests {
    /// A frontend and a backend may share a name: the backend's rules still
    /// run (recorded from 2.6: the backend's `return` answers).
    func testBackendRulesRunWhenTheFrontendHasTheSameName() throws {
        let port = Ports.free()
        try startProxy(config: Self.defaultsHTTP + """
        frontend web
            bind 127.0.0.1:\(port)
            default_backend web

        backend web
            http-request return status 200 content-type text/plain string from-backend

        """, ports: [port])
        XCTAssertEqual(try HTTPClient.get(port: port).text, "from-backend")
    }
}

import Foundation
import XCTest

/// The proxy's own error pages (`http-errors`/`errorfiles`, `errorloc*`,
/// `http-error`, their order against `errorfile`) and the request headers
/// options `originalto` and `http-restrict-req-hdr-names`, with the answers
/// recorded from HAProxy 2.6.12.
final class ErrorPageTests: IntegrationTestCase {
    private func file(_ name: String, _ text: String) throws -> String {
        let url = tmp.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    private func page(_ status: String, _ body: String) -> String {
        "HTTP/1.1 \(status)\r\ncontent-type: text/plain\r\ncontent-length: \(body.utf8.count)\r\n\r\n\(body)"
    }

    func testErrorfilesImportAnHTTPErrorsSection() throws {
        let forbidden = try file("403.http", page("403 Forbidden", "section 403\n"))
        let missing = try file("404.http", page("404 Not Found", "section 404\n"))
        let port = Ports.free()
        try startProxy(config: """
        http-errors site
            errorfile 403 \(forbidden)
            errorfile 404 \(missing)

        """ + Self.defaultsHTTP + """
        frontend fe
            bind 127.0.0.1:\(port)
            errorfiles site 404
            http-request deny if { path /a }
            http-request deny deny_status 404 if { path /b }
            http-request deny errorfiles site if { path /c }
            http-request deny deny_status 503 errorfiles site if { path /d }
            default_backend be

        backend be

        """, ports: [port])
        // Only 404 is imported: 403 keeps the built-in page.
        let a = try HTTPClient.get(port: port, path: "/a")
        XCTAssertEqual(a.status, 403)
        XCTAssertTrue(a.text.contains("Request forbidden by administrative rules."), a.text)
        let b = try HTTPClient.get(port: port, path: "/b")
        XCTAssertEqual(b.status, 404)
        XCTAssertEqual(b.text, "section 404\n")
        // A rule naming the section takes its page for the rule's status...
        let c = try HTTPClient.get(port: port, path: "/c")
        XCTAssertEqual(c.status, 403)
        XCTAssertEqual(c.text, "section 403\n")
        // ...and an empty reply when the section has none.
        let d = try HTTPClient.get(port: port, path: "/d")
        XCTAssertEqual(d.status, 503)
        XCTAssertEqual(d.header("content-length"), "0")
        XCTAssertEqual(d.text, "")
    }

    func testLastErrorPageLineWinsAfterTheDefaults() throws {
        let f403 = try file("f403.http", page("403 Forbidden", "errorfile\n"))
        let s403 = try file("s403.http", page("403 Forbidden", "section\n"))
        let port = Ports.free()
        try startProxy(config: """
        http-errors site
            errorfile 403 \(s403)

        defaults
            mode http
            timeout connect 2s
            timeout client 5s
            timeout server 5s
            http-error status 403 content-type text/plain string "from defaults"
            errorloc 404 http://errors.example.com/404

        frontend fe
            bind 127.0.0.1:\(port)
            errorfile 403 \(f403)
            http-error status 403 content-type text/plain string "from http-error"
            errorfiles site
            http-error status 503 content-type text/plain lf-string "down: %[path]" hdr x-method "%[method]"
            http-request deny if { path /a }
            http-request deny deny_status 404 if { path /b }
            http-request deny deny_status 503 if { path /c }
            http-request return status 403 default-errorfiles if { path /d }
            use_backend other if { path /e }
            default_backend be

        backend be
            errorloc303 503 /maintenance

        backend other

        """, ports: [port])
        let a = try HTTPClient.get(port: port, path: "/a")
        XCTAssertEqual(a.status, 403)
        XCTAssertEqual(a.text, "section\n", "errorfiles came last")
        let b = try HTTPClient.get(port: port, path: "/b")
        XCTAssertEqual(b.status, 302)
        XCTAssertEqual(b.header("location"), "http://errors.example.com/404")
        XCTAssertEqual(b.header("cache-control"), "no-cache")
        let c = try HTTPClient.get(port: port, path: "/c")
        XCTAssertEqual(c.status, 503)
        XCTAssertEqual(c.header("x-method"), "GET")
        XCTAssertEqual(c.text, "down: /c")
        let d = try HTTPClient.get(port: port, path: "/d")
        XCTAssertEqual(d.text, "section\n", "default-errorfiles takes the proxy's page")
        // No server: the backend's errorloc303 wins over the frontend's page.
        let down = try HTTPClient.get(port: port, path: "/")
        XCTAssertEqual(down.status, 303)
        XCTAssertEqual(down.header("location"), "/maintenance")
        // A backend without its own page falls back to the frontend's.
        let e = try HTTPClient.get(port: port, path: "/e")
        XCTAssertEqual(e.status, 503)
        XCTAssertEqual(e.text, "down: /e")
    }

    func testOriginalToAndProxyIDs() throws {
        let backend = try startBackend("web1")
        let port = Ports.free()
        try startProxy(config: Self.defaultsHTTP + """
        frontend fe
            bind 127.0.0.1:\(port)
            id 7
            option originalto
            http-request set-header x-fe-id %[fe_id]
            http-response set-header x-ids "%[be_id] %[srv_id]"
            default_backend be

        backend be
            server web1 127.0.0.1:\(backend.port) id 12

        """, ports: [port])
        let r = try HTTPClient.get(port: port, path: "/headers")
        XCTAssertEqual(r.status, 200)
        let lines = r.text.lowercased().split(separator: "\n").map(String.init)
        XCTAssertTrue(lines.contains("x-original-to: 127.0.0.1"), r.text)
        XCTAssertTrue(lines.contains("x-fe-id: 7"), r.text)
        // Recorded: an `id` keeps its turn in the numbering (`be_id` 2).
        XCTAssertEqual(r.header("x-ids"), "2 12")
    }

    func testOriginalToExceptAndBackendHeader() throws {
        let backend = try startBackend("web1")
        let port = Ports.free(), port2 = Ports.free()
        try startProxy(config: Self.defaultsHTTP + """
        frontend fe
            bind 127.0.0.1:\(port)
            option originalto
            default_backend be

        frontend fe2
            bind 127.0.0.1:\(port2)
            option originalto
            default_backend skip

        backend be
            option originalto header X-Dst
            server web1 127.0.0.1:\(backend.port)

        backend skip
            option originalto except 127.0.0.0/8
            server web1 127.0.0.1:\(backend.port)

        """, ports: [port, port2])
        // The backend's option wins: its header name, its exception.
        let r = try HTTPClient.get(port: port, path: "/headers")
        let lines = r.text.lowercased().split(separator: "\n").map(String.init)
        XCTAssertTrue(lines.contains("x-dst: 127.0.0.1"), r.text)
        XCTAssertFalse(lines.contains { $0.hasPrefix("x-original-to") }, r.text)
        let skipped = try HTTPClient.get(port: port2, path: "/headers")
        XCTAssertEqual(skipped.status, 200)
        XCTAssertFalse(skipped.text.lowercased().contains("x-original-to"), skipped.text)
    }

    func testRestrictRequestHeaderNames() throws {
        let backend = try startBackend("web1")
        let port = Ports.free(), port2 = Ports.free()
        try startProxy(config: Self.defaultsHTTP + """
        frontend fe
            bind 127.0.0.1:\(port)
            option http-restrict-req-hdr-names delete
            default_backend be

        frontend fe2
            bind 127.0.0.1:\(port2)
            default_backend strict

        backend be
            server web1 127.0.0.1:\(backend.port)

        backend strict
            option http-restrict-req-hdr-names reject
            server web1 127.0.0.1:\(backend.port)

        """, ports: [port, port2])
        let r = try HTTPClient.get(port: port, path: "/headers", headers: ["X_Forwarded_For": "evil", "X-Ok": "1"])
        let lines = r.text.lowercased().split(separator: "\n").map(String.init)
        XCTAssertTrue(lines.contains("x-ok: 1"), r.text)
        XCTAssertFalse(r.text.lowercased().contains("x_forwarded_for"), r.text)
        let rejected = try HTTPClient.get(port: port2, path: "/headers", headers: ["X.Dot": "1"])
        XCTAssertEqual(rejected.status, 403)
        XCTAssertTrue(rejected.text.contains("Request forbidden by administrative rules."), rejected.text)
        let accepted = try HTTPClient.get(port: port2, path: "/headers", headers: ["X-Ok": "1"])
        XCTAssertEqual(accepted.status, 200)
    }
}

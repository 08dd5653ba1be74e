import Foundation
import XCTest

/// `monitor-uri`: the proxy answers probes itself, byte-exact with HAProxy
/// 2.6, never forwards them and never logs them.
final class MonitorURITests: IntegrationTestCase {
    /// HAProxy 2.6.12's answer to `curl -si http://.../health`.
    static let answer =
        "HTTP/1.1 200 OK\r\ncontent-length: 58\r\ncache-control: no-cache\r\ncontent-type: text/html\r\n\r\n"
        + "<html><body><h1>200 OK</h1>\nService ready.\n</body></html>\n"

    private func startMonitoredProxy(backend: Backend, logPort: Int, socket: String) throws -> Int {
        let port = Ports.free()
        try startProxy(config: """
        global
            log 127.0.0.1:\(logPort) local0
            stats socket \(socket) level admin

        defaults
            mode http
            log global
            option httplog
            timeout connect 2s
            timeout client 10s
            timeout server 10s

        frontend fe
            bind 127.0.0.1:\(port)
            monitor-uri /health
            default_backend be

        backend be
            server web 127.0.0.1:\(backend.port)

        """, ports: [port])
        return port
    }

    func testProbeIsAnsweredByTheProxyNotForwardedNorLogged() throws {
        let backend = try startBackend("web")
        let logs = try DatagramReceiver()
        let socket = tmp.appendingPathComponent("admin.sock").path
        let port = try startMonitoredProxy(backend: backend, logPort: logs.udpPort, socket: socket)
        let before = try backend.stats().requests

        let probe = try runTool("/usr/bin/curl", ["-s", "-i", "--max-time", "5", "http://127.0.0.1:\(port)/health"], dir: tmp)
        XCTAssertEqual(probe.status, 0, probe.stderr)
        XCTAssertEqual(probe.stdout, Self.answer)
        XCTAssertEqual(try backend.stats().requests, before + 1, "only the /stats read itself reached the server")

        // Another URI goes to the server and is logged; the probe before it was not.
        let other = try runTool("/usr/bin/curl", ["-s", "--max-time", "5", "http://127.0.0.1:\(port)/"], dir: tmp)
        XCTAssertEqual(other.stdout, "web\n")
        let lines = try logs.receive(until: { $0.contains("\"GET / HTTP/1.1\"") })
        XCTAssertFalse(lines.contains { $0.contains("/health") }, "\(lines)")

        let stat = try StatsSocket.command(socket, "show stat")
        let rows = stat.split(separator: "\n")
        let header = try XCTUnwrap(rows.first).dropFirst(2).split(separator: ",", omittingEmptySubsequences: false)
        let intercepted = try XCTUnwrap(header.firstIndex(of: "intercepted"))
        let frontend = try XCTUnwrap(rows.first { $0.hasPrefix("fe,FRONTEND,") })
            .split(separator: ",", omittingEmptySubsequences: false)
        XCTAssertEqual(frontend[intercepted], "1")
    }

    func testHeadKeepAliveAndExactURIMatch() throws {
        let backend = try startBackend("web")
        let logs = try DatagramReceiver()
        let port = try startMonitoredProxy(
            backend: backend, logPort: logs.udpPort, socket: tmp.appendingPathComponent("admin.sock").path)

        // Two probes on one connection: HEAD has no body, the second closes.
        let c = try Conn(port: port)
        try c.send("HEAD /health HTTP/1.1\r\nHost: a\r\n\r\nGET /health HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
        let head = try c.readResponse(method: "HEAD")
        XCTAssertEqual(head.status, 200)
        XCTAssertEqual(head.header("content-length"), "58")
        XCTAssertEqual(head.body.count, 0)
        let get = try c.readResponse()
        XCTAssertEqual(get.status, 200)
        XCTAssertEqual(get.header("connection"), "close")
        XCTAssertEqual(String(decoding: get.body, as: UTF8.self), "<html><body><h1>200 OK</h1>\nService ready.\n</body></html>\n")
        XCTAssertTrue(c.closesWithin(3))

        // The path must be exactly the URI: a query string or a longer path is forwarded.
        for path in ["/health?x=1", "/healthz"] {
            let r = try HTTPClient.get(port: port, path: path)
            XCTAssertEqual(r.status, 200)
            XCTAssertEqual(r.header("x-server"), "web", path)
        }
        // An absolute-form request is matched on its path.
        let absolute = try Conn(port: port)
        try absolute.send("GET http://a/health HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
        let r = try absolute.readResponse()
        XCTAssertEqual(r.header("cache-control"), "no-cache")
        XCTAssertNil(r.header("x-server"))
    }
}

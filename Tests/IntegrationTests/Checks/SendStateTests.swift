import Foundation
import XCTest

/// `http-check send-state`: each HTTP check carries `x-haproxy-server-state`,
/// byte for byte as 2.6.12 sent it in the same situations (recorded):
/// after the configured headers, `UP 1/3` before the first check passed,
/// the farm's weight over the usable active servers, then over the
/// backups once none is left.
final class SendStateTests: IntegrationTestCase {
    func testChecksTellTheServerHowItIsSeen() throws {
        let s1 = try CheckTargetServer(answer: "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        let s2 = try CheckTargetServer(answer: "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        let s3 = try CheckTargetServer(answer: "HTTP/1.1 500 No\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        defer { [s1, s2, s3].forEach { $0.stop() } }
        let port = Ports.free()
        let socket = "\(tmp.path)/admin.sock"
        try startProxy(config: """
        global
            stats socket \(socket) level admin
            node lb1
        \(Self.defaultsHTTP)
        frontend fe
            bind 127.0.0.1:\(port)
            default_backend be
        backend be
            option httpchk
            http-check send meth GET uri /health ver HTTP/1.1 hdr Host example.com
            http-check send-state
            server s1 127.0.0.1:\(s1.port) check inter 100 rise 2 fall 3 weight 5
            server s2 127.0.0.1:\(s2.port) check inter 100 backup
            server s3 127.0.0.1:\(s3.port) check inter 100 maxconn 7
        """, ports: [port])
        func expected(_ port: Int, _ name: String, _ head: String, _ weight: String) -> String {
            "GET /health HTTP/1.1\r\nhost: example.com\r\nx-haproxy-server-state: \(head); address=127.0.0.1; port=\(port); "
                + "name=be/\(name); node=lb1; weight=\(weight); scur=0/0; qcur=0\r\nconnection: close\r\n\r\n"
        }
        // Once s3 is down, s1 (fully up) counts alone in the farm.
        let s1Up = expected(s1.port, "s1", "UP", "5/5")
        try waitUntil("s1 and s3 are checked after s3 went down") { s1.requests.last == s1Up && s3.requests.count >= 2 }
        XCTAssertEqual(s1.requests.first, expected(s1.port, "s1", "UP 1/3", "5/6"))
        XCTAssertEqual(s3.requests.first, expected(s3.port, "s3", "UP 1/3", "1/6"))
        XCTAssertEqual(s3.requests.dropFirst().first, expected(s3.port, "s3", "DOWN", "1/5"))
        // Drained, s1 keeps its own weight; the farm is down to the backup's.
        _ = try StatsSocket.command(socket, "set server be/s1 state drain")
        let s2Alone = expected(s2.port, "s2", "UP", "1/1")
        try waitUntil("s2 is checked after the drain") { s2.requests.last == s2Alone }
    }
}

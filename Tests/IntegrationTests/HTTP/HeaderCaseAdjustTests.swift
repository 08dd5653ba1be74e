import Foundation
import XCTest

/// `h1-case-adjust`, `h1-case-adjust-file` and `option
/// h1-case-adjust-bogus-client|server`: header names the proxy writes in
/// lowercase go out spelt as configured to the peers that asked, in
/// forwarded heads and in the proxy's own answers (recorded from 2.6.12:
/// a `deny` page's `Content-Length` is respelt, its other names are not).
final class HeaderCaseAdjustTests: IntegrationTestCase {
    private func rawHead(_ port: Int, _ path: String) throws -> (head: String, body: String) {
        let c = try Conn(port: port)
        defer { c.close() }
        try c.send("GET \(path) HTTP/1.1\r\nhost: test\r\nx-custom: 1\r\nuser-agent: t\r\nconnection: close\r\n\r\n")
        let head = String(decoding: try c.read(until: Data("\r\n\r\n".utf8)), as: UTF8.self)
        let body = String(decoding: try c.readToEOF(), as: UTF8.self)
        return (head, body)
    }

    func testNamesAreRespeltForThePeersThatAskForIt() throws {
        let adjusted = Ports.free(), plain = Ports.free()
        let backend = try startBackend("s1")
        let file = tmp.appendingPathComponent("case.txt")
        try "# names for old peers\n\nx-custom X-Custom\nx-forwarded-for X-Forwarded-For\n".write(
            to: file, atomically: true, encoding: .utf8)
        try startProxy(config: """
        global
            h1-case-adjust content-type Content-Type
            h1-case-adjust x-server X-Server
            h1-case-adjust host HOST
            h1-case-adjust USER-AGENT User-Agent
            h1-case-adjust-file \(file.path)

        """ + Self.defaultsHTTP + """
        frontend fe
            bind 127.0.0.1:\(adjusted)
            option h1-case-adjust-bogus-client
            http-request deny if { path /deny }
            default_backend be

        frontend fe_plain
            bind 127.0.0.1:\(plain)
            default_backend be_plain

        backend be
            option h1-case-adjust-bogus-server
            option forwardfor
            server s1 127.0.0.1:\(backend.port)

        backend be_plain
            option forwardfor
            server s1 127.0.0.1:\(backend.port)

        """, ports: [adjusted, plain])

        let a = try rawHead(adjusted, "/headers")
        XCTAssertTrue(a.head.contains("\r\nContent-Type: text/plain\r\n"), a.head)
        XCTAssertTrue(a.head.contains("\r\nX-Server: s1\r\n"), a.head)
        XCTAssertTrue(a.head.contains("\r\ncontent-length: "), a.head)
        // The server saw the names the file and the lines respelt.
        XCTAssertTrue(a.body.contains("HOST: test\n"), a.body)
        XCTAssertTrue(a.body.contains("X-Custom: 1\n"), a.body)
        XCTAssertTrue(a.body.contains("X-Forwarded-For: 127.0.0.1\n"), a.body)
        // Entries are matched as written: one in capitals never matches (2.6).
        XCTAssertTrue(a.body.contains("user-agent: t\n"), a.body)

        let denied = try rawHead(adjusted, "/deny")
        XCTAssertTrue(denied.head.hasPrefix("HTTP/1.1 403 "), denied.head)
        XCTAssertTrue(denied.head.contains("\r\nContent-Type: text/html\r\n"), denied.head)

        let p = try rawHead(plain, "/headers")
        XCTAssertTrue(p.head.contains("\r\ncontent-type: text/plain\r\n"), p.head)
        XCTAssertTrue(p.head.contains("\r\nx-server: s1\r\n"), p.head)
        XCTAssertTrue(p.body.contains("host: test\n"), p.body)
        XCTAssertTrue(p.body.contains("x-custom: 1\n"), p.body)
        XCTAssertTrue(p.body.contains("x-forwarded-for: 127.0.0.1\n"), p.body)
    }

    func testFileErrorsAreReportedAfterParsing() throws {
        let file = tmp.appendingPathComponent("case.txt")
        try "host HOST\nbadline\n".write(to: file, atomically: true, encoding: .utf8)
        let cfg = try writeConfig("global\n    h1-case-adjust-file \(file.path)\n")
        let r = try haproxy(["-c", "-f", cfg.path])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(
            r.stderr.contains("[ALERT]") && r.stderr.contains(
                "h1-headers-case-adjust-file '\(file.path)' : expect <to> at line 2."), r.stderr)
    }
}

import Foundation
import XCTest

/// `on-marked-down shutdown-sessions`: when its checks take a server down,
/// the streams using it end, logged as Debian's 2.6.12 logs them (recorded
/// with the same configuration: a TCP stream `D-`, an HTTP request still
/// waiting for its response a 502 logged `DH--`). Without the option they
/// go on.
final class MarkedDownTests: IntegrationTestCase {
    func testStreamsEndWhenTheirServerIsMarkedDown() throws {
        let echo = try startBackend("echo", mode: "echo")
        let app = try startBackend("app")
        // The checks go to this server's port: stopping it takes both down.
        let health = try startBackend("health")
        let tcpPort = Ports.free(), httpPort = Ports.free(), keptPort = Ports.free()
        let (log, sections) = try rawLogSections(timeouts: "30s")
        let check = "check port \(health.port) inter 100 fall 1 rise 1"
        try startProxy(config: sections + """
        listen tcp
            mode tcp
            option tcplog
            bind 127.0.0.1:\(tcpPort)
            server s 127.0.0.1:\(echo.port) \(check) on-marked-down shutdown-sessions
        listen http
            mode http
            option httplog
            bind 127.0.0.1:\(httpPort)
            server s 127.0.0.1:\(app.port) \(check) on-marked-down shutdown-sessions
        listen kept
            mode tcp
            option tcplog
            bind 127.0.0.1:\(keptPort)
            server s 127.0.0.1:\(echo.port) \(check)
        """, ports: [tcpPort, httpPort, keptPort])

        let tcp = try Conn(port: tcpPort)
        try tcp.send("hello\r\n")
        XCTAssertEqual(try tcp.readLine(), "hello")
        let kept = try Conn(port: keptPort)
        try kept.send("hello\r\n")
        XCTAssertEqual(try kept.readLine(), "hello")
        let http = try Conn(port: httpPort)
        try http.send(HTTPClient.request("GET", "/slow?ms=20000"))
        // The request reached the server (its connection is up) before the checks fail.
        try waitUntil("the slow request is at the server") { try app.stats().requests >= 1 }

        health.process.stop()
        XCTAssertEqual(try http.readResponse().status, 502)
        XCTAssertEqual(try tcp.readToEOF(), Data(), "the TCP stream ends without more bytes")
        var lines: [String] = []
        _ = try log.receive { line in
            lines.append(line)
            return lines.contains { $0.contains(" tcp tcp/s ") } && lines.contains { $0.contains(" http http/s ") }
        }
        let tcpLine = lines.first { $0.contains(" tcp tcp/s ") } ?? ""
        let httpLine = lines.first { $0.contains(" http http/s ") } ?? ""
        XCTAssertTrue(tcpLine.range(of: #" \d+/\d+/\d+ 7 D- "#, options: .regularExpression) != nil, tcpLine)
        XCTAssertTrue(httpLine.range(of: #" \d+/\d+/\d+/-1/\d+ 502 \d+ - - DH-- "#, options: .regularExpression) != nil,
                      httpLine)

        // The server without the option keeps its stream.
        try kept.send("still\r\n")
        XCTAssertEqual(try kept.readLine(), "still")
    }
}

import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// `http-request reject` and `silent-drop` in every rule set that has it,
/// through the real binary. The log lines and the counters are those
/// Debian's 2.6.12 wrote and reported for the same configuration and
/// requests (recorded on its stats socket and `log stdout format raw`).
final class SilentDropTests: IntegrationTestCase {
    /// Whether the proxy may put a socket under TCP_REPAIR (19): then a
    /// dropped client hears nothing at all; otherwise the client gets the
    /// reset, which the TTL of 1 does not keep from a local peer.
    private var repairAllowed: Bool { socketOptionAllowed(level: Int32(IPPROTO_TCP), name: 19) }

    /// The client's view of a dropped connection once the proxy logged or
    /// counted it: no byte and no end under TCP_REPAIR, else a reset.
    private func assertDropped(
        _ conn: Conn, _ what: String, repair: Bool? = nil, file: StaticString = #filePath, line: UInt = #line
    ) {
        var pfd = pollfd(fd: conn.fd, events: Int16(POLLIN), revents: 0)
        if repair ?? repairAllowed {
            // Nothing is to come: not even a reset answering a
            // retransmission (the shortest retransmission timeout is
            // 200 ms), which would follow a request left unacknowledged.
            let ready = poll(&pfd, 1, 1000)
            XCTAssertEqual(ready, 0, "\(what): the client heard something (revents \(pfd.revents))", file: file, line: line)
        } else {
            // The proxy may count the drop just before it closes.
            _ = poll(&pfd, 1, 5000)
            var byte: UInt8 = 0
            let n = recv(conn.fd, &byte, 1, Int32(MSG_DONTWAIT))
            XCTAssertTrue(n < 0 && errno == ECONNRESET, "\(what): expected a reset, got \(n)", file: file, line: line)
        }
    }

    private func rows(_ socket: String, _ proxy: String) throws -> [String: [String: String]] {
        StatsCSV.rows(try StatsSocket.command(socket, "show stat"), proxy: proxy)
    }

    /// The log line without its client port and date.
    private func masked(_ line: String) -> String {
        line.replacingOccurrences(of: #"^127\.0\.0\.1:\d+ \[[^\]]+\] "#, with: "", options: .regularExpression)
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func testHTTPRejectAndSilentDrop() throws {
        let app = try startBackend("app")
        let port = Ports.free()
        let socket = "\(tmp.path)/admin.sock"
        let (log, sections) = try rawLogSections(global: ["stats socket \(socket) level admin"], defaults: ["mode http"])
        try startProxy(config: sections + """
        frontend fe
            log global
            option httplog
            bind 127.0.0.1:\(port)
            http-request reject if { path /reject }
            http-request silent-drop if { path /drop }
            http-response silent-drop if { capture.req.uri /rdrop }
            default_backend be
        backend be
            server s 127.0.0.1:\(app.port)
        """, ports: [port])

        let rejected = try Conn(port: port)
        try rejected.send(HTTPClient.request("GET", "/reject"))
        // A reject closes with a FIN, nothing answered.
        XCTAssertEqual(try rejected.readToEOF(), Data())
        XCTAssertEqual(masked(try log.receive { $0.contains("/reject") }.last!),
                       #"fe fe/<NOSRV> -1/-1/-1/-1/0 -1 0 - - PR-- 1/1/0/0/0 0/0 "GET /reject HTTP/1.1""#)

        let dropped = try Conn(port: port)
        try dropped.send(HTTPClient.request("GET", "/drop"))
        XCTAssertEqual(masked(try log.receive { $0.contains("/drop") }.last!),
                       #"fe fe/<NOSRV> -1/-1/-1/-1/0 -1 0 - - PR-- 1/1/0/0/0 0/0 "GET /drop HTTP/1.1""#)
        assertDropped(dropped, "http-request silent-drop")

        let droppedResponse = try Conn(port: port)
        try droppedResponse.send(HTTPClient.request("GET", "/rdrop"))
        let line = masked(try log.receive { $0.contains("/rdrop") }.last!)
        // The server's status, no Tr, the bytes of the server's response.
        XCTAssertTrue(line.hasPrefix("fe be/s "), line)
        XCTAssertTrue(line.range(of: #" \d+/\d+/\d+/-1/\d+ 200 \d+ - - PR-- "#, options: .regularExpression) != nil, line)
        assertDropped(droppedResponse, "http-response silent-drop")

        // Recorded: all three are denied requests of the frontend; the
        // response's also of the backend; none is a denied response.
        let fe = try rows(socket, "fe")["FRONTEND"] ?? [:]
        let be = try rows(socket, "be")["BACKEND"] ?? [:]
        XCTAssertEqual([fe["dreq"], fe["dresp"]], ["3", "0"])
        XCTAssertEqual([be["dreq"], be["dresp"]], ["1", "0"])
    }

    /// Without CAP_NET_ADMIN (the packaged service runs as user haproxy)
    /// the drop is a reset: its TTL of 1 keeps it from crossing a router,
    /// not from reaching a client on this host.
    func testWithoutTCPRepairTheDropIsAReset() throws {
        guard repairAllowed else { throw XCTSkip("this process cannot drop CAP_NET_ADMIN it does not have") }
        let port = Ports.free()
        let wrapper = tmp.appendingPathComponent("no-net-admin.sh")
        try "#!/bin/sh\nexec setpriv --bounding-set -net_admin --inh-caps -net_admin \(haproxyPath!) \"$@\"\n"
            .write(to: wrapper, atomically: true, encoding: .utf8)
        chmod(wrapper.path, 0o755)
        try startProxy(config: """
        \(Self.defaultsHTTP)
        frontend fe
            bind 127.0.0.1:\(port)
            http-request silent-drop
        """, ports: [port], executable: wrapper.path)
        let dropped = try Conn(port: port)
        try dropped.send(HTTPClient.request("GET", "/"))
        assertDropped(dropped, "silent-drop without TCP_REPAIR", repair: false)
    }

    func testTCPSilentDropAtEveryLevel() throws {
        let echo = try startBackend("echo", mode: "echo")
        let ports = (0..<5).map { _ in Ports.free() }
        let socket = "\(tmp.path)/admin.sock"
        let (log, sections) = try rawLogSections(
            global: ["stats socket \(socket) level admin"], defaults: ["mode tcp", "option tcplog"])
        try startProxy(config: sections + """
        frontend conn
            bind 127.0.0.1:\(ports[0])
            tcp-request connection silent-drop
            default_backend be
        frontend sess
            bind 127.0.0.1:\(ports[1])
            tcp-request session silent-drop
            default_backend be
        frontend content
            bind 127.0.0.1:\(ports[2])
            tcp-request inspect-delay 5s
            tcp-request content silent-drop if { req.len gt 0 }
            default_backend be
        frontend resp
            bind 127.0.0.1:\(ports[3])
            default_backend be_resp
        frontend reject
            bind 127.0.0.1:\(ports[4])
            tcp-request connection reject
            default_backend be
        backend be
            server s 127.0.0.1:\(echo.port)
        backend be_resp
            tcp-response inspect-delay 5s
            tcp-response content silent-drop if { res.len gt 0 }
            server s 127.0.0.1:\(echo.port)
        """, ports: ports)

        // The harness's probes connected once to each port: count from here.
        func dreq(_ proxy: String, _ service: String = "FRONTEND") throws -> Int {
            Int(try rows(socket, proxy)[service]?["dreq"] ?? "") ?? -1
        }
        let before = try ["conn", "sess", "content", "resp"].map { try dreq($0) }

        let atConnection = try Conn(port: ports[0])
        try waitUntil("the connection is counted as denied") { try dreq("conn") == before[0] + 1 }
        assertDropped(atConnection, "tcp-request connection silent-drop")

        let atSession = try Conn(port: ports[1])
        try waitUntil("the session is counted as denied") { try dreq("sess") == before[1] + 1 }
        assertDropped(atSession, "tcp-request session silent-drop")

        let atContent = try Conn(port: ports[2])
        try atContent.send("hello\n")
        XCTAssertEqual(masked(try log.receive { $0.contains("content content/<NOSRV>") }.last!),
                       "content content/<NOSRV> -1/-1/0 0 PR 1/1/0/0/0 0/0")
        assertDropped(atContent, "tcp-request content silent-drop")

        let atResponse = try Conn(port: ports[3])
        try atResponse.send("hello\n")
        // The echo's six bytes came from the server, and were not sent on.
        let line = masked(try log.receive { $0.contains("resp be_resp/s") && $0.contains(" PR ") }.last!)
        XCTAssertTrue(line.range(of: #"^resp be_resp/s \d+/\d+/\d+ 6 PR "#, options: .regularExpression) != nil, line)
        assertDropped(atResponse, "tcp-response content silent-drop")
        XCTAssertEqual(try dreq("resp"), before[3] + 1)
        XCTAssertEqual(try dreq("be_resp", "BACKEND"), 1)

        // Recorded: a silent drop is a denied request at every level,
        // where a reject counts as a denied connection or session.
        let sess = try rows(socket, "sess")["FRONTEND"] ?? [:]
        XCTAssertEqual([sess["dcon"], sess["dses"]], ["0", "0"])
        let rejectBefore = Int(try rows(socket, "reject")["FRONTEND"]?["dcon"] ?? "") ?? -1
        let rejected = try Conn(port: ports[4])
        defer { rejected.close() }
        try waitUntil("the reject is counted") {
            Int(try rows(socket, "reject")["FRONTEND"]?["dcon"] ?? "") == rejectBefore + 1
        }
        XCTAssertEqual(try dreq("reject"), 0)
    }
}

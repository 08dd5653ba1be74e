import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// `log` to syslog receivers the test binds itself: a UNIX datagram socket
/// and a UDP socket on 127.0.0.1. Each request through the proxy must give
/// exactly one framed httplog line. "Exactly one" is checked with a sentinel:
/// lines arrive in emission order, so every line received before the
/// sentinel request's line is a line the earlier requests produced.
final class LogSyslogReceiverTests: IntegrationTestCase {
    /// `<134>Nov 25 19:04:48 haproxy[123]: ` (RFC 3164 header, host optional).
    static let rfc3164Header = #"^<134>[A-Z][a-z]{2} [ 0-9][0-9] [0-9]{2}:[0-9]{2}:[0-9]{2} (\S+ )?haproxy\[[0-9]+\]: "#
    /// `<134>1 2026-11-25T19:04:48.093683+00:00 - haproxy 123 - - `.
    static let rfc5424Header = #"^<134>1 [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+(Z|[+-][0-9]{2}:[0-9]{2}) \S+ haproxy [0-9]+ - - "#

    private func config(logLines: String, frontendPort: Int, backendPort: Int, extraFrontend: String = "") -> String {
        """
        global
        \(logLines)

        \(Self.defaultsHTTP)
        frontend fe_log
            bind 127.0.0.1:\(frontendPort)
            log global
            option httplog
        \(extraFrontend)
            default_backend be_log

        backend be_log
            server srv_a 127.0.0.1:\(backendPort)

        """
    }

    private func matches(_ line: String, _ pattern: String) -> Bool {
        line.range(of: pattern, options: .regularExpression) != nil
    }

    /// Checks one httplog line for a request of `uri` through fe_log.
    private func assertHTTPLogLine(_ line: String, uri: String, header: String, file: StaticString = #filePath,
                                   line l: UInt = #line) {
        XCTAssertTrue(matches(line, header), "bad syslog header: \(line)", file: file, line: l)
        XCTAssertTrue(line.hasSuffix("\n"), "datagram should end with a newline: \(line)", file: file, line: l)
        let body = line.trimmingCharacters(in: .newlines)
        // 127.0.0.1:PORT [date] fe_log be_log/srv_a TR/Tw/Tc/Tr/Ta 200 BYTES - - ---- ... "GET uri HTTP/1.1"
        let pattern = #"127\.0\.0\.1:[0-9]+ \[[0-9]{2}/[A-Z][a-z]{2}/[0-9]{4}:[0-9:.]+\] fe_log be_log/srv_a "#
            + #"[0-9]+/[0-9]+/[0-9]+/[0-9]+/[0-9]+ 200 [0-9]+ - - ---- [0-9/]+ [0-9]+/[0-9]+ ""#
            + NSRegularExpression.escapedPattern(for: "GET \(uri) HTTP/1.1") + #""$"#
        XCTAssertTrue(matches(body, pattern), "not the httplog line of \(uri): \(body)", file: file, line: l)
    }

    /// Sends `count` requests (alternating fresh and keep-alive connections)
    /// then a sentinel, and returns the lines received up to the sentinel's.
    private func requestsAndLines(port: Int, receiver: DatagramReceiver, prefix: String, count: Int) throws
        -> (sent: [String], lines: [String]) {
        var sent: [String] = []
        for i in 0..<count / 2 {
            let p = "/\(prefix)/close-\(i)"
            let r = try HTTPClient.get(port: port, path: p)
            XCTAssertEqual(r.status, 200)
            sent.append(p)
        }
        sent += try keepAliveGets(port: port, paths: (count / 2..<count).map { "/\(prefix)/ka-\($0)" })
        let sentinel = "/\(prefix)/sentinel"
        XCTAssertEqual(try HTTPClient.get(port: port, path: sentinel).status, 200)
        let lines = try receiver.receive(until: { $0.contains("\"GET \(sentinel) ") }, timeout: 10, maxLines: count + 50)
        return (sent, Array(lines.dropLast()))
    }

    func testUnixDatagramReceiverGetsOneRFC3164LinePerRequest() throws {
        let sock = tmp.appendingPathComponent("log.sock").path
        let receiver = try DatagramReceiver(unixPath: sock)
        let backend = try startBackend("b1")
        let port = Ports.free()
        let proxy = try startProxy(config: config(logLines: "    log \(sock) format rfc3164 local0",
                                                  frontendPort: port, backendPort: backend.port), ports: [port])
        let (sent, lines) = try requestsAndLines(port: port, receiver: receiver, prefix: "ux", count: 10)
        XCTAssertEqual(lines.count, sent.count, "one line per request, got: \(lines)")
        for (uri, line) in zip(sent, lines) {
            assertHTTPLogLine(line, uri: uri, header: Self.rfc3164Header)
            XCTAssertTrue(line.contains("haproxy[\(proxy.pid)]: "), "pid in tag: \(line)")
        }
    }

    /// `capture request|response header` (last occurrence, truncated, `|`
    /// and `{` encoded in `%hr`) and the `%[...]` fetches known at log time,
    /// converters included. The expected line is the
    /// one Debian's haproxy 2.6.12 writes for the same request and format
    /// (its `%[src,lower]` gives 127.0.0.1).
    func testCapturedHeadersAndSampleFetchesInTheLogLine() throws {
        let sock = tmp.appendingPathComponent("log.sock").path
        let receiver = try DatagramReceiver(unixPath: sock)
        let backend = try startBackend("b1")
        let port = Ports.free()
        try startProxy(config: config(
            logLines: "    log \(sock) format raw local0", frontendPort: port, backendPort: backend.port,
            extraFrontend: """
                capture request header X-Tag len 5
                capture request header X-Absent len 9
                capture response header Content-Type len 4
                log-format "{%hr} {%hs} %[src] %[dst_port] %[fe_name] %[be_name] %[srv_name] %[status] %[capture.req.hdr(0)] %{+Q}[capture.req.hdr(1)] %[capture.res.hdr(0)] %[src,lower] END"
            """), ports: [port])
        let c = try Conn(port: port)
        try c.send("GET /one HTTP/1.1\r\nHost: x\r\nX-Tag: first\r\nX-Tag: ab|cd{e}\r\nConnection: close\r\n\r\n")
        let response = try c.readResponse()
        XCTAssertEqual(response.status, 200)
        let type = String((response.headers.first { $0.0.lowercased() == "content-type" }?.1 ?? "").prefix(4))
        let lines = try receiver.receive(until: { $0.contains(" END") }, timeout: 10, maxLines: 5)
        XCTAssertEqual(
            lines.last?.trimmingCharacters(in: .newlines),
            "{{ab#7Ccd|}} {{\(type)}} 127.0.0.1 \(port) fe_log be_log srv_a 200 ab|cd \"\" \(type) 127.0.0.1 END")
    }

    func testUDPReceiverGetsRFC3164AndRFC5424Lines() throws {
        let r3164 = try DatagramReceiver(udp: ())
        let r5424 = try DatagramReceiver(udp: ())
        let backend = try startBackend("b1")
        let port = Ports.free()
        let logs = """
            log 127.0.0.1:\(r3164.udpPort) local0
            log 127.0.0.1:\(r5424.udpPort) format rfc5424 local0
        """
        let proxy = try startProxy(config: config(logLines: logs, frontendPort: port, backendPort: backend.port),
                                   ports: [port])
        let (sent, lines) = try requestsAndLines(port: port, receiver: r3164, prefix: "udp", count: 8)
        XCTAssertEqual(lines.count, sent.count, "one line per request, got: \(lines)")
        for (uri, line) in zip(sent, lines) {
            assertHTTPLogLine(line, uri: uri, header: Self.rfc3164Header)
        }
        // The same requests reached the second target, framed as RFC 5424.
        let lines5424 = try r5424.receive(until: { $0.contains("\"GET /udp/sentinel ") }, timeout: 10, maxLines: 60)
        XCTAssertEqual(lines5424.count, sent.count + 1, "one rfc5424 line per request, got: \(lines5424)")
        for (uri, line) in zip(sent, lines5424) {
            assertHTTPLogLine(line, uri: uri, header: Self.rfc5424Header)
            XCTAssertTrue(line.hasPrefix("<134>1 "), line)
            XCTAssertTrue(line.contains(" haproxy \(proxy.pid) - - "), "app-name, procid, msgid, sd: \(line)")
        }
    }

    /// A client that connects and closes without a byte is not logged with
    /// `option dontlognull`; the same connection to a TCP listener without
    /// the option is (the control, so the assertion can fail).
    func testDontLogNullSkipsConnectAndCloseClients() throws {
        let sock = tmp.appendingPathComponent("null.sock").path
        let receiver = try DatagramReceiver(unixPath: sock)
        let backend = try startBackend("b1")
        let echo = try startBackend("e1", mode: "echo")
        let httpPort = Ports.free(), tcpNull = Ports.free(), tcpLogged = Ports.free()
        let cfg = """
        global
            log unix@\(sock) local0

        \(Self.defaultsHTTP)
        frontend fe_http
            bind 127.0.0.1:\(httpPort)
            log global
            option httplog
            option dontlognull
            default_backend be_log

        backend be_log
            server srv_a 127.0.0.1:\(backend.port)

        listen tcp_null
            mode tcp
            bind 127.0.0.1:\(tcpNull)
            log global
            option tcplog
            option dontlognull
            server e1 127.0.0.1:\(echo.port)

        listen tcp_logged
            mode tcp
            bind 127.0.0.1:\(tcpLogged)
            log global
            option tcplog
            server e1 127.0.0.1:\(echo.port)

        """
        try startProxy(config: cfg, ports: [httpPort, tcpNull, tcpLogged])

        // Connect, send nothing, half-close, and wait until the proxy closed
        // its side too: it logs a stream before closing the client, so by
        // then any line of that connection has been sent.
        func nullConnection(_ port: Int) throws -> Int {
            let c = try Conn(port: port, timeout: 5)
            let local = c.localPort
            c.shutdownWrite()
            XCTAssertTrue(c.closesWithin(5), "proxy should close a null connection on :\(port)")
            c.close()
            return local
        }
        var silent: [Int] = []
        for _ in 0..<3 { silent.append(try nullConnection(httpPort)) }
        for _ in 0..<3 { silent.append(try nullConnection(tcpNull)) }
        let control = try nullConnection(tcpLogged)

        XCTAssertEqual(try HTTPClient.get(port: httpPort, path: "/after-null").status, 200)
        // Lines of the readiness probes of startProxy may come in between:
        // collect until both the sentinel and the control line are in.
        var lines: [String] = []
        var sawSentinel = false, sawControl = false
        let deadline = Date().addingTimeInterval(10)
        while !(sawSentinel && sawControl) && Date() < deadline && lines.count < 100 {
            guard let l = receiver.receive(timeout: deadline.timeIntervalSinceNow) else { continue }
            lines.append(l)
            if l.contains("\"GET /after-null ") { sawSentinel = true }
            if l.contains(": 127.0.0.1:\(control) ") { sawControl = true }
        }
        XCTAssertTrue(sawSentinel, "sentinel line missing: \(lines)")
        XCTAssertTrue(sawControl, "a null connection is logged without dontlognull (control): \(lines)")
        if let l = lines.first(where: { $0.contains(": 127.0.0.1:\(control) ") }) {
            XCTAssertTrue(l.contains(" tcp_logged tcp_logged/e1 "), l)
            XCTAssertTrue(l.contains(" 0 -- ") || l.contains(" 0 C"), "zero bytes: \(l)")
        }
        for l in lines {
            XCTAssertFalse(l.contains(" tcp_null "), "tcp_null has dontlognull: \(l)")
            XCTAssertFalse(l.contains(" fe_http ") && !l.contains("\"GET /after-null "), "fe_http has dontlognull: \(l)")
            for port in silent { XCTAssertFalse(l.contains(": 127.0.0.1:\(port) "), "null connection logged: \(l)") }
        }
    }

    /// The UNIX socket receiver goes away (closed and unlinked) and comes
    /// back at the same path: the proxy reconnects and lines flow again.
    func testUnixReceiverThatComesBackGetsLinesAgain() throws {
        let sock = tmp.appendingPathComponent("restart.sock").path
        let stats = tmp.appendingPathComponent("stats.sock").path
        let receiver = try DatagramReceiver(unixPath: sock)
        let backend = try startBackend("b1")
        let port = Ports.free()
        let cfg = config(logLines: "    log \(sock) local0\n    stats socket \(stats)",
                         frontendPort: port, backendPort: backend.port)
        try startProxy(config: cfg, ports: [port])

        XCTAssertEqual(try HTTPClient.get(port: port, path: "/before").status, 200)
        _ = try receiver.receive(until: { $0.contains("\"GET /before ") }, timeout: 10, maxLines: 20)

        receiver.close()
        XCTAssertFalse(FileManager.default.fileExists(atPath: sock))
        for i in 0..<5 {
            XCTAssertEqual(try HTTPClient.get(port: port, path: "/gone-\(i)").status, 200,
                           "the proxy serves while its log receiver is gone")
        }
        XCTAssertGreaterThan(try StatsSocket.infoField(stats, "DroppedLogs"), 0,
                             "lines sent while the receiver was gone are counted as dropped")

        try receiver.rebind()
        // The sender reconnects by path, rate-limited: keep sending requests
        // until one line arrives (bounded in time and count).
        let deadline = Date().addingTimeInterval(10)
        var got: String?
        var i = 0
        while got == nil && Date() < deadline && i < 200 {
            XCTAssertEqual(try HTTPClient.get(port: port, path: "/back-\(i)").status, 200)
            i += 1
            got = receiver.receive(timeout: 0.2)
        }
        let line = try XCTUnwrap(got, "no line reached the re-bound receiver within 10s (\(i) requests)")
        XCTAssertTrue(line.contains("\"GET /back-"), "a line of a request sent after the receiver came back: \(line)")
        XCTAssertFalse(line.contains("/gone-"), "lines of the gap are dropped, not replayed: \(line)")

        // And it stays connected: the next request's line follows.
        XCTAssertEqual(try HTTPClient.get(port: port, path: "/steady").status, 200)
        let rest = try receiver.receive(until: { $0.contains("\"GET /steady ") }, timeout: 5, maxLines: 250)
        XCTAssertTrue(rest.dropLast().allSatisfy { $0.contains("\"GET /back-") }, "\(rest)")
    }
}

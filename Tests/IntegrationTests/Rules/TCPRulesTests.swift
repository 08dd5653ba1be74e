import Foundation
import XCTest

/// `tcp-request` and `tcp-response` rules through the real binary: TLS
/// pass-through routed by SNI on a real ClientHello, rejects by source
/// address and by contents, the inspection delay waiting for bytes, and
/// the counters `show stat` reports for them (checked against 2.6).
final class TCPRulesTests: IntegrationTestCase {
    static let defaultsTCP = """
    defaults
        mode tcp
        timeout connect 2s
        timeout client 10s
        timeout server 10s

    """

    /// A ClientHello for `serverName` as python's ssl module (OpenSSL)
    /// writes it, taken from a memory BIO.
    func clientHello(_ serverName: String) throws -> Data {
        let out = tmp.appendingPathComponent("hello-\(serverName).bin")
        let script = """
        import ssl, sys
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        i, o = ssl.MemoryBIO(), ssl.MemoryBIO()
        t = ctx.wrap_bio(i, o, server_hostname=sys.argv[2])
        try:
            t.do_handshake()
        except ssl.SSLWantReadError:
            pass
        open(sys.argv[1], "wb").write(o.read())
        """
        let result = try runTool(Paths.python(), ["-c", script, out.path, serverName], dir: tmp)
        XCTAssertEqual(result.status, 0, result.stderr)
        return try Data(contentsOf: out)
    }

    /// `show stat` of `proxy`'s FRONTEND/BACKEND line, by column name.
    func stat(_ socket: String, _ proxy: String, _ service: String) throws -> [String: String] {
        let script = """
        import socket, sys
        s = socket.socket(socket.AF_UNIX)
        s.connect(sys.argv[1])
        s.sendall(b"show stat\\n")
        out = b""
        while True:
            d = s.recv(65536)
            if not d:
                break
            out += d
        sys.stdout.write(out.decode())
        """
        let result = try runTool(Paths.python(), ["-c", script, socket], dir: tmp)
        let lines = result.stdout.split(separator: "\n")
        guard let first = lines.first else { return [:] }
        let header = first.dropFirst(2).split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        for line in lines.dropFirst() {
            let cells = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            if cells.count > 1, cells[0] == proxy, cells[1] == service {
                return Dictionary(zip(header, cells), uniquingKeysWith: { a, _ in a })
            }
        }
        return [:]
    }

    func testSNIRoutingOfARealClientHello() throws {
        let echo = try startBackend("echo", mode: "echo")
        let web = try startBackend("web", mode: "http")
        let map = tmp.appendingPathComponent("sni.map")
        try "www.example.com be_web\n".write(to: map, atomically: true, encoding: .utf8)
        let port = Ports.free()
        try startProxy(config: Self.defaultsTCP + """
        frontend tls
            bind 127.0.0.1:\(port)
            tcp-request inspect-delay 5s
            tcp-request content accept if { req.ssl_hello_type 1 }
            tcp-request content reject
            use_backend be_echo if { req.ssl_sni -i API.example.com }
            use_backend %[req.ssl_sni,lower,map(\(map.path),be_echo)]
            default_backend be_echo

        backend be_echo
            server e 127.0.0.1:\(echo.port)

        backend be_web
            server w 127.0.0.1:\(web.port)

        """, ports: [port])
        // api: the echo server gets the ClientHello, sent in two pieces
        // (the rules wait for the whole record), and sends it back.
        let api = try clientHello("api.example.com")
        let c = try Conn(port: port)
        try c.send(api.prefix(40))
        Thread.sleep(forTimeInterval: 0.3)
        try c.send(api.dropFirst(40))
        XCTAssertEqual(try c.read(exactly: api.count), api)
        // www, through the map: the HTTP server answers the TLS bytes.
        let w = try Conn(port: port)
        try w.send(try clientHello("www.example.com"))
        let answer = String(decoding: try w.readToEOF(), as: UTF8.self)
        XCTAssertTrue(answer.contains("400"), "the HTTP server's error page: \(answer)")
        // Not TLS: rejected at once, nothing reaches a server.
        let plain = try Conn(port: port)
        try plain.send("GET / HTTP/1.0\r\n\r\n")
        XCTAssertTrue(plain.closesWithin(1))
    }

    /// `tcp-request content capture`: the SNI of a real ClientHello and the
    /// request's length in two slots, logged by `%hr` and read back by
    /// `capture.req.hdr(N)` as 2.6 logged them (recorded: `hr={www.e|517}
    /// cap=www.e cap1=517` for a 517-byte hello and `len 5`); in an HTTP
    /// frontend the rule captures from the parsed request.
    func testContentCaptureFillsTheLogsSlots() throws {
        let echo = try startBackend("echo", mode: "echo")
        let web = try startBackend("web")
        let tcpPort = Ports.free(), httpPort = Ports.free()
        let (log, sections) = try rawLogSections()
        try startProxy(config: sections + """
        frontend tls
            mode tcp
            bind 127.0.0.1:\(tcpPort)
            log-format "tls hr=%hr cap=%[capture.req.hdr(0)] cap1=%[capture.req.hdr(1)]"
            tcp-request inspect-delay 5s
            tcp-request content capture req.ssl_sni len 5
            tcp-request content capture req.len len 10
            tcp-request content accept if { req.ssl_hello_type 1 }
            default_backend echo
        frontend web
            mode http
            bind 127.0.0.1:\(httpPort)
            log-format "web hr=%hr"
            tcp-request content capture req.hdr(host) len 30
            default_backend web
        backend echo
            mode tcp
            server e 127.0.0.1:\(echo.port)
        backend web
            mode http
            server w 127.0.0.1:\(web.port)
        """, ports: [tcpPort, httpPort])
        let hello = try clientHello("www.example.com")
        let conn = try Conn(port: tcpPort)
        try conn.send(hello)
        XCTAssertEqual(try conn.read(exactly: hello.count), hello)
        conn.close()
        XCTAssertEqual(try log.receive { $0.hasPrefix("tls ") }.last?.trimmingCharacters(in: .whitespacesAndNewlines),
                       "tls hr={www.e|\(hello.count)} cap=www.e cap1=\(hello.count)")
        let web1 = try Conn(port: httpPort)
        try web1.send(HTTPClient.request("GET", "/", host: "shop.example.com", close: true))
        XCTAssertEqual(try web1.readResponse().status, 200)
        XCTAssertEqual(try log.receive { $0.hasPrefix("web ") }.last?.trimmingCharacters(in: .whitespacesAndNewlines),
                       "web hr={shop.example.com}")
    }

    func testConnectionRejectBySourceAddressIsCountedAndNotLogged() throws {
        let echo = try startBackend("echo", mode: "echo")
        let port = Ports.free()
        let socket = tmp.appendingPathComponent("admin.sock").path
        try startProxy(config: """
        global
            stats socket \(socket) mode 600 level admin

        """ + Self.defaultsTCP + """
        listen raw
            bind 127.0.0.1:\(port)
            tcp-request connection reject if { src 127.0.0.66 }
            tcp-request session reject if { src 127.0.0.67 }
            server e 127.0.0.1:\(echo.port)

        """, ports: [port])
        for source in ["127.0.0.66", "127.0.0.67"] {
            if let c = try? Conn(port: port, source: source) {
                _ = try? c.send("hello\n")
                XCTAssertTrue(c.closesWithin(2), source)
            }
        }
        let ok = try Conn(port: port, source: "127.0.0.1")
        try ok.send("hello\n")
        XCTAssertEqual(try ok.read(exactly: 6), Data("hello\n".utf8))
        ok.close()
        Thread.sleep(forTimeInterval: 0.2)
        let fe = try stat(socket, "raw", "FRONTEND")
        XCTAssertEqual(fe["dcon"], "1")
        XCTAssertEqual(fe["dses"], "1")
        // The harness's readiness probe is one more accepted connection.
        let accepted = Int(fe["conn_tot"] ?? "") ?? 0, sessions = Int(fe["stot"] ?? "") ?? 0
        XCTAssertEqual(accepted - sessions, 2, "the rejected connections start no session")
    }

    func testInspectDelayWaitsForEnoughBytes() throws {
        let echo = try startBackend("echo", mode: "echo")
        let port = Ports.free()
        try startProxy(config: Self.defaultsTCP + """
        listen raw
            bind 127.0.0.1:\(port)
            tcp-request inspect-delay 1s
            tcp-request content reject if { req.payload(0,5) -m str DROP: }
            tcp-request content accept if { req.len ge 10 }
            tcp-request content reject
            server e 127.0.0.1:\(echo.port)

        """, ports: [port])
        // 5 bytes, then 6 more: held until the rule can match, then forwarded.
        let grow = try Conn(port: port)
        try grow.send("short")
        Thread.sleep(forTimeInterval: 0.3)
        try grow.send("-longer")
        XCTAssertEqual(String(decoding: try grow.read(exactly: 12), as: UTF8.self), "short-longer")
        // Too few bytes: nothing is forwarded; the delay ends in a reject.
        let started = Date()
        let short = try Conn(port: port)
        try short.send("tiny")
        XCTAssertTrue(short.closesWithin(3))
        XCTAssertGreaterThan(Date().timeIntervalSince(started), 0.9)
        // A payload that decides at once.
        let drop = try Conn(port: port)
        try drop.send("DROP: this\n")
        XCTAssertTrue(drop.closesWithin(0.5))
    }

    func testTCPResponseRejectClosesWithoutForwarding() throws {
        let echo = try startBackend("echo", mode: "echo")
        let port = Ports.free()
        let socket = tmp.appendingPathComponent("admin.sock").path
        try startProxy(config: """
        global
            stats socket \(socket) mode 600 level admin

        """ + Self.defaultsTCP + """
        frontend raw
            bind 127.0.0.1:\(port)
            default_backend be

        backend be
            tcp-response inspect-delay 1s
            tcp-response content reject if { res.payload(0,5) -m str ERROR }
            server e 127.0.0.1:\(echo.port)

        """, ports: [port])
        let good = try Conn(port: port)
        try good.send("fine\n")
        XCTAssertEqual(try good.read(exactly: 5), Data("fine\n".utf8))
        good.close()
        let bad = try Conn(port: port)
        try bad.send("ERROR: details\n")
        XCTAssertEqual(try bad.readToEOF(), Data())
        Thread.sleep(forTimeInterval: 0.2)
        XCTAssertEqual(try stat(socket, "raw", "FRONTEND")["dresp"], "1")
        XCTAssertEqual(try stat(socket, "be", "BACKEND")["dresp"], "1")
    }
}

import Foundation
import XCTest

/// The record layer of `bind ... ssl` connections as the wire sees it: a
/// Python client over memory BIOs decides how the TLS bytes are cut into
/// TCP segments, what follows the handshake, and how the client ends.
final class TLSRecordLayerTests: IntegrationTestCase {
    private var certs: TLSCertificates!

    override func setUpWithError() throws {
        try super.setUpWithError()
        certs = try TLSCertificates(in: tmp)
    }

    /// The client: `python3 - PORT SCENARIO CHUNK`; it prints what it
    /// received and how the connection ended.
    private static let client = #"""
        import os, socket, ssl, sys, time
        port, scenario, chunk = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
        tls = ctx.wrap_bio(incoming, outgoing, server_hostname="localhost")
        s = socket.create_connection(("127.0.0.1", port))
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        s.settimeout(5)

        def send(data):
            # One segment per `chunk` bytes: records and handshake messages
            # reach the proxy cut across its reads.
            for i in range(0, len(data), chunk):
                s.sendall(data[i:i + chunk])
                if chunk < len(data):
                    time.sleep(0.002)

        def pump():
            data = outgoing.read()
            if data:
                send(data)

        def receive():
            try:
                data = s.recv(65536)
            except ConnectionResetError:
                data = b""
            if data:
                incoming.write(data)
            else:
                incoming.write_eof()
            return bool(data)

        # A PROXY header in clear first, when asked (`accept-proxy`).
        send(os.environ.get("PREAMBLE", "").encode())
        while True:
            try:
                tls.do_handshake()
                break
            except ssl.SSLWantReadError:
                pump()
                if not receive():
                    print("closed during handshake")
                    sys.exit(1)
        pump()
        print("handshake", tls.version())

        request = b"GET /one HTTP/1.1\r\nHost: x\r\n\r\n"
        if scenario == "split":
            tls.write(request)
            pump()
            # Two requests in one segment: two records in one read.
            tls.write(b"GET /two HTTP/1.1\r\nHost: x\r\n\r\n")
            tls.write(b"GET /three HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            chunk = 1 << 20
            pump()
        elif scenario == "garbage":
            s.sendall(b"\x00this is not a TLS record\r\n" * 4)
        elif scenario == "half-close":
            tls.write(sys.argv[4].encode() if len(sys.argv) > 4 else request)
            try:
                tls.unwrap()
            except ssl.SSLWantReadError:
                pass
            pump()
            print("close_notify sent")

        received = b""
        end = "timeout"
        try:
            while True:
                try:
                    data = tls.read(65536)
                except ssl.SSLWantReadError:
                    receive()
                    continue
                if not data:
                    # A memory-BIO object reads b"" at the peer's close_notify.
                    end = "close_notify"
                    break
                received += data
        except ssl.SSLZeroReturnError:
            # The same, once this side sent its own.
            end = "close_notify"
        except ssl.SSLEOFError:
            end = "eof"
        except ssl.SSLError as e:
            end = "alert " + (e.reason or str(e))
        except socket.timeout:
            pass
        sys.stdout.write(received.decode("latin-1"))
        print("\nend:", end)
        """#

    private func run(
        _ port: Int, _ scenario: String, chunk: Int, _ extra: [String] = [], preamble: String = ""
    ) throws -> String {
        let script = tmp.appendingPathComponent("client.py")
        try Self.client.write(to: script, atomically: true, encoding: .utf8)
        var environment = ProcessInfo.processInfo.environment
        environment["PREAMBLE"] = preamble
        let r = try runTool(
            "/usr/bin/env", ["python3", script.path, "\(port)", scenario, "\(chunk)"] + extra, dir: tmp, timeout: 30,
            environment: environment)
        return r.stdout + r.stderr
    }

    private static let answer =
        #"http-request return status 200 content-type text/plain lf-string "path=%[path] proto=%[ssl_fc_protocol] sni=%[ssl_fc_sni]\n""#

    /// Handshake messages and records cut into small segments, then two
    /// records in one segment: every request is answered, in order.
    func testRecordsSplitAcrossReadsAndSeveralInOneRead() throws {
        let port = Ports.free()
        try startProxy(config: Self.defaultsHTTP + """
            frontend fe
                bind 127.0.0.1:\(port) ssl crt \(certs.leaf)
                \(Self.answer)
            """, ports: [port])
        for chunk in [1, 7, 300] {
            let out = try run(port, "split", chunk: chunk)
            XCTAssertTrue(out.contains("handshake TLSv1.3"), out)
            let paths = out.components(separatedBy: "path=").dropFirst().map { $0.prefix(while: { $0 != " " }) }
            XCTAssertEqual(paths, ["/one", "/two", "/three"], out)
            XCTAssertTrue(out.contains("proto=TLSv1.3 sni=localhost"), out)
            XCTAssertTrue(out.hasSuffix("end: close_notify\n"), out)
        }
    }

    /// Bytes that are no TLS record after the handshake: the connection
    /// ends with an alert, and the next client is served as usual.
    func testGarbageAfterHandshakeEndsTheConnection() throws {
        let port = Ports.free()
        try startProxy(config: Self.defaultsHTTP + """
            frontend fe
                bind 127.0.0.1:\(port) ssl crt \(certs.leaf)
                \(Self.answer)
            """, ports: [port])
        let out = try run(port, "garbage", chunk: 1 << 20)
        XCTAssertTrue(out.contains("handshake TLSv1.3"), out)
        XCTAssertFalse(out.contains("path="), out)
        XCTAssertTrue(out.contains("end: alert") || out.contains("end: eof"), out)
        XCTAssertFalse(out.contains("end: timeout"), out)
        let next = try run(port, "split", chunk: 1 << 20)
        XCTAssertTrue(next.contains("path=/three"), next)
    }

    /// A client's close_notify after its request is a half-close: in HTTP
    /// the answer still comes, in TCP the server sees the end of input and
    /// its reply and close come back, each ending with a close_notify.
    func testCloseNotifyFromClientIsAHalfClose() throws {
        let http = Ports.free(), tcp = Ports.free()
        let echo = try startBackend("echo", mode: "echo")
        try startProxy(config: Self.defaultsHTTP + """
            frontend fe
                bind 127.0.0.1:\(http) ssl crt \(certs.leaf)
                \(Self.answer)
            listen tcpfe
                mode tcp
                bind 127.0.0.1:\(tcp) ssl crt \(certs.leaf)
                server echo 127.0.0.1:\(echo.port)
            """, ports: [http, tcp])
        let out = try run(http, "half-close", chunk: 1 << 20)
        XCTAssertTrue(out.contains("close_notify sent"), out)
        XCTAssertTrue(out.contains("path=/one proto=TLSv1.3"), out)
        XCTAssertTrue(out.hasSuffix("end: close_notify\n"), out)
        let echoed = try run(tcp, "half-close", chunk: 1 << 20, ["ping over tls"])
        XCTAssertTrue(echoed.contains("ping over tls\nend: close_notify"), echoed)
    }

    /// `accept-proxy` on an `ssl` bind: the PROXY header comes in clear
    /// before the ClientHello, cut across reads or sharing one with it.
    func testProxyHeaderBeforeTheHandshake() throws {
        let port = Ports.free()
        try startProxy(config: Self.defaultsHTTP + """
            frontend fe
                bind 127.0.0.1:\(port) ssl crt \(certs.leaf) accept-proxy
                http-request return status 200 content-type text/plain lf-string "src=%[src]:%[src_port] proto=%[ssl_fc_protocol] path=%[path] \\n"
            """, ports: [port])
        for chunk in [5, 1 << 20] {
            let out = try run(port, "split", chunk: chunk, preamble: "PROXY TCP4 192.0.2.10 127.0.0.1 5555 443\r\n")
            XCTAssertEqual(out.components(separatedBy: "src=192.0.2.10:5555 proto=TLSv1.3").count, 4, out)
            XCTAssertTrue(out.hasSuffix("end: close_notify\n"), out)
        }
    }
}

import Foundation
import XCTest

/// `server ... ssl`: the proxy connects with TLS to a Python TLS server
/// that answers with the server name and ALPN protocol it saw.
final class TLSOriginationTests: IntegrationTestCase {
    private var certs: TLSCertificates!

    override func setUpWithError() throws {
        try super.setUpWithError()
        certs = try TLSCertificates(in: tmp)
    }

    private static let server = """
        import http.server, ssl, sys
        port_file, pem = sys.argv[1], sys.argv[2]
        client_ca = sys.argv[3] if len(sys.argv) > 3 else None
        seen = {}
        class H(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            def do_GET(self):
                if self.path == "/port":
                    body = ("port=%d\\n" % self.client_address[1]).encode()
                elif client_ca:
                    subject = dict(x[0] for x in self.connection.getpeercert()["subject"])
                    body = ("client=%s reused=%s\\n" % (subject.get("commonName"), self.connection.session_reused)).encode()
                else:
                    body = ("sni=%s alpn=%s proxied=%s\\n" % (seen.get("sni"), self.connection.selected_alpn_protocol(),
                            self.headers.get("x-proxied"))).encode()
                self.send_response(200)
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            def log_message(self, *a): pass
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(pem)
        ctx.set_alpn_protocols(["http/1.1"])
        if client_ca:
            ctx.verify_mode = ssl.CERT_REQUIRED
            ctx.load_verify_locations(client_ca)
        def sni(sock, name, c): seen["sni"] = name
        ctx.sni_callback = sni
        srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
        open(port_file + ".tmp", "w").write(str(srv.server_address[1]))
        import os; os.rename(port_file + ".tmp", port_file)
        srv.serve_forever()
        """

    /// - Parameter clientCA: requires client certificates signed by it.
    private func startTLSServer(clientCA: String? = nil) throws -> Int {
        let script = tmp.appendingPathComponent("tls_server.py")
        try Self.server.write(to: script, atomically: true, encoding: .utf8)
        let portFile = tmp.appendingPathComponent("tls-port-\(UUID().uuidString.prefix(6))")
        let p = track(try ManagedProcess(
            label: "tls-server", executable: "/usr/bin/python3",
            arguments: [script.path, portFile.path, certs.leaf] + (clientCA.map { [$0] } ?? []), dir: tmp))
        var port = 0
        try waitUntil("the TLS server writes its port") {
            if !p.isRunning { throw HarnessError("TLS server exited: \(p.stderr)") }
            port = Int((try? String(contentsOf: portFile, encoding: .utf8)) ?? "") ?? 0
            return port > 0
        }
        return port
    }

    func testServerSSLWithVerifySNIAndALPN() throws {
        let tlsPort = try startTLSServer()
        let port = Ports.free(), port2 = Ports.free()
        try startProxy(config: Self.defaultsHTTP + """
            frontend fe
                bind 127.0.0.1:\(port)
                http-request set-header X-Proxied yes
                default_backend verified
            frontend fe2
                bind 127.0.0.1:\(port2)
                default_backend wrongname
            backend verified
                server s1 127.0.0.1:\(tlsPort) ssl verify required ca-file \(certs.ca) sni str(localhost) alpn http/1.1
            backend wrongname
                server s1 127.0.0.1:\(tlsPort) ssl verify required ca-file \(certs.ca) sni str(other.test)
            """, ports: [port, port2])
        let c = try Conn(port: port)
        for _ in 0..<3 {
            try c.send(HTTPClient.request("GET", "/"))
            let r = try c.readResponse()
            XCTAssertEqual(r.status, 200)
            XCTAssertEqual(r.text, "sni=localhost alpn=http/1.1 proxied=yes\n")
        }
        // The certificate's names do not cover the name sent: the failed
        // handshake is a connection error, 503 after the retries (as 2.6).
        let bad = try HTTPClient.get(port: port2, path: "/")
        XCTAssertEqual(bad.status, 503, bad.text)
    }

    func testVerifyNoneAndTCPMode() throws {
        let tlsPort = try startTLSServer()
        let port = Ports.free()
        try startProxy(config: """
            defaults
                mode tcp
                timeout connect 2s
                timeout client 10s
                timeout server 10s
            listen fwd
                bind 127.0.0.1:\(port)
                server s1 127.0.0.1:\(tlsPort) ssl verify none
            """, ports: [port])
        let r = try HTTPClient.get(port: port, path: "/")
        XCTAssertEqual(r.status, 200)
        XCTAssertEqual(r.text, "sni=None alpn=None proxied=None\n")
    }

    /// `ssl-server-verify required` (2.6's default) without a CA file is
    /// refused with 2.6's words.
    func testVerifyWithoutCAFileIsRefused() throws {
        let cfg = try writeConfig(Self.defaultsHTTP + """
            backend b
                server s1 127.0.0.1:443 ssl
            frontend f
                bind 127.0.0.1:18080
                default_backend b
            """)
        let r = try haproxy(["-c", "-f", cfg.path])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(
            r.stderr.contains(
                "config : [\(cfg.path):7] : 'server b/s1' : verify is enabled by default but no CA file specified."),
            r.stderr)
    }

    /// Health checks over TLS: an `ssl` server's checks use TLS, `check-ssl`
    /// forces it; a plain server checked with TLS fails at layer 6.
    func testHealthChecksOverTLS() throws {
        let tlsPort = try startTLSServer()
        let plain = try startBackend("plain")
        let port = Ports.free()
        let p = try startProxy(config: Self.defaultsHTTP + """
                option log-health-checks
                log stdout format raw local0
            frontend fe
                bind 127.0.0.1:\(port)
                default_backend http
            backend http
                option httpchk GET /
                server s1 127.0.0.1:\(tlsPort) ssl verify none check inter 200
                server s2 127.0.0.1:\(plain.port) check check-ssl verify none inter 200
            backend tcp
                server s3 127.0.0.1:\(tlsPort) check check-ssl verify none check-sni localhost inter 200
            """, ports: [port])
        for line in [
            "Health check for server http/s1 succeeded, reason: Layer7 check passed, code: 200",
            "Health check for server http/s2 failed, reason: Layer6 invalid response, info: \"SSL handshake failure\"",
            "Server http/s2 is DOWN.",
            "Health check for server tcp/s3 succeeded, reason: Layer6 check passed",
        ] {
            XCTAssertTrue(p.waitForOutput(line), "\(line)\n\(p.stdout)")
        }
        let r = try HTTPClient.get(port: port, path: "/")
        XCTAssertEqual(r.status, 200, "only the TLS server is up: \(r.text)")
    }

    /// `crt` on a server: the client certificate it presents; sessions are
    /// offered again on the next connection unless `no-ssl-reuse`.
    func testClientCertificateAndSessionReuse() throws {
        let tlsPort = try startTLSServer(clientCA: certs.ca)
        let pem = tmp.appendingPathComponent("client.pem")
        let crt = try String(contentsOfFile: certs.clientCert, encoding: .utf8)
        let key = try String(contentsOfFile: certs.clientKey, encoding: .utf8)
        try (crt + key).write(to: pem, atomically: true, encoding: .utf8)
        let reuse = Ports.free(), noReuse = Ports.free(), noCert = Ports.free()
        try startProxy(config: Self.defaultsHTTP + """
                http-reuse never
            frontend reuse
                bind 127.0.0.1:\(reuse)
                default_backend reuse
            frontend noreuse
                bind 127.0.0.1:\(noReuse)
                default_backend noreuse
            frontend nocert
                bind 127.0.0.1:\(noCert)
                default_backend nocert
            backend reuse
                server s1 127.0.0.1:\(tlsPort) ssl verify required ca-file \(certs.ca) crt \(pem.path)
            backend noreuse
                server s1 127.0.0.1:\(tlsPort) ssl verify none crt \(pem.path) no-ssl-reuse
            backend nocert
                server s1 127.0.0.1:\(tlsPort) ssl verify none
            """, ports: [reuse, noReuse, noCert])
        var answers: [String] = []
        for port in [reuse, reuse, noReuse, noReuse] {
            answers.append(try HTTPClient.get(port: port, path: "/").text)
        }
        XCTAssertEqual(answers, [
            "client=client1 reused=False\n", "client=client1 reused=True\n",
            "client=client1 reused=False\n", "client=client1 reused=False\n",
        ])
        // The server wants a certificate: under TLS 1.3 it says so after the
        // client finished its handshake, so the request fails (502) rather
        // than the connection (503).
        XCTAssertTrue([502, 503].contains(try HTTPClient.get(port: noCert, path: "/").status))
    }

    /// `timeout connect` covers the handshake with an `ssl` server, as in
    /// 2.6: a server whose kernel accepts connections that nothing ever
    /// answers is tried again (`retries 1`), then given up with a 503
    /// (2.6 logs it `sC`), long before the client's or the server's
    /// timeout (without it the stream waited for ever).
    func testHandshakeNeverAnsweredEndsAtTheConnectTimeout() throws {
        // A listening socket nobody accepts on: the kernel completes the
        // TCP connections, no TLS byte ever comes back.
        let silent = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        XCTAssertGreaterThanOrEqual(silent, 0)
        defer { close(silent) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(silent, $0, length) == 0 && getsockname(silent, $0, &length) == 0
            }
        }
        XCTAssertTrue(bound)
        XCTAssertEqual(listen(silent, 16), 0)
        let silentPort = Int(UInt16(bigEndian: address.sin_port))
        let port = Ports.free()
        try startProxy(config: """
            defaults
                mode http
                retries 1
                timeout connect 300ms
                timeout client 30s
                timeout server 30s
            frontend fe
                bind 127.0.0.1:\(port)
                default_backend be
            backend be
                server s1 127.0.0.1:\(silentPort) ssl verify none
            """, ports: [port])
        let r = try HTTPClient.get(port: port, path: "/", timeout: 20)
        XCTAssertEqual(r.status, 503)
    }

    /// A TLS connection to a server waits idle for the next request
    /// (`http-reuse always`): two requests from two clients, one of them
    /// over TLS itself, reach the server over the same connection.
    func testIdleTLSServerConnectionsAreReused() throws {
        let tlsPort = try startTLSServer()
        let plain = Ports.free(), secure = Ports.free()
        try startProxy(config: Self.defaultsHTTP + """
            frontend fe
                bind 127.0.0.1:\(plain)
                bind 127.0.0.1:\(secure) ssl crt \(certs.leaf)
                default_backend be
            backend be
                http-reuse always
                server s1 127.0.0.1:\(tlsPort) ssl verify none
            """, ports: [plain, secure])
        let first = try HTTPClient.get(port: plain, path: "/port")
        XCTAssertEqual(first.status, 200, first.text)
        XCTAssertTrue(first.text.hasPrefix("port="), first.text)
        let second = try runTool(
            "/usr/bin/curl", ["-sS", "--max-time", "10", "-k", "https://127.0.0.1:\(secure)/port"], dir: tmp)
        XCTAssertEqual(second.stdout, first.text, second.stderr)
    }
}

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
        seen = {}
        class H(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            def do_GET(self):
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
        def sni(sock, name, c): seen["sni"] = name
        ctx.sni_callback = sni
        srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
        open(port_file + ".tmp", "w").write(str(srv.server_address[1]))
        import os; os.rename(port_file + ".tmp", port_file)
        srv.serve_forever()
        """

    private func startTLSServer() throws -> Int {
        let script = tmp.appendingPathComponent("tls_server.py")
        try Self.server.write(to: script, atomically: true, encoding: .utf8)
        let portFile = tmp.appendingPathComponent("tls-port")
        let p = track(try ManagedProcess(
            label: "tls-server", executable: "/usr/bin/python3", arguments: [script.path, portFile.path, certs.leaf],
            dir: tmp))
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
}

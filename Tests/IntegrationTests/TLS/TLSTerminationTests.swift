import Foundation
import XCTest

/// `bind ... ssl crt`: real clients (curl, openssl s_client) against the
/// built binary, with certificates made by the test.
final class TLSTerminationTests: IntegrationTestCase {
    private var certs: TLSCertificates!

    override func setUpWithError() throws {
        try super.setUpWithError()
        certs = try TLSCertificates(in: tmp)
    }

    private func curl(_ args: [String]) throws -> ToolResult {
        try runTool("/usr/bin/curl", ["-sS", "--max-time", "10"] + args, dir: tmp)
    }

    /// `openssl s_client` with `input` on its standard input; its output.
    private func sClient(_ port: Int, _ args: [String]) throws -> String {
        let script = "printf 'Q\\n' | openssl s_client -connect 127.0.0.1:\(port) " + args.joined(separator: " ") + " 2>&1"
        return try runTool("/bin/sh", ["-c", script], dir: tmp).stdout
    }

    private static let echoFetches =
        #"lf-string "proto=%[ssl_fc_protocol] sni=%[ssl_fc_sni] alpn=%[ssl_fc_alpn] cipher=%[ssl_fc_cipher] ssl=%[ssl_fc]\n""#

    func testCertificateChosenBySNIWithALPNAndFetches() throws {
        let port = Ports.free()
        let p = try startProxy(config: Self.defaultsHTTP + """
            frontend fe
                bind 127.0.0.1:\(port) ssl crt \(certs.certDirectory) alpn h2,http/1.1
                http-request return status 200 content-type text/plain \(Self.echoFetches)
            """, ports: [port])
        XCTAssertTrue(p.waitForOutput("ALPN protocol(s) 'h2' not offered"), p.stderr)
        // curl offers h2 and http/1.1: h2 is not offered back.
        let r = try curl(["--http2", "--cacert", certs.ca, "https://localhost:\(port)/", "--resolve", "localhost:\(port):127.0.0.1"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.hasPrefix("proto=TLSv1.3 sni=localhost alpn=http/1.1 cipher=TLS_"), r.stdout)
        XCTAssertTrue(r.stdout.hasSuffix("ssl=1\n"), r.stdout)
        // The wildcard certificate answers a name under it (verified by curl).
        let w = try curl(["--cacert", certs.ca, "https://a.wild.test:\(port)/", "--resolve", "a.wild.test:\(port):127.0.0.1"])
        XCTAssertEqual(w.status, 0, w.stderr)
        XCTAssertTrue(w.stdout.contains("sni=a.wild.test"), w.stdout)
        // An unknown name gets the first certificate (leaf.pem, by name order).
        let unknown = try sClient(port, ["-servername", "other.test"])
        XCTAssertTrue(unknown.contains("subject=CN = localhost"), unknown)
        let wild = try sClient(port, ["-servername", "b.wild.test"])
        XCTAssertTrue(wild.contains("subject=CN = *.wild.test"), wild)
        // A client offering only h2 gets no ALPN at all.
        let h2 = try sClient(port, ["-alpn", "h2"])
        XCTAssertTrue(h2.contains("No ALPN negotiated"), h2)
    }

    func testStrictSNIRefusesUnknownNames() throws {
        let port = Ports.free()
        try startProxy(config: Self.defaultsHTTP + """
            frontend fe
                bind 127.0.0.1:\(port) ssl crt \(certs.leaf) crt \(certs.wildcard) strict-sni
                http-request return status 200 content-type text/plain \(Self.echoFetches)
            """, ports: [port])
        let ok = try curl(["--cacert", certs.ca, "https://x.wild.test:\(port)/", "--resolve", "x.wild.test:\(port):127.0.0.1"])
        XCTAssertEqual(ok.status, 0, ok.stderr)
        let refused = try sClient(port, ["-servername", "other.test"])
        XCTAssertTrue(refused.contains("alert"), refused)
        XCTAssertFalse(refused.contains("subject=CN"), refused)
    }

    func testProtocolVersionsAndCiphers() throws {
        let port = Ports.free(), port2 = Ports.free()
        try startProxy(config: """
            global
                ssl-default-bind-options ssl-min-ver TLSv1.3 no-tls-tickets
            """ + "\n" + Self.defaultsHTTP + """
            frontend fe
                bind 127.0.0.1:\(port) ssl crt \(certs.leaf)
                bind 127.0.0.1:\(port2) ssl crt \(certs.leaf) ssl-min-ver TLSv1.2 ssl-max-ver TLSv1.2 ciphers ECDHE-RSA-AES128-GCM-SHA256
                http-request return status 200 content-type text/plain \(Self.echoFetches)
            """, ports: [port, port2])
        let tls12 = try sClient(port, ["-tls1_2"])
        XCTAssertTrue(tls12.contains("alert protocol version"), tls12)
        let tls13 = try sClient(port, ["-tls1_3"])
        XCTAssertTrue(tls13.contains("TLSv1.3"), tls13)
        let r = try curl(["-k", "https://127.0.0.1:\(port2)/"])
        XCTAssertTrue(r.stdout.hasPrefix("proto=TLSv1.2 sni= alpn= cipher=ECDHE-RSA-AES128-GCM-SHA256"), r.stdout + r.stderr)
        let other = try sClient(port2, ["-tls1_2", "-cipher", "ECDHE-RSA-AES256-GCM-SHA384"])
        XCTAssertFalse(other.contains("Cipher is ECDHE-RSA-AES256-GCM-SHA384"), other)
    }

    /// The recipes of issue 12: a redirect to https for plain requests and
    /// X-Forwarded-Proto for TLS ones, with keep-alive to the server.
    func testRedirectSchemeAndForwardedProto() throws {
        let backend = try startBackend("web1")
        let plain = Ports.free(), secure = Ports.free()
        try startProxy(config: Self.defaultsHTTP + """
            frontend fe
                bind 127.0.0.1:\(plain)
                bind 127.0.0.1:\(secure) ssl crt \(certs.leaf)
                http-request redirect scheme https if !{ ssl_fc }
                http-request set-header X-Forwarded-Proto https if { ssl_fc }
                default_backend be
            backend be
                server web1 127.0.0.1:\(backend.port)
            """, ports: [plain, secure])
        let r = try HTTPClient.get(port: plain, path: "/headers")
        XCTAssertEqual(r.status, 302)
        XCTAssertTrue(r.header("location")?.hasPrefix("https://") ?? false, "\(r.header("location") ?? "")")
        XCTAssertTrue(r.header("location")?.hasSuffix("/headers") ?? false)
        let s = try curl(["--cacert", certs.ca, "https://localhost:\(secure)/headers", "https://localhost:\(secure)/status/201",
                          "--resolve", "localhost:\(secure):127.0.0.1", "-w", "%{http_code}\n"])
        XCTAssertEqual(s.status, 0, s.stderr)
        XCTAssertTrue(s.stdout.lowercased().contains("x-forwarded-proto: https"), s.stdout)
        XCTAssertTrue(s.stdout.hasSuffix("201\n"), s.stdout)
        // A large body crosses the TLS layer intact.
        let big = try curl(["--cacert", certs.ca, "https://localhost:\(secure)/big?bytes=3000000", "--resolve",
                            "localhost:\(secure):127.0.0.1", "-o", "/dev/null", "-w", "%{size_download}"])
        XCTAssertEqual(big.stdout, "3000000", big.stderr)
    }

    func testTCPModeTermination() throws {
        let backend = try startBackend("web1")
        let port = Ports.free()
        try startProxy(config: """
            defaults
                mode tcp
                timeout connect 2s
                timeout client 10s
                timeout server 10s
            listen tls
                bind 127.0.0.1:\(port) ssl crt \(certs.leaf) alpn h2,http/1.1
                tcp-request content reject if !{ ssl_fc }
                server web1 127.0.0.1:\(backend.port)
            """, ports: [port])
        // h2 is offered here (see below): curl is told to speak HTTP/1.1.
        let r = try curl(["--http1.1", "--cacert", certs.ca, "https://localhost:\(port)/status/204", "--resolve",
                          "localhost:\(port):127.0.0.1", "-w", "%{http_code}"])
        XCTAssertEqual(r.stdout, "204", r.stderr)
        // In TCP mode ALPN is a label: h2 is offered as configured.
        let h2 = try sClient(port, ["-alpn", "h2"])
        XCTAssertTrue(h2.contains("ALPN protocol: h2"), h2)
    }

    /// `ca-file` with `verify required|optional`: client certificates and
    /// the `ssl_c_*` fetches.
    func testClientCertificates() throws {
        let required = Ports.free(), optional = Ports.free()
        let fetches =
            #"lf-string "used=%[ssl_c_used] verify=%[ssl_c_verify] cn=%[ssl_c_s_dn(CN)] issuer=%[ssl_c_i_dn] crt=%[ssl_fc_has_crt]\n""#
        try startProxy(config: Self.defaultsHTTP + """
            frontend fe
                bind 127.0.0.1:\(required) ssl crt \(certs.leaf) ca-file \(certs.ca) verify required
                bind 127.0.0.1:\(optional) ssl crt \(certs.leaf) ca-file \(certs.ca) verify optional
                http-request return status 200 content-type text/plain \(fetches)
            """, ports: [required, optional])
        let base = ["--cacert", certs.ca, "--resolve", "localhost:\(required):127.0.0.1", "--resolve",
                    "localhost:\(optional):127.0.0.1"]
        let withCert = try curl(base + ["--cert", certs.clientCert, "--key", certs.clientKey, "https://localhost:\(required)/"])
        XCTAssertEqual(withCert.stdout, "used=1 verify=0 cn=client1 issuer=/CN=Test CA crt=1\n", withCert.stderr)
        let without = try curl(base + ["https://localhost:\(required)/"])
        XCTAssertNotEqual(without.status, 0, "no certificate: refused")
        XCTAssertEqual(without.stdout, "")
        let optionalWithout = try curl(base + ["https://localhost:\(optional)/"])
        XCTAssertEqual(optionalWithout.stdout, "used=0 verify=0 cn= issuer= crt=0\n", optionalWithout.stderr)
        let stranger = try curl(base + ["--cert", certs.strangerCert, "--key", certs.strangerKey, "https://localhost:\(optional)/"])
        XCTAssertNotEqual(stranger.status, 0, "a certificate the CA did not sign is refused even when optional")
    }

    /// `npn` beside Debian's 2.6: the protocols advertised, the one the
    /// client settles on and `ssl_fc_npn` read the same for clients asking
    /// HTTP/1.x. In `mode http` a name this build does not speak is not
    /// advertised (a WARNING says so), as with ALPN. A `crt-list` line's
    /// `npn` replaces the bind line's for its certificate. (A client that
    /// insists on h2 gets HTTP/1.1 answers here, where 2.6 would speak h2.)
    func testNPNMatchesTheReference() throws {
        let reference = FramingDifferentialTests.referencePath
        guard FileManager.default.isExecutableFile(atPath: reference) else {
            XCTFail("Debian's haproxy 2.6 is not unpacked at \(reference): run `make reference`")
            return
        }
        let list = tmp.appendingPathComponent("npn.list").path
        try "\(certs.leaf) [npn http/1.0] localhost\n".write(toFile: list, atomically: true, encoding: .utf8)
        func config(_ ports: [Int]) -> String {
            Self.defaultsHTTP + """
            frontend fe
                bind 127.0.0.1:\(ports[0]) ssl crt \(certs.leaf) npn http/1.1,http/1.0
                bind 127.0.0.1:\(ports[1]) ssl crt \(certs.leaf) npn spdy/2,http/1.1
                bind 127.0.0.1:\(ports[2]) ssl crt-list \(list) npn http/1.1
                http-request return status 200 content-type text/plain lf-string "npn=%[ssl_fc_npn] alpn=%[ssl_fc_alpn]\\n"
            """
        }
        let ours = (0..<3).map { _ in Ports.free() }, theirs = (0..<3).map { _ in Ports.free() }
        let p = try startProxy(config: config(ours), ports: ours)
        XCTAssertTrue(p.waitForOutput("NPN protocol(s) 'spdy/2' not offered"), p.stderr)
        let cfg = try writeConfig(config(theirs), name: "reference.cfg")
        let ref = track(try ManagedProcess(label: "reference", executable: reference, arguments: ["-f", cfg.path, "-db"], dir: tmp))
        for port in theirs { try Ports.waitUntilListening(port, timeout: 10, while: { ref.isRunning }) }
        func negotiate(_ port: Int, _ client: String) throws -> String {
            let script = "printf 'GET / HTTP/1.1\\r\\nHost: a\\r\\nConnection: close\\r\\n\\r\\n' | "
                + "openssl s_client -connect 127.0.0.1:\(port) -servername localhost -nextprotoneg \(client) -tls1_2 -ign_eof 2>&1"
            let out = try runTool("/bin/sh", ["-c", script], dir: tmp).stdout
            return out.split(whereSeparator: \.isNewline).filter { $0.hasPrefix("Next protocol") || $0.hasPrefix("npn=") }
                .joined(separator: " | ")
        }
        for client in ["http/1.1", "http/1.0", "http/1.0,http/1.1", "http/1.1,http/1.0"] {
            for (mine, reference) in zip(ours, theirs) {
                let answer = try negotiate(mine, client)
                XCTAssertTrue(answer.contains("npn=http/1."), "client \(client): \(answer)")
                XCTAssertEqual(answer, try negotiate(reference, client), "client \(client) on \(mine)")
            }
        }
        // The line's list, not the bind line's, chose.
        XCTAssertEqual(try negotiate(ours[2], "http/1.1,http/1.0"), "Next protocol: (1) http/1.0 | npn=http/1.0 alpn=")
    }

    /// The same configuration in Debian's haproxy 2.6 and in this build,
    /// the same clients: the TLS fetches answer the same.
    func testFetchesMatchTheReference() throws {
        let reference = FramingDifferentialTests.referencePath
        guard FileManager.default.isExecutableFile(atPath: reference) else {
            XCTFail("Debian's haproxy 2.6 is not unpacked at \(reference): run `make reference`")
            return
        }
        let fetches = [
            "ssl_fc", "ssl_fc_sni", "ssl_fc_protocol", "ssl_fc_cipher", "ssl_fc_alpn", "ssl_fc_is_resumed",
            "ssl_fc_use_keysize", "ssl_fc_alg_keysize", "ssl_fc_has_sni", "ssl_fc_has_crt", "ssl_c_used",
            "ssl_c_verify", "ssl_c_s_dn", "ssl_c_s_dn(CN)", "ssl_c_i_dn", "ssl_c_serial,hex", "ssl_c_notafter",
            "ssl_c_notbefore", "ssl_c_err", "ssl_c_ca_err", "ssl_fc_err",
        ].map { "\($0)=%[\($0)]" }.joined(separator: " ")
        func config(_ port: Int) -> String {
            Self.defaultsHTTP + """
            frontend fe
                bind 127.0.0.1:\(port) ssl crt \(certs.certDirectory) ca-file \(certs.ca) verify optional alpn http/1.1
                http-request return status 200 content-type text/plain lf-string "\(fetches)\\n"
            """
        }
        let ours = Ports.free(), theirs = Ports.free()
        try startProxy(config: config(ours), ports: [ours])
        let cfg = try writeConfig(config(theirs), name: "reference.cfg")
        let ref = track(try ManagedProcess(label: "reference", executable: reference, arguments: ["-f", cfg.path, "-db"], dir: tmp))
        try Ports.waitUntilListening(theirs, timeout: 10, while: { ref.isRunning })
        let clients: [[String]] = [
            ["--cert", certs.clientCert, "--key", certs.clientKey, "--http1.1"],
            ["--http1.1", "--tls-max", "1.2"],
            ["--http1.1", "--tlsv1.2", "--tls-max", "1.2", "--ciphers", "ECDHE-RSA-AES128-GCM-SHA256"],
        ]
        for client in clients {
            for name in ["localhost", "a.wild.test"] {
                var answers: [String] = []
                for port in [ours, theirs] {
                    let r = try curl(["-k", "--resolve", "\(name):\(port):127.0.0.1", "https://\(name):\(port)/"] + client)
                    answers.append(r.stdout)
                }
                XCTAssertTrue(answers[0].hasPrefix("ssl_fc=1 "), answers[0])
                XCTAssertEqual(answers[0], answers[1], "\(client) \(name)")
            }
        }
    }

    /// A session is resumed from the cache (TLS 1.2 session ids, also with
    /// `no-tls-tickets`) or from a ticket (TLS 1.3): `ssl_fc_is_resumed`.
    func testSessionResumption() throws {
        let port = Ports.free(), noTickets = Ports.free()
        try startProxy(config: Self.defaultsHTTP + """
            frontend fe
                bind 127.0.0.1:\(port) ssl crt \(certs.leaf)
                bind 127.0.0.1:\(noTickets) ssl crt \(certs.leaf) no-tls-tickets
                http-request return status 200 content-type text/plain lf-string "resumed=%[ssl_fc_is_resumed]\\n"
            """, ports: [port, noTickets])
        for p in [port, noTickets] {
            for version in ["-tls1_2", "-tls1_3"] {
                let session = tmp.appendingPathComponent("session-\(p)\(version)").path
                func get(_ sessionOption: String) throws -> String {
                    let script = "printf 'GET / HTTP/1.0\\r\\n\\r\\n' | openssl s_client -ign_eof -connect 127.0.0.1:\(p) \(version) \(sessionOption) \(session) -quiet 2>/dev/null"
                    return try runTool("/bin/sh", ["-c", script], dir: tmp).stdout
                }
                XCTAssertTrue(try get("-sess_out").hasSuffix("resumed=0\n"), "\(p) \(version)")
                XCTAssertTrue(try get("-sess_in").hasSuffix("resumed=1\n"), "\(p) \(version)")
            }
        }
    }

    /// `%ft` takes a `~` on TLS connections; `%sslv` and `%sslc` name the
    /// version and cipher.
    func testLogLineNamesTLSVersionAndCipher() throws {
        let port = Ports.free()
        let p = try startProxy(config: Self.defaultsHTTP + """
            frontend fe
                log stdout format raw local0
                log-format "ft=%ft sslv=%sslv sslc=%sslc"
                bind 127.0.0.1:\(port) ssl crt \(certs.leaf) ssl-max-ver TLSv1.2 ciphers ECDHE-RSA-AES128-GCM-SHA256
                http-request return status 200
            """, ports: [port])
        let r = try curl(["-k", "https://127.0.0.1:\(port)/", "-o", "/dev/null", "-w", "%{http_code}"])
        XCTAssertEqual(r.stdout, "200", r.stderr)
        XCTAssertTrue(p.waitForOutput("ft=fe~ sslv=TLSv1.2 sslc=ECDHE-RSA-AES128-GCM-SHA256"), p.stdout)
    }

    /// `option httpslog`: the same line as 2.6 (client address and date aside).
    func testHTTPSLogMatchesTheReference() throws {
        let reference = FramingDifferentialTests.referencePath
        guard FileManager.default.isExecutableFile(atPath: reference) else {
            XCTFail("Debian's haproxy 2.6 is not unpacked at \(reference): run `make reference`")
            return
        }
        func config(_ port: Int) -> String {
            Self.defaultsHTTP + """
            frontend fe
                log stdout format raw local0
                option httpslog
                bind 127.0.0.1:\(port) ssl crt \(certs.leaf)
                http-request return status 200
            """
        }
        let ours = Ports.free(), theirs = Ports.free()
        let p = try startProxy(config: config(ours), ports: [ours])
        let cfg = try writeConfig(config(theirs), name: "reference.cfg")
        let ref = track(try ManagedProcess(label: "reference", executable: reference, arguments: ["-f", cfg.path, "-db"], dir: tmp))
        try Ports.waitUntilListening(theirs, timeout: 10, while: { ref.isRunning })
        var lines: [String] = []
        for (port, process) in [(ours, p), (theirs, ref)] {
            _ = try curl(["-k", "--resolve", "localhost:\(port):127.0.0.1", "https://localhost:\(port)/", "-o", "/dev/null"])
            XCTAssertTrue(process.waitForOutput(" fe~ "), process.stdout)
            let line = process.stdout.split(separator: "\n").first { $0.contains(" fe~ ") } ?? ""
            // Without the timers (the third word), which vary by a millisecond.
            var words = line[(line.range(of: "] ")?.upperBound ?? line.startIndex)...].split(separator: " ")
            if words.count > 2 { words.remove(at: 2) }
            lines.append(words.joined(separator: " "))
        }
        XCTAssertTrue(lines[0].hasSuffix(" localhost/TLSv1.3/TLS_AES_256_GCM_SHA384"), lines[0])
        XCTAssertEqual(lines[0], lines[1])
    }

    /// `-c` on broken TLS lines: the same ALERT and WARNING lines (pid
    /// aside) and exit status as Debian's haproxy 2.6 on the same file.
    func testConfigurationErrorsMatchTheReference() throws {
        let reference = FramingDifferentialTests.referencePath
        guard FileManager.default.isExecutableFile(atPath: reference) else {
            XCTFail("Debian's haproxy 2.6 is not unpacked at \(reference): run `make reference`")
            return
        }
        var companions = 0
        /// A copy of the leaf with a file beside it (`.sctl`...).
        func companion(_ suffix: String, _ content: String) throws -> String {
            companions += 1
            let pem = tmp.appendingPathComponent("companion\(companions).pem").path
            try FileManager.default.copyItem(atPath: certs.leaf, toPath: pem)
            try content.write(toFile: pem + suffix, atomically: true, encoding: .utf8)
            return pem
        }
        let cases: [(global: String, bind: String)] = [
            ("", "ssl crt \(tmp.path)/missing.pem"),
            ("", "ssl crt \(certs.mismatched)"),
            ("", "ssl crt \(certs.encrypted)"),
            ("", "ssl crt \(certs.garbage)"),
            ("", "ssl crt \(certs.leafCertOnly)"),
            ("", "ssl"),
            ("", "ssl crt \(certs.leaf) ciphers FOO"),
            ("", "ssl crt \(certs.leaf) ciphersuites FOO"),
            ("", "ssl crt \(certs.leaf) curves FOO"),
            ("", "ssl crt \(certs.leaf) ecdhe foo"),
            ("", "ssl crt \(certs.leaf) ssl-min-ver TLSv1.3 ssl-max-ver TLSv1.2"),
            ("", "ssl crt \(certs.leaf) ssl-max-ver TLSv1.0 no-tlsv10"),
            ("ssl-default-bind-ciphers FOO", "ssl crt \(certs.leaf)"),
            ("crt-base \(certs.dir.path)", "ssl crt certs strict-sni"),
            ("", "crt \(certs.leaf)"),
            ("", "ssl crt \(certs.leaf) verify required"),
            ("", "ssl crt \(certs.leaf) verify required ca-file \(tmp.path)/missing-ca.pem"),
            ("", "ssl crt \(certs.leaf) verify optional ca-file \(certs.garbage)"),
            ("", "ssl crt-list \(tmp.path)/missing-list.txt"),
            ("ssl-dh-param-file \(tmp.path)/missing-dh.pem", "ssl crt \(certs.leaf)"),
            ("ssl-dh-param-file \(certs.leaf)", "ssl crt \(certs.leaf)"),
            ("tune.ssl.cachesize -1", "ssl crt \(certs.leaf)"),
            ("tune.ssl.lifetime 5x", "ssl crt \(certs.leaf)"),
            ("tune.ssl.maxrecord 1400 2", "ssl crt \(certs.leaf)"),
            ("", "ssl crt-list \(try list("\(certs.leaf) [foo bar]\n"))"),
            ("", "ssl crt-list \(try list("\(tmp.path)/missing.pem\n"))"),
            ("", "ssl crt-list \(try list("# nothing\n\n"))"),
            ("", "ssl crt-list \(try list("\(certs.leaf) [verify required] a.test\n"))"),
            ("", "ssl crt-list \(try list("\(certs.leaf) [ssl-min-ver TLSv1.3 ciphers HIGH] *.wild.test !bad.wild.test\n"))"),
            ("", "ssl crt \(try companion(".sctl", "garbage\n"))"),
            ("", "ssl crt \(try companion(".sctl", ""))"),
            ("", "ssl crt \(certs.leaf) ca-verify-file \(tmp.path)/missing-ca.pem"),
            ("", "ssl crt \(certs.leaf) ca-verify-file \(certs.leafKey) verify required"),
            ("", "ssl crt \(certs.leaf) ca-verify-file \(certs.ca) verify required"),
            ("", "ssl crt \(certs.leaf) tls-ticket-keys \(tmp.path)/missing.keys"),
        ]
        for (global, bind) in cases {
            let cfg = try writeConfig("""
                global
                    \(global)
                defaults
                    mode http
                    timeout client 5s
                    timeout server 5s
                    timeout connect 5s
                frontend f
                    bind 127.0.0.1:18443 \(bind)
                    http-request return status 200
                """, name: "check.cfg")
            let ours = try haproxy(["-c", "-f", cfg.path])
            let theirs = try runTool(reference, ["-c", "-f", cfg.path], dir: tmp)
            XCTAssertEqual(ours.status, theirs.status, bind)
            XCTAssertEqual(Self.messages(ours.stderr), Self.messages(theirs.stderr), bind)
        }
    }

    /// `accept-proxy` on an `ssl` bind: the PROXY header (v1 or v2) comes
    /// in clear, then the handshake; `src` is the header's address.
    func testAcceptProxyBeforeTheHandshake() throws {
        let port = Ports.free()
        try startProxy(config: Self.defaultsHTTP + """
            frontend fe
                bind 127.0.0.1:\(port) ssl crt \(certs.leaf) accept-proxy
                http-request return status 200 content-type text/plain lf-string "src=%[src] sni=%[ssl_fc_sni]\\n"
            """, ports: [port])
        let script = """
            import socket, ssl, sys
            v1 = b"PROXY TCP4 192.0.2.7 192.0.2.1 4444 443\\r\\n"
            v2 = (b"\\r\\n\\r\\n\\x00\\r\\nQUIT\\n" + bytes([0x21, 0x11, 0, 12]) + bytes([192, 0, 2, 8, 192, 0, 2, 1])
                  + (5555).to_bytes(2, "big") + (443).to_bytes(2, "big"))
            for header in (v1, v2):
                raw = socket.create_connection(("127.0.0.1", \(port)))
                raw.sendall(header)
                ctx = ssl.create_default_context(cafile="\(certs.ca)")
                tls = ctx.wrap_socket(raw, server_hostname="localhost")
                tls.sendall(b"GET / HTTP/1.0\\r\\n\\r\\n")
                data = b""
                while True:
                    chunk = tls.recv(4096)
                    if not chunk: break
                    data += chunk
                print(data.split(b"\\r\\n\\r\\n", 1)[1].decode(), end="")
            """
        let r = try runTool("/usr/bin/python3", ["-c", script], dir: tmp)
        XCTAssertEqual(r.stdout, "src=192.0.2.7 sni=localhost\nsrc=192.0.2.8 sni=localhost\n", r.stderr)
        // Without the header the connection is refused, as on a clear bind.
        let bare = try curl(["-k", "https://127.0.0.1:\(port)/"])
        XCTAssertNotEqual(bare.status, 0)
    }

    /// DHE ciphers work only with DH parameters: `ssl-dh-param-file` or
    /// `tune.ssl.default-dh-param` (manual 3.2).
    func testDHECiphersNeedParameters() throws {
        let dh = tmp.appendingPathComponent("dh.pem").path
        let gen = try runTool("/usr/bin/openssl", ["genpkey", "-genparam", "-algorithm", "DH", "-pkeyopt", "dh_param:ffdhe2048", "-out", dh], dir: tmp)
        XCTAssertEqual(gen.status, 0, gen.stderr)
        let dhe = ["-tls1_2", "-cipher", "DHE-RSA-AES128-GCM-SHA256"]
        for global in ["", "ssl-dh-param-file \(dh)", "tune.ssl.default-dh-param 2048"] {
            let port = Ports.free()
            let p = try startProxy(config: "global\n    \(global)\n" + Self.defaultsHTTP + """
                frontend fe
                    bind 127.0.0.1:\(port) ssl crt \(certs.leaf) ciphers DHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256
                    http-request return status 200
                """, ports: [port])
            let out = try sClient(port, dhe)
            XCTAssertEqual(out.contains("Cipher is DHE-RSA-AES128-GCM-SHA256"), !global.isEmpty, "\(global): \(out)")
            p.stop()
        }
    }

    /// `show ssl cert` lists and details the certificates as 2.6 does; the
    /// commands that change them are refused, naming themselves.
    func testShowSSLCertMatchesTheReference() throws {
        let reference = FramingDifferentialTests.referencePath
        guard FileManager.default.isExecutableFile(atPath: reference) else {
            XCTFail("Debian's haproxy 2.6 is not unpacked at \(reference): run `make reference`")
            return
        }
        var answers: [[String]] = []
        for (index, binary) in [haproxyPath!, reference].enumerated() {
            let socket = tmp.appendingPathComponent("admin\(index).sock").path
            let port = Ports.free()
            let cfg = try writeConfig("""
                global
                    stats socket \(socket) level admin
                """ + "\n" + Self.defaultsHTTP + """
                frontend fe
                    bind 127.0.0.1:\(port) ssl crt \(certs.certDirectory) crt \(certs.leafCertOnly)
                    http-request return status 200
                """, name: "cli\(index).cfg")
            // leaf.crt takes its key from leaf.crt.key, as 2.6 does.
            try? FileManager.default.copyItem(atPath: certs.leafKey, toPath: certs.leafCertOnly + ".key")
            let p = track(try ManagedProcess(label: "cli\(index)", executable: binary, arguments: ["-f", cfg.path, "-db"], dir: tmp))
            try Ports.waitUntilListening(port, timeout: 10, while: { p.isRunning })
            answers.append(["show ssl cert", "show ssl cert \(certs.wildcard)", "show ssl cert \(certs.leafCertOnly)",
                            "show ssl cert /nonexistent.pem"].map { LifecycleHarness.unixCommand(socket, $0) ?? "" })
            p.stop()
        }
        XCTAssertTrue(answers[0][1].contains("Subject: /CN=*.wild.test"), answers[0][1])
        XCTAssertEqual(answers[0], answers[1])
    }

    /// `show info` counts TLS connections and new keys.
    func testShowInfoCountsTLSConnections() throws {
        let socket = tmp.appendingPathComponent("info.sock").path
        let port = Ports.free()
        try startProxy(config: "global\n    stats socket \(socket) level admin\n" + Self.defaultsHTTP + """
            frontend fe
                bind 127.0.0.1:\(port) ssl crt \(certs.leaf)
                http-request return status 200
            """, ports: [port])
        for _ in 0..<2 { _ = try curl(["-k", "https://127.0.0.1:\(port)/", "-o", "/dev/null"]) }
        func field(_ name: String) -> String? {
            LifecycleHarness.unixCommand(socket, "show info")?.split(separator: "\n")
                .first { $0.hasPrefix(name + ": ") }.map { String($0.dropFirst(name.count + 2)) }
        }
        try waitUntil("both connections are counted") { field("CumSslConns") == "2" && field("CurrSslConns") == "0" }
        XCTAssertEqual(field("MaxSslConns"), "1")
        XCTAssertEqual(field("SslFrontendMaxKeyRate"), "2")
        XCTAssertEqual(field("SslBackendKeyRate"), "0")
    }

    /// A crt-list file with these lines; its path.
    private func list(_ text: String) throws -> String {
        let url = tmp.appendingPathComponent("list-\(UUID().uuidString.prefix(6)).txt")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    /// `crt-list`: certificates chosen by their lines' SNI filters, each
    /// with its own versions and ALPN.
    func testCertificateListFiltersAndOptions() throws {
        let listFile = try list("""
            \(certs.leaf) [alpn http/1.1] localhost alias.test
            \(certs.wildcard) [ssl-min-ver TLSv1.3] *.wild.test !bad.wild.test
            """)
        let port = Ports.free()
        try startProxy(config: Self.defaultsHTTP + """
            frontend fe
                bind 127.0.0.1:\(port) ssl crt-list \(listFile)
                http-request return status 200 content-type text/plain \(Self.echoFetches)
            """, ports: [port])
        let alias = try sClient(port, ["-servername", "alias.test", "-alpn", "http/1.1"])
        XCTAssertTrue(alias.contains("subject=CN = localhost"), alias)
        XCTAssertTrue(alias.contains("ALPN protocol: http/1.1"), alias)
        let wild = try sClient(port, ["-servername", "a.wild.test", "-alpn", "http/1.1", "-tls1_3"])
        XCTAssertTrue(wild.contains("subject=CN = *.wild.test"), wild)
        XCTAssertTrue(wild.contains("No ALPN negotiated"), "the wildcard's line has no alpn: \(wild)")
        let old = try sClient(port, ["-servername", "a.wild.test", "-tls1_2"])
        XCTAssertTrue(old.contains("alert protocol version"), "its line wants TLSv1.3: \(old)")
        let excluded = try sClient(port, ["-servername", "bad.wild.test"])
        XCTAssertTrue(excluded.contains("subject=CN = localhost"), "filtered out, the default answers: \(excluded)")
        let r = try curl(["--cacert", certs.ca, "--resolve", "x.wild.test:\(port):127.0.0.1", "https://x.wild.test:\(port)/"])
        XCTAssertTrue(r.stdout.hasPrefix("proto=TLSv1.3 sni=x.wild.test "), r.stdout + r.stderr)
    }

    /// ALERT and WARNING lines without their pid.
    private static func messages(_ text: String) -> [String] {
        text.split(separator: "\n").compactMap { line -> String? in
            guard line.hasPrefix("[ALERT]") || line.hasPrefix("[WARNING]"),
                  let colon = line.range(of: ") : ") else { return nil }
            return String(line.prefix(9)) + String(line[colon.upperBound...])
        }
    }
}

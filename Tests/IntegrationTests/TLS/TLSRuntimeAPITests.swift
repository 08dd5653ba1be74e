import Foundation
import XCTest

/// The TLS runtime API (management guide 9.3: `set|commit|abort|new|del ssl
/// cert`, `show ssl cert|ca-file|crl-file`), OCSP stapling from
/// `<cert>.ocsp`, and the client verification options `crl-file`,
/// `ca-ignore-err` and `crt-ignore-err`: each run against this build and
/// Debian's haproxy 2.6 with the same configuration and the same clients.
final class TLSRuntimeAPITests: IntegrationTestCase {
    private var dir: URL!

    override func setUpWithError() throws {
        try super.setUpWithError()
        dir = tmp.appendingPathComponent("pki")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        // A CA; site.pem (localhost) and its renewal site2.pem (one more
        // name); client certificates: client1 (revoked by crl.pem),
        // client2, one from an intermediate CA the bind does not trust,
        // and a self-signed one; an OCSP response for site.pem.
        try sh("""
            set -e
            openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 30 -subj '/CN=Test CA' 2>/dev/null
            leaf() {
                openssl req -newkey rsa:2048 -nodes -keyout $1.key -out $1.csr -subj "/CN=$2" 2>/dev/null
                printf 'subjectAltName=%s' "$3" > $1.ext
                openssl x509 -req -in $1.csr -CA ${4:-ca}.pem -CAkey ${4:-ca}.key -CAcreateserial -out $1.crt -days 30 -extfile $1.ext 2>/dev/null
            }
            leaf site localhost 'DNS:localhost'
            leaf site2 localhost 'DNS:localhost,DNS:renewed.test'
            leaf client1 client1 'DNS:client1'
            leaf client2 client2 'DNS:client2'
            cat site.crt ca.pem site.key > site.pem
            cat site2.crt ca.pem site2.key > site2.pem
            cat site2.crt site.key > mismatched.pem
            cp site2.crt certonly.pem
            echo garbage > garbage.pem
            openssl req -x509 -newkey rsa:2048 -nodes -keyout stranger.key -out stranger.crt -days 2 -subj '/CN=stranger' 2>/dev/null
            openssl req -x509 -newkey rsa:2048 -nodes -keyout other-ca.key -out other-ca.pem -days 30 -subj '/CN=Other CA' 2>/dev/null
            printf 'basicConstraints=critical,CA:TRUE\\n' > inter.ext
            openssl req -newkey rsa:2048 -nodes -keyout inter.key -out inter.csr -subj '/CN=Intermediate' 2>/dev/null
            openssl x509 -req -in inter.csr -CA other-ca.pem -CAkey other-ca.key -CAcreateserial -out inter.pem -days 30 -extfile inter.ext 2>/dev/null
            leaf chained chained 'DNS:chained' inter
            cat chained.crt inter.pem > chained-chain.crt
            mkdir -p db && touch db/index.txt && echo 1000 > db/crlnumber
            printf '[ca]\\ndefault_ca=t\\n[t]\\ndatabase=db/index.txt\\ncrlnumber=db/crlnumber\\ndefault_md=sha256\\ndefault_crl_days=30\\n' > ca.cnf
            openssl ca -config ca.cnf -keyfile ca.key -cert ca.pem -revoke client1.crt 2>/dev/null
            openssl ca -config ca.cnf -keyfile ca.key -cert ca.pem -gencrl -out crl.pem 2>/dev/null
            mkdir -p db2 && touch db2/index.txt && echo 1000 > db2/crlnumber
            printf '[ca]\\ndefault_ca=t\\n[t]\\ndatabase=db2/index.txt\\ncrlnumber=db2/crlnumber\\ndefault_md=sha256\\ndefault_crl_days=30\\n' > ca2.cnf
            openssl ca -config ca2.cnf -keyfile ca.key -cert ca.pem -gencrl -out empty-crl.pem 2>/dev/null
            serial=$(openssl x509 -in site.crt -noout -serial | cut -d= -f2)
            printf 'V\\t301231000000Z\\t\\t%s\\tunknown\\t/CN=localhost\\n' "$serial" > ocsp-index.txt
            mkdir -p stapled
            cp site.pem stapled/site.pem
            openssl genpkey -genparam -algorithm DH -pkeyopt dh_param:ffdhe2048 -out dh.pem 2>/dev/null
            openssl ocsp -index ocsp-index.txt -rsigner ca.pem -rkey ca.key -CA ca.pem -issuer ca.pem -cert site.crt -respout stapled/site.pem.ocsp -ndays 1 >/dev/null 2>&1
            printf 'R\t301231000000Z\t261201000000Z\t%s\tunknown\t/CN=localhost\n' "$serial" > ocsp-revoked.txt
            openssl ocsp -index ocsp-revoked.txt -rsigner ca.pem -rkey ca.key -CA ca.pem -issuer ca.pem -cert site.crt -respout revoked.ocsp -ndays 1 >/dev/null 2>&1
            base64 -w0 revoked.ocsp > revoked.ocsp.b64
            base64 stapled/site.pem.ocsp > good.ocsp.b64
            """)
    }

    private func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

    private func sh(_ script: String) throws {
        let r = try runTool("/bin/sh", ["-c", script], dir: dir, timeout: 60)
        guard r.status == 0 else { throw HarnessError("script failed: \(r.stderr)") }
    }

    private var reference: String? {
        let reference = FramingDifferentialTests.referencePath
        guard FileManager.default.isExecutableFile(atPath: reference) else {
            XCTFail("Debian's haproxy 2.6 is not unpacked at \(reference): run `make reference`")
            return nil
        }
        return reference
    }

    /// Starts this build (index 0) or the reference (1) with `config`
    /// (a template where `PORT<n>` and `SOCKET` are replaced); its ports
    /// and stats socket.
    /// An admin stats socket (`SOCKET`, replaced by `start`) and HTTP
    /// defaults: the head of most configurations here.
    private static let adminSocketAndDefaults = """
        global
            stats socket SOCKET level admin
        defaults
            mode http
            timeout connect 2s
            timeout client 10s
            timeout server 10s

        """

    private func start(_ binary: String, index: Int, config: String, portCount: Int) throws -> (ports: [Int], socket: String) {
        let ports = (0..<portCount).map { _ in Ports.free() }
        let socket = tmp.appendingPathComponent("api\(index).sock").path
        var text = config.replacingOccurrences(of: "SOCKET", with: socket)
        for (i, port) in ports.enumerated() { text = text.replacingOccurrences(of: "PORT\(i + 1)", with: "\(port)") }
        let cfg = try writeConfig(text, name: "api\(index).cfg")
        let p = track(try ManagedProcess(label: "api\(index)", executable: binary, arguments: ["-f", cfg.path, "-db"], dir: tmp))
        for port in ports { try Ports.waitUntilAccepting(port, timeout: 10, while: { p.isRunning }) }
        // The stats sockets too (one per level in some configurations):
        // they may come up after the listeners.
        let sockets = text.split(separator: "\n").compactMap { line -> String? in
            let words = line.split(separator: " ")
            guard words.count >= 3, words[0] == "stats", words[1] == "socket" else { return nil }
            return String(words[2])
        }
        for path in sockets {
            try waitUntil("\(path) answers", timeout: 10) {
                guard p.isRunning else { throw HarnessError("api\(index) exited: \(p.stderr)") }
                return LifecycleHarness.unixCommand(path, "help") != nil
            }
        }
        return (ports, socket)
    }

    /// A command with a payload: the file's content, then the empty line
    /// that ends it.
    private func payload(_ socket: String, _ command: String, file: String) throws -> String {
        let content = try String(contentsOfFile: path(file), encoding: .utf8)
        return LifecycleHarness.unixCommand(socket, command + " <<\n" + content) ?? ""
    }

    /// One command on a unix socket, the sending side closed after it
    /// (2.6's master CLI answers, then waits for the client to close).
    private func command(_ socketPath: String, _ text: String) -> String {
        let fd = socket(AF_UNIX, CInt(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (i, b) in socketPath.utf8.enumerated() where i < raw.count - 1 { raw[i] = b }
        }
        var tv = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard rc == 0 else { return "" }
        let bytes = Array((text + "\n").utf8)
        guard send(fd, bytes, bytes.count, CInt(MSG_NOSIGNAL)) == bytes.count else { return "" }
        shutdown(fd, CInt(SHUT_WR))
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = read(fd, &buffer, buffer.count)
            if n <= 0 { break }
            out += buffer[0..<n]
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static let apiConfig = """
        global
            ssl-dh-param-file PKI/dh.pem
            stats socket SOCKET level admin
            stats socket SOCKET.operator level operator
            stats socket SOCKET.user level user
        defaults
            mode http
            timeout connect 2s
            timeout client 10s
            timeout server 10s
        frontend fe
            bind 127.0.0.1:PORT1 ssl crt PKI/site.pem
            bind 127.0.0.1:PORT2 ssl crt PKI/site.pem crt PKI/stapled/site.pem ca-file PKI/ca.pem crl-file PKI/crl.pem
            http-request return status 200 content-type text/plain string ok
        """

    /// The same sequence of commands, payloads included, answers byte for
    /// byte as 2.6's: transactions created, updated (whatever file a second
    /// `set` names), shown, refused, aborted and committed; `new` and `del
    /// ssl cert`; the CA and CRL files.
    func testCertificateCommandsMatchTheReference() throws {
        guard let reference else { return }
        var answers: [[String]] = []
        for (index, binary) in [haproxyPath!, reference].enumerated() {
            let config = Self.apiConfig.replacingOccurrences(of: "PKI", with: dir.path)
            let (_, socket) = try start(binary, index: index, config: config, portCount: 2)
            func q(_ command: String) -> String { LifecycleHarness.unixCommand(socket, command) ?? "" }
            func p(_ command: String, _ file: String) throws -> String { try payload(socket, command, file: file) }
            let site = path("site.pem")
            var out: [String] = []
            for level in ["operator", "user"] {
                for command in ["show ssl cert", "show ssl crt-list", "show ssl ca-file", "show ssl crl-file",
                                "new ssl cert /x.pem", "set ssl cert /x.pem", "show ssl providers"] {
                    out.append(LifecycleHarness.unixCommand(socket + "." + level, command) ?? "")
                }
            }
            out.append(q("show ssl cert"))
            out.append(q("show ssl cert *\(site)"))
            out.append(q("commit ssl cert \(site)"))
            out.append(q("abort ssl cert \(site)"))
            out.append(q("set ssl cert \(site)"))
            out.append(try p("set ssl cert \(path("nope.pem"))", "site2.pem"))
            out.append(try p("set ssl cert \(site)", "garbage.pem"))
            out.append(try p("set ssl cert \(site)", "site2.pem"))
            out.append(q("show ssl cert"))
            out.append(q("show ssl cert *\(site)"))
            out.append(try p("set ssl cert \(path("other.pem"))", "mismatched.pem"))
            out.append(q("commit ssl cert \(path("other.pem"))"))
            out.append(q("commit ssl cert \(site)"))
            out.append(q("abort ssl cert \(path("other.pem"))"))
            out.append(q("abort ssl cert \(site)"))
            out.append(try p("set ssl cert \(site)", "certonly.pem"))
            out.append(q("show ssl cert *\(site)"))
            out.append(q("commit ssl cert \(site)"))
            out.append(q("del ssl cert \(site)"))
            out.append(try p("set ssl cert \(site)", "site2.pem"))
            out.append(q("commit ssl cert \(site)"))
            out.append(q("show ssl cert \(site)"))
            out.append(q("show ssl cert \(path("stapled/site.pem"))"))
            out.append(q("new ssl cert \(path("new.pem"))"))
            out.append(q("new ssl cert \(path("new.pem"))"))
            out.append(q("show ssl cert"))
            out.append(q("show ssl cert \(path("new.pem"))"))
            out.append(try p("set ssl cert \(path("new.pem"))", "site.pem"))
            out.append(q("show ssl cert *\(path("new.pem"))"))
            out.append(q("commit ssl cert \(path("new.pem"))"))
            out.append(q("show ssl cert \(path("new.pem"))"))
            out.append(q("del ssl cert \(site)"))
            out.append(q("del ssl cert \(path("new.pem"))"))
            out.append(q("del ssl cert \(path("never.pem"))"))
            // A key alone (`<file>.key`): into the ongoing transaction, or a new one.
            out.append(try p("set ssl cert \(path("nope.pem")).key", "site2.key"))
            out.append(try p("set ssl cert \(site).key", "garbage.pem"))
            out.append(try p("set ssl cert \(site)", "certonly.pem"))
            out.append(try p("set ssl cert \(site).key", "site2.key"))
            out.append(q("show ssl cert *\(site)"))
            out.append(q("commit ssl cert \(site)"))
            out.append(try p("set ssl cert \(site).key", "site.key"))
            out.append(q("show ssl cert *\(site)"))
            out.append(q("commit ssl cert \(site)"))
            out.append(q("abort ssl cert \(site)"))
            for command in ["show tls-keys", "show tls-keys *", "show tls-keys 1", "set ssl tls-key", "set ssl tls-key 1 abc"] {
                out.append(q(command))
            }
            for bare in ["set ssl cert", "commit ssl cert", "abort ssl cert", "new ssl cert", "del ssl cert"] {
                out.append(q(bare))
            }
            out.append(q("show ssl ca-file"))
            out.append(q("show ssl crl-file"))
            for spec in [path("ca.pem"), path("ca.pem") + ":1", path("ca.pem") + ":2", path("ca.pem") + ":0",
                         path("ca.pem") + ":x", path("none.pem"), "@system-ca:1"] {
                out.append(q("show ssl ca-file \(spec)"))
            }
            for spec in [path("crl.pem"), path("crl.pem") + ":1", path("crl.pem") + ":2", path("crl.pem") + ":0",
                         path("ca.pem")] {
                out.append(q("show ssl crl-file \(spec)"))
            }
            answers.append(out)
        }
        XCTAssertEqual(answers[0][7 + 14], "Transaction created for certificate \(path("site.pem"))!\n\n")
        XCTAssertTrue(answers[0][20 + 14].hasPrefix("Committing \(path("site.pem"))..\nSuccess!"), answers[0][20])
        XCTAssertTrue(answers[0].contains(
            "unable to load private key from file '\(path("site.pem"))'.\nCan't load the payload\nCan't update \(path("site.pem")).key!\n\n"))
        XCTAssertEqual(answers[0].count, answers[1].count)
        for (i, (ours, theirs)) in zip(answers[0], answers[1]).enumerated() {
            XCTAssertEqual(ours, theirs, "answer #\(i)")
        }
    }

    /// A committed certificate is served to new connections at once, by
    /// its new names too; a connection opened before keeps its certificate
    /// and goes on working. As in 2.6.
    func testCommittedCertificateServesNewConnections() throws {
        guard let reference else { return }
        let script = tmp.appendingPathComponent("renew.py")
        try """
            import socket, ssl, sys, hashlib
            port, sock, site = int(sys.argv[1]), sys.argv[2], sys.argv[3]
            def cli(text):
                s = socket.socket(socket.AF_UNIX); s.connect(sock); s.sendall(text.encode())
                out = b""
                while True:
                    b = s.recv(4096)
                    if not b: break
                    out += b
                return out.decode()
            ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
            def connect(name):
                return ctx.wrap_socket(socket.create_connection(("127.0.0.1", port)), server_hostname=name)
            def fp(c): return hashlib.sha1(c.getpeercert(binary_form=True)).hexdigest()[:12]
            def get(c):
                c.sendall(b"GET / HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n")
                return c.recv(4096).split(b"\\r\\n")[0].decode()
            before = connect("localhost")
            print("before", fp(before), get(before))
            print(cli("set ssl cert %s <<\\n%s\\n" % (site, open(sys.argv[4]).read())).strip())
            print(cli("commit ssl cert %s\\n" % site).strip())
            after = connect("renewed.test")
            print("after", fp(after), get(after))
            print("in flight", fp(before), get(before))
            """.write(to: script, atomically: true, encoding: .utf8)
        var outputs: [String] = []
        for (index, binary) in [haproxyPath!, reference].enumerated() {
            let config = Self.apiConfig.replacingOccurrences(of: "PKI", with: dir.path)
            let (ports, socket) = try start(binary, index: index, config: config, portCount: 2)
            let r = try runTool(Paths.python(), [script.path, "\(ports[0])", socket, path("site.pem"), path("site2.pem")], dir: tmp)
            XCTAssertEqual(r.status, 0, r.stderr)
            outputs.append(r.stdout)
        }
        let fingerprint = { (file: String) throws -> String in
            let r = try runTool("/bin/sh", ["-c", "openssl x509 -in \(self.path(file)) -outform DER | sha1sum | cut -c1-12"], dir: self.tmp)
            return r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let old = try fingerprint("site.crt"), new = try fingerprint("site2.crt")
        XCTAssertEqual(outputs[0], """
            before \(old) HTTP/1.1 200 OK
            Transaction created for certificate \(path("site.pem"))!
            Committing \(path("site.pem"))..
            Success!
            after \(new) HTTP/1.1 200 OK
            in flight \(old) HTTP/1.1 200 OK

            """)
        XCTAssertEqual(outputs[0], outputs[1])
    }

    /// `show|add|del ssl crt-list` answer as 2.6's for the same sequence
    /// (two binds share the list); a line added with a payload is served
    /// by SNI at once with its own options, and no longer once deleted.
    func testCertificateListCommandsMatchTheReference() throws {
        guard let reference else { return }
        try """
            # certificates for the list test

            \(path("site.pem"))
            \(path("site2.pem")) [no-ca-names ca-file \(path("ca.pem")) crl-file \(path("crl.pem")) verify optional ssl-max-ver TLSv1.3 ssl-min-ver TLSv1.2 curves X25519:P-256 ciphersuites TLS_AES_128_GCM_SHA256 ciphers ECDHE+AESGCM alpn http/1.1 npn http/1.1] Renewed.Test !bad.test
            \(path("site2.pem")) [verify required ca-file \(path("ca.pem"))] other.test

            """.write(toFile: path("list.txt"), atomically: true, encoding: .utf8)
        try sh("cat client2.crt client2.key > added.pem && mkdir -p dir && cp site.pem dir/a.pem && cp site2.pem dir/b.pem")
        var answers: [[String]] = []
        var served: [[String]] = []
        for (index, binary) in [haproxyPath!, reference].enumerated() {
            // The same relative configuration name for both: 2.6 names the bind lines by it.
            let run = tmp.appendingPathComponent("run\(index)")
            try FileManager.default.createDirectory(at: run, withIntermediateDirectories: true)
            let ports = (0..<4).map { _ in Ports.free() }
            let socket = run.appendingPathComponent("api.sock").path
            try """
                global
                    stats socket \(socket) level admin
                defaults
                    mode http
                    timeout connect 2s
                    timeout client 10s
                    timeout server 10s
                frontend fe
                    bind 127.0.0.1:\(ports[0]) ssl crt-list \(path("list.txt"))
                    bind 127.0.0.1:\(ports[1]) ssl crt-list \(path("list.txt"))
                    bind 127.0.0.1:\(ports[2]) ssl crt \(path("site.pem"))
                    bind 127.0.0.1:\(ports[3]) ssl crt \(path("dir"))
                    http-request return status 200

                """.write(to: run.appendingPathComponent("api.cfg"), atomically: true, encoding: .utf8)
            let p = track(try ManagedProcess(label: "list\(index)", executable: binary, arguments: ["-f", "api.cfg", "-db"], dir: run))
            for port in ports { try Ports.waitUntilAccepting(port, timeout: 10, while: { p.isRunning }) }
            func q(_ command: String) -> String { LifecycleHarness.unixCommand(socket, command) ?? "" }
            func line(_ text: String) -> String { q("add ssl crt-list \(path("list.txt")) <<\n\(text)\n") }
            func subject(_ name: String) throws -> String {
                try runTool("/bin/sh", ["-c", "echo | openssl s_client -connect 127.0.0.1:\(ports[1]) -servername \(name) -alpn http/1.1 2>/dev/null | grep -E '^(subject|ALPN)'"], dir: tmp).stdout
            }
            let list = path("list.txt"), added = path("added.pem")
            var out: [String] = []
            // The line's crl-file refuses the revoked client1 for its names only.
            for (name, crt) in [("renewed.test", "client1"), ("renewed.test", "client2"), ("localhost", "client1")] {
                let r = try runTool("/usr/bin/curl", [
                    "-sS", "-k", "--max-time", "10", "--cert", path("\(crt).crt"), "--key", path("\(crt).key"),
                    "--resolve", "\(name):\(ports[0]):127.0.0.1", "https://\(name):\(ports[0])/", "-o", "/dev/null",
                    "-w", "%{http_code}",
                ], dir: tmp)
                out.append(r.stdout + (r.stderr.contains("certificate revoked") ? " revoked" : ""))
            }
            for command in ["show ssl crt-list", "show ssl crt-list \(list)", "show ssl crt-list -n \(list)",
                            "show ssl crt-list \(path("none.txt"))", "show ssl crt-list -n", "new ssl cert \(added)",
                            "add ssl crt-list \(list) \(added)"] {
                out.append(q(command))
            }
            out.append(try payload(socket, "set ssl cert \(added)", file: "added.pem"))
            out.append(q("commit ssl cert \(added)"))
            for command in ["add ssl crt-list \(list) \(added) [verify none alpn h2] ignored.test",
                            "add ssl crt-list \(list) \(added)", "add ssl crt-list \(list) \(path("nothere.pem"))",
                            "add ssl crt-list \(path("none.txt")) \(added)", "add ssl crt-list \(list)",
                            "show ssl crt-list -n \(list)", "show ssl cert \(added)", "del ssl crt-list \(list) \(added)",
                            "del ssl crt-list \(list) \(added):99", "del ssl crt-list \(list) \(added):6",
                            "del ssl crt-list \(path("none.txt")) \(added)", "del ssl crt-list \(list) \(path("site.pem"))",
                            "del ssl crt-list \(list)", "del ssl cert \(added)", "del ssl crt-list \(list) \(added)",
                            "show ssl cert \(added)"] {
                out.append(q(command))
            }
            var sni = [try subject("client2")]
            out.append(line("\(added) [ssl-min-ver TLSv1.3 alpn http/1.1] Client2"))
            sni.append(try subject("client2"))
            out.append(line("\(added) [bogus] p.test"))
            out.append(line("\(added)\n\(path("site.pem"))"))
            out.append(line(path("nothere.pem")))
            out.append(q("show ssl crt-list -n \(list)"))
            out.append(q("del ssl crt-list \(list) \(added):8"))
            sni.append(try subject("client2"))
            out.append(q("show ssl crt-list"))
            // A `crt` directory is a list of its files, each at line 0.
            let dirList = path("dir")
            for command in ["show ssl crt-list -n \(dirList)", "del ssl crt-list \(dirList) \(dirList)/a.pem",
                            "del ssl crt-list \(dirList) \(dirList)/b.pem", "show ssl crt-list \(dirList)",
                            "add ssl crt-list \(dirList) \(dirList)/b.pem", "show ssl crt-list -n \(dirList)"] {
                out.append(q(command))
            }
            answers.append(out)
            served.append(sni)
        }
        XCTAssertEqual(served[0], [
            "subject=CN = localhost\n", "subject=CN = client2\nALPN protocol: http/1.1\n", "subject=CN = localhost\n",
        ])
        XCTAssertEqual(served[0], served[1])
        XCTAssertEqual(Array(answers[0][0..<3]), ["000 revoked", "200", "200"])
        XCTAssertTrue(answers[0][5].contains(":4 [npn http/1.1\u{0} alpn http/1.1\u{0} verify optional no-ca-names ca-file"), answers[0][5])
        XCTAssertEqual(answers[0].count, answers[1].count)
        for (i, (ours, theirs)) in zip(answers[0], answers[1]).enumerated() {
            XCTAssertEqual(ours, theirs, "answer #\(i)")
        }
    }

    /// A TLS server on loopback (Python's ssl) presenting `certificate`,
    /// asking for a client certificate, and answering each request with
    /// the client certificate's name (`cn=client1`, `cn=none`); its port.
    private func startTLSServer(certificate: String) throws -> Int {
        let script = tmp.appendingPathComponent("tls-server.py")
        try """
            import socket, ssl, sys, threading
            port = int(sys.argv[1])
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(sys.argv[2])
            ctx.verify_mode = ssl.CERT_OPTIONAL
            ctx.load_verify_locations(sys.argv[3])
            def handle(c):
                try:
                    s = ctx.wrap_socket(c, server_side=True)
                    data = b""
                    while b"\\r\\n\\r\\n" not in data:
                        d = s.recv(4096)
                        if not d: break
                        data += d
                    cert = s.getpeercert()
                    cn = dict(x[0] for x in cert["subject"]).get("commonName", "none") if cert else "none"
                    body = ("cn=%s\\n" % cn).encode()
                    s.sendall(b"HTTP/1.1 200 OK\\r\\nContent-Length: %d\\r\\nConnection: close\\r\\n\\r\\n" % len(body) + body)
                    s.close()
                except Exception:
                    c.close()
            srv = socket.create_server(("127.0.0.1", port))
            while True:
                c, _ = srv.accept()
                threading.Thread(target=handle, args=(c,), daemon=True).start()
            """.write(to: script, atomically: true, encoding: .utf8)
        let port = Ports.free()
        let server = track(try ManagedProcess(
            label: "tls-server-\(port)", executable: Paths.python(),
            arguments: [script.path, "\(port)", certificate, path("ca.pem")], dir: tmp))
        try Ports.waitUntilAccepting(port, timeout: 10, while: { server.isRunning })
        return port
    }

    /// A server's `crl-file`: a server whose certificate the CRL revokes
    /// is refused (503), another one answers, as with 2.6.
    func testServerCRLFile() throws {
        guard let reference else { return }
        try sh("cat client1.crt client1.key > revoked-server.pem && cat client2.crt client2.key > good-server.pem")
        let revoked = try startTLSServer(certificate: path("revoked-server.pem"))
        let good = try startTLSServer(certificate: path("good-server.pem"))
        var results: [[String]] = []
        for (index, binary) in [haproxyPath!, reference].enumerated() {
            let config = """
                defaults
                    mode http
                    timeout connect 2s
                    timeout client 10s
                    timeout server 10s
                frontend fe
                    bind 127.0.0.1:PORT1
                    use_backend revoked if { path /revoked }
                    default_backend good
                backend revoked
                    server s1 127.0.0.1:\(revoked) ssl verify required ca-file \(path("ca.pem")) crl-file \(path("crl.pem"))
                backend good
                    server s1 127.0.0.1:\(good) ssl verify required ca-file \(path("ca.pem")) crl-file \(path("crl.pem"))
                """
            let (ports, _) = try start(binary, index: index, config: config, portCount: 1)
            var out: [String] = []
            for target in ["/revoked", "/good"] {
                out.append(try runTool("/usr/bin/curl", [
                    "-sS", "--max-time", "10", "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:\(ports[0])\(target)",
                ], dir: tmp).stdout)
            }
            results.append(out)
        }
        XCTAssertEqual(results[0], ["503", "200"])
        XCTAssertEqual(results[0], results[1])
        // Its errors, as 2.6 words them.
        for options in ["crl-file", "verify none crl-file \(path("nonexistent.pem"))", "verify none crl-file \(path("garbage.pem"))"] {
            let cfg = try writeConfig(Self.defaultsHTTP + """
                backend be
                    server s1 127.0.0.1:1 ssl \(options)
                """, name: "server-crl.cfg")
            var messages: [[String]] = []
            for binary in [haproxyPath!, reference] {
                let r = try runTool(binary, ["-c", "-f", cfg.path], dir: tmp)
                messages.append((r.stdout + r.stderr).split(separator: "\n").filter { $0.contains("[ALERT]") }
                    .map { $0.replacingOccurrences(of: #"\(\d+\)"#, with: "(pid)", options: .regularExpression) })
            }
            XCTAssertFalse(messages[0].isEmpty, options)
            XCTAssertEqual(messages[0], messages[1], options)
        }
    }

    /// A certificate a server line presents (`crt`) is renewed by a commit
    /// too: the next connection to the server shows the new one (a TLS
    /// server asking for client certificates reports its name), and the
    /// commit counts it as 2.6 does.
    func testCommitRenewsAServerCertificate() throws {
        guard let reference else { return }
        try sh("cat client1.crt client1.key > as-client.pem && cat client2.crt client2.key > client2.pem")
        let serverPort = try startTLSServer(certificate: path("site.pem"))
        var results: [[String]] = []
        for (index, binary) in [haproxyPath!, reference].enumerated() {
            let config = Self.adminSocketAndDefaults + """
                frontend fe
                    bind 127.0.0.1:PORT1
                    default_backend be
                backend be
                    server s1 127.0.0.1:\(serverPort) ssl verify none crt \(path("as-client.pem"))
                """
            let (ports, socket) = try start(binary, index: index, config: config, portCount: 1)
            func get() throws -> String {
                try runTool("/usr/bin/curl", ["-sS", "--max-time", "10", "http://127.0.0.1:\(ports[0])/"], dir: tmp).stdout
            }
            var out = [try get()]
            out.append(LifecycleHarness.unixCommand(socket, "show ssl cert \(path("as-client.pem"))")?.split(separator: "\n")[1].description ?? "")
            out.append(try payload(socket, "set ssl cert \(path("as-client.pem"))", file: "client2.pem"))
            out.append(LifecycleHarness.unixCommand(socket, "commit ssl cert \(path("as-client.pem"))") ?? "")
            out.append(try get())
            out.append(LifecycleHarness.unixCommand(socket, "del ssl cert \(path("as-client.pem"))") ?? "")
            results.append(out)
        }
        XCTAssertEqual(results[0][0], "cn=client1\n")
        XCTAssertEqual(results[0][1], "Status: Used")
        XCTAssertEqual(results[0][3], "Committing \(path("as-client.pem")).\nSuccess!\n\n")
        XCTAssertEqual(results[0][4], "cn=client2\n")
        XCTAssertEqual(results[0], results[1])
    }

    /// `set|commit|abort ssl ca-file` and `crl-file`: the answers as 2.6's,
    /// and the committed content verifies client certificates from then
    /// on (an empty CRL lets the revoked client in; another CA keeps the
    /// others out).
    func testCAAndCRLFileUpdatesMatchTheReference() throws {
        guard let reference else { return }
        var answers: [[String]] = []
        for (index, binary) in [haproxyPath!, reference].enumerated() {
            let config = Self.adminSocketAndDefaults + """
                frontend fe
                    bind 127.0.0.1:PORT1 ssl crt \(path("site.pem")) ca-file \(path("ca.pem")) crl-file \(path("crl.pem")) verify optional
                    http-request return status 200 content-type text/plain lf-string "verify=%[ssl_c_verify] cn=%[ssl_c_s_dn(CN)]\\n"
                """
            let (ports, socket) = try start(binary, index: index, config: config, portCount: 1)
            func q(_ command: String) -> String { LifecycleHarness.unixCommand(socket, command) ?? "" }
            func p(_ command: String, _ file: String) throws -> String { try payload(socket, command, file: file) }
            func clients() throws -> String {
                try ["client1", "client2"].map { name in
                    let r = try runTool("/usr/bin/curl", ["-sS", "-k", "--max-time", "10", "--cert", path("\(name).crt"), "--key",
                                                         path("\(name).key"), "https://127.0.0.1:\(ports[0])/"], dir: tmp)
                    return r.status == 0 ? r.stdout : "refused\n"
                }.joined()
            }
            let ca = path("ca.pem"), crl = path("crl.pem")
            var out = [try clients()]
            out += [q("commit ssl ca-file \(ca)"), q("abort ssl ca-file \(ca)"), q("set ssl ca-file \(ca)")]
            out += [try p("set ssl ca-file \(path("nope.pem"))", "other-ca.pem"), try p("set ssl ca-file \(ca)", "garbage.pem")]
            out += [try p("set ssl ca-file \(ca)", "other-ca.pem"), q("show ssl ca-file"), q("show ssl ca-file *\(ca)")]
            out += [try p("set ssl ca-file \(ca)", "other-ca.pem"), try p("set ssl ca-file \(crl)", "ca.pem")]
            out += [try p("set ssl crl-file \(crl)", "empty-crl.pem"), q("show ssl crl-file"), q("show ssl crl-file *\(crl)")]
            out += [q("abort ssl ca-file \(path("x.pem"))"), q("commit ssl crl-file \(path("x.pem"))")]
            out += [q("commit ssl crl-file \(crl)"), q("show ssl crl-file \(crl)")]
            out.append(try clients())
            out += [q("commit ssl ca-file \(ca)"), q("show ssl ca-file"), q("show ssl ca-file \(ca)")]
            out.append(try clients())
            out += [try p("set ssl crl-file \(path("nope.pem"))", "crl.pem"), try p("set ssl crl-file \(crl)", "garbage.pem")]
            out += [q("set ssl crl-file \(crl)"), q("commit ssl crl-file"), q("abort ssl crl-file"), q("commit ssl ca-file"),
                    q("abort ssl ca-file")]
            // New, filled and deleted CA and CRL files.
            let newCA = path("new-ca.pem"), newCRL = path("new-crl.pem")
            out += [q("new ssl ca-file \(newCA)"), q("new ssl ca-file \(newCA)"), q("new ssl ca-file \(ca)"), q("new ssl ca-file"),
                    q("show ssl ca-file"), q("show ssl ca-file \(newCA)"), q("show ssl ca-file \(newCA):1")]
            out += [try p("set ssl ca-file \(newCA)", "other-ca.pem"), q("commit ssl ca-file \(newCA)"), q("show ssl ca-file"),
                    q("show ssl ca-file \(newCA)"), q("del ssl ca-file \(newCA)"), q("del ssl ca-file \(newCA)"), q("del ssl ca-file")]
            out += [q("new ssl crl-file \(newCRL)"), q("new ssl crl-file \(newCRL)"), q("show ssl crl-file"),
                    q("show ssl crl-file \(newCRL)"), try p("set ssl crl-file \(newCRL)", "empty-crl.pem"),
                    q("commit ssl crl-file \(newCRL)"), q("show ssl crl-file \(newCRL)"), q("del ssl crl-file \(newCRL)"),
                    q("del ssl crl-file \(newCRL)"), q("del ssl crl-file"), q("new ssl crl-file")]
            // 2.6.12 has no `add ssl ca-file`.
            XCTAssertTrue(q("add ssl ca-file \(newCA)").hasPrefix("Unknown command"))
            answers.append(out)
        }
        XCTAssertEqual(answers[0][0], "refused\nverify=0 cn=client2\n")
        XCTAssertEqual(answers[0][18], "verify=0 cn=client1\nverify=0 cn=client2\n", "the empty CRL is in force")
        XCTAssertEqual(answers[0][22], "refused\nrefused\n", "only the other CA is trusted")
        XCTAssertEqual(answers[0].count, answers[1].count)
        for (i, (ours, theirs)) in zip(answers[0], answers[1]).enumerated() {
            XCTAssertEqual(ours, theirs, "answer #\(i)")
        }
    }

    /// The master CLI carries a payload to the worker (`@1 set ssl cert
    /// <file> <<`), as 2.6's does.
    func testMasterCLICarriesPayloads() throws {
        guard let reference else { return }
        var answers: [[String]] = []
        for (index, binary) in [haproxyPath!, reference].enumerated() {
            let port = Ports.free()
            let master = tmp.appendingPathComponent("master\(index).sock").path
            let cfg = try writeConfig(Self.defaultsHTTP + """
                frontend fe
                    bind 127.0.0.1:\(port) ssl crt \(path("site.pem"))
                    http-request return status 200
                """, name: "master\(index).cfg")
            let p = track(try ManagedProcess(
                label: "master\(index)", executable: binary, arguments: ["-W", "-S", master, "-f", cfg.path], dir: tmp))
            try Ports.waitUntilAccepting(port, timeout: 10, while: { p.isRunning })
            try waitUntil("the master CLI reaches the worker") {
                command(master, "@1 show info").contains("\nPid: ")
            }
            let site = path("site.pem")
            let pem = try String(contentsOfFile: path("site2.pem"), encoding: .utf8)
            var out = [command(master, "@1 set ssl cert \(site) <<\n" + pem)]
            out.append(command(master, "@1 show ssl cert *\(site)"))
            out.append(command(master, "@1 commit ssl cert \(site)"))
            let served = try runTool("/bin/sh", ["-c", "echo | openssl s_client -connect 127.0.0.1:\(port) -servername renewed.test 2>/dev/null | openssl x509 -noout -subject -ext subjectAltName"], dir: tmp)
            out.append(served.stdout)
            answers.append(out)
        }
        XCTAssertEqual(answers[0][0], "Transaction created for certificate \(path("site.pem"))!\n\n")
        XCTAssertTrue(answers[0][3].contains("renewed.test"), answers[0][3])
        XCTAssertEqual(answers[0], answers[1])
    }

    /// `<cert>.ocsp` is stapled when the client asks for the status
    /// (`openssl s_client -status`), not otherwise; `show ssl cert` prints
    /// its certificate id. An OCSP response for another certificate is
    /// ignored with 2.6's warning.
    /// The files that go with a certificate: `<file>.sctl` sent to TLS 1.2
    /// clients asking for SCTs, and `set ssl cert <file>.issuer|.ocsp|.sctl`
    /// payloads in a transaction, whose OCSP response staples once
    /// committed. The same answers and handshakes as 2.6.
    func testCompanionFilesMatchTheReference() throws {
        guard let reference else { return }
        try sh("""
            set -e
            cat site.crt site.key > bare.pem
            cp site.pem sct.pem
            python3 -c 'import struct,sys; sct=bytes([0])+bytes(range(32))+struct.pack(">QH",1700000000000,0)+bytes([4,3,0,4,1,2,3,4]); l=struct.pack(">H",len(sct))+sct; sys.stdout.buffer.write(struct.pack(">H",len(l))+l)' > sct.pem.sctl
            printf 'enabled_logs=\n' > ctlogs.cnf
            """)
        var runs: [[String]] = []
        for (index, binary) in [haproxyPath!, reference].enumerated() {
            let config = Self.adminSocketAndDefaults + """
                frontend fe
                    bind 127.0.0.1:PORT1 ssl crt \(path("bare.pem"))
                    bind 127.0.0.1:PORT2 ssl crt \(path("sct.pem"))
                    http-request return status 200
                """
            let (ports, socket) = try start(binary, index: index, config: config, portCount: 2)
            func client(_ port: Int, _ args: String, _ pattern: String) throws -> String {
                try runTool("/bin/sh", ["-c", "echo | openssl s_client -connect 127.0.0.1:\(port) \(args) 2>&1 | grep -E '\(pattern)'"],
                            dir: dir).stdout
            }
            func q(_ command: String) -> String { LifecycleHarness.unixCommand(socket, command) ?? "" }
            let bare = path("bare.pem")
            var out = [
                try client(ports[1], "-ct -ctlogfile ctlogs.cnf -tls1_2", "SCTs present|Log ID|Timestamp"),
                try client(ports[1], "-ct -ctlogfile ctlogs.cnf -tls1_3", "SCTs present"),
                try client(ports[0], "-status", "OCSP response:|Cert Status"),
            ]
            out.append(try payload(socket, "set ssl cert \(bare).issuer", file: "garbage.pem"))
            out.append(q("set ssl cert \(bare).ocsp <<\n!!!!\n"))
            out.append(try payload(socket, "set ssl cert \(bare).sctl", file: "good.ocsp.b64"))
            out.append(try payload(socket, "set ssl cert \(path("none.pem")).ocsp", file: "good.ocsp.b64"))
            out.append(try payload(socket, "set ssl cert \(bare).issuer", file: "ca.pem"))
            out.append(q("show ssl cert *\(bare)"))
            out.append(try payload(socket, "set ssl cert \(bare).ocsp", file: "good.ocsp.b64"))
            out.append(q("show ssl cert *\(bare)"))
            out.append(q("commit ssl cert \(bare)"))
            out.append(try client(ports[0], "-status", "OCSP Response Status|Cert Status"))
            out.append(q("show ssl cert \(bare)"))
            runs.append(out)
        }
        XCTAssertTrue(runs[0][0].hasPrefix("SCTs present (1)\n"), runs[0][0])
        XCTAssertEqual(runs[0][1], "SCTs present (0)\n", "no SCT extension in TLS 1.3")
        XCTAssertEqual(runs[0][2], "OCSP response: no response sent\n", "nothing stapled before the commit")
        XCTAssertTrue(runs[0][7].hasPrefix("Transaction created"), runs[0][7])
        XCTAssertTrue(runs[0][10].contains("OCSP Response Key: 30"), runs[0][10])
        XCTAssertTrue(runs[0][12].contains("Cert Status: good"), runs[0][12])
        for (i, (ours, theirs)) in zip(runs[0], runs[1]).enumerated() {
            XCTAssertEqual(ours, theirs, "answer #\(i)")
        }
    }

    func testOCSPResponseIsStapled() throws {
        guard let reference else { return }
        var stapled: [String] = []
        for (index, binary) in [haproxyPath!, reference].enumerated() {
            let config = Self.adminSocketAndDefaults + """
                frontend fe
                    bind 127.0.0.1:PORT1 ssl crt \(path("stapled/site.pem"))
                    http-request return status 200
                """
            let (ports, socket) = try start(binary, index: index, config: config, portCount: 1)
            let asked = try runTool("/bin/sh", ["-c", "echo | openssl s_client -connect 127.0.0.1:\(ports[0]) -status 2>&1"], dir: tmp).stdout
            let notAsked = try runTool("/bin/sh", ["-c", "echo | openssl s_client -connect 127.0.0.1:\(ports[0]) 2>&1"], dir: tmp).stdout
            XCTAssertTrue(asked.contains("OCSP Response Status: successful"), asked)
            XCTAssertTrue(asked.contains("Cert Status: good"), asked)
            XCTAssertFalse(notAsked.contains("OCSP"), notAsked)
            let section = asked.components(separatedBy: "OCSP response:").dropFirst().first?
                .components(separatedBy: "---").first ?? ""
            stapled.append(section + (LifecycleHarness.unixCommand(socket, "show ssl cert \(path("stapled/site.pem"))") ?? ""))
            let ids = LifecycleHarness.unixCommand(socket, "show ssl ocsp-response") ?? ""
            let key = ids.split(separator: "\n").first { $0.hasPrefix("Certificate ID key : ") }
                .map { String($0.dropFirst("Certificate ID key : ".count)) } ?? "none"
            stapled.append(ids)
            stapled.append(LifecycleHarness.unixCommand(socket, "show ssl ocsp-response \(key)") ?? "")
            stapled.append(LifecycleHarness.unixCommand(socket, "show ssl ocsp-response 00") ?? "")
            // set ssl ocsp-response: a new response is stapled at once.
            let revoked = try String(contentsOfFile: path("revoked.ocsp.b64"), encoding: .utf8)
            var updates = [LifecycleHarness.unixCommand(socket, "set ssl ocsp-response \(revoked)") ?? ""]
            let status = { () throws -> String in
                try runTool("/bin/sh", ["-c", "echo | openssl s_client -connect 127.0.0.1:\(ports[0]) -status 2>&1 | grep 'Cert Status'"], dir: self.tmp).stdout
            }
            updates.append(try status())
            for command in ["set ssl ocsp-response", "set ssl ocsp-response AAAA", "set ssl ocsp-response !!!!"] {
                updates.append(LifecycleHarness.unixCommand(socket, command) ?? "")
            }
            updates.append(try payload(socket, "set ssl ocsp-response", file: "good.ocsp.b64"))
            updates.append(try status())
            stapled.append(updates.joined(separator: "|"))
        }
        XCTAssertTrue(stapled[0].contains("OCSP Response Key: 30"), stapled[0])
        XCTAssertTrue(stapled[2].contains("OCSP Response Status: successful"), stapled[2])
        XCTAssertTrue(stapled[4].contains("OCSP Response updated!\n\n|    Cert Status: revoked\n|"), stapled[4])
        XCTAssertTrue(stapled[4].hasSuffix("OCSP Response updated!\n\n|    Cert Status: good\n"), stapled[4])
        XCTAssertEqual(Array(stapled[0..<5]), Array(stapled[5..<10]))

        // A response for another certificate: ignored, with a warning.
        try sh("cp stapled/site.pem stapled/site2.pem && cat site2.crt ca.pem site2.key > stapled/site2.pem && cp stapled/site.pem.ocsp stapled/site2.pem.ocsp")
        let cfg = try writeConfig(Self.defaultsHTTP + """
            frontend fe
                bind 127.0.0.1:\(Ports.free()) ssl crt \(path("stapled/site2.pem"))
            """, name: "wrong-ocsp.cfg")
        var warnings: [String] = []
        for binary in [haproxyPath!, reference] {
            let r = try runTool(binary, ["-c", "-f", cfg.path], dir: tmp)
            XCTAssertEqual(r.status, 0, r.stderr)
            warnings.append((r.stdout + r.stderr).split(separator: "\n").filter { $0.contains("[WARNING]") }
                .map { $0.replacingOccurrences(of: #"\(\d+\)"#, with: "(pid)", options: .regularExpression) }.joined(separator: "\n"))
        }
        XCTAssertTrue(warnings[0].contains("Certificate ID does not match certificate and issuer"), warnings[0])
        XCTAssertEqual(warnings[0], warnings[1])
    }

    /// `crl-file` refuses a revoked client certificate; `crt-ignore-err`
    /// and `ca-ignore-err` let chosen errors through, which `ssl_c_err`,
    /// `ssl_c_ca_err` and `ssl_c_ca_err_depth` then report. Each client
    /// gets the same answer (or the same refusal) from both.
    func testRevocationAndIgnoredErrorsMatchTheReference() throws {
        guard let reference else { return }
        let fetches = #"lf-string "verify=%[ssl_c_verify] err=%[ssl_c_err] ca_err=%[ssl_c_ca_err] depth=%[ssl_c_ca_err_depth] cn=%[ssl_c_s_dn(CN)]\n""#
        let config = """
            defaults
                mode http
                timeout connect 2s
                timeout client 10s
                timeout server 10s
            frontend fe
                bind 127.0.0.1:PORT1 ssl crt \(path("site.pem")) ca-file \(path("ca.pem")) crl-file \(path("crl.pem")) verify required
                bind 127.0.0.1:PORT2 ssl crt \(path("site.pem")) ca-file \(path("ca.pem")) verify optional crt-ignore-err all
                bind 127.0.0.1:PORT3 ssl crt \(path("site.pem")) ca-file \(path("ca.pem")) crl-file \(path("crl.pem")) verify optional crt-ignore-err 23
                bind 127.0.0.1:PORT4 ssl crt \(path("site.pem")) ca-file \(path("ca.pem")) verify optional ca-ignore-err all crt-ignore-err 20
                bind 127.0.0.1:PORT5 ssl crt \(path("site.pem")) ca-file \(path("ca.pem")) verify optional ca-ignore-err 20
                http-request return status 200 content-type text/plain \(fetches)
            """
        let clients = [("client1.crt", "client1.key"), ("client2.crt", "client2.key"), ("stranger.crt", "stranger.key"),
                       ("chained-chain.crt", "chained.key")]
        var results: [[String]] = []
        for (index, binary) in [haproxyPath!, reference].enumerated() {
            let (ports, _) = try start(binary, index: index, config: config, portCount: 5)
            var out: [String] = []
            for port in ports {
                for (crt, key) in clients {
                    let r = try runTool("/usr/bin/curl", ["-sS", "-k", "--max-time", "10", "--cert", path(crt), "--key", path(key),
                                                         "https://127.0.0.1:\(port)/"], dir: tmp)
                    // A refused handshake: the alert the client received.
                    let alert = r.stderr.range(of: #"alert [a-z ]+"#, options: .regularExpression).map { String(r.stderr[$0]) }
                    out.append(r.status == 0 ? r.stdout : "refused: \(alert ?? r.stderr)")
                }
            }
            results.append(out)
        }
        XCTAssertEqual(results[0][0], "refused: alert certificate revoked")
        XCTAssertEqual(results[0][1], "verify=0 err=0 ca_err=0 depth=0 cn=client2\n")
        XCTAssertEqual(results[0][6], "verify=18 err=18 ca_err=0 depth=0 cn=stranger\n")
        XCTAssertEqual(results[0][19], "verify=20 err=0 ca_err=20 depth=1 cn=chained\n")
        for (i, (ours, theirs)) in zip(results[0], results[1]).enumerated() {
            XCTAssertEqual(ours, theirs, "bind #\(i / clients.count + 1), client \(clients[i % clients.count].0)")
        }
    }

    /// Configuration errors of `crl-file`, `ca-ignore-err` and
    /// `crt-ignore-err`, as 2.6 words them.
    func testVerifyOptionErrorsMatchTheReference() throws {
        guard let reference else { return }
        let lines = [
            "crl-file \(path("nonexistent.pem"))", "crl-file", "crl-file \(path("garbage.pem"))", "ca-ignore-err",
            "ca-ignore-err foo", "crt-ignore-err 10,x", "ca-ignore-err 95", "crt-ignore-err X509_V_ERR_CERT_REVOKED",
            "verify optional crl-file \(path("crl.pem"))",
        ]
        for options in lines {
            let cfg = try writeConfig(Self.defaultsHTTP + """
                frontend fe
                    bind 127.0.0.1:\(Ports.free()) ssl crt \(path("site.pem")) \(options)
                """, name: "errors.cfg")
            var messages: [[String]] = []
            for binary in [haproxyPath!, reference] {
                let r = try runTool(binary, ["-c", "-f", cfg.path], dir: tmp)
                XCTAssertNotEqual(r.status, 0, options)
                messages.append((r.stdout + r.stderr).split(separator: "\n").filter { $0.contains("[ALERT]") }
                    .map { $0.replacingOccurrences(of: #"\(\d+\)"#, with: "(pid)", options: .regularExpression) })
            }
            XCTAssertEqual(messages[0], messages[1], options)
        }
    }
}

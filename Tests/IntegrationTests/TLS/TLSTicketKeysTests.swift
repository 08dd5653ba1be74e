import Foundation
import XCTest

/// `tls-ticket-keys` on bind lines (manual 5.1) with `show tls-keys` and
/// `set ssl tls-key` (management guide 9.3), next to Debian's 2.6: the
/// same key files make tickets either one opens, the runtime API answers
/// the same, and rotation retires keys as 2.6 does.
final class TLSTicketKeysTests: IntegrationTestCase {
    private func path(_ name: String) -> String { tmp.appendingPathComponent(name).path }

    private func makeFiles() throws {
        let script = """
            set -e
            openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout site.key -out site.crt \
                -days 30 -subj '/CN=localhost' 2>/dev/null
            cat site.crt site.key > site.pem
            for i in 1 2 3 4; do openssl rand 80 | openssl base64 -A; echo; done > keys80
            for i in 1 2 3; do openssl rand 48 | openssl base64 -A; echo; done > keys48
            openssl rand 80 | openssl base64 -A > new1
            openssl rand 80 | openssl base64 -A > new2
            openssl rand 48 | openssl base64 -A > new48
            """
        let made = try runTool("/bin/sh", ["-c", script], dir: tmp)
        guard made.status == 0 else { throw HarnessError("openssl could not make the test files: \(made.stderr)") }
    }

    private struct Proxy {
        let ports: [Int]
        let socket: String
    }

    /// Starts `binary` in its own directory on the shared key files: two
    /// bind lines on `keys80`, one on `keys48`, one without keys.
    private func start(_ binary: String, _ label: String) throws -> Proxy {
        let run = tmp.appendingPathComponent(label)
        try FileManager.default.createDirectory(at: run, withIntermediateDirectories: true)
        let ports = (0..<4).map { _ in Ports.free() }
        let socket = run.appendingPathComponent("api.sock").path
        try """
            global
                stats socket \(socket) level user
            defaults
                mode http
                timeout connect 2s
                timeout client 10s
                timeout server 10s
            frontend fe
                bind 127.0.0.1:\(ports[0]) ssl crt \(path("site.pem")) tls-ticket-keys \(path("keys80"))
                bind 127.0.0.1:\(ports[1]) ssl crt \(path("site.pem")) tls-ticket-keys \(path("keys80"))
                bind 127.0.0.1:\(ports[2]) ssl crt \(path("site.pem")) tls-ticket-keys \(path("keys48"))
                bind 127.0.0.1:\(ports[3]) ssl crt \(path("site.pem"))
                http-request return status 200 content-type text/plain lf-string "resumed=%[ssl_fc_is_resumed]\\n"

            """.write(to: run.appendingPathComponent("keys.cfg"), atomically: true, encoding: .utf8)
        let p = track(try ManagedProcess(label: label, executable: binary, arguments: ["-f", "keys.cfg", "-db"], dir: run))
        for port in ports { try Ports.waitUntilAccepting(port, timeout: 10, while: { p.isRunning }) }
        return Proxy(ports: ports, socket: socket)
    }

    /// A request on a new connection; `save` keeps the session (with its
    /// ticket), `resume` offers a saved one. "Reused" or "New", and the
    /// answer's line.
    private func handshake(_ port: Int, tls12: Bool = false, save: String? = nil, resume: String? = nil) throws -> String {
        var args = "-connect 127.0.0.1:\(port) -ign_eof" + (tls12 ? " -tls1_2" : " -tls1_3")
        if let save { args += " -sess_out \(path(save))" }
        if let resume { args += " -sess_in \(path(resume))" }
        let script = "printf 'GET / HTTP/1.1\\r\\nHost: a\\r\\nConnection: close\\r\\n\\r\\n' | openssl s_client \(args) 2>&1"
        let out = try runTool("/bin/sh", ["-c", script], dir: tmp).stdout
        let lines = out.split(whereSeparator: \.isNewline)
        let kind = lines.first { $0.hasPrefix("Reused,") || $0.hasPrefix("New,") }?.split(separator: ",").first ?? "none"
        let answer = lines.first { $0.hasPrefix("resumed=") } ?? "no answer"
        return "\(kind) \(answer)"
    }

    func testTicketsAndRuntimeAPIMatchTheReference() throws {
        let reference = FramingDifferentialTests.referencePath
        guard FileManager.default.isExecutableFile(atPath: reference) else {
            XCTFail("Debian's haproxy 2.6 is not unpacked at \(reference): run `make reference`")
            return
        }
        try makeFiles()
        let ours = try start(haproxyPath, "ours"), theirs = try start(reference, "theirs")
        func q(_ p: Proxy, _ command: String) -> String { LifecycleHarness.unixCommand(p.socket, command) ?? "" }
        func key(_ name: String) throws -> String { try String(contentsOfFile: path(name), encoding: .utf8) }

        // The same keys make the same tickets: a session from one opens on
        // the other, in TLS 1.3 and 1.2, on both key sizes.
        for tls12 in [false, true] {
            for index in [0, 2] {
                XCTAssertEqual(try handshake(theirs.ports[index], tls12: tls12, save: "theirs.sess"), "New resumed=0")
                XCTAssertEqual(try handshake(ours.ports[index], tls12: tls12, resume: "theirs.sess"), "Reused resumed=1",
                               "2.6's ticket on our bind \(index), TLS 1.2: \(tls12)")
                XCTAssertEqual(try handshake(ours.ports[index], tls12: tls12, save: "ours.sess"), "New resumed=0")
                XCTAssertEqual(try handshake(theirs.ports[index], tls12: tls12, resume: "ours.sess"), "Reused resumed=1",
                               "our ticket on 2.6's bind \(index), TLS 1.2: \(tls12)")
            }
        }
        // Bind lines on one file share the keys; one without has its own.
        XCTAssertEqual(try handshake(ours.ports[0], save: "a.sess"), "New resumed=0")
        XCTAssertEqual(try handshake(ours.ports[1], resume: "a.sess"), "Reused resumed=1")
        XCTAssertEqual(try handshake(ours.ports[3], resume: "a.sess"), "New resumed=0")

        // The runtime API, command by command.
        let commands = [
            "show tls-keys", "show tls-keys *", "show tls-keys #1", "show tls-keys \(path("keys48"))",
            "show tls-keys #5", "show tls-keys keys80", "set ssl tls-key #1", "set ssl tls-key #7 \(try key("new1"))",
            "set ssl tls-key #1 !!!!", "set ssl tls-key #1 \(try key("new48"))", "set ssl tls-key #1 AAAA",
            "set ssl tls-key \(path("keys80")) \(try key("new1"))", "show tls-keys #1",
        ]
        for command in commands {
            XCTAssertEqual(q(ours, command), q(theirs, command), command)
        }
        XCTAssertTrue(q(ours, "show tls-keys #1").hasSuffix("1.2 \(try key("new1"))\n\n"), "the new key is the newest")

        // Rotation: a ticket made before stays good after one more key
        // (its key now only decrypts), and is refused after two.
        for p in [ours, theirs] {
            XCTAssertEqual(try handshake(p.ports[0], save: "before.sess"), "New resumed=0")
            XCTAssertEqual(q(p, "set ssl tls-key #1 \(try key("new2"))"), "TLS ticket key updated!\n\n")
            XCTAssertEqual(try handshake(p.ports[1], resume: "before.sess"), "Reused resumed=1", "one rotation")
            XCTAssertEqual(q(p, "set ssl tls-key #1 \(try key("new1"))"), "TLS ticket key updated!\n\n")
            XCTAssertEqual(try handshake(p.ports[1], resume: "before.sess"), "New resumed=0", "two rotations")
        }
        XCTAssertEqual(q(ours, "show tls-keys *"), q(theirs, "show tls-keys *"))
    }
}

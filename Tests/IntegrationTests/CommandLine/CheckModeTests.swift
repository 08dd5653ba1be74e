import Foundation
import XCTest

/// The command line as tools and init scripts use it: -v, -vv, -c, -q, -cc, -f DIR.
final class CheckModeTests: IntegrationTestCase {
    private let validConfig = """
    global
        maxconn 100

    defaults
        mode http
        timeout connect 1s
        timeout client 1s
        timeout server 1s

    frontend f
        bind 127.0.0.1:1
        default_backend b

    backend b
        server s1 127.0.0.1:2

    """

    func testVersionFirstLine() throws {
        let r = try haproxy(["-v"])
        XCTAssertEqual(r.status, 0)
        let first = r.stdout.split(separator: "\n").first.map(String.init) ?? ""
        XCTAssertTrue(first.hasPrefix("HAProxy version 2.6."), "first line: \(first)")
    }

    func testVeryVerboseVersionHasBuildOptionsAndFeatures() throws {
        let r = try haproxy(["-vv"])
        XCTAssertEqual(r.status, 0)
        XCTAssertTrue(r.stdout.contains("Build options :"), r.stdout)
        XCTAssertTrue(r.stdout.contains("Feature list :"), r.stdout)
        XCTAssertTrue(r.stdout.hasPrefix("HAProxy version 2.6."))
    }

    func testCheckValidConfiguration() throws {
        let cfg = try writeConfig(validConfig)
        let r = try haproxy(["-c", "-f", cfg.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue((r.stdout + r.stderr).contains("Configuration file is valid"), r.stdout + r.stderr)
    }

    /// Recorded from 2.6: a valid configuration that would not start (no
    /// frontend binds, no stats socket) exits 2 under -c, with its message
    /// on standard output (none with -q); a stats socket is a listener.
    func testCheckWithoutListenerExitsTwo() throws {
        let backendOnly = """
        defaults
            mode http
            timeout connect 1s
            timeout client 1s
            timeout server 1s
        backend b
            server s1 127.0.0.1:2

        """
        let cfg = try writeConfig(backendOnly, name: "nolistener.cfg")
        let r = try haproxy(["-c", "-f", cfg.path])
        XCTAssertEqual(r.status, 2, r.stdout + r.stderr)
        XCTAssertEqual(r.stdout, "Configuration file has no error but will not start (no listener) => exit(2).\n")
        let quiet = try haproxy(["-c", "-q", "-f", cfg.path])
        XCTAssertEqual(quiet.status, 2)
        XCTAssertEqual(quiet.stdout, "")
        let socket = try writeConfig("global\n    stats socket \(cfg.path).sock\n" + backendOnly, name: "socketonly.cfg")
        let withSocket = try haproxy(["-c", "-f", socket.path])
        XCTAssertEqual(withSocket.status, 0, withSocket.stdout + withSocket.stderr)
        XCTAssertTrue(withSocket.stdout.contains("Configuration file is valid"))
    }

    func testCheckInvalidConfigurationNamesFileLineAndKeyword() throws {
        let text = validConfig.replacingOccurrences(of: "    default_backend b\n", with: "    default_backend b\n    bogus_keyword here\n")
        let cfg = try writeConfig(text, name: "broken.cfg")
        let r = try haproxy(["-c", "-f", cfg.path])
        XCTAssertEqual(r.status, 1)
        let alert = r.stderr.split(separator: "\n").first { $0.contains("[ALERT]") && $0.contains("bogus_keyword") }
        XCTAssertNotNil(alert, r.stderr)
        // line 13 of the file holds the bogus keyword
        XCTAssertTrue(alert?.contains("\(cfg.path):13") ?? false, r.stderr)
        XCTAssertFalse(r.stdout.contains("Configuration file is valid"))
    }

    /// A file saved with Windows line endings is read line by line, as
    /// HAProxy 2.6 does: its errors are found, its valid form is valid.
    func testCRLFConfigurationIsCheckedLineByLine() throws {
        let crlf = validConfig.replacingOccurrences(of: "\n", with: "\r\n")
        let good = try writeConfig(crlf, name: "crlf.cfg")
        let ok = try haproxy(["-c", "-f", good.path])
        XCTAssertEqual(ok.status, 0, ok.stderr)
        XCTAssertTrue(ok.stdout.contains("Configuration file is valid"), ok.stdout)

        let bogus = try writeConfig(
            crlf.replacingOccurrences(of: "    maxconn 100\r\n", with: "    maxconn 100\r\n    bogus_crlf x\r\n"),
            name: "crlf-bogus.cfg")
        let bad = try haproxy(["-c", "-f", bogus.path])
        XCTAssertEqual(bad.status, 1)
        XCTAssertTrue(
            bad.stderr.contains("parsing [\(bogus.path):3] : unknown keyword 'bogus_crlf' in 'global' section"),
            bad.stderr)

        let missing = try writeConfig(
            crlf.replacingOccurrences(of: "default_backend b", with: "default_backend nowhere"), name: "crlf-nob.cfg")
        let nob = try haproxy(["-c", "-f", missing.path])
        XCTAssertEqual(nob.status, 1)
        XCTAssertTrue(nob.stderr.contains("unable to find required default_backend: 'nowhere'"), nob.stderr)
    }

    /// HAProxy 2.6 refuses a file whose last line has no line feed.
    func testMissingFinalLineFeedIsFatal() throws {
        let url = tmp.appendingPathComponent("nolf.cfg")
        try (validConfig.trimmingCharacters(in: .newlines)).write(to: url, atomically: true, encoding: .utf8)
        let r = try haproxy(["-c", "-f", url.path])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(
            r.stderr.contains(
                ") : config : parsing [\(url.path):15]: Missing LF on last line, file might have been truncated at position 26."),
            r.stderr)
        XCTAssertTrue(r.stderr.contains("Fatal errors found in configuration."), r.stderr)
        XCTAssertFalse(r.stdout.contains("Configuration file is valid"))
    }

    func testCheckQuietPrintsNothing() throws {
        let cfg = try writeConfig(validConfig)
        let r = try haproxy(["-c", "-q", "-f", cfg.path])
        XCTAssertEqual(r.status, 0)
        XCTAssertEqual(r.stdout, "")
        XCTAssertEqual(r.stderr, "")
    }

    func testConditionEvaluation() throws {
        XCTAssertEqual(try haproxy(["-cc", "version_atleast(2.5)"]).status, 0)
        XCTAssertEqual(try haproxy(["-cc", "version_before(2.0)"]).status, 1)
        XCTAssertEqual(try haproxy(["-cc", "foo("]).status, 2)
    }

    func testUnknownFlagPrintsUsageAndFails() throws {
        let r = try haproxy(["-Z"])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("Usage"), "stderr: \(r.stderr)")
    }

    func testDirectoryLoadsCfgFilesInOrder() throws {
        let dir = tmp.appendingPathComponent("conf.d")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        // 10-defaults must come before 20-frontend (which needs its mode http and timeouts),
        // and a non-.cfg file must be ignored.
        let port = Ports.free()
        try "defaults\n    mode http\n    timeout connect 1s\n    timeout client 5s\n    timeout server 5s\n"
            .write(to: dir.appendingPathComponent("10-defaults.cfg"), atomically: true, encoding: .utf8)
        try "frontend f\n    bind 127.0.0.1:\(port)\n    http-request return status 200 content-type text/plain string from-dir\n"
            .write(to: dir.appendingPathComponent("20-frontend.cfg"), atomically: true, encoding: .utf8)
        try "this is not a configuration\n".write(to: dir.appendingPathComponent("README.txt"), atomically: true, encoding: .utf8)
        let r = try haproxy(["-c", "-f", dir.path])
        XCTAssertEqual(r.status, 0, r.stderr)

        // And the process really serves what the directory defines.
        let p = track(try ManagedProcess(label: "dir", executable: haproxyPath, arguments: ["-f", dir.path, "-db"], dir: tmp))
        try Ports.waitUntilAccepting(port, while: { p.isRunning })
        let resp = try HTTPClient.get(port: port)
        XCTAssertEqual(resp.status, 200)
        XCTAssertEqual(resp.text, "from-dir")
    }

    func testDirectoryOrderMatters() throws {
        // The same backend in two files: the ALERT must blame the file loaded
        // second (b.cfg) and point back at the first (a.cfg), so a.cfg loads first.
        let dir = tmp.appendingPathComponent("conf.d")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try "backend b\n    server s 127.0.0.1:3\n"
            .write(to: dir.appendingPathComponent("b.cfg"), atomically: true, encoding: .utf8)
        try "defaults\n    mode http\n    timeout connect 1s\n    timeout client 1s\n    timeout server 1s\nbackend b\n    server s 127.0.0.1:2\n"
            .write(to: dir.appendingPathComponent("a.cfg"), atomically: true, encoding: .utf8)
        let r = try haproxy(["-c", "-f", dir.path])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("[\(dir.path)/b.cfg:1]"), r.stderr)
        XCTAssertTrue(r.stderr.contains("\(dir.path)/a.cfg:6"), r.stderr)
    }

    /// Debian's shipped /etc/haproxy/haproxy.cfg. The copy here has its errorfile
    /// paths pointed at the repository's etc/haproxy/errors, and, when the system
    /// has no `haproxy` user/group (a machine without the package), `user`/`group`
    /// are changed to ones that exist, since both implementations refuse unknown ones.
    func testDebianDefaultConfigurationPassesCheck() throws {
        let fixture = Paths.packageRoot.appendingPathComponent("Tests/HAProxyConfigTests/Fixtures/debian-default.cfg")
        guard var text = try? String(contentsOf: fixture, encoding: .utf8) else {
            throw XCTSkip("fixture \(fixture.path) missing")
        }
        let errors = Paths.packageRoot.appendingPathComponent("etc/haproxy/errors")
        XCTAssertTrue(FileManager.default.fileExists(atPath: errors.appendingPathComponent("503.http").path))
        text = text.replacingOccurrences(of: "/etc/haproxy/errors", with: errors.path)
        if getpwnam("haproxy") == nil {
            text = text.replacingOccurrences(of: "user haproxy", with: "user nobody")
        }
        if getgrnam("haproxy") == nil {
            let group = getgrnam("nogroup") != nil ? "nogroup" : "nobody"
            text = text.replacingOccurrences(of: "group haproxy", with: "group \(group)")
        }
        let cfg = try writeConfig(text, name: "debian.cfg")
        let r = try haproxy(["-c", "-f", cfg.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue((r.stdout + r.stderr).contains("Configuration file is valid"))
    }

    /// The real 2.6 resolves `user`/`group` while parsing and refuses unknown names:
    /// `[ALERT] ... parsing [file:7] : cannot find user id for 'NAME' (0:Success)`.
    func testUnknownUserIsRefused() throws {
        let cfg = try writeConfig("""
        global
            user no-such-user-itest
            group no-such-group-itest

        defaults
            mode http
            timeout connect 1s
            timeout client 1s
            timeout server 1s

        """, name: "user.cfg")
        let r = try haproxy(["-c", "-f", cfg.path])
        if r.status == 0 {
            return XCTFail("`-c` accepts `user no-such-user-itest` / `group no-such-group-itest` (exit 0, 'Configuration file is valid'); HAProxy 2.6 exits 1 with \"cannot find user id for 'no-such-user-itest'\" at file:2 and \"cannot find group id\" at file:3")
        }
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("\(cfg.path):2"), r.stderr)
        XCTAssertTrue(r.stderr.contains("no-such-user-itest"), r.stderr)
    }

    func testMissingErrorfileIsRefused() throws {
        let cfg = try writeConfig(validConfig + "    errorfile 503 \(tmp.path)/nope/503.http\n", name: "ef.cfg")
        let r = try haproxy(["-c", "-f", cfg.path])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("errorfile"), r.stderr)
        XCTAssertTrue(r.stderr.contains("ef.cfg:16"), r.stderr)
    }
}

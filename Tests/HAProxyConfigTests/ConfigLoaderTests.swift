import Foundation
import XCTest

@testable import HAProxyConfig

final class ConfigLoaderTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("loader-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    func write(_ name: String, _ text: String) throws {
        let url = directory.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
    }

    func load(_ paths: [String], environment: [String: String] = [:]) -> (Configuration?, Diagnostics) {
        ConfigLoader.load(
            paths: paths, environment: environment, features: TestSupport.features, version: TestSupport.version)
    }

    /// Debian's /etc/haproxy/haproxy.cfg, with its error pages taken from
    /// the fixtures (the real paths under /etc/haproxy/errors).
    func testDebianDefaultConfigurationLoads() throws {
        let text = try String(
            contentsOf: TestSupport.fixtures.appendingPathComponent("debian-default.cfg"), encoding: .utf8)
        let errors = TestSupport.fixtures.appendingPathComponent("debian-errors").path + "/"
        try write("haproxy.cfg", text.replacingOccurrences(of: "/etc/haproxy/errors/", with: errors))
        let (config, diagnostics) = load([directory.appendingPathComponent("haproxy.cfg").path])
        XCTAssertFalse(diagnostics.hasFatalErrors)
        XCTAssertEqual(diagnostics.messages, [], "no warning either: the file only has global and defaults")
        let c = try XCTUnwrap(config)
        XCTAssertEqual(c.global.logs.map(\.facility), ["local0", "local1"])
        XCTAssertEqual(c.global.logs[1].maxLevel, "notice")
        XCTAssertEqual(c.global.chroot, "/var/lib/haproxy")
        XCTAssertEqual(c.global.statsSockets.first?.address, .unix(path: "/run/haproxy/admin.sock"))
        XCTAssertEqual(c.global.statsSockets.first?.level, .admin)
        XCTAssertEqual(c.global.statsTimeoutMs, 30_000)
        XCTAssertEqual(c.global.user, "haproxy")
        XCTAssertTrue(c.global.daemon)
        XCTAssertNotNil(c.global.tls.bindCiphers)
        XCTAssertNotNil(c.global.tls.bindCiphersuites)
        XCTAssertEqual(c.global.tls.bindOptions.versions.minimum, .tlsv12)
        XCTAssertTrue(c.global.tls.bindOptions.noTLSTickets)
        XCTAssertTrue(c.proxies.isEmpty)
        // A proxy added after Debian's defaults inherits them.
        try write("haproxy.cfg", text.replacingOccurrences(of: "/etc/haproxy/errors/", with: errors)
            + "\nfrontend web\n\tbind :80\n\tdefault_backend app\nbackend app\n\tserver a 127.0.0.1:8080 check\n")
        let (config2, diagnostics2) = load([directory.appendingPathComponent("haproxy.cfg").path])
        XCTAssertEqual(diagnostics2.messages, [])
        let web = try XCTUnwrap(config2?.proxies.first)
        XCTAssertEqual(web.mode, .http)
        XCTAssertEqual(web.options.httpLog, .http)
        XCTAssertTrue(web.options.dontLogNull)
        XCTAssertEqual(web.timeouts.client, 50_000)
        XCTAssertEqual(web.errorFiles.keys.sorted(), [400, 403, 408, 500, 502, 503, 504])
        XCTAssertEqual(web.logs.map(\.isGlobal), [true])
    }

    /// Lines end at each LF; the CR of a CRLF pair stays on its line (where
    /// the tokenizer stops at it), so a Windows-edited file reads line by line.
    func testLinesAreCutAtLineFeeds() {
        let (lines, unterminated) = ConfigParser.lines(of: "global\r\n  daemon\r\n\r\nx")
        XCTAssertEqual(lines.map { String(decoding: $0, as: UTF8.self) }, ["global\r", "  daemon\r", "\r", "x"])
        XCTAssertEqual(unterminated, 1)
        XCTAssertNil(ConfigParser.lines(of: "global\n").unterminatedLength)
        XCTAssertEqual(ConfigParser.lines(of: "").lines.count, 0)
    }

    func testCRLFFileIsCheckedLineByLine() throws {
        try write("crlf.cfg", "global\r\n  maxconn 10\r\n  bogus\r\n")
        let (config, diagnostics) = load([directory.appendingPathComponent("crlf.cfg").path])
        XCTAssertNil(config)
        XCTAssertEqual(diagnostics.alerts.first?.location?.line, 3)
        XCTAssertTrue(diagnostics.alerts.first?.message.hasSuffix("unknown keyword 'bogus' in 'global' section") ?? false)

        try write("crlf-ok.cfg", "global\r\n  maxconn 10\r\n  nbthread 2\r\n")
        let (good, goodDiagnostics) = load([directory.appendingPathComponent("crlf-ok.cfg").path])
        XCTAssertEqual(goodDiagnostics.messages, [])
        XCTAssertEqual(good?.global.maxconn, 10)
        XCTAssertEqual(good?.global.nbthread, 2)
    }

    func testMissingLineFeedOnLastLineIsFatal() throws {
        try write("nolf.cfg", "global\n  maxconn 10")
        let (config, diagnostics) = load([directory.appendingPathComponent("nolf.cfg").path])
        XCTAssertNil(config)
        XCTAssertEqual(
            diagnostics.alerts.map(\.message).first,
            "parsing [\(directory.appendingPathComponent("nolf.cfg").path):2]: Missing LF on last line, file might have been truncated at position 13.")
        XCTAssertFalse(diagnostics.aborted, "the summary line 'Fatal errors found' is printed")
    }

    func testDirectoryLoadsCfgFilesInNameOrder() throws {
        try write("conf.d/20-backend.cfg", "backend app\n  server a 127.0.0.1:80\n")
        try write("conf.d/10-defaults.cfg", "defaults\n  mode http\n  timeout connect 1s\n  timeout server 1s\n")
        try write("conf.d/30-frontend.cfg", "frontend web\n  bind :80\n  timeout client 1s\n  default_backend app\n")
        try write("conf.d/99-ignored.conf", "this is not loaded\n")
        try write("conf.d/sub.cfg/inner.cfg", "not loaded either\n")
        let dir = directory.appendingPathComponent("conf.d").path
        let (config, diagnostics) = load([dir])
        XCTAssertEqual(diagnostics.messages, [])
        let c = try XCTUnwrap(config)
        XCTAssertEqual(c.files.map { URL(fileURLWithPath: $0).lastPathComponent }, ["10-defaults.cfg", "20-backend.cfg", "30-frontend.cfg"])
        XCTAssertEqual(c.proxies.map(\.name), ["app", "web"])
        XCTAssertEqual(c.proxies[0].mode, .http, "the backend saw the defaults of the earlier file")
    }

    func testDefaultsInheritanceAndFrom() throws {
        try write(
            "a.cfg",
            """
            defaults base
                mode http
                timeout client 10s
                timeout connect 2s
                timeout server 10s
                retries 7
            defaults tcpish
                mode tcp
            frontend f1
                bind :80
                timeout client 1s
            frontend f2 from base
                bind :81
            defaults child from base
                retries 2
            backend b1
            backend b2 from tcpish

            """)
        let (config, diagnostics) = load([directory.appendingPathComponent("a.cfg").path])
        // b2 names 'tcpish' explicitly after f1 used it implicitly: HAProxy's non-fatal ALERT.
        XCTAssertFalse(diagnostics.hasFatalErrors)
        XCTAssertEqual(diagnostics.messages.count, 1)
        XCTAssertTrue(diagnostics.messages[0].message.contains("defaults section 'tcpish'"))
        XCTAssertTrue(diagnostics.messages[0].message.contains("is explicitly referenced by another proxy and implicitly used here"))
        let p = try XCTUnwrap(config?.proxies)
        XCTAssertEqual(p.map(\.name), ["f1", "f2", "b1", "b2"])
        XCTAssertEqual(p[0].mode, .tcp, "the last defaults section is in force")
        XCTAssertEqual(p[0].fromDefaults, "tcpish")
        XCTAssertEqual(p[1].mode, .http)
        XCTAssertEqual(p[1].timeouts.client, 10_000)
        XCTAssertEqual(p[1].fromDefaults, "base")
        XCTAssertEqual(p[2].retries, 2)
        XCTAssertEqual(p[2].mode, .http, "child copied base")
        XCTAssertEqual(p[3].mode, .tcp)
        XCTAssertEqual(config?.defaults.map(\.name), ["base", "tcpish", "child"])
    }

    func testConditionalBlocks() throws {
        try write(
            "c.cfg",
            """
            .if defined(WITH_WEB)
            frontend web
                bind :80
                timeout client 1s
            .elif version_atleast(2.6)
            frontend v26
                bind :81
                timeout client 1s
              .if feature(NOPE)
                bind :82
              .else
                .notice "no NOPE"
              .endif
            .else
            frontend old
            .endif
            .if !streq("$MODE",tcp)
            .warning "not tcp"
            .endif

            """)
        let (config, diagnostics) = load([directory.appendingPathComponent("c.cfg").path], environment: ["MODE": "http"])
        XCTAssertEqual(config?.proxies.map(\.name), ["v26"])
        XCTAssertEqual(config?.proxies.first?.binds.count, 1)
        XCTAssertEqual(diagnostics.messages.map(\.level), [.notice, .warning])
        XCTAssertFalse(diagnostics.hasFatalErrors)
    }

    func testAlertDirectiveStopsWithError() throws {
        try write("d.cfg", ".if !feature(OPENSSL)\n  .alert \"SSL support is mandatory\"\n.endif\nglobal\n  daemon 1\n")
        let (config, diagnostics) = load([directory.appendingPathComponent("d.cfg").path])
        XCTAssertNil(config)
        XCTAssertTrue(diagnostics.aborted)
        XCTAssertEqual(diagnostics.alerts.count, 2, "the .alert then 'Error(s) found', nothing after")
    }

    func testMissingPathAndErrorsPerFile() throws {
        let (config, diagnostics) = load(["/nonexistent/haproxy.cfg"])
        XCTAssertNil(config)
        XCTAssertEqual(
            diagnostics.alerts.map(\.message),
            ["Cannot open configuration file/directory /nonexistent/haproxy.cfg : No such file or directory"])

        try write("one.cfg", "global\n  foo\n")
        try write("two.cfg", "global\n  bar\n")
        let one = directory.appendingPathComponent("one.cfg").path
        let two = directory.appendingPathComponent("two.cfg").path
        let (_, d2) = load([one, two])
        XCTAssertEqual(
            d2.alerts.map(\.message),
            [
                "parsing [\(one):2] : unknown keyword 'foo' in 'global' section",
                "Error(s) found in configuration file : \(one)",
                "parsing [\(two):2] : unknown keyword 'bar' in 'global' section",
                "Error(s) found in configuration file : \(two)",
                "Fatal errors found in configuration.",
            ])
    }

    func testOtherSectionsAreRefusedClearly() throws {
        try write("e.cfg", "mailers m\n  mailer a 127.0.0.1:25\nprogram p\n  command true\n")
        let (config, diagnostics) = load([directory.appendingPathComponent("e.cfg").path])
        XCTAssertNil(config)
        XCTAssertEqual(
            diagnostics.alerts.prefix(2).map(\.message),
            [
                "parsing [\(directory.appendingPathComponent("e.cfg").path):1] : 'mailers' sections are not supported by this build; remove the section or the features using it.",
                "parsing [\(directory.appendingPathComponent("e.cfg").path):3] : 'program' sections are not supported by this build; remove the section or the features using it.",
            ])
    }
}

extension ConfigLoaderTests {
    func testListenersAndSectionsEndWithTheirFile() throws {
        try write("x1.cfg", "frontend f\n timeout client 1s\n")
        try write("x2.cfg", " bind :80\n")
        let x1 = directory.appendingPathComponent("x1.cfg").path
        let x2 = directory.appendingPathComponent("x2.cfg").path
        let (_, diagnostics) = load([x1, x2])
        XCTAssertEqual(diagnostics.alerts.first?.message, "parsing [\(x2):1]: unknown keyword 'bind' out of section.")

        try write("s.cfg", "global\n  stats socket /tmp/x.sock\n")
        XCTAssertEqual(load([directory.appendingPathComponent("s.cfg").path]).0?.hasListeners, true)
        try write("n.cfg", "global\n  daemon\nbackend b\n")
        XCTAssertEqual(load([directory.appendingPathComponent("n.cfg").path]).0?.hasListeners, false)
    }
}

extension ConfigLoaderTests {
    /// Large configurations load in linear time (no copy of the whole
    /// configuration per line).
    func testLargeConfigurationLoadsQuickly() throws {
        var text = "defaults\n mode http\n timeout client 1s\n timeout server 1s\n timeout connect 1s\n"
        for i in 0..<2000 { text += "backend b\(i)\n server s 127.0.0.1:\(1000 + i) check\n" }
        text += "backend many\n" + (0..<5000).map { " server s\($0) 10.0.\($0 / 250).\($0 % 250):80\n" }.joined()
        try write("big.cfg", text)
        let start = Date()
        let (config, diagnostics) = load([directory.appendingPathComponent("big.cfg").path])
        XCTAssertEqual(diagnostics.messages, [])
        XCTAssertEqual(config?.proxies.count, 2001)
        XCTAssertEqual(config?.proxies.last?.servers.count, 5000)
        XCTAssertLessThan(Date().timeIntervalSince(start), 20)
    }
}

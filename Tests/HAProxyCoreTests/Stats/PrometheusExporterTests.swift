import Foundation
import HAProxyConfig
import NIOCore
import XCTest

@testable import HAProxyCore

/// The exporter against what HAProxy 2.6's printed for the same proxies
/// and servers (Golden/, recorded by Golden/capture.sh from Debian's
/// haproxy on Golden/prometheus.cfg): every HELP, TYPE and sample line,
/// names, labels and order exactly, values exactly where the golden file
/// has one (`*` stands for a value that depends on time, the host or the
/// scrapes).
final class PrometheusExporterTests: RuntimeTestCase {
    static let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Golden")

    /// The runtime of Golden/prometheus.cfg (without the use-service line,
    /// which only the real one needs there), its servers put in the states
    /// the real one's checks found: up1, bk1 L4OK; down1 DOWN after an
    /// L4CON; h1 L7OK with 200; maint1 and m1 `disabled`; lim1, t1 without
    /// checks.
    func goldenRuntime() throws -> ProxyRuntime {
        let ports = [
            "PROMEX_PORT": "18480", "FE_TCP_PORT": "18481", "LISTEN_PORT": "18482", "UP_PORT": "18490",
            "DOWN_PORT": "18499", "PROMEX_SOCK": "/tmp/promex-golden-unit-never-bound.sock",
        ]
        var text = try String(contentsOf: Self.golden.appendingPathComponent("prometheus.cfg"), encoding: .utf8)
        text = text.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("http-request use-service") }
            .joined(separator: "\n")
        for (name, value) in ports { text = text.replacingOccurrences(of: "${\(name)}", with: value) }
        let runtime = try makeRuntime(from: text)
        let app = try XCTUnwrap(runtime.backend(named: "be_app"))
        func server(_ backend: Backend, _ name: String) throws -> Server {
            try XCTUnwrap(backend.servers.first { $0.name == name })
        }
        func check(_ server: Server, _ result: HealthCheckResult) {
            server.backend.lock.withLock { server.lastCheck = result }
        }
        check(try server(app, "up1"), HealthCheckResult(code: .L4OK))
        check(try server(app, "bk1"), HealthCheckResult(code: .L4OK))
        let down = try server(app, "down1")
        _ = app.setState(down, up: false)
        check(down, HealthCheckResult(code: .L4CON, info: "Connection refused"))
        let httpchk = try XCTUnwrap(runtime.backend(named: "be_httpchk"))
        check(try server(httpchk, "h1"), HealthCheckResult(code: .L7OK, statusCode: 200, info: "OK"))
        return runtime
    }

    /// Every query capture.sh scraped (Golden/queries.txt), rendered by us
    /// and compared line by line.
    func testEveryGoldenScrapeMatches() throws {
        let runtime = try goldenRuntime()
        let queries = try String(contentsOf: Self.golden.appendingPathComponent("queries.txt"), encoding: .utf8)
        var compared = 0
        for line in queries.split(separator: "\n") where !line.hasPrefix("#") {
            let words = line.split(separator: " ", omittingEmptySubsequences: true)
            guard words.count == 2 else { continue }
            let name = String(words[0])
            let query = words[1] == "-" ? "" : String(words[1].dropFirst())  // without "?"
            let expected = try String(contentsOf: Self.golden.appendingPathComponent("\(name).txt"), encoding: .utf8)
            let body = try XCTUnwrap(
                PrometheusExporter.render(runtime: runtime, queryString: Substring(query)), "query \(query)")
            let ours = String(buffer: body)
            Self.assertMatches(ours, golden: expected, name: "\(name) (?\(query))")
            compared += 1
        }
        XCTAssertEqual(compared, 11)
    }

    /// Lines equal, or equal but where the golden line has `*` (any text
    /// without a space or a quote).
    static func assertMatches(_ ours: String, golden: String, name: String, file: StaticString = #filePath, line: UInt = #line) {
        let a = ours.split(separator: "\n", omittingEmptySubsequences: false)
        let b = golden.split(separator: "\n", omittingEmptySubsequences: false)
        var mismatches: [String] = []
        for i in 0..<max(a.count, b.count) {
            let x = i < a.count ? String(a[i]) : "<none>"
            let y = i < b.count ? String(b[i]) : "<none>"
            if !globMatches(x, pattern: y) { mismatches.append("line \(i + 1):\n  ours:   \(x)\n  golden: \(y)") }
        }
        XCTAssert(mismatches.isEmpty, "\(name): \(mismatches.count) lines differ\n" + mismatches.prefix(15).joined(separator: "\n"),
                  file: file, line: line)
    }

    static func globMatches(_ text: String, pattern: String) -> Bool {
        guard pattern.contains("*") else { return text == pattern }
        let t = Array(text.utf8), p = Array(pattern.utf8)
        func match(_ i: Int, _ j: Int) -> Bool {
            if j == p.count { return i == t.count }
            if p[j] == UInt8(ascii: "*") {
                var k = i
                while true {
                    if match(k, j + 1) { return true }
                    guard k < t.count, t[k] != UInt8(ascii: " "), t[k] != UInt8(ascii: "\"") else { return false }
                    k += 1
                }
            }
            return i < t.count && t[i] == p[j] && match(i + 1, j + 1)
        }
        return match(0, 0)
    }

    /// The headers 2.6 sends with a scrape (Golden/headers.txt).
    func testContentTypeAndCacheControlAreTheRealOnes() throws {
        let headers = try String(contentsOf: Self.golden.appendingPathComponent("headers.txt"), encoding: .utf8)
        XCTAssert(headers.contains("\ncontent-type: \(PrometheusExporter.contentType)\n"), headers)
        XCTAssert(headers.contains("\ncache-control: \(PrometheusExporter.cacheControl)\n"), headers)
        XCTAssertEqual(PrometheusExporter.contentType, "text/plain; version=0.0.4")
    }

    /// Values that move: counters read from the same snapshots as `show
    /// stat` show up in the scrape.
    func testCountersComeFromTheStatSnapshots() throws {
        let runtime = try goldenRuntime()
        let app = try XCTUnwrap(runtime.backend(named: "be_app"))
        let up1 = try XCTUnwrap(app.servers.first { $0.name == "up1" })
        app.lock.withLock {
            up1.bytesIn = 1234
            up1.bytesOut = 5_000_000_000
            up1.responses.count(status: 204)
            up1.responses.count(status: 503)
            up1.downTransitions = 2
            up1.lastCheck = HealthCheckResult(code: .L7STS, statusCode: 503, durationMs: 1250)
        }
        let text = String(buffer: PrometheusExporter.render(runtime: runtime, query: PrometheusQuery(scopes: .server)))
        for expected in [
            #"haproxy_server_bytes_in_total{proxy="be_app",server="up1"} 1234"#,
            #"haproxy_server_bytes_out_total{proxy="be_app",server="up1"} 5000000000"#,
            #"haproxy_server_http_responses_total{proxy="be_app",server="up1",code="2xx"} 1"#,
            #"haproxy_server_http_responses_total{proxy="be_app",server="up1",code="5xx"} 1"#,
            #"haproxy_server_check_up_down_total{proxy="be_app",server="up1"} 2"#,
            #"haproxy_server_check_status{proxy="be_app",server="up1",state="L7STS"} 1"#,
            #"haproxy_server_check_code{proxy="be_app",server="up1"} 503"#,
            #"haproxy_server_check_duration_seconds{proxy="be_app",server="up1"} 1.250000"#,
        ] {
            XCTAssert(text.contains("\n" + expected + "\n"), "missing: \(expected)")
        }
    }

    /// Debian's `promtool check metrics` (package prometheus) parses a full
    /// scrape without error, and its lint finds in ours exactly what it
    /// finds in 2.6's: `haproxy_process_failed_resolutions`, a counter
    /// without the `_total` suffix (exit status 3, lint problems; 1 would
    /// be a parse error).
    func testPromtoolFindsNoErrorAndTheRealOnesLintOnly() throws {
        guard let promtool = ["/usr/bin/promtool", "/usr/local/bin/promtool"].first(where: {
            FileManager.default.isExecutableFile(atPath: $0)
        }) else {
            throw XCTSkip("promtool is not installed (Debian package prometheus; CI installs it): not checked")
        }
        let runtime = try goldenRuntime()
        let ours = PrometheusExporter.render(runtime: runtime, query: PrometheusQuery())
        let golden = try String(contentsOf: Self.golden.appendingPathComponent("all.txt"), encoding: .utf8)
            .replacingOccurrences(of: " *\n", with: " 0\n").replacingOccurrences(of: "\"*\"", with: "\"x\"")
        let (ourStatus, ourReport) = try Self.promtool(promtool, Array(ours.readableBytesView))
        let (realStatus, realReport) = try Self.promtool(promtool, Array(golden.utf8))
        XCTAssertEqual(realStatus, 3, realReport)
        XCTAssertEqual(ourStatus, realStatus, ourReport)
        XCTAssertEqual(ourReport, realReport)
        XCTAssertFalse(ourReport.contains("error"), ourReport)
        XCTAssertEqual(ourReport.trimmingCharacters(in: .whitespacesAndNewlines),
                       #"haproxy_process_failed_resolutions counter metrics should have "_total" suffix"#)
    }

    static func promtool(_ path: String, _ input: [UInt8]) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["check", "metrics"]
        let stdin = Pipe(), output = Pipe()
        process.standardInput = stdin
        process.standardOutput = output
        process.standardError = output
        try process.run()
        stdin.fileHandleForWriting.write(Data(input))
        try stdin.fileHandleForWriting.close()
        let report = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, report)
    }
}

/// A configuration of 100 backends of 10 servers: every server is in every
/// server metric, in configuration order, and the body is one buffer.
final class PrometheusExporterScaleTests: RuntimeTestCase {
    func testHundredBackendsOfTenServers() throws {
        var text = "defaults\n    mode http\n    timeout connect 1s\n    timeout client 1s\n    timeout server 1s\n"
        for b in 0..<100 {
            text += "backend be\(b)\n"
            for s in 0..<10 { text += "    server s\(s) 127.0.0.1:\(20000 + s)\n" }
        }
        let runtime = try makeRuntime(from: text)
        let started = ContinuousClock.now
        let body = PrometheusExporter.render(runtime: runtime, query: PrometheusQuery(scopes: .server))
        let elapsed = ContinuousClock.now - started
        let lines = String(buffer: body).split(separator: "\n")
        let uweight = lines.filter { $0.hasPrefix("haproxy_server_uweight{") }
        XCTAssertEqual(uweight.count, 1000)
        XCTAssertEqual(uweight.first, #"haproxy_server_uweight{proxy="be0",server="s0"} 1"#)
        XCTAssertEqual(uweight.last, #"haproxy_server_uweight{proxy="be99",server="s9"} 1"#)
        // 6 classes of http_responses_total, 5 states, NaN lines included.
        let samples = lines.filter { !$0.hasPrefix("#") }.count
        XCTAssertEqual(samples, 1000 * (PrometheusExporter.serverMetrics.count - 3 + 6 - 1 + 5 - 1))
        print("1000 servers: \(lines.count) lines, \(body.readableBytes) bytes in \(elapsed)")
    }
}

import Foundation
import XCTest

/// `http-request use-service prometheus-exporter` on the real binary:
/// the metrics over HTTP with 2.6's headers, the counters of live traffic,
/// the `scope` parameter, and 2.6's 400 for a query it refuses.
final class PrometheusServiceTests: IntegrationTestCase {
    func testMetricsAreServedWithScopesAndCounters() throws {
        let (port, metricsPort) = try startMetricsProxy()

        for _ in 0..<3 { XCTAssertEqual(try HTTPClient.get(port: port, path: "/").status, 200) }
        let r = try HTTPClient.get(port: metricsPort, path: "/metrics")
        XCTAssertEqual(r.status, 200)
        XCTAssertEqual(r.header("content-type"), "text/plain; version=0.0.4")
        XCTAssertEqual(r.header("cache-control"), "no-cache")
        let lines = r.text.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines.contains("# TYPE haproxy_process_nbthread gauge"), r.text.prefix(300).description)
        XCTAssertTrue(lines.contains("haproxy_frontend_http_requests_total{proxy=\"fe\"} 3"))
        XCTAssertTrue(lines.contains("haproxy_server_status{proxy=\"be\",server=\"a\",state=\"UP\"} 1"))

        let servers = try HTTPClient.get(port: metricsPort, path: "/metrics?scope=server")
        XCTAssertEqual(servers.status, 200)
        XCTAssertFalse(servers.text.contains("haproxy_process_"))
        XCTAssertFalse(servers.text.contains("haproxy_frontend_"))
        XCTAssertTrue(servers.text.contains("haproxy_server_"))

        let refused = try HTTPClient.get(port: metricsPort, path: "/metrics?scope=nonsense")
        XCTAssertEqual(refused.status, 400)
        XCTAssertTrue(refused.text.contains("<h1>400 Bad request</h1>"))
        // Another path is not the service's: no backend, 503.
        XCTAssertEqual(try HTTPClient.get(port: metricsPort, path: "/other").status, 503)
    }
}

/// Debian's Prometheus server scraping the exporter: the target is up and
/// queries return the frontend's request count, then the backend's request
/// and response counters rising with traffic.
final class PrometheusScrapeTests: IntegrationTestCase {
    func testARealPrometheusScrapesTheExporter() throws {
        let prometheus = "/usr/bin/prometheus"
        guard FileManager.default.isExecutableFile(atPath: prometheus) else {
            throw XCTSkip("Debian's prometheus is not installed (apt-get install prometheus; .ci/run installs it)")
        }
        let (port, metricsPort) = try startMetricsProxy()
        let prometheusPort = Ports.free()
        for _ in 0..<4 { XCTAssertEqual(try HTTPClient.get(port: port, path: "/").status, 200) }

        let scrapeConfig = tmp.appendingPathComponent("prometheus.yml")
        try """
        global:
          scrape_interval: 1s
        scrape_configs:
          - job_name: haproxy
            scrape_interval: 1s
            static_configs:
              - targets: ['127.0.0.1:\(metricsPort)']
        """.write(to: scrapeConfig, atomically: true, encoding: .utf8)
        let server = track(try ManagedProcess(
            label: "prometheus", executable: prometheus,
            arguments: ["--config.file=\(scrapeConfig.path)", "--storage.tsdb.path=\(tmp.appendingPathComponent("tsdb").path)",
                        "--web.listen-address=127.0.0.1:\(prometheusPort)"],
            dir: tmp))
        try Ports.waitUntilAccepting(prometheusPort, timeout: 30, while: { server.isRunning })

        // The target is healthy once a scrape succeeded; a query sees the
        // frontend's four requests, then the backend's counter rise with
        // more traffic.
        var last = ""
        func waitForQuery(_ query: String, _ value: String) throws {
            do {
                try waitUntil("Prometheus answers \(value) for \(query)", timeout: 30) {
                    let answer = try HTTPClient.get(port: prometheusPort, path: "/api/v1/query?query=" + query)
                    last = answer.text
                    return answer.status == 200 && answer.text.contains("\"\(value)\"]")
                }
            } catch {
                XCTFail("last answer: \(last.prefix(500)); prometheus said: \(server.stderr.suffix(1500))")
                throw error
            }
        }
        try waitForQuery("haproxy_frontend_http_requests_total%7Bproxy%3D%22fe%22%7D", "4")
        let backendQuery = "haproxy_backend_http_requests_total%7Bproxy%3D%22be%22%7D"
        let responsesQuery = "haproxy_backend_http_responses_total%7Bproxy%3D%22be%22,code%3D%222xx%22%7D"
        try waitForQuery(backendQuery, "4")
        try waitForQuery(responsesQuery, "4")
        for _ in 0..<3 { XCTAssertEqual(try HTTPClient.get(port: port, path: "/").status, 200) }
        try waitForQuery(backendQuery, "7")
        try waitForQuery(responsesQuery, "7")
        let targets = try HTTPClient.get(port: prometheusPort, path: "/api/v1/targets").text
        XCTAssertTrue(targets.contains("\"health\":\"up\""), targets)
        XCTAssertTrue(targets.contains("\"lastError\":\"\""), targets)
    }
}

extension IntegrationTestCase {
    /// A proxy with frontend `fe` (backend `be`, server `a`) and a
    /// `metrics` frontend serving the exporter on /metrics.
    func startMetricsProxy() throws -> (port: Int, metricsPort: Int) {
        let a = try startBackend("a")
        let port = Ports.free(), metricsPort = Ports.free()
        try startProxy(config: """
        \(Self.defaultsHTTP)
        frontend fe
            bind 127.0.0.1:\(port)
            default_backend be

        backend be
            server a 127.0.0.1:\(a.port)

        frontend metrics
            bind 127.0.0.1:\(metricsPort)
            http-request use-service prometheus-exporter if { path /metrics }
        """, ports: [port, metricsPort])
        return (port, metricsPort)
    }
}

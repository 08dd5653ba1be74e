import Foundation
import XCTest

/// `http-request use-service prometheus-exporter` on the real binary:
/// the metrics over HTTP with 2.6's headers, the counters of live traffic,
/// the `scope` parameter, and 2.6's 400 for a query it refuses.
final class PrometheusServiceTests: IntegrationTestCase {
    func testMetricsAreServedWithScopesAndCounters() throws {
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

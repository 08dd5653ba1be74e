import XCTest

@testable import HAProxyConfig

final class ProxyKeywordsTests: XCTestCase {
    func testProxyKeywords() throws {
        let (config, diagnostics) = TestSupport.load(
            """
            defaults
                mode http
                timeout client 5s
                timeout connect 5s
                timeout server 5s
            frontend web
                bind :8080
                id 10
                description public site
                maxconn 1000
                backlog 200
                monitor-uri /health
                capture request header Host len 32
                capture response header Content-Type len 20
                use_backend app
                default_backend app
            backend app
                fullconn 500
                retries 5
                http-reuse always
                server a 127.0.0.1:8000
            listen old
                bind :9000
                disabled
                server b 127.0.0.1:8001
            """)
        XCTAssertEqual(diagnostics.messages, [])
        let c = try XCTUnwrap(config)
        let web = try XCTUnwrap(c.proxy(named: "web", capability: .frontend))
        XCTAssertEqual(web.mode, .http)
        XCTAssertEqual(web.id, 10)
        XCTAssertEqual(web.description, "public site")
        XCTAssertEqual(web.maxconn, 1000)
        XCTAssertEqual(web.backlog, 200)
        XCTAssertEqual(web.monitorURI, "/health")
        XCTAssertEqual(web.captureRequestHeaders, [CapturedHeader(name: "Host", length: 32)])
        XCTAssertEqual(web.captureResponseHeaders, [CapturedHeader(name: "Content-Type", length: 20)])
        guard case .name("app")? = web.switchingRules.first?.target else { return XCTFail() }
        XCTAssertEqual(web.defaultBackend, "app")
        let app = try XCTUnwrap(c.proxy(named: "app", capability: .backend))
        XCTAssertEqual(app.fullconn, 500)
        XCTAssertEqual(app.retries, 5)
        XCTAssertEqual(app.httpReuse, .always)
        XCTAssertTrue(try XCTUnwrap(c.proxy(named: "old", capability: .listen)).disabled)
    }

    func testErrorfileIsReadAtParseTime() throws {
        let path = TestSupport.fixtures.appendingPathComponent("debian-errors/503.http").path
        let (config, diagnostics) = TestSupport.load("defaults\n  errorfile 503 \(path)\nbackend b\n")
        XCTAssertEqual(diagnostics.messages, [])
        let file = try XCTUnwrap(config?.proxies.first?.errorFiles[503] ?? nil, "inherited from defaults")
        XCTAssertTrue(String(decoding: file.bytes, as: UTF8.self).hasPrefix("HTTP/1.0 503"))
    }

    func testMonitorURITakesOneURI() {
        let (_, diagnostics) = TestSupport.load("frontend f\n  monitor-uri /a /b\n  monitor-uri\n")
        XCTAssertEqual(
            diagnostics.alerts.prefix(2).map(\.message),
            [
                "parsing [test.cfg:2] : 'monitor-uri' cannot handle unexpected argument '/b'.",
                "parsing [test.cfg:3] : 'monitor-uri' expects an URI.",
            ])
    }

    func testUnsupportedProxyKeywordIsNotUnknown() {
        let (_, diagnostics) = TestSupport.load("frontend f\n  filter compression\n")
        XCTAssertEqual(diagnostics.alerts.first?.message, "parsing [test.cfg:2] : 'filter' is not supported by this build.")
    }
}

import XCTest

@testable import HAProxyConfig

final class TimeoutKeywordsTests: XCTestCase {
    func testEveryTimeout() throws {
        let (config, diagnostics) = TestSupport.load(
            """
            listen l
                bind :80
                timeout connect 5s
                timeout client 50s
                timeout server 50000
                timeout tunnel 1h
                timeout client-fin 1s
                timeout server-fin 2s
                timeout http-request 10s
                timeout http-keep-alive 2s
                timeout queue 30s
                timeout check 3s
                timeout tarpit 4s
            """)
        XCTAssertEqual(diagnostics.messages, [])
        let t = try XCTUnwrap(config?.proxies.first?.timeouts)
        XCTAssertEqual(t.connect, 5000)
        XCTAssertEqual(t.client, 50_000)
        XCTAssertEqual(t.server, 50_000)
        XCTAssertEqual(t.tunnel, 3_600_000)
        XCTAssertEqual(t.clientFin, 1000)
        XCTAssertEqual(t.serverFin, 2000)
        XCTAssertEqual(t.httpRequest, 10_000)
        XCTAssertEqual(t.httpKeepAlive, 2000)
        XCTAssertEqual(t.tarpit, 4000)
        XCTAssertEqual(t.queue, 30_000)
        XCTAssertEqual(t.check, 3000)
    }

    func testTrailingCharactersWarnLikeHAProxy() {
        let (config, diagnostics) = TestSupport.load("defaults\n  timeout client 1m1s\nbackend b\n")
        XCTAssertNotNil(config)
        XCTAssertEqual(diagnostics.warnings.count, 1)
        XCTAssertEqual(config?.proxies.first?.timeouts.client, 60_000)
    }
}

import XCTest

@testable import HAProxyConfig

final class CompressionKeywordsTests: XCTestCase {
    private func proxy(_ name: String, _ config: Configuration?) -> ProxyConfig? {
        config?.proxies.first { $0.name == name }
    }

    func testLinesAddToTheDefaults() {
        let (config, diagnostics) = TestSupport.load("""
            defaults
              mode http
              compression algo gzip
              compression type text/plain
            frontend f
              bind :8080
              compression algo deflate raw-deflate
              compression algo identity
              compression type text/css text/html
              compression offload
            backend b
            """)
        XCTAssertEqual(diagnostics.alerts.map(\.message), [])
        let f = proxy("f", config)?.compression
        XCTAssertEqual(f?.algorithms, [.gzip, .deflate, .rawDeflate, .identity])
        XCTAssertEqual(f?.types, ["text/plain", "text/css", "text/html"])
        XCTAssertEqual(f?.offload, true)
        let b = proxy("b", config)?.compression
        XCTAssertEqual(b?.algorithms, [.gzip])
        XCTAssertEqual(b?.offload, false)
    }

    func testOffloadIsIgnoredInDefaults() {
        let (config, diagnostics) = TestSupport.load("defaults\n  compression offload\nbackend b\n")
        XCTAssertEqual(
            diagnostics.warnings.map(\.message), ["parsing [test.cfg:2] : 'compression' : 'offload' ignored in 'defaults' section."])
        XCTAssertNil(proxy("b", config)?.compression)
    }

    func testMaxLevel() {
        let (config, diagnostics) = TestSupport.load("global\n  tune.comp.maxlevel 9\n")
        XCTAssertEqual(diagnostics.alerts.map(\.message), [])
        XCTAssertEqual(config?.global.tuneCompMaxLevel, 9)
        XCTAssertEqual(TestSupport.load("global\n").0?.global.tuneCompMaxLevel, 1)
    }

    func testErrorsName2Point6sWording() {
        let (_, diagnostics) = TestSupport.load("""
            backend b
              compression
              compression algo
              compression algo gzip brotli
              compression type
            """)
        XCTAssertEqual(
            diagnostics.alerts.map(\.message).prefix(4),
            [
                "parsing [test.cfg:2] : 'compression' expects 'algo', 'type' or 'offload'",
                "parsing [test.cfg:3] : parsing [test.cfg:3] : 'compression' expects <algorithm>.",
                "parsing [test.cfg:4] : 'compression' : 'brotli' is not a supported algorithm.",
                "parsing [test.cfg:5] : 'compression' expects <type>.",
            ])
    }
}

import XCTest

@testable import HAProxyConfig

/// `load-server-state-from-file` and `server-state-file-name`, with the
/// messages of HAProxy 2.6.
final class ServerStateKeywordsTests: XCTestCase {
    func testValuesAndInheritanceFromDefaults() throws {
        let (config, diagnostics) = TestSupport.load("""
            defaults
              load-server-state-from-file local
              server-state-file-name shared
            backend a
            backend b
              load-server-state-from-file global
              server-state-file-name use-backend-name
            backend c
              server-state-file-name
            """)
        XCTAssertEqual(diagnostics.alerts.map(\.message), [])
        let proxies = try XCTUnwrap(config).proxies
        XCTAssertEqual(proxies.map(\.loadServerState), [.local, .global, .local])
        XCTAssertEqual(proxies.map(\.serverStateFileName), ["shared", nil, nil])
    }

    func testErrors() {
        XCTAssertEqual(
            TestSupport.load("backend b\n  load-server-state-from-file foo\n").1.alerts.first?.message,
            "parsing [test.cfg:2] : 'load-server-state-from-file' expects 'global', 'local' or 'none'. Got 'foo'")
        XCTAssertEqual(
            TestSupport.load("backend b\n  load-server-state-from-file\n").1.alerts.first?.message,
            "parsing [test.cfg:2] : 'load-server-state-from-file' expects 'global', 'local' or 'none'. Got ''")
        XCTAssertEqual(
            TestSupport.load("backend b\n  server-state-file-name a b\n").1.alerts.first?.message,
            "parsing [test.cfg:2] : 'server-state-file-name' cannot handle unexpected argument 'b'.")
        let frontend = TestSupport.load("frontend f\n  load-server-state-from-file none\n").1
        XCTAssertEqual(frontend.alerts.map(\.message), [])
        XCTAssertTrue(TestSupport.lines(frontend).contains(
            "[WARNING]  (0) : config : parsing [test.cfg:2] : 'load-server-state-from-file' ignored because frontend 'f' has no backend capability."),
            "\(TestSupport.lines(frontend))")
    }
}

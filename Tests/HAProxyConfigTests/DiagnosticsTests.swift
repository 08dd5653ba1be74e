import XCTest

@testable import HAProxyConfig

final class DiagnosticsTests: XCTestCase {
    func testFormatsLikeHAProxy() {
        var d = Diagnostics()
        d.alert("parsing [a.cfg:2] : unknown keyword 'foo' in 'global' section")
        d.warning("frontend 'f' has no 'bind' directive.")
        d.notice("parsing [a.cfg:3]: 'hello'.")
        d.diag("only with -dD")
        XCTAssertEqual(
            d.formatted(pid: 1234),
            [
                "[ALERT]    (1234) : config : parsing [a.cfg:2] : unknown keyword 'foo' in 'global' section",
                "[WARNING]  (1234) : config : frontend 'f' has no 'bind' directive.",
                "[NOTICE]   (1234) : config : parsing [a.cfg:3]: 'hello'.",
            ])
        XCTAssertEqual(d.formatted(pid: 1, includeDiag: true).last, "[DIAG]     (1) : config : only with -dD")
        XCTAssertTrue(d.hasFatalErrors)
        XCTAssertTrue(d.hasWarnings)
        XCTAssertEqual(d.alerts.count, 1)
    }

    func testNonFatalAlert() {
        var d = Diagnostics()
        d.alert("'pidfile' already specified. Continuing.", fatal: false)
        XCTAssertFalse(d.hasFatalErrors)
    }
}

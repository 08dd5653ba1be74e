import XCTest

@testable import HAProxyConfig

/// `maxconnrate`, `maxsessrate` (global) and `rate-limit sessions` (proxies),
/// with the messages HAProxy 2.6.12 prints for the same lines.
final class RateLimitKeywordsTests: XCTestCase {
    private static let timeouts = "defaults\n  timeout client 1s\n  timeout server 1s\n  timeout connect 1s\n"

    func testGlobalRateLimitsAreReadLikeAtol() throws {
        let (config, diagnostics) = TestSupport.load("global\n  maxconnrate 50\n  maxsessrate 20x\n")
        XCTAssertEqual(diagnostics.messages.map(\.message), [])
        XCTAssertEqual(config?.global.maxConnRate, 50)
        XCTAssertEqual(config?.global.maxSessRate, 20)
        let (negative, _) = TestSupport.load("global\n  maxconnrate -5\n")
        XCTAssertEqual(negative?.global.maxConnRate, 4_294_967_291, "stored unsigned, as HAProxy's cps_lim")
    }

    func testGlobalRateLimitArgumentErrors() {
        XCTAssertEqual(alerts("global\n  maxconnrate\n"), ["parsing [test.cfg:2] : 'maxconnrate' expects an integer argument."])
        XCTAssertEqual(alerts("global\n  maxsessrate 1 2\n"),
                       ["parsing [test.cfg:2] : 'maxsessrate' cannot handle unexpected argument '2'."])
    }

    func testSecondGlobalRateLimitIsIgnoredWithoutFailing() throws {
        let (config, diagnostics) = TestSupport.load("global\n  maxconnrate 10\n  maxconnrate 20\n  maxsessrate 0\n  maxsessrate 3\n")
        XCTAssertEqual(diagnostics.alerts.map(\.message),
                       ["parsing [test.cfg:3] : 'maxconnrate' already specified. Continuing."])
        XCTAssertFalse(diagnostics.hasFatalErrors)
        XCTAssertEqual(config?.global.maxConnRate, 10)
        XCTAssertEqual(config?.global.maxSessRate, 3, "a zero limit is no limit: setting it again is fine")
    }

    func testRateLimitSessionsIsReadLikeStrtoul() throws {
        let (config, diagnostics) = TestSupport.load(
            Self.timeouts + "frontend a\n  bind :8080\n  rate-limit sessions 0x10\nlisten b\n  bind :8081\n  rate-limit sessions 010\n")
        XCTAssertEqual(diagnostics.messages.map(\.message), [])
        XCTAssertEqual(config?.proxy(named: "a", capability: .frontend)?.rateLimitSessions, 16)
        XCTAssertEqual(config?.proxy(named: "b", capability: .frontend)?.rateLimitSessions, 8)
    }

    func testRateLimitInheritedFromDefaults() throws {
        let (config, diagnostics) = TestSupport.load(
            "defaults\n  rate-limit sessions 7\nfrontend a\n  bind :8080\nfrontend b\n  bind :8081\n  rate-limit sessions 9\n")
        XCTAssertEqual(diagnostics.warnings.map(\.message).filter { $0.contains("rate-limit") }, [])
        XCTAssertEqual(config?.proxy(named: "a", capability: .frontend)?.rateLimitSessions, 7)
        XCTAssertEqual(config?.proxy(named: "b", capability: .frontend)?.rateLimitSessions, 9)
    }

    func testRateLimitArgumentErrors() {
        let front = Self.timeouts + "frontend f\n  bind :8080\n"
        XCTAssertEqual(alerts(front + "  rate-limit\n"),
                       ["parsing [test.cfg:7] : 'rate-limit' only supports 'sessions' (got '')"])
        XCTAssertEqual(alerts(front + "  rate-limit connections 10\n"),
                       ["parsing [test.cfg:7] : 'rate-limit' only supports 'sessions' (got 'connections')"])
        XCTAssertEqual(alerts(front + "  rate-limit sessions\n"),
                       ["parsing [test.cfg:7] : 'rate-limit sessions' expects expects an integer value (in sessions/second)"])
        XCTAssertEqual(alerts(front + "  rate-limit sessions 10x\n"),
                       ["parsing [test.cfg:7] : 'rate-limit sessions' : unexpected character 'x' in integer value '10x'"])
        XCTAssertEqual(alerts(front + "  rate-limit sessions -abc\n"),
                       ["parsing [test.cfg:7] : 'rate-limit sessions' : unexpected character '-' in integer value '-abc'"])
        XCTAssertEqual(alerts(front + "  rate-limit sessions 08\n"),
                       ["parsing [test.cfg:7] : 'rate-limit sessions' : unexpected character '8' in integer value '08'"])
    }

    func testRateLimitWarnings() {
        XCTAssertEqual(
            warnings(Self.timeouts + "frontend f\n  bind :8080\n  rate-limit sessions 10\n  rate-limit sessions 20\n"),
            ["parsing [test.cfg:8] : overwriting rate-limit sessions which was already specified"])
        XCTAssertEqual(
            warnings(Self.timeouts + "backend b\n  rate-limit sessions 10\n"),
            ["parsing [test.cfg:6] : rate-limit sessions will be ignored because backend 'b' has no frontend capability"])
    }

    private func alerts(_ text: String) -> [String] {
        TestSupport.load(text).1.alerts.map(\.message).filter { !$0.contains("Error(s) found") && !$0.contains("Fatal errors") }
    }

    private func warnings(_ text: String) -> [String] {
        TestSupport.load(text).1.warnings.map(\.message)
    }
}

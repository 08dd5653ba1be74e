import Foundation
import HAProxyConfig
import XCTest

@testable import HAProxyCore

/// `set rate-limit`, the rate fields of `show info` and `show stat`, and
/// `clear counters`, on a runtime that is built but never started.
final class RateLimitCommandTests: RuntimeTestCase {
    static let config = """
        global
            stats socket /tmp/cli-rate-unit-never-bound.sock level admin
            maxconnrate 50

        defaults
            mode http
            timeout connect 5s
            timeout client 30s
            timeout server 30s

        frontend fe
            bind 127.0.0.1:2
            rate-limit sessions 12
            default_backend be

        backend be
            server s1 127.0.0.1:18081
        """

    private func info(_ runtime: ProxyRuntime) -> [String: String] {
        var fields: [String: String] = [:]
        for line in runtime.cli.execute("show info", level: .admin).split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[String(line[..<colon])] = String(line[line.index(colon, offsetBy: 2)...])
        }
        return fields
    }

    func testLimitsFromTheConfigurationAreReported() throws {
        let runtime = try makeRuntime(from: Self.config)
        XCTAssertEqual(info(runtime)["ConnRateLimit"], "50")
        XCTAssertEqual(info(runtime)["SessRateLimit"], "0")
        let stat = runtime.cli.execute("show stat", level: .admin).split(separator: "\n").map(String.init)
        let columns = stat[0].dropFirst(2).split(separator: ",", omittingEmptySubsequences: false)
        let frontend = stat[1].split(separator: ",", omittingEmptySubsequences: false)
        XCTAssertEqual(frontend[columns.firstIndex(of: "rate_lim")!], "12")
    }

    func testSetRateLimitChangesTheRuntimeLimits() throws {
        let runtime = try makeRuntime(from: Self.config)
        let cli = runtime.cli
        XCTAssertEqual(cli.execute("set rate-limit connections global 5", level: .admin), "\n")
        XCTAssertEqual(cli.execute("set rate-limit sessions global 12x", level: .admin), "\n")
        XCTAssertEqual(runtime.rates.connectionRateLimit, 5)
        XCTAssertEqual(runtime.rates.sessionRateLimit, 12, "read with atoi")
        XCTAssertEqual(cli.execute("set rate-limit http-compression global 5", level: .admin), "\n")
        XCTAssertEqual(cli.execute("set rate-limit ssl-sessions global 9", level: .admin), "\n")
        let fields = info(runtime)
        XCTAssertEqual(fields["ConnRateLimit"], "5")
        XCTAssertEqual(fields["SessRateLimit"], "12")
        XCTAssertEqual(fields["CompressBpsRateLim"], "5120")
        XCTAssertEqual(fields["SslRateLimit"], "9")
        XCTAssertEqual(cli.execute("set rate-limit connections global abc", level: .admin), "\n")
        XCTAssertEqual(runtime.rates.connectionRateLimit, 0, "atoi reads no digits as 0: no limit")
    }

    func testAllowanceFollowsLimitsSetAndRemovedAtRunTime() throws {
        let runtime = try makeRuntime(from: Self.config)
        let cli = runtime.cli
        let now: UInt64 = 1_000_000
        XCTAssertEqual(runtime.rates.allowance(now: now), .upTo(50))
        XCTAssertEqual(cli.execute("set rate-limit connections global 0", level: .admin), "\n")
        XCTAssertEqual(runtime.rates.allowance(now: now), .unlimited, "no global limit left")
        XCTAssertEqual(cli.execute("set rate-limit sessions global 3", level: .admin), "\n")
        XCTAssertEqual(runtime.rates.allowance(now: now), .upTo(3))
        for _ in 0..<3 { runtime.rates.countAccepted(now: now) }
        XCTAssertEqual(runtime.rates.allowance(now: now), .wait(milliseconds: 1001))
        XCTAssertEqual(cli.execute("set rate-limit sessions global 0", level: .admin), "\n")
        XCTAssertEqual(runtime.rates.allowance(now: now), .unlimited)
    }

    func testSetRateLimitErrors() throws {
        let cli = try makeRuntime(from: Self.config).cli
        XCTAssertEqual(cli.execute("set rate-limit connections global -1", level: .admin), "Value out of range.\n\n")
        XCTAssertEqual(cli.execute("set rate-limit connections global", level: .admin), "Expects an integer value.\n\n")
        XCTAssertTrue(cli.execute("set rate-limit sessions", level: .admin).hasPrefix("'set rate-limit' only supports :\n"))
        XCTAssertEqual(cli.execute("set rate-limit connections global 5", level: .operator), "Permission denied\n\n")
    }

    func testRatesCountAcceptsAndClearCountersForgetsTheMaximums() throws {
        let runtime = try makeRuntime(from: Self.config)
        let frontend = try XCTUnwrap(runtime.frontends.first)
        let now = RateClock.now
        for _ in 0..<3 {
            runtime.rates.countAccepted(now: now)
            frontend.countAcceptedConnection(now: now)
        }
        let fields = info(runtime)
        XCTAssertEqual(fields["ConnRate"], "3")
        XCTAssertEqual(fields["MaxConnRate"], "3")
        XCTAssertEqual(fields["SessRate"], "3")
        XCTAssertEqual(fields["MaxSessRate"], "3")
        XCTAssertEqual(runtime.cli.execute("clear counters", level: .admin), "\n")
        XCTAssertEqual(info(runtime)["MaxConnRate"], "0")
        XCTAssertEqual(info(runtime)["ConnRate"], "3", "the rate itself is not a counter to clear")
    }

    func testAllowanceCombinesTheGlobalAndFrontendLimits() throws {
        let runtime = try makeRuntime(from: Self.config)
        let frontend = try XCTUnwrap(runtime.frontends.first)
        let now: UInt64 = 1_000_000
        XCTAssertEqual(frontend.acceptAllowance(now: now), .upTo(12))
        XCTAssertEqual(runtime.rates.allowance(now: now), .upTo(50))
        for _ in 0..<12 { frontend.countAcceptedConnection(now: now) }
        XCTAssertEqual(frontend.acceptAllowance(now: now), .wait(milliseconds: 1001))
        XCTAssertEqual(frontend.acceptAllowance(now: now).combined(with: runtime.rates.allowance(now: now)),
                       .wait(milliseconds: 1001))
    }
}

import HAProxyConfig
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import XCTest

@testable import HAProxyCore

final class HealthCheckerTests: XCTestCase {
    private var group: MultiThreadedEventLoopGroup!

    override func setUp() { group = MultiThreadedEventLoopGroup(numberOfThreads: 1) }
    override func tearDown() { try? group.syncShutdownGracefully() }

    private func options(inter: Int = 50, rise: Int = 2, fall: Int = 3) -> ServerOptions {
        var o = ServerOptions()
        o.check = true
        o.interMs = inter
        o.rise = rise
        o.fall = fall
        return o
    }

    /// Polls `condition` (bounded); false when it never held.
    @discardableResult
    private func waitFor(_ seconds: Double, _ condition: () -> Bool) -> Bool {
        let end = Date().addingTimeInterval(seconds)
        while !condition() && Date() < end { usleep(10_000) }
        return condition()
    }

    func testGoesDownAtFirstFailureThenUpAfterRise() throws {
        let events = NIOLockedValueBox<[HealthCheckEvent]>([])
        let closed = try HealthCheckTestServer.closedPort(group: group)
        var config = HealthCheckConfig()
        config.logHealthChecks = true
        let checker = try HealthChecker(
            eventLoop: group.next(), backendName: "be", serverName: "s1", serverAddress: closed,
            config: config, options: options(), timeouts: Timeouts()
        ) { e in if e.kind != .result { events.withLockedValue { $0.append(e) } } }
        checker.start(initialDelayMs: 0)
        waitFor(2) { events.withLockedValue { $0.contains { $0.kind == .stateChange } } }
        var seen = events.withLockedValue { $0 }
        XCTAssertEqual(seen.map(\.kind), [.check, .stateChange])
        XCTAssertEqual(seen.first?.message(),
                       #"Health check for server be/s1 failed, reason: Layer4 connection problem, info: "Connection refused", check duration: 0ms, status: 0/2 DOWN."#)
        XCTAssertEqual(seen.last?.message(logHealthChecks: true),
                       "Server be/s1 is DOWN. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.")
        XCTAssertEqual(try group.next().submit { checker.isUp }.wait(), false)

        // Bring a server up on that port: two successes (rise 2) mark it UP.
        let s = try HealthCheckTestServer(group: group, behaviour: .silent)
        defer { s.close() }
        checker.stop()
        events.withLockedValue { $0 = [] }
        let again = try HealthChecker(
            eventLoop: group.next(), backendName: "be", serverName: "s1", serverAddress: s.address,
            config: config, options: options(), timeouts: Timeouts()
        ) { e in if e.kind != .result { events.withLockedValue { $0.append(e) } } }
        try group.next().submit {
            _ = again.handle(HealthCheckResult(code: .L4CON, info: "Connection refused"))
        }.wait()
        events.withLockedValue { $0 = [] }
        again.start(initialDelayMs: 0)
        waitFor(2) { events.withLockedValue { $0.contains { $0.kind == .stateChange } } }
        again.stop()
        seen = events.withLockedValue { $0 }
        XCTAssertEqual(seen.map(\.kind), [.check, .check, .stateChange])
        XCTAssertEqual(seen.map(\.statusText), ["1/2 DOWN", "3/3 UP", "3/3 UP"])
        XCTAssertEqual(seen.last?.message(counts: HealthCheckCounts(activeServers: 1)),
                       "Server be/s1 is UP, reason: Layer4 check passed, check duration: \(seen.last!.check.durationMs)ms. 1 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.")
    }

    func testGoesDownAfterFallFailures() throws {
        let events = NIOLockedValueBox<[HealthCheckEvent]>([])
        let state = NIOLockedValueBox("200")
        // A server answering 200 or 503 depending on `state`.
        let server = try ServerBootstrap(group: group)
            .childChannelInitializer { ch in
                ch.eventLoop.makeCompletedFuture {
                    try ch.pipeline.syncOperations.addHandler(Toggle(state: state))
                }
            }
            .bind(host: "127.0.0.1", port: 0).wait()
        defer { try? server.close().wait() }
        var config = HealthCheckConfig()
        config.kind = .http
        let checker = try HealthChecker(
            eventLoop: group.next(), backendName: "be", serverName: "web", serverAddress: server.localAddress!,
            config: config, options: options(inter: 50, rise: 2, fall: 3), timeouts: Timeouts()
        ) { e in if e.kind != .result { events.withLockedValue { $0.append(e) } } }
        checker.start(initialDelayMs: 0)
        waitFor(1) { (try? group.next().submit { checker.lastResult != nil }.wait()) ?? false }
        XCTAssertTrue(try group.next().submit { checker.isUp }.wait())
        state.withLockedValue { $0 = "503" }
        waitFor(3) { events.withLockedValue { !$0.isEmpty } }
        var seen = events.withLockedValue { $0 }
        XCTAssertEqual(seen.count, 1)
        XCTAssertEqual(seen.first?.isUp, false)
        XCTAssertEqual(seen.first?.reasonText.hasPrefix(#"Layer7 wrong status, code: 503, info: "Service Unavailable", check duration: "#), true)
        state.withLockedValue { $0 = "200" }
        waitFor(3) { events.withLockedValue { $0.count == 2 } }
        checker.stop()
        seen = events.withLockedValue { $0 }
        XCTAssertEqual(seen.count, 2)
        XCTAssertEqual(seen.last?.isUp, true)
        XCTAssertEqual(seen.last?.reasonText.hasPrefix("Layer7 check passed, code: 200, check duration: "), true)
    }

    func testStopCancelsChecks() throws {
        // Each HTTP check is a connection its server accepts: the accepted
        // connections count the checks. A second checker on the same event
        // loop keeps running; its checks are the clock that shows the
        // stopped one's would have come.
        let ok = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
        let s = try HealthCheckTestServer(group: group, answer: ok)
        defer { s.close() }
        let control = try HealthCheckTestServer(group: group, answer: ok)
        defer { control.close() }
        var config = HealthCheckConfig()
        config.kind = .http
        let loop = group.next()
        let checker = try HealthChecker(
            eventLoop: loop, backendName: "be", serverName: "s", serverAddress: s.address,
            config: config, options: options(inter: 20), timeouts: Timeouts()
        ) { _ in }
        let running = try HealthChecker(
            eventLoop: loop, backendName: "be", serverName: "control", serverAddress: control.address,
            config: config, options: options(inter: 20), timeouts: Timeouts()
        ) { _ in }
        defer { running.stop() }
        checker.start(initialDelayMs: 0)
        running.start(initialDelayMs: 0)
        XCTAssertTrue(waitFor(5) { s.accepted >= 2 }, "the checks did not run: \(s.accepted) connections")
        try loop.submit { checker.stop() }.wait()
        // A check in flight when it stopped is accepted within one more
        // check of the control; from then on the count must not move while
        // the control runs five more checks (five intervals).
        var mark = control.accepted
        XCTAssertTrue(waitFor(5) { control.accepted > mark }, "the control checker stopped")
        let after = s.accepted
        mark = control.accepted
        XCTAssertTrue(waitFor(5) { control.accepted >= mark + 5 }, "the control checker stopped")
        XCTAssertEqual(s.accepted, after, "checks went on after stop()")
    }

    func testCheckTargetOverrides() throws {
        let server = try SocketAddress(ipAddress: "127.0.0.1", port: 80)
        var o = ServerOptions()
        XCTAssertEqual(try HealthChecker.checkTarget(serverAddress: server, options: o), server)
        o.checkPort = 8080
        XCTAssertEqual(try HealthChecker.checkTarget(serverAddress: server, options: o).port, 8080)
        o.checkAddr = "127.0.0.2"
        XCTAssertEqual(try HealthChecker.checkTarget(serverAddress: server, options: o),
                       try SocketAddress(ipAddress: "127.0.0.2", port: 8080))
        o.checkAddr = "not-an-ip"
        XCTAssertThrowsError(try HealthChecker.checkTarget(serverAddress: server, options: o))
    }

    func testAgentTarget() throws {
        let server = try SocketAddress(ipAddress: "127.0.0.1", port: 80)
        var o = ServerOptions()
        o.agentPort = 5555
        o.checkPort = 8080
        XCTAssertEqual(try AgentChecker.agentTarget(serverAddress: server, options: o),
                       try SocketAddress(ipAddress: "127.0.0.1", port: 5555))
        o.agentAddr = "::1"
        XCTAssertEqual(try AgentChecker.agentTarget(serverAddress: server, options: o),
                       try SocketAddress(ipAddress: "::1", port: 5555))
    }

    /// `spread-checks 50`: each interval after a check varies within
    /// ±50% of `inter`, as 2.6 varies it (the first runs keep their places,
    /// see `CheckStartTests`).
    func testCheckIntervalIsSpread() throws {
        var o = ServerOptions()
        o.interMs = 1000
        o.fall = 1  // the health is at its top at once: `inter` applies
        let checker = try HealthChecker(
            eventLoop: group.next(), backendName: "be", serverName: "s1",
            serverAddress: try SocketAddress(ipAddress: "127.0.0.1", port: 80), config: HealthCheckConfig(),
            options: o, timeouts: Timeouts(), spreadChecksPercent: 50) { _ in }
        let delays = (0..<200).map { _ in checker.nextDelay() }
        XCTAssertTrue(delays.allSatisfy { (500...1500).contains($0) }, "\(delays.min()!)...\(delays.max()!)")
        XCTAssertGreaterThan(Set(delays).count, 10)
    }

    func testAgentIntervalIsSpread() throws {
        var o = ServerOptions()
        o.agentPort = 5555
        o.agentInterMs = 1000
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let agent = try AgentChecker(
            eventLoop: group.next(), serverAddress: try SocketAddress(ipAddress: "127.0.0.1", port: 80), options: o,
            timeouts: Timeouts()) { _, _ in }
        XCTAssertEqual(agent.nextDelay(), 1000)
        agent.spreadChecksPercent = 10
        let delays = (0..<200).map { _ in agent.nextDelay() }
        XCTAssertTrue(delays.allSatisfy { (900...1100).contains($0) })
        XCTAssertGreaterThan(Set(delays).count, 1)
    }

    private final class Toggle: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let state: NIOLockedValueBox<String>
        init(state: NIOLockedValueBox<String>) { self.state = state }
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let answer = state.withLockedValue { $0 } == "200"
                ? "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
                : "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n"
            var b = context.channel.allocator.buffer(capacity: 64)
            b.writeString(answer)
            context.writeAndFlush(wrapOutboundOut(b)).whenComplete { _ in context.close(promise: nil) }
        }
    }
}

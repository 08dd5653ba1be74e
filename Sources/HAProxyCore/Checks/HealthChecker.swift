import HAProxyConfig
import HAProxyTLS
import NIOCore

/// Checks one server periodically on its event loop and reports changes.
///
/// The checker owns a `HealthCheckState` and runs one `HealthCheckProbe`
/// at a time: after each result it waits `inter`, `fastinter` or
/// `downinter` (from the end of the check, as HAProxy does), varied by
/// ±`spread-checks` percent. `onEvent` is called on the event loop with
/// `.stateChange` events and, when the backend has `option
/// log-health-checks`, with `.check` events for each check that changed
/// the health counter or the result code. The runtime turns them into log
/// lines with `HealthCheckEvent.message(isBackup:counts:logHealthChecks:)`.
///
/// `start`, `stop` may be called from any thread; `isUp`, `state` and
/// `lastResult` are read on the event loop. Nothing blocks.
public final class HealthChecker {
    public let eventLoop: EventLoop
    public let backendName: String
    public let serverName: String
    /// Where checks connect: the server's address with `addr`/`port` applied
    /// (DNS may change the server's address: see `serverAddressChanged`).
    public private(set) var target: SocketAddress
    public let options: ServerOptions
    public let logHealthChecks: Bool
    /// `spread-checks` of the global section (0...50 percent).
    public let spreadChecksPercent: Int
    let plan: HealthCheckPlan
    /// Checks failed while the server was up (`chkfail`).
    private var failedWhileUp = 0
    /// Checks over TLS (`check-ssl`): their context and the SNI they send.
    var tls: TLSClientContext?
    /// The backend's `source` address, the checks' local address.
    var source: SocketAddress?
    var tlsServerName: String?
    private let onEvent: (HealthCheckEvent) -> Void

    public private(set) var state: HealthCheckState
    public private(set) var lastResult: HealthCheckResult?
    private var running = false
    private var scheduled: Scheduled<Void>?
    private var probe: HealthCheckProbe?
    private var generator = SystemRandomNumberGenerator()

    /// - Parameters:
    ///   - serverAddress: the server's resolved address; `addr` and `port`
    ///     of `options` replace its address and port for checks.
    ///   - onEvent: called on `eventLoop`.
    /// - Throws: `HealthCheckerError.badCheckAddress` for an `addr` that is
    ///   not an IP address, or an `rstatus`/`rstring` regex syntax error.
    public init(
        eventLoop: EventLoop, backendName: String, serverName: String, serverAddress: SocketAddress,
        config: HealthCheckConfig, options: ServerOptions, timeouts: Timeouts, spreadChecksPercent: Int = 0,
        startsUp: Bool = true, onEvent: @escaping (HealthCheckEvent) -> Void
    ) throws {
        self.eventLoop = eventLoop
        self.backendName = backendName
        self.serverName = serverName
        self.target = try HealthChecker.checkTarget(serverAddress: serverAddress, options: options)
        self.options = options
        self.logHealthChecks = config.logHealthChecks
        self.spreadChecksPercent = min(max(spreadChecksPercent, 0), 50)
        self.plan = try HealthCheckPlan(config: config, interMs: options.interMs, timeouts: timeouts)
        self.onEvent = onEvent
        self.state = HealthCheckState(rise: options.rise, fall: options.fall, startsUp: startsUp)
    }

    /// Checks are skipped while this says so (a server in maintenance for
    /// DNS resolution has no address to check); set before `start`.
    public var isSuspended: () -> Bool = { false }
    /// `http-check send-state`: the header's value, from the check's state
    /// and what the runtime knows of the server (nil: no header).
    var serverState: ((HealthCheckState) -> String)?

    /// The server's address changed (DNS): the next checks go there.
    public func serverAddressChanged(_ address: SocketAddress) {
        eventLoop.execute { [self] in
            if let next = try? HealthChecker.checkTarget(serverAddress: address, options: options) { target = next }
        }
    }

    /// Whether the server is UP (read on the event loop).
    public var isUp: Bool { state.isUp }

    /// The address checks go to: `addr` replaces the IP, `port` the port.
    public static func checkTarget(serverAddress: SocketAddress, options: ServerOptions) throws -> SocketAddress {
        var address = serverAddress
        if let addr = options.checkAddr {
            do {
                address = try SocketAddress(ipAddress: addr, port: serverAddress.port ?? 0)
            } catch {
                throw HealthCheckerError.badCheckAddress(addr)
            }
        }
        if let port = options.checkPort { address.port = port }
        return address
    }

    /// Starts checking after `initialDelayMs` (by default a random delay
    /// within `inter`; the runtime passes `CheckStartSchedule`'s, as 2.6).
    public func start(initialDelayMs: Int? = nil) {
        eventLoop.execute { [self] in
            guard !self.running else { return }
            self.running = true
            let delay = initialDelayMs ?? Int.random(in: 0..<max(self.options.interMs, 1), using: &self.generator)
            self.schedule(afterMs: delay)
        }
    }

    /// `set server ... health up|stopping|down`, on the event loop: the
    /// counter at its top (UP) or at 0 (DOWN, `rise` passing checks to
    /// come back), as 2.6 sets it.
    func force(up: Bool) {
        state.force(up: up)
    }

    /// Stops checking: cancels the pending timer and any check in flight.
    public func stop() {
        if eventLoop.inEventLoop {
            halt()
        } else {
            eventLoop.execute { [self] in self.halt() }
        }
    }

    private func halt() {
        running = false
        scheduled?.cancel()
        scheduled = nil
        probe?.cancel()
        probe = nil
    }

    private func schedule(afterMs ms: Int) {
        scheduled = eventLoop.scheduleTask(in: .milliseconds(Int64(max(ms, 0)))) { [self] in
            self.runCheck()
        }
    }

    private func runCheck() {
        guard running else { return }
        // A server without an address (DNS) is not checked, as in 2.6.
        if isSuspended() {
            schedule(afterMs: options.interMs)
            return
        }
        let probe = HealthCheckProbe(eventLoop: eventLoop, target: target, plan: plan)
        probe.source = source
        probe.serverState = serverState?(state)
        if let tls {
            let name = tlsServerName
            probe.makeTLS = { tls.makeHandler(serverName: name) }
        }
        self.probe = probe
        probe.run().whenSuccess { [self] result in
            guard self.running, self.probe === probe else { return }
            self.probe = nil
            self.handle(result)
        }
    }

    /// Counts a result, reports it and schedules the next check.
    func handle(_ result: HealthCheckResult) {
        var result = result
        if result.code == .L7OKC {
            // `disable-on-404`: a running server goes NOLB; one that is
            // down stays down, the 404 a wrong status (recorded from 2.6).
            if state.isUp { result.info = nil } else { result.code = .L7STS }
        }
        lastResult = result
        if !result.isSuccess && state.isUp { failedWhileUp += 1 }
        let transition = state.record(result)
        let reported = logHealthChecks && state.lastRecordIsReportable
        if reported { onEvent(event(.check, result)) }
        switch transition {
        case .none: if !reported { onEvent(event(.result, result)) }
        case .wentUp(let r), .wentDown(let r): onEvent(event(.stateChange, r))
        }
        guard running else { return }
        schedule(afterMs: nextDelay())
    }

    private func event(_ kind: HealthCheckEvent.Kind, _ result: HealthCheckResult) -> HealthCheckEvent {
        var event = HealthCheckEvent(kind: kind, backendName: backendName, serverName: serverName, isUp: state.isUp,
                                     check: result, statusText: state.statusText)
        event.failedChecks = failedWhileUp
        return event
    }

    /// The interval for the current state, varied by ±`spread-checks` percent.
    func nextDelay() -> Int {
        let inter = state.nextInterval(options: options)
        guard spreadChecksPercent > 0 else { return inter }
        let spread = inter * spreadChecksPercent / 100
        guard spread > 0 else { return inter }
        return inter + Int.random(in: -spread...spread, using: &generator)
    }
}

public enum HealthCheckerError: Error, Equatable {
    /// The server's `addr` is not an IPv4 or IPv6 address.
    case badCheckAddress(String)
}

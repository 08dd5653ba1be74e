import HAProxyConfig
import NIOCore

/// Runs one server's `agent-check` (manual 5.2): every `agent-inter` it
/// connects to `agent-addr`:`agent-port` with a `HealthCheckProbe`, sends
/// `agent-send`, reads one line and hands the result to `onResult` on the
/// event loop; the runtime applies the reply (`AgentReply`) to the server.
///
/// The agent's health is a `HealthCheckState` with rise and fall 1, as in
/// 2.6: only a reply with `up` or a down word counts. Failing to reach the
/// agent (L4CON, L4TOUT, L7TOUT) changes nothing but the agent columns, as
/// the manual says connectivity is the regular check's business.
public final class AgentChecker {
    public let eventLoop: EventLoop
    public private(set) var target: SocketAddress
    /// The backend's `source` address, the agent's local address.
    var source: SocketAddress?
    private(set) var plan: HealthCheckPlan
    private(set) var options: ServerOptions
    private let onResult: (HealthCheckResult, HealthCheckState.Transition) -> Void

    public private(set) var state = HealthCheckState(rise: 1, fall: 1)
    public private(set) var lastResult: HealthCheckResult?
    private var running = false
    private var scheduled: Scheduled<Void>?
    private var probe: HealthCheckProbe?
    /// `spread-checks` of the global section (0...50 percent).
    public var spreadChecksPercent = 0
    private var generator = SystemRandomNumberGenerator()

    /// - Throws: `HealthCheckerError.badCheckAddress` for an `agent-addr`
    ///   that is not an IP address.
    public init(
        eventLoop: EventLoop, serverAddress: SocketAddress, options: ServerOptions, timeouts: Timeouts,
        onResult: @escaping (HealthCheckResult, HealthCheckState.Transition) -> Void
    ) throws {
        self.eventLoop = eventLoop
        self.options = options
        self.target = try AgentChecker.agentTarget(serverAddress: serverAddress, options: options)
        self.plan = HealthCheckPlan(agentSend: options.agentSend, interMs: options.agentInterMs, timeouts: timeouts)
        self.onResult = onResult
    }

    /// `agent-addr` (or the server's address) with `agent-port`.
    public static func agentTarget(serverAddress: SocketAddress, options: ServerOptions) throws -> SocketAddress {
        var address = serverAddress
        if let addr = options.agentAddr {
            do {
                address = try SocketAddress(ipAddress: addr, port: options.agentPort)
            } catch {
                throw HealthCheckerError.badCheckAddress(addr)
            }
        }
        address.port = options.agentPort
        return address
    }

    /// The server's address changed (DNS): without `agent-addr` the agent
    /// is asked there.
    public func serverAddressChanged(_ address: SocketAddress) {
        eventLoop.execute { [self] in
            if let next = try? AgentChecker.agentTarget(serverAddress: address, options: options) { target = next }
        }
    }

    /// `set server ... agent-addr|agent-port|agent-send`: the next checks
    /// go to `addr` (an IP address) and `port`, and send `send`.
    public func reconfigure(serverAddress: SocketAddress, addr: String?? = nil, port: Int? = nil, send: String?? = nil) {
        eventLoop.execute { [self] in
            if let addr { options.agentAddr = addr }
            if let port { options.agentPort = port }
            if let send {
                options.agentSend = send
                plan.agentSend = Array((send ?? "").utf8)
            }
            if let next = try? AgentChecker.agentTarget(serverAddress: serverAddress, options: options) { target = next }
        }
    }

    /// `set server ... agent up|down`, on the event loop.
    func force(up: Bool) {
        state.force(up: up)
    }

    /// Whether the agent did not say the server is down.
    public var isUp: Bool { state.isUp }

    public func start(initialDelayMs: Int) {
        eventLoop.execute { [self] in
            guard !running else { return }
            running = true
            schedule(afterMs: initialDelayMs)
        }
    }

    public func stop() {
        if eventLoop.inEventLoop {
            halt()
        } else {
            eventLoop.execute { [self] in halt() }
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
        scheduled = eventLoop.scheduleTask(in: .milliseconds(Int64(max(ms, 0)))) { [self] in runCheck() }
    }

    private func runCheck() {
        guard running else { return }
        let probe = HealthCheckProbe(eventLoop: eventLoop, target: target, plan: plan)
        probe.source = source
        self.probe = probe
        probe.run().whenSuccess { [self] result in
            guard running, self.probe === probe else { return }
            self.probe = nil
            handle(result)
        }
    }

    func handle(_ result: HealthCheckResult) {
        lastResult = result
        var transition = HealthCheckState.Transition.none
        if result.agentReply?.status != nil { transition = state.record(result) }
        onResult(result, transition)
        guard running else { return }
        schedule(afterMs: nextDelay())
    }

    /// `agent-inter`, varied by ±`spread-checks` percent as the checks are.
    func nextDelay() -> Int {
        let inter = options.agentInterMs
        let spread = inter * min(max(spreadChecksPercent, 0), 50) / 100
        guard spread > 0 else { return inter }
        return inter + Int.random(in: -spread...spread, using: &generator)
    }
}

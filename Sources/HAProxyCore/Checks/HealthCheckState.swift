import HAProxyConfig

/// Rise/fall accounting of one server's health checks, as HAProxy does it.
///
/// HAProxy keeps a single "health" counter from 0 to `rise + fall - 1`: the
/// server is UP while it is at least `rise`. A server with `check` starts
/// UP at `rise`, i.e. "UP 1/fall, going down": the first failed check puts
/// it DOWN at once (recorded from HAProxy 2.6: `status: 0/2 DOWN` after one
/// refused connection), the first successful one makes it fully UP. A
/// failure below `rise` drops the counter to 0; a success at or above `rise`
/// jumps it to the top. So an UP server goes DOWN after `fall` consecutive
/// failures and a DOWN one comes back after `rise` consecutive successes.
///
/// No NIO here: `HealthChecker` feeds results and reads the next interval.
public struct HealthCheckState: Sendable, Equatable {
    /// What a recorded result changed in the server's state.
    public enum Transition: Sendable, Equatable {
        case none
        case wentUp(HealthCheckResult)
        case wentDown(HealthCheckResult)
    }

    public let rise: Int
    public let fall: Int
    /// 0 ... rise + fall - 1; UP when >= rise.
    public private(set) var health: Int
    /// Result code of the last check, nil before the first one.
    public private(set) var lastCode: CheckResultCode?
    /// Whether the last `record` changed the health or the result code: the
    /// checks HAProxy logs one by one with `option log-health-checks`.
    public private(set) var lastRecordIsReportable = false

    /// - Parameters:
    ///   - rise: consecutive successes to go UP (at least 1).
    ///   - fall: consecutive failures to go DOWN (at least 1).
    ///   - startsUp: HAProxy starts checked servers UP (going down); pass
    ///     false to start DOWN (going up), e.g. for a server restored DOWN.
    public init(rise: Int, fall: Int, startsUp: Bool = true) {
        self.rise = max(rise, 1)
        self.fall = max(fall, 1)
        self.health = startsUp ? self.rise : 0
    }

    public var isUp: Bool { health >= rise }

    /// The top of the counter: UP with no failure counted.
    public var maxHealth: Int { rise + fall - 1 }

    /// Neither going up nor going down, and checked at least once.
    public var isStable: Bool { lastCode != nil && (health == 0 || health == maxHealth) }

    /// HAProxy's "status" text: `3/3 UP` (successes left before DOWN over
    /// `fall`) or `1/2 DOWN` (successes so far over `rise`).
    public var statusText: String {
        "\(progress) \(isUp ? "UP" : "DOWN")"
    }

    /// Checks passed so far over those the next change needs: successes
    /// left before DOWN over `fall` while UP, successes over `rise` while DOWN.
    private var progress: String {
        isUp ? "\(health - rise + 1)/\(fall)" : "\(health)/\(rise)"
    }

    /// The state as `x-haproxy-server-state` starts with it: the word, and
    /// while the server is between states the checks so far over those
    /// needed, as the stats page shows them (`UP 1/3`, `DOWN 1/2`, `NOLB`).
    public func headerState(stopping: Bool) -> String {
        let word = isUp ? (stopping ? "NOLB" : "UP") : "DOWN"
        guard health != 0 && health != maxHealth else { return word }
        return "\(word) \(progress)"
    }

    /// Counts one check result and says whether the server changed state.
    public mutating func record(_ result: HealthCheckResult) -> Transition {
        let wasUp = isUp
        let before = health
        let codeChanged = lastCode != result.code
        lastCode = result.code
        if result.isSuccess {
            if health < maxHealth {
                health += 1
                if health >= rise { health = maxHealth }
            }
        } else if health > 0 {
            health -= 1
            if health < rise { health = 0 }
        }
        lastRecordIsReportable = codeChanged || health != before
        if wasUp && !isUp { return .wentDown(result) }
        if !wasUp && isUp { return .wentUp(result) }
        return .none
    }

    /// Sets the server fully UP or fully DOWN (`set server ... agent up|down`).
    public mutating func force(up: Bool) {
        health = up ? maxHealth : 0
    }

    /// The delay before the next check (manual, server `inter`): `inter`
    /// while fully UP, `fastinter` (or `inter`) while going up, going down
    /// or not checked yet, `downinter` (or `inter`) while fully DOWN.
    public func nextInterval(interMs: Int, fastinterMs: Int? = nil, downinterMs: Int? = nil) -> Int {
        if lastCode == nil || (health != 0 && health != maxHealth) { return fastinterMs ?? interMs }
        if health == 0 { return downinterMs ?? interMs }
        return interMs
    }

    /// `nextInterval` with the server's options.
    public func nextInterval(options: ServerOptions) -> Int {
        nextInterval(interMs: options.interMs, fastinterMs: options.fastinterMs, downinterMs: options.downinterMs)
    }
}

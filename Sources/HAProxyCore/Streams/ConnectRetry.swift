import HAProxyConfig

/// What a stream does after a failed connection attempt (manual: `retries`,
/// `option redispatch`), shared by TCP streams and HTTP sessions.
enum ConnectRetry: Equatable {
    /// Ask the load balancer again, avoiding the failed server, at once.
    case redispatch
    /// Try the same server again after the turn-around delay.
    case retrySame(delayMs: Int)
    /// No retry left: the stream fails (503 in HTTP, SC in the logs).
    case fail

    /// Decides the next step after a failed connection to `failed`;
    /// `retriesLeft` is decremented by the caller for any outcome but `.fail`.
    ///
    /// As observed with HAProxy 2.6: with `option redispatch` and another
    /// usable server, a non-hashing algorithm leaves the failed server at
    /// once, and any algorithm asks the load balancer again for the last
    /// retry (a hash may choose the same server). Otherwise the same server
    /// is retried once the turn-around of min(`timeout connect`, 1s) has
    /// passed since the failed attempt started: a refused connection waits
    /// it (with a single server, `retries 3` takes three turn-arounds), a
    /// connection that timed out is retried at once (`retries 3` with
    /// `timeout connect 1s` to a server that never answers: 503 after
    /// four timeouts, about 4 s).
    /// - Parameter attemptMs: how long the failed attempt lasted.
    ///
    /// In `mode http`, a `retry-on` without `conn-failure` retries no
    /// failed connection, nor redispatches it (2.6: 503 `SC`, no retry).
    static func next(retriesLeft: Int, failed: Server, attemptMs: Int) -> ConnectRetry {
        guard retriesLeft > 0 else { return .fail }
        let backend = failed.backend
        if backend.config.mode == .http && !backend.config.retryOn.contains(.connFailure) { return .fail }
        if redispatches(retriesLeft: retriesLeft, failed: failed) { return .redispatch }
        let turnAround = min(backend.config.timeouts.connect ?? 1000, 1000)
        return .retrySame(delayMs: max(turnAround - attemptMs, 0))
    }

    /// Whether a retry leaves `failed` for the load balancer's choice
    /// (`option redispatch` and another usable server): at once with a
    /// non-hashing algorithm, for the last retry with any.
    static func redispatches(retriesLeft: Int, failed: Server) -> Bool {
        let backend = failed.backend
        guard backend.config.options.redispatch && backend.hasUsableServer(otherThan: failed) else { return false }
        return retriesLeft == 1 || !backend.config.balance.algorithm.isHashBased
    }
}

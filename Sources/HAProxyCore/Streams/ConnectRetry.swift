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

    /// Decides the next step; `retriesLeft` is decremented by the caller
    /// for any outcome but `.fail`.
    ///
    /// As observed with HAProxy 2.6: with `option redispatch` and a
    /// non-hashing algorithm, a refused connection goes to another server
    /// at once when one is usable; otherwise the same server is retried
    /// after min(`timeout connect`, 1s), and the last retry redispatches.
    static func next(retriesLeft: Int, backend: Backend) -> ConnectRetry {
        guard retriesLeft > 0 else { return .fail }
        let options = backend.config.options
        if options.redispatch {
            if retriesLeft == 1 { return .redispatch }
            if !backend.config.balance.algorithm.isHashBased && backend.usableCounts.active + backend.usableCounts.backup > 1 {
                return .redispatch
            }
        }
        return .retrySame(delayMs: min(backend.config.timeouts.connect ?? 1000, 1000))
    }
}

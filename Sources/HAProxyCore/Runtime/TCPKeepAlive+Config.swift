import HAProxyConfig
import HAProxyIO

extension TCPKeepAlive {
    /// One side's keep-alive as a proxy configures it: nil unless its
    /// option (`clitcpka`, `srvtcpka` or `tcpka`) is on; the timers apply
    /// only then, as in 2.6.
    init?(enabled: Bool, _ timers: TCPKeepAliveTimers) {
        guard enabled else { return nil }
        self.init(
            count: timers.count, idleSeconds: TCPKeepAliveTimers.seconds(timers.idleMs),
            intervalSeconds: TCPKeepAliveTimers.seconds(timers.intervalMs))
    }
}

#if canImport(Glibc)
import Glibc
#endif

/// SO_KEEPALIVE on a TCP socket, with the probes' timers (manual 4.2:
/// `option clitcpka`/`srvtcpka`/`tcpka`, `clitcpka-*`, `srvtcpka-*`).
///
/// Set once on a listening socket, it reaches every connection accepted
/// from it (Linux copies the options to them): no system call per accept.
public struct TCPKeepAlive: Sendable, Equatable {
    /// TCP_KEEPCNT, TCP_KEEPIDLE and TCP_KEEPINTVL (seconds); 0 leaves the
    /// system's value (net.ipv4.tcp_keepalive_*), as does one it refuses.
    public var count: CInt
    public var idleSeconds: CInt
    public var intervalSeconds: CInt

    public init(count: Int?, idleSeconds: Int?, intervalSeconds: Int?) {
        func clamp(_ v: Int?) -> CInt { CInt(clamping: v ?? 0) }
        self.count = clamp(count)
        self.idleSeconds = clamp(idleSeconds)
        self.intervalSeconds = clamp(intervalSeconds)
    }

    public func apply(to fd: CInt) {
        func set(_ level: CInt, _ option: CInt, _ value: CInt) {
            var value = value
            setsockopt(fd, level, option, &value, socklen_t(MemoryLayout<CInt>.size))
        }
        set(SOL_SOCKET, SO_KEEPALIVE, 1)
        if count > 0 { set(CInt(IPPROTO_TCP), TCP_KEEPCNT, count) }
        if idleSeconds > 0 { set(CInt(IPPROTO_TCP), TCP_KEEPIDLE, idleSeconds) }
        if intervalSeconds > 0 { set(CInt(IPPROTO_TCP), TCP_KEEPINTVL, intervalSeconds) }
    }
}

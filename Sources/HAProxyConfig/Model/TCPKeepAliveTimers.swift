/// `clitcpka-cnt|idle|intvl` or `srvtcpka-cnt|idle|intvl` (manual 4.2):
/// TCP_KEEPCNT, TCP_KEEPIDLE and TCP_KEEPINTVL for one side's sockets,
/// applied where `option clitcpka`/`srvtcpka`/`tcpka` turns keep-alive on.
/// Unset values leave the system's (net.ipv4.tcp_keepalive_*).
public struct TCPKeepAliveTimers: Sendable, Equatable {
    public var count: Int?
    public var idleMs: Int?
    public var intervalMs: Int?

    public init() {}

    /// The socket options take seconds: 2.6 rounds a time up to the next
    /// second (`500ms` is 1 s, `1500ms` 2 s).
    public static func seconds(_ ms: Int?) -> Int? {
        ms.map { ($0 + 999) / 1000 }
    }
}

#if canImport(Glibc)
import Glibc
#endif
import HAProxyHTTP
import HAProxyIO
import HAProxyRules

/// A client's socket read by the `fc_*` fetches, on its loop (where the
/// rules run); a closed one has no round trip times.
extension IOConnection: ClientConnectionView {
    public var socketSource: SocketEndpoint? { SocketEndpoint(remoteAddress) }
    public var socketDestination: SocketEndpoint? { SocketEndpoint(localAddress) }

    public var roundTripTimes: (rtt: Int, variation: Int)? {
        guard fd >= 0 else { return nil }
        var info = tcp_info()
        var length = socklen_t(MemoryLayout<tcp_info>.size)
        guard getsockopt(fd, CInt(IPPROTO_TCP), TCP_INFO, &info, &length) == 0 else { return nil }
        return (Int(info.tcpi_rtt), Int(info.tcpi_rttvar))
    }

    public func setOption(_ option: ClientSocketOption) {
        guard fd >= 0 else { return }
        switch option {
        case .mark(var mark):
            _ = setsockopt(fd, SOL_SOCKET, SO_MARK, &mark, socklen_t(MemoryLayout<UInt32>.size))
        case .tos(var tos):
            let size = socklen_t(MemoryLayout<Int32>.size)
            // An IPv6 socket may carry IPv4-mapped traffic: both then.
            _ = setsockopt(fd, CInt(IPPROTO_IP), IP_TOS, &tos, size)
            if case .v6? = localAddress {
                _ = setsockopt(fd, CInt(IPPROTO_IPV6), IPV6_TCLASS, &tos, size)
            }
        }
    }
}

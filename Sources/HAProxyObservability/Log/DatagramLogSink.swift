#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Sends syslog datagrams on a non-blocking socket: UDP to an address, or a
/// UNIX datagram socket by path (`/dev/log`).
///
/// The UNIX socket is connected lazily on the first line, so when the
/// process has chrooted by then `/dev/log` resolves inside the chroot (Debian
/// bind-mounts it at /var/lib/haproxy/dev/log). When the receiver restarts
/// (rsyslog, journald) the send fails with ECONNREFUSED or ENOTCONN: the
/// line is dropped and the socket reconnects by path, at most once per
/// `reconnectInterval`. EAGAIN and ENOBUFS (receiver too slow) drop the
/// line and count it, as HAProxy does.
public final class DatagramLogSink: LogSink, @unchecked Sendable {
    public enum Kind: Sendable, Equatable {
        case udp(host: String, port: Int)
        case unix(path: String)
    }

    public let kind: Kind
    private let dropped: LogCounter
    private let lock = LogLock()
    private var fd: Int32 = -1
    private var lastConnectAttempt: Int64 = Int64.min
    /// Microseconds between two reconnection attempts.
    public var reconnectInterval: Int64 = 1_000_000
    private var udpAddress = sockaddr_storage()
    private var udpAddressLength: socklen_t = 0
    private var closed = false

    public init(_ kind: Kind, dropped: LogCounter) throws {
        self.kind = kind
        self.dropped = dropped
        if case .udp(let host, let port) = kind {
            try resolveUDP(host: host, port: port)
        }
    }

    deinit { if fd >= 0 { _ = Glibc.close(fd) } }

    private func resolveUDP(host: String, port: Int) throws {
        var a4 = sockaddr_in()
        var a6 = sockaddr_in6()
        if inet_pton(AF_INET, host, &a4.sin_addr) == 1 {
            a4.sin_family = sa_family_t(AF_INET)
            a4.sin_port = in_port_t(UInt16(port).bigEndian)
            withUnsafeBytes(of: &a4) { src in
                withUnsafeMutableBytes(of: &udpAddress) { $0.copyMemory(from: src) }
            }
            udpAddressLength = socklen_t(MemoryLayout<sockaddr_in>.size)
        } else if inet_pton(AF_INET6, host, &a6.sin6_addr) == 1 {
            a6.sin6_family = sa_family_t(AF_INET6)
            a6.sin6_port = in_port_t(UInt16(port).bigEndian)
            withUnsafeBytes(of: &a6) { src in
                withUnsafeMutableBytes(of: &udpAddress) { $0.copyMemory(from: src) }
            }
            udpAddressLength = socklen_t(MemoryLayout<sockaddr_in6>.size)
        } else {
            throw LogConfigError("unable to parse address '\(host)'")
        }
    }

    /// Opens (and for UNIX, connects) the socket; true when usable.
    private func openLocked() -> Bool {
        if fd >= 0 { return true }
        let now = LogClock.nowMicros()
        if lastConnectAttempt != Int64.min && now - lastConnectAttempt < reconnectInterval { return false }
        lastConnectAttempt = now
        switch kind {
        case .udp:
            let family = Int32(udpAddress.ss_family)
            let s = socket(family, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard s >= 0 else { return false }
            fd = s
            return true
        case .unix(let path):
            let s = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard s >= 0 else { return false }
            var addr = sockaddr_un()
            addr.sun_family = sa_family_t(AF_UNIX)
            let bytes = Array(path.utf8)
            guard bytes.count < MemoryLayout.size(ofValue: addr.sun_path) else { _ = Glibc.close(s); return false }
            withUnsafeMutableBytes(of: &addr.sun_path) { p in
                for (i, b) in bytes.enumerated() { p[i] = b }
                p[bytes.count] = 0
            }
            let rc = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(s, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
                }
            }
            guard rc == 0 else { _ = Glibc.close(s); return false }
            fd = s
            return true
        }
    }

    @discardableResult
    public func send(_ line: UnsafeRawBufferPointer) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard !closed, openLocked() else { dropped.increment(); return false }
        let n: Int
        switch kind {
        case .udp:
            n = withUnsafePointer(to: &udpAddress) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, line.baseAddress, line.count, Int32(MSG_DONTWAIT) | Int32(MSG_NOSIGNAL), $0, udpAddressLength)
                }
            }
        case .unix:
            n = Glibc.send(fd, line.baseAddress, line.count, Int32(MSG_DONTWAIT) | Int32(MSG_NOSIGNAL))
        }
        if n >= 0 { return true }
        let err = errno
        dropped.increment()
        if case .unix = kind, err != EAGAIN, err != EWOULDBLOCK, err != ENOBUFS, err != EINTR, err != EMSGSIZE {
            // ECONNREFUSED, ENOTCONN...: the receiver went away; reconnect by
            // path on a later line (rate-limited).
            _ = Glibc.close(fd)
            fd = -1
            lastConnectAttempt = LogClock.nowMicros() - reconnectInterval
        }
        return false
    }

    public func close() {
        lock.withLock {
            closed = true
            if fd >= 0 { _ = Glibc.close(fd); fd = -1 }
        }
    }
}

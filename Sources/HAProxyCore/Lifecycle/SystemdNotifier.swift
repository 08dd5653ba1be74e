#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import HAProxyBase

/// The sd_notify(3) protocol without libsystemd: one datagram per state
/// change to the UNIX socket named by `$NOTIFY_SOCKET` (a leading '@' names
/// the abstract namespace). Used by `-Ws` (`Type=notify` units).
public struct SystemdNotifier {
    public let socketPath: String?

    public init(environment: [String: String] = ProcessEnvironment.variables) {
        let path = environment["NOTIFY_SOCKET"]
        socketPath = (path?.isEmpty ?? true) ? nil : path
    }

    public var isEnabled: Bool { socketPath != nil }

    /// Sends `state` (newline-separated `KEY=value` assignments); returns
    /// false when there is no socket or the datagram could not be sent.
    @discardableResult
    public func notify(_ state: String) -> Bool {
        guard let path = socketPath else { return false }
        let fd = socket(AF_UNIX, CInt(SOCK_DGRAM.rawValue) | CInt(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(path.utf8)
        let abstract = bytes.first == UInt8(ascii: "@")
        if abstract { bytes[0] = 0 }
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard bytes.count < capacity else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, b) in bytes.enumerated() { raw[i] = b }
        }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + (abstract ? 0 : 1))
        let payload = Array(state.utf8)
        let sent = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { addr in
                payload.withUnsafeBytes { sendto(fd, $0.baseAddress, $0.count, CInt(MSG_NOSIGNAL), addr, length) }
            }
        }
        return sent == payload.count
    }

    /// `READY=1` with the main pid, as after start and after each reload.
    public func ready(mainPID: Int32 = getpid(), status: String? = nil) {
        var text = "READY=1\nMAINPID=\(mainPID)"
        if let status { text += "\nSTATUS=\(status)" }
        notify(text)
    }

    /// `RELOADING=1` with the CLOCK_MONOTONIC time `Type=notify-reload` wants.
    public func reloading() {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let usec = UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1000
        notify("RELOADING=1\nMONOTONIC_USEC=\(usec)")
    }

    public func stopping() {
        notify("STOPPING=1")
    }
}

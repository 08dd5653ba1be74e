#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import HAProxyConfig
import HAProxyIO
import HAProxyRules
import HAProxyTLS
import NIOCore

/// A listening socket of a frontend (`bind` line address).
///
/// Sockets are bound with plain system calls before anything else starts
/// (before `daemon` forks, before privileges are dropped, and so that a
/// future worker can inherit them), then watched by the I/O driver in
/// `activate(on:)`.
final class Listener {
    let bind: BindConfig
    let fd: CInt
    /// The socket's accepting side on the I/O driver, once activated.
    private var driver: DriverListener?
    unowned let frontend: Frontend
    /// On an `ssl` bind: the context each accepted connection's TLS starts from.
    let tls: TLSServerContext?
    /// Its name, number and open connections, as fetches read them.
    let view: ListenerView

    /// - Parameter id: the listener's number in its frontend, from 1.
    init(bind: BindConfig, fd: CInt, frontend: Frontend, id: Int) {
        self.bind = bind
        self.view = ListenerView(name: bind.name, id: id)
        self.fd = fd
        self.frontend = frontend
        self.tls = frontend.tlsContexts[bind.location]
        if case .inet = bind.address { Self.setSmartAccept(fd, frontend.config.smartAccepts) }
    }

    /// `option tcp-smart-accept` (on by default in `mode http`): the
    /// acknowledgement of a request waits for the response it can ride on
    /// (TCP_QUICKACK off on the listening socket, which its connections
    /// inherit, as 2.6 sets it). Set both ways: a socket handed over by a
    /// reload may carry the previous configuration's choice.
    private static func setSmartAccept(_ fd: CInt, _ on: Bool) {
        var quickAck: CInt = on ? 0 : 1
        setsockopt(fd, CInt(IPPROTO_TCP), TCP_QUICKACK, &quickAck, socklen_t(MemoryLayout<CInt>.size))
    }

    /// Accepts on the I/O driver: the socket is watched on the first of
    /// `loops`, and its connections are spread over all of them.
    func activate(on loops: [IOLoop]) throws {
        let driver = DriverListener(listener: self, loops: loops)
        try loops[0].submit { try driver.start() }.wait()
        self.driver = driver
    }

    /// Stops or resumes accepting new connections (maxconn, TTOU/TTIN).
    @discardableResult
    func setAccepting(_ on: Bool) -> EventLoopFuture<Void>? {
        guard let driver else { return nil }
        return driver.loop.submit { driver.setAccepting(on) }
    }

    /// Closes the socket; the future (nil before `activate`) completes
    /// once no further connection can be accepted from it.
    @discardableResult
    func close() -> EventLoopFuture<Void>? {
        var closed: EventLoopFuture<Void>?
        if let driver {
            self.driver = nil
            closed = driver.loop.submit { [fd] in
                driver.stop()
                Glibc.close(fd)
            }
        } else {
            Glibc.close(fd)
        }
        if case .unix(let path) = bind.address, !Listener.keepsUnixSocketPaths { unlink(path) }
        return closed
    }

    /// Binds and listens on `bind`'s address; returns the socket.
    /// - Parameter reusePort: SO_REUSEPORT on TCP sockets (off with
    ///   `noreuseport` or `-dR`: then no other socket binds the address).
    static func open(_ bind: BindConfig, backlog: Int, reusePort: Bool = true) throws -> CInt {
        switch bind.address {
        case .fd(let fd):
            var type: CInt = 0
            var len = socklen_t(MemoryLayout<CInt>.size)
            guard getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == 0 else {
                throw SocketError("cannot use fd \(fd)", errno)
            }
            _ = listen(fd, CInt(backlog))
            return fd
        case .inet(let host, let port, let family):
            let any = host.isEmpty || host == "*"
            let address: SocketAddress
            if any {
                address = try SocketAddress(ipAddress: family == .ipv6 ? "::" : "0.0.0.0", port: port)
            } else {
                address = try SocketAddress.makeAddressResolvingHost(host, port: port)
            }
            let fd = socket(CInt(address.protocol.rawValue), CInt(SOCK_STREAM.rawValue) | CInt(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { throw SocketError("cannot create listening socket", errno) }
            var one: CInt = 1
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<CInt>.size))
            // Accepted sockets inherit it on Linux: no per-connection setsockopt.
            setsockopt(fd, CInt(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<CInt>.size))
            // As HAProxy: a new process binds next to the old one during a reload.
            if reusePort { setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, socklen_t(MemoryLayout<CInt>.size)) }
            if address.protocol == .inet6 && (bind.v6only || bind.v4v6) {
                var v: CInt = bind.v6only ? 1 : 0
                setsockopt(fd, CInt(IPPROTO_IPV6), IPV6_V6ONLY, &v, socklen_t(MemoryLayout<CInt>.size))
            }
            if bind.deferAccept {
                var secs: CInt = 1
                setsockopt(fd, CInt(IPPROTO_TCP), TCP_DEFER_ACCEPT, &secs, socklen_t(MemoryLayout<CInt>.size))
            }
            if bind.tfo {
                // 2.6 gives the Fast Open queue the listen backlog's length.
                var queue = CInt(backlog)
                setsockopt(fd, CInt(IPPROTO_TCP), TCP_FASTOPEN, &queue, socklen_t(MemoryLayout<CInt>.size))
            }
            try bindAndListen(fd, address, backlog: backlog)
            return fd
        case .unix(let path):
            let fd = socket(AF_UNIX, CInt(SOCK_STREAM.rawValue) | CInt(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { throw SocketError("cannot create listening socket", errno) }
            // Replace a stale socket left by a previous process.
            var st = stat()
            if lstat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFSOCK { unlink(path) }
            try bindAndListen(fd, try SocketAddress(unixDomainSocketPath: path), backlog: backlog)
            try applyUnixPermissions(bind, path: path)
            return fd
        case .abstract(let name):
            let fd = socket(AF_UNIX, CInt(SOCK_STREAM.rawValue) | CInt(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { throw SocketError("cannot create listening socket", errno) }
            var sun = sockaddr_un()
            sun.sun_family = sa_family_t(AF_UNIX)
            let bytes = Array(name.utf8.prefix(106))
            withUnsafeMutableBytes(of: &sun.sun_path) { p in
                p[0] = 0
                for (i, b) in bytes.enumerated() { p[i + 1] = b }
            }
            let len = socklen_t(MemoryLayout<sa_family_t>.size + 1 + bytes.count)
            let rc = withUnsafePointer(to: &sun) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, len) }
            }
            guard rc == 0 else {
                let e = errno
                Glibc.close(fd)
                throw SocketError("cannot bind socket", e)
            }
            guard listen(fd, CInt(backlog)) == 0 else { throw SocketError("cannot listen", errno) }
            return fd
        }
    }

    private static func bindAndListen(_ fd: CInt, _ address: SocketAddress, backlog: Int) throws {
        let rc = address.withSockAddr { Glibc.bind(fd, $0, socklen_t($1)) }
        if rc != 0 {
            let e = errno
            Glibc.close(fd)
            throw SocketError("cannot bind socket", e)
        }
        if listen(fd, CInt(backlog)) != 0 {
            let e = errno
            Glibc.close(fd)
            throw SocketError("cannot listen to socket", e)
        }
    }

    private static func applyUnixPermissions(_ bind: BindConfig, path: String) throws {
        if let mode = bind.unixMode, chmod(path, mode_t(mode)) != 0 {
            throw SocketError("cannot change UNIX socket mode", errno)
        }
        var uid: uid_t = UInt32.max, gid: gid_t = UInt32.max
        if let user = bind.unixUser {
            if let n = UInt32(user) { uid = n } else if let pw = getpwnam(user) { uid = pw.pointee.pw_uid }
        }
        if let group = bind.unixGroup {
            if let n = UInt32(group) { gid = n } else if let gr = getgrnam(group) { gid = gr.pointee.gr_gid }
        }
        if uid != UInt32.max || gid != UInt32.max, chown(path, uid, gid) != 0 {
            throw SocketError("cannot change UNIX socket ownership", errno)
        }
    }
}

/// A listening socket served by the I/O driver: it counts and rate-limits
/// accepts (`maxconnrate`, `maxsessrate`, `rate-limit sessions`: while none
/// fits, new connections wait in the kernel's backlog), and starts each
/// accepted connection's stream on the next loop in turn.
final class DriverListener: IOListenerOwner {
    unowned let listener: Listener
    let loops: [IOLoop]
    var loop: IOLoop { loops[0] }
    private var io: IOListener?
    private var next = 0

    /// The address every connection of the listener is accepted on, when
    /// it is bound to one (not a wildcard): no getsockname(2) per
    /// connection then.
    private let boundAddress: SocketAddress?

    init(listener: Listener, loops: [IOLoop]) {
        self.listener = listener
        self.loops = loops
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let bound = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener.fd, $0, &length) }
        } == 0 ? SocketAddress(storage) : nil
        switch bound {
        case .v4(let address)? where address.address.sin_addr.s_addr != INADDR_ANY: boundAddress = bound
        case .v6(let address)? where !Self.isWildcard(address.address.sin6_addr): boundAddress = bound
        default: boundAddress = nil
        }
    }

    private static func isWildcard(_ address: in6_addr) -> Bool {
        var address = address
        return withUnsafeBytes(of: &address) { $0.allSatisfy { $0 == 0 } }
    }

    func start() throws {
        io = try IOListener(fd: listener.fd, on: loop, owner: self)
    }

    func setAccepting(_ on: Bool) {
        io?.isAccepting = on
    }

    func stop() {
        io?.stop()
        io = nil
    }

    func ioAccepted(_ io: IOListener, fd: CInt, peer: SocketAddress?) {
        let frontend = listener.frontend
        frontend.countAcceptedByListener(now: RateClock.milliseconds(loop.now))
        let target = loops[next]
        next = (next + 1) % loops.count
        let listener = self.listener
        let local = boundAddress
        if target === loop {
            frontend.accepted(fd: fd, on: target, listener: listener, peer: peer, local: local)
        } else {
            target.post { frontend.accepted(fd: fd, on: target, listener: listener, peer: peer, local: local) }
        }
    }

    func ioAcceptFailed(_ io: IOListener, error: SystemCallError) {}

    func ioAcceptBudget(_ io: IOListener) -> IOAcceptBudget {
        switch listener.frontend.listenerAllowance(now: RateClock.milliseconds(loop.now)) {
        case .unlimited: return .unlimited
        case .upTo(let room): return .upTo(Int(room))
        case .wait(let milliseconds): return .wait(milliseconds: Int(milliseconds))
        }
    }
}

/// A failed socket operation, with the system's reason as HAProxy prints it.
struct SocketError: Error, CustomStringConvertible {
    let what: String
    let code: CInt

    init(_ what: String, _ code: CInt) {
        self.what = what
        self.code = code
    }

    var reason: String { String(cString: strerror(code)) }
    var description: String { "\(what) (\(reason))" }
}

/// An error found while building or starting the runtime, worded for an ALERT.
public struct RuntimeError: Error, CustomStringConvertible {
    public var message: String
    public var location: SourceLocation?
    /// Printed `[FILE:LINE] : MESSAGE` (server lines) rather than
    /// `parsing [FILE:LINE] : MESSAGE`.
    public var bracketed: Bool

    public init(_ message: String, location: SourceLocation? = nil, bracketed: Bool = false) {
        self.message = message
        self.location = location
        self.bracketed = bracketed
    }

    public var description: String { message }
}

import Foundation
import HAProxyConfig
import NIOCore
import NIOPosix

/// A bound listening socket of a frontend (`bind` line address).
final class Listener {
    let bind: BindConfig
    let channel: Channel
    unowned let frontend: Frontend

    init(bind: BindConfig, channel: Channel, frontend: Frontend) {
        self.bind = bind
        self.channel = channel
        self.frontend = frontend
    }

    /// Stops or resumes accepting new connections (maxconn, TTOU/TTIN).
    func setAccepting(_ on: Bool) {
        channel.setOption(.autoRead, value: on).whenFailure { _ in }
    }

    /// Binds `bind` for `frontend` on `group` (blocking: used at start-up).
    static func open(_ bind: BindConfig, frontend: Frontend, group: EventLoopGroup, defaultBacklog: Int) throws -> Listener {
        var bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: Int32(bind.backlog ?? frontend.config.backlog ?? defaultBacklog))
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelOption(.maxMessagesPerRead, value: 1)
            .childChannelInitializer { [unowned frontend] channel in
                do {
                    try frontend.accepted(channel, bind: bind)
                    return channel.eventLoop.makeSucceededVoidFuture()
                } catch {
                    return channel.eventLoop.makeFailedFuture(error)
                }
            }
        let channel: Channel
        switch bind.address {
        case .inet(let host, let port, let family):
            bootstrap = bootstrap.childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            if bind.deferAccept {
                bootstrap = bootstrap.serverChannelOption(
                    ChannelOptions.Types.SocketOption(level: .tcp, name: .init(rawValue: TCP_DEFER_ACCEPT)), value: 1)
            }
            let any = host.isEmpty || host == "*"
            let address: SocketAddress
            if any {
                address = family == .ipv6
                    ? try SocketAddress(ipAddress: "::", port: port)
                    : try SocketAddress(ipAddress: "0.0.0.0", port: port)
            } else {
                address = try SocketAddress.makeAddressResolvingHost(host, port: port)
            }
            if address.protocol == .inet6 && (bind.v6only || bind.v4v6) {
                bootstrap = bootstrap.serverChannelOption(
                    ChannelOptions.Types.SocketOption(level: .ipv6, name: .init(rawValue: IPV6_V6ONLY)),
                    value: bind.v6only ? 1 : 0)
            }
            channel = try bootstrap.bind(to: address).wait()
        case .unix(let path):
            channel = try bootstrap.bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true).wait()
            try applyUnixPermissions(bind, path: path)
        case .abstract(let name):
            let address = try SocketAddress(unixDomainSocketPath: "\0" + name)
            channel = try bootstrap.bind(to: address).wait()
        case .fd(let fd):
            channel = try bootstrap.withBoundSocket(fd).wait()
        }
        return Listener(bind: bind, channel: channel, frontend: frontend)
    }

    private static func applyUnixPermissions(_ bind: BindConfig, path: String) throws {
        if let mode = bind.unixMode, chmod(path, mode_t(mode)) != 0 {
            throw RuntimeError("cannot change mode of UNIX socket '\(path)': \(String(cString: strerror(errno)))")
        }
        var uid: uid_t = UInt32.max, gid: gid_t = UInt32.max
        if let user = bind.unixUser {
            if let n = UInt32(user) { uid = n } else if let pw = getpwnam(user) { uid = pw.pointee.pw_uid }
        }
        if let group = bind.unixGroup {
            if let n = UInt32(group) { gid = n } else if let gr = getgrnam(group) { gid = gr.pointee.gr_gid }
        }
        if uid != UInt32.max || gid != UInt32.max, chown(path, uid, gid) != 0 {
            throw RuntimeError("cannot change owner of UNIX socket '\(path)': \(String(cString: strerror(errno)))")
        }
    }
}

/// An error found while building or starting the runtime, worded for an ALERT.
public struct RuntimeError: Error, CustomStringConvertible {
    public var message: String
    public var location: SourceLocation?

    public init(_ message: String, location: SourceLocation? = nil) {
        self.message = message
        self.location = location
    }

    public var description: String { message }
}

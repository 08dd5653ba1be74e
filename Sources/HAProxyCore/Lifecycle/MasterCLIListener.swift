#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import HAProxyConfig
import NIOCore

/// A master CLI listening socket from `-S <bind>[,<bind options>...]`
/// (management.txt 3: the bind options are those of `bind`, with words
/// separated by commas): a UNIX path, `unix@path`, `abns@name`,
/// `ipv4@addr:port`, `ipv6@addr:port`, `addr:port` or `fd@N` (a listening
/// socket the process inherited as descriptor N), and the options `mode`,
/// `user`, `group`, `uid`, `gid`, `level`.
public struct MasterCLIListener {
    public enum Address: Equatable {
        case unix(String)
        case abstract(String)
        case inet(host: String, port: Int)
        /// `fd@N`: a socket already listening, inherited from the parent.
        case inherited(CInt)
    }

    public let argument: String
    public let address: Address
    public var level: StatsSocketConfig.Level = .admin
    public var mode: mode_t?
    public var user: String?
    public var group: String?
    public private(set) var fd: CInt = -1

    /// The key of this socket in the hand-over list.
    public var handoverKey: String { "master-cli:" + argument }

    public init(argument: String) throws {
        self.argument = argument
        let words = argument.split(separator: ",").flatMap { $0.split(separator: " ") }.map(String.init)
        guard let spec = words.first else { throw RuntimeError("-S requires an address") }
        if spec.hasPrefix("fd@") {
            let number = spec.dropFirst(3)
            guard let fd = CInt(number), fd >= 0 else {
                throw RuntimeError(Self.listenerFailure + "file descriptor '\(number)' is not a valid integer in '\(spec)'")
            }
            address = .inherited(fd)
        } else if spec.hasPrefix("unix@") {
            address = .unix(String(spec.dropFirst(5)))
        } else if spec.hasPrefix("abns@") {
            address = .abstract(String(spec.dropFirst(5)))
        } else if spec.hasPrefix("ipv4@") || spec.hasPrefix("ipv6@") || (!spec.contains("/") && spec.contains(":")) {
            var text = spec.hasPrefix("ipv") ? String(spec.dropFirst(5)) : spec
            guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]) else {
                throw RuntimeError("Cannot parse master CLI address '\(spec)' : missing port")
            }
            let portText = text[colon...]
            text.removeLast(portText.count)
            if text.hasPrefix("[") && text.hasSuffix("]") { text = String(text.dropFirst().dropLast()) }
            if text.isEmpty || text == "*" { text = spec.hasPrefix("ipv6@") ? "::" : "0.0.0.0" }
            address = .inet(host: text, port: port)
        } else {
            address = .unix(spec)
        }
        var i = 1
        while i < words.count {
            let option = words[i]
            let value = i + 1 < words.count ? words[i + 1] : nil
            switch option {
            case "mode":
                guard let value, let m = mode_t(value, radix: 8) else { throw RuntimeError("'mode' : missing or invalid mode (octal integer expected)") }
                mode = m
            case "user", "uid": user = value
            case "group", "gid": group = value
            case "level":
                guard let value, let l = StatsSocketConfig.Level(rawValue: value) else {
                    throw RuntimeError("'level' only supports 'user', 'operator', and 'admin'")
                }
                level = l
            default:
                // other bind options (accept-proxy, ...) accepted without effect
                i += 1
                continue
            }
            i += 2
        }
    }

    static let listenerFailure = "Cannot create the listener of the master CLI : "

    /// Adopts an inherited socket or binds a new one.
    ///
    /// - Parameter inherited: the socket a previous master handed over on
    ///   reload for this same argument, if any.
    public mutating func open(inherited: CInt?) throws {
        if let inherited {
            fd = inherited
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            return
        }
        switch address {
        case .inherited(let descriptor):
            // Already bound and listening: only check that it is a socket.
            var type: CInt = 0
            var length = socklen_t(MemoryLayout<CInt>.size)
            guard getsockopt(descriptor, SOL_SOCKET, SO_TYPE, &type, &length) == 0 else {
                let reason = String(cString: strerror(errno))
                throw RuntimeError(Self.listenerFailure + "cannot use file descriptor '\(descriptor)' : \(reason).")
            }
            fd = descriptor
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            // The master polls before accepting: a client gone in between
            // must not block it.
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        case .unix(let path):
            fd = socket(AF_UNIX, CInt(SOCK_STREAM.rawValue) | CInt(SOCK_CLOEXEC.rawValue), 0)
            var st = stat()
            if lstat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFSOCK { unlink(path) }
            try bindAndListen(try SocketAddress(unixDomainSocketPath: path), what: path)
            if let mode { chmod(path, mode) }
            if user != nil || group != nil {
                var uid: uid_t = .max, gid: gid_t = .max
                if let user { uid = UInt32(user) ?? getpwnam(user)?.pointee.pw_uid ?? .max }
                if let group { gid = UInt32(group) ?? getgrnam(group)?.pointee.gr_gid ?? .max }
                chown(path, uid, gid)
            }
        case .abstract(let name):
            fd = socket(AF_UNIX, CInt(SOCK_STREAM.rawValue) | CInt(SOCK_CLOEXEC.rawValue), 0)
            var sun = sockaddr_un()
            sun.sun_family = sa_family_t(AF_UNIX)
            let bytes = Array(name.utf8.prefix(106))
            withUnsafeMutableBytes(of: &sun.sun_path) { p in
                for (i, b) in bytes.enumerated() { p[i + 1] = b }
            }
            let len = socklen_t(MemoryLayout<sa_family_t>.size + 1 + bytes.count)
            let rc = withUnsafePointer(to: &sun) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, len) }
            }
            guard rc == 0, listen(fd, 16) == 0 else { throw failure("abns@" + name) }
        case .inet(let host, let port):
            let address = try SocketAddress(ipAddress: host, port: port)
            fd = socket(CInt(address.protocol.rawValue), CInt(SOCK_STREAM.rawValue) | CInt(SOCK_CLOEXEC.rawValue), 0)
            var one: CInt = 1
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<CInt>.size))
            try bindAndListen(address, what: "\(host):\(port)")
        }
    }

    private func bindAndListen(_ address: SocketAddress, what: String) throws {
        guard fd >= 0 else { throw failure(what) }
        let rc = address.withSockAddr { Glibc.bind(fd, $0, socklen_t($1)) }
        guard rc == 0, listen(fd, 16) == 0 else { throw failure(what) }
    }

    private func failure(_ what: String) -> RuntimeError {
        let reason = String(cString: strerror(errno))
        if fd >= 0 { Glibc.close(fd) }
        return RuntimeError("Cannot create master CLI socket '\(what)' : \(reason)")
    }

    /// Closes the socket; at the master's final exit also removes its path.
    public func close(unlinkingPath: Bool) {
        if fd >= 0 { Glibc.close(fd) }
        if unlinkingPath, case .unix(let path) = address { unlink(path) }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Listening-socket transfer between two processes over a stats socket
/// with `expose-fd listeners` (`-x <unix_socket>`, hidden CLI command
/// `_getsocks`; management guide section 3).
///
/// Both sides are ours, so the layout is simple rather than HAProxy's:
/// the magic `HXS1`, a little-endian UInt32 count, then for each socket a
/// little-endian UInt32 length and its listener key
/// (`ProxyRuntime.listenerKey`). The descriptors travel in order as
/// SCM_RIGHTS, in batches attached to their keys' records.
public enum SocketTransfer {
    static let magic: [UInt8] = Array("HXS1".utf8)
    /// Descriptors per message (the kernel accepts at most 253).
    static let batchSize = 200
    /// Bound on each blocking step of either side.
    static let timeoutSeconds = 5

    public struct Failure: Error {
        /// The warning the real one prints before its ALERT.
        public let message: String
    }

    // MARK: Old process

    /// Sends `sockets` over the connected UNIX socket `fd`. Returns false
    /// when the client went away before getting everything.
    static func send(_ sockets: [(key: String, fd: CInt)], over fd: CInt) -> Bool {
        var header = magic
        appendUInt32(&header, UInt32(sockets.count))
        guard sendAll(fd, header, fds: []) else { return false }
        var index = 0
        while index < sockets.count {
            let batch = sockets[index..<min(index + batchSize, sockets.count)]
            var data: [UInt8] = []
            for socket in batch {
                let key = Array(socket.key.utf8)
                appendUInt32(&data, UInt32(key.count))
                data += key
            }
            guard sendAll(fd, data, fds: batch.map(\.fd)) else { return false }
            index += batch.count
        }
        return true
    }

    private static func appendUInt32(_ bytes: inout [UInt8], _ value: UInt32) {
        for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }

    private static let headerSize = MemoryLayout<cmsghdr>.stride
    private static func align(_ n: Int) -> Int {
        let a = MemoryLayout<Int>.size
        return (n + a - 1) & ~(a - 1)
    }

    /// Writes all of `data`, the descriptors attached to its first bytes;
    /// waits (bounded) when the socket is full.
    private static func sendAll(_ fd: CInt, _ data: [UInt8], fds: [CInt]) -> Bool {
        var offset = 0
        var pendingFDs = fds
        var waits = 0
        while offset < data.count {
            let space = pendingFDs.isEmpty ? 0 : align(headerSize) + align(pendingFDs.count * 4)
            var control = [UInt8](repeating: 0, count: max(space, 1))
            let sent: Int = data.withUnsafeBytes { raw in
                control.withUnsafeMutableBytes { ctl in
                    var iov = iovec(
                        iov_base: UnsafeMutableRawPointer(mutating: raw.baseAddress! + offset), iov_len: data.count - offset)
                    var msg = msghdr()
                    return withUnsafeMutablePointer(to: &iov) { iovp in
                        msg.msg_iov = iovp
                        msg.msg_iovlen = 1
                        if space > 0 {
                            let header = ctl.baseAddress!.assumingMemoryBound(to: cmsghdr.self)
                            header.pointee.cmsg_len = headerSize + pendingFDs.count * 4
                            header.pointee.cmsg_level = SOL_SOCKET
                            header.pointee.cmsg_type = CInt(SCM_RIGHTS)
                            let body = ctl.baseAddress! + align(headerSize)
                            for (i, d) in pendingFDs.enumerated() {
                                body.storeBytes(of: d, toByteOffset: i * 4, as: CInt.self)
                            }
                            msg.msg_control = ctl.baseAddress
                            msg.msg_controllen = space
                        }
                        return Glibc.sendmsg(fd, &msg, CInt(MSG_NOSIGNAL))
                    }
                }
            }
            if sent > 0 {
                offset += sent
                pendingFDs = []
                continue
            }
            if sent < 0 && errno == EINTR { continue }
            guard sent < 0, errno == EAGAIN || errno == EWOULDBLOCK, waits < timeoutSeconds * 10 else { return false }
            waits += 1
            var pfd = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            _ = poll(&pfd, 1, 100)
        }
        return true
    }

    // MARK: New process

    /// Connects to the old process's stats socket at `path`, asks for its
    /// listening sockets and returns them by listener key. Every received
    /// descriptor is in the result or closed.
    public static func receive(from path: String) -> Result<[String: CInt], Failure> {
        let fd = socket(AF_UNIX, CInt(SOCK_STREAM.rawValue) | CInt(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return .failure(Failure(message: "Failed to connect to the old process socket '\(path)'")) }
        defer { close(fd) }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let pathBytes = Array(path.utf8)
        guard pathBytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            return .failure(Failure(message: "Failed to connect to the old process socket '\(path)'"))
        }
        withUnsafeMutableBytes(of: &address.sun_path) { p in
            for (i, b) in pathBytes.enumerated() { p[i] = b }
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard connected == 0 else {
            return .failure(Failure(message: "Failed to connect to the old process socket '\(path)'"))
        }
        let request = Array("_getsocks\n".utf8)
        guard Glibc.send(fd, request, request.count, CInt(MSG_NOSIGNAL)) == request.count else {
            return .failure(Failure(message: "Failed to get the number of sockets to be transferred !"))
        }

        var data: [UInt8] = []
        var fds: [CInt] = []
        var count: Int?
        var keys: [String] = []
        var parsed = 0
        func fail(_ message: String) -> Result<[String: CInt], Failure> {
            for d in fds { close(d) }
            return .failure(Failure(message: message))
        }
        func readUInt32(at i: Int) -> Int {
            Int(data[i]) | Int(data[i + 1]) << 8 | Int(data[i + 2]) << 16 | Int(data[i + 3]) << 24
        }
        while count == nil || keys.count < count! || fds.count < count! {
            guard receiveSome(fd, into: &data, fds: &fds) else {
                return fail(count == nil
                    ? "Failed to get the number of sockets to be transferred !"
                    : "Failed to get the sockets from the old process socket '\(path)'")
            }
            if count == nil {
                if data.count >= 4 && Array(data[0..<4]) != magic {
                    return fail("Failed to get the number of sockets to be transferred !")
                }
                guard data.count >= 8 else { continue }
                count = readUInt32(at: 4)
                parsed = 8
            }
            while data.count - parsed >= 4 {
                let length = readUInt32(at: parsed)
                guard data.count - parsed - 4 >= length else { break }
                keys.append(String(decoding: data[(parsed + 4)..<(parsed + 4 + length)], as: UTF8.self))
                parsed += 4 + length
            }
        }
        var sockets: [String: CInt] = [:]
        for (key, socket) in zip(keys, fds) {
            if sockets[key] == nil { sockets[key] = socket } else { close(socket) }
        }
        for extra in fds.dropFirst(keys.count) { close(extra) }
        return .success(sockets)
    }

    /// One recvmsg: appends the bytes and any descriptors. False on EOF,
    /// error or timeout.
    private static func receiveSome(_ fd: CInt, into data: inout [UInt8], fds: inout [CInt]) -> Bool {
        var buffer = [UInt8](repeating: 0, count: 65536)
        let space = align(headerSize) + align(253 * 4)
        var control = [UInt8](repeating: 0, count: space)
        while true {
            var received: [CInt] = []
            let n: Int = buffer.withUnsafeMutableBytes { raw in
                control.withUnsafeMutableBytes { ctl in
                    var iov = iovec(iov_base: raw.baseAddress, iov_len: raw.count)
                    return withUnsafeMutablePointer(to: &iov) { iovp in
                        var msg = msghdr()
                        msg.msg_iov = iovp
                        msg.msg_iovlen = 1
                        msg.msg_control = ctl.baseAddress
                        msg.msg_controllen = space
                        let n = recvmsg(fd, &msg, CInt(MSG_CMSG_CLOEXEC))
                        // Walk the control messages (CMSG_FIRSTHDR/CMSG_NXTHDR).
                        var offset = 0
                        while n >= 0, offset + headerSize <= msg.msg_controllen {
                            let header = (ctl.baseAddress! + offset).assumingMemoryBound(to: cmsghdr.self).pointee
                            let length = Int(header.cmsg_len)
                            guard length >= headerSize else { break }
                            if header.cmsg_level == SOL_SOCKET && header.cmsg_type == CInt(SCM_RIGHTS) {
                                let body = ctl.baseAddress! + offset + align(headerSize)
                                for i in 0..<((length - align(headerSize)) / 4) {
                                    received.append(body.load(fromByteOffset: i * 4, as: CInt.self))
                                }
                            }
                            offset += align(length)
                        }
                        return n
                    }
                }
            }
            fds += received
            if n > 0 {
                data += buffer[0..<n]
                return true
            }
            if n < 0 && errno == EINTR { continue }
            return false
        }
    }
}

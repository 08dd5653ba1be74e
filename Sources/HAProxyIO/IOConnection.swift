#if canImport(Glibc)
import Glibc
#endif
import CEpoll
import NIOCore

/// What an `IOConnection` reports to whoever owns it, on its loop.
public protocol IOConnectionOwner: AnyObject {
    /// Bytes read. The buffer is the loop's read buffer: keeping it costs
    /// the next read an allocation, so take what is needed and let it go.
    func ioRead(_ connection: IOConnection, _ bytes: ByteBuffer)
    /// The end of a burst of reads (the socket has nothing more for now).
    func ioReadComplete(_ connection: IOConnection)
    /// The peer shut its sending side (half-close); writing still works.
    func ioInputClosed(_ connection: IOConnection)
    /// Queued bytes crossed the high (false) or low (true) water mark.
    func ioWritabilityChanged(_ connection: IOConnection, writable: Bool)
    /// Bytes went from this connection to its splice target without
    /// passing through the process (`splice(to:)`).
    func ioSpliced(_ connection: IOConnection, bytes: Int)
    /// The connection is closed, by either side; `error` when it failed.
    /// Reported once, from a task of the loop (never from inside a call
    /// the owner made).
    func ioClosed(_ connection: IOConnection, error: SystemCallError?)
    /// A connection opened by `connect(to:on:owner:)` is up (nil) or
    /// failed; nothing else is reported before. A connection closed while
    /// connecting reports ECANCELED here (and `ioClosed` after).
    func ioConnected(_ connection: IOConnection, error: SystemCallError?)
}

extension IOConnectionOwner {
    public func ioSpliced(_ connection: IOConnection, bytes: Int) {}
    public func ioConnected(_ connection: IOConnection, error: SystemCallError?) {}
}

/// A connected, non-blocking stream socket on an `IOLoop`: reads go to the
/// owner by a direct call, writes are queued and sent by `flush()` in one
/// system call (`writev` for several buffers), and nothing else is
/// allocated per operation. The descriptor is registered once,
/// edge-triggered; the connection remembers whether the socket still has
/// bytes to read or room to write, so starting and stopping reads
/// (back-pressure) costs no system call.
///
/// Used on its loop only.
public final class IOConnection: IOReadiness {
    public let loop: IOLoop
    public private(set) var fd: CInt
    /// Held until the connection closed and told it (a stream lives as
    /// long as its client connection); a plain reference, as a weak one
    /// costs a side table and an atomic load per event.
    public var owner: IOConnectionOwner?

    /// Whether the connection reads when the socket has bytes (NIO's
    /// `autoRead`).
    public var isReading = true {
        didSet {
            if isReading && !oldValue && socketReadable { scheduleRead() }
        }
    }
    public private(set) var isActive = true
    public private(set) var inputClosed = false
    public private(set) var outputClosed = false
    /// Below the high water mark since the last time it was crossed.
    public private(set) var isWritable = true

    private var socketReadable = false
    /// epoll saw the peer's FIN (or an error): reads go on until they meet
    /// it, a short read no longer meaning that the socket is empty.
    private var peerShut = false
    private var socketWritable = true
    /// epoll reports when the socket has room to write: from the connect
    /// on (a server connection), or from the first write that met a full
    /// socket, and not before (an idle socket is writable, and watching it
    /// from the start would report that for nothing). Once set it stays:
    /// dropping it again costs an epoll_ctl, for no gain measured.
    private var watchingWrites = false
    private var readScheduled = false
    /// Opened by `connect`, and not up yet.
    public private(set) var isConnecting = false
    /// `close()` resets the connection (SO_LINGER 0) while the peer has
    /// not closed its side, so that no TIME_WAIT keeps the local port:
    /// set on the connections of HTTP streams to their servers, which
    /// 2.6 closes that way when it is done with them.
    public var resetsWhenClosed = false
    /// The peer's and the local address, when known without a system call.
    private var knownRemoteAddress: SocketAddress?
    private var knownLocalAddress: SocketAddress?

    /// Splicing (`splice(to:)`): what this connection reads goes into
    /// `spliceOut` for `spliceTarget`; `spliceIn` holds what this
    /// connection sends for `spliceSource`.
    private var spliceOut: IOSplice?
    private var spliceTarget: IOConnection?
    private var spliceIn: IOSplice?
    private var spliceSource: IOConnection?

    private var pending: [ByteBuffer] = []
    /// How many of `pending` were flushed (they go out first).
    private var flushedCount = 0
    public private(set) var bufferedBytes = 0
    /// Called once every queued byte went out (or the connection closed).
    private var flushedCallbacks: [() -> Void] = []
    /// After the last flushed byte went out: shut the output, or close.
    private var afterFlush: CloseAfterFlush?
    private enum CloseAfterFlush { case output, all }

    public static let highWaterMark = 65536
    public static let lowWaterMark = 32768
    /// Reads at most this many times in a row before letting other
    /// connections of the loop have their turn.
    static let readsPerTurn = 4

    /// Takes `fd` (connected or connecting, non-blocking) and registers
    /// it, unless `registering` is false (then `readThenRegister()` does);
    /// the addresses, when the caller knows them (accept(2) gives the
    /// peer's), spare a system call when asked.
    public init(
        fd: CInt, on loop: IOLoop, remoteAddress: SocketAddress? = nil, localAddress: SocketAddress? = nil,
        registering: Bool = true
    ) throws {
        self.fd = fd
        self.loop = loop
        knownRemoteAddress = remoteAddress
        knownLocalAddress = localAddress
        pending = loop.takeSpareQueue()
        if registering { try register() }
    }

    /// What epoll watches on the socket.
    private var watchedEvents: UInt32 {
        IOEvents.readable | IOEvents.readHangUp | (watchingWrites ? IOEvents.writable : 0)
    }

    private func register() throws {
        try loop.register(fd, events: watchedEvents, handler: self)
    }

    /// The socket took less than it was given: from now on epoll reports
    /// when it has room again (the change itself reports it at once if
    /// room came back already).
    private func socketFull() {
        socketWritable = false
        guard !watchingWrites else { return }
        watchingWrites = true
        do {
            try loop.modify(fd, events: watchedEvents)
        } catch {
            fail(error as? SystemCallError ?? SystemCallError(errno: ENOMEM, call: "epoll_ctl"))
        }
    }

    /// For a connection made with `registering: false`, just accepted:
    /// reads what the peer sent already (a client's request usually comes
    /// with the connection), then registers the descriptor. The first
    /// bytes then cost no turn of the loop, and epoll reports only what
    /// comes after them.
    public func readThenRegister() {
        guard isActive else { return }
        socketReadable = true
        if isReading { readAvailable() }
        guard isActive else { return }
        do {
            try register()
        } catch {
            fail(error as? SystemCallError ?? SystemCallError(errno: ENOMEM, call: "epoll_ctl"))
        }
    }

    // MARK: Connecting

    /// Opens a non-blocking connection to `address`; `owner` is told on the
    /// loop once it is up or failed (`ioConnected`), and nothing before.
    public static func connect(
        to address: SocketAddress, on loop: IOLoop, owner: IOConnectionOwner?, keepAlive: TCPKeepAlive? = nil,
        smartConnect: Bool = false, source: SocketAddress? = nil
    ) throws -> IOConnection {
        let family = address.protocol.rawValue
        let fd = socket(family, CInt(SOCK_STREAM.rawValue) | CInt(SOCK_NONBLOCK.rawValue) | CInt(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SystemCallError(errno: errno, call: "socket") }
        var one: CInt = 1
        if family == AF_INET || family == AF_INET6 {
            setsockopt(fd, CInt(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<CInt>.size))
            keepAlive?.apply(to: fd)
            if smartConnect {
                // `option tcp-smart-connect`: no empty ACK ends the
                // handshake; the request's first segment carries it.
                var zero: CInt = 0
                setsockopt(fd, CInt(IPPROTO_TCP), TCP_QUICKACK, &zero, socklen_t(MemoryLayout<CInt>.size))
            }
        }
        if let source {
            // `source`: as 2.6, the port is picked at the connect when none
            // is given, so that one local port serves several servers.
            if source.port == 0 { setsockopt(fd, CInt(IPPROTO_IP), IP_BIND_ADDRESS_NO_PORT, &one, socklen_t(MemoryLayout<CInt>.size)) }
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<CInt>.size))
            guard source.withSockAddr({ Glibc.bind(fd, $0, socklen_t($1)) }) == 0 else {
                let error = SystemCallError(errno: errno, call: "bind")
                Glibc.close(fd)
                throw error
            }
        }
        let rc = address.withSockAddr { Glibc.connect(fd, $0, socklen_t($1)) }
        if rc != 0 && errno != EINPROGRESS {
            let error = SystemCallError(errno: errno, call: "connect")
            Glibc.close(fd)
            throw error
        }
        let connection: IOConnection
        do {
            connection = try IOConnection(fd: fd, on: loop, remoteAddress: address, registering: false)
            connection.socketWritable = false
            connection.isConnecting = true
            connection.watchingWrites = true
            try connection.register()
        } catch {
            Glibc.close(fd)
            throw error
        }
        connection.owner = owner
        if rc == 0 {
            // Connected at once (a local socket): reported from the loop all the same.
            loop.post { connection.finishConnecting(failed: false) }
        }
        return connection
    }

    /// The connect completed: `failed` when epoll reported an error or a
    /// hang-up with it, whose cause SO_ERROR then tells (a plain
    /// writable event means connected, and costs no system call).
    private func finishConnecting(failed: Bool) {
        guard isConnecting, isActive else { return }
        isConnecting = false
        var code: CInt = 0
        if failed {
            var length = socklen_t(MemoryLayout<CInt>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &code, &length)
        }
        if code != 0 {
            let error = SystemCallError(errno: code, call: "connect")
            owner?.ioConnected(self, error: error)
            fail(error)
            return
        }
        socketWritable = true
        owner?.ioConnected(self, error: nil)
        guard isActive else { return }
        if flushedCount > 0 || afterFlush != nil { writeFlushed() }
        if isReading && socketReadable { readAvailable() }
    }

    // MARK: Events

    public func ready(_ events: UInt32) {
        if isConnecting {
            // Bytes that came with the connection's completion are read below.
            if events & (IOEvents.writable | IOEvents.error | IOEvents.hangUp) != 0 {
                finishConnecting(failed: events & (IOEvents.error | IOEvents.hangUp) != 0)
            }
            if isConnecting || !isActive { return }
        }
        if events & (IOEvents.writable | IOEvents.error | IOEvents.hangUp) != 0 {
            socketWritable = true
            if flushedCount > 0 { writeFlushed() }
            if spliceIn != nil { sendSpliced() }
        }
        if events & (IOEvents.readable | IOEvents.readHangUp | IOEvents.hangUp | IOEvents.error) != 0 {
            socketReadable = true
            if events & (IOEvents.readHangUp | IOEvents.hangUp | IOEvents.error) != 0 { peerShut = true }
            if isReading && isActive && !readScheduled { readAvailable() }
        }
    }

    private func scheduleRead() {
        guard !readScheduled else { return }
        readScheduled = true
        loop.post(.read(self))
    }

    /// The turn `scheduleRead` asked for.
    func scheduledRead() {
        readScheduled = false
        if isReading && socketReadable && isActive { readAvailable() }
    }

    private func readAvailable() {
        if spliceOut != nil {
            spliceAvailable()
            return
        }
        var reads = 0
        while isReading && socketReadable && isActive && !inputClosed {
            if reads == Self.readsPerTurn {
                // Fairness: the rest after the loop's other connections.
                scheduleRead()
                break
            }
            reads += 1
            var result = 0
            loop.readBuffer.clear()
            _ = loop.readBuffer.writeWithUnsafeMutableBytes(minimumWritableBytes: IOLoop.readSize) { buffer in
                // recv, not read: read(2) on a socket goes through the
                // file layer first (file position lock, checks), some 2%
                // more kernel time per keep-alive request.
                result = Glibc.recv(fd, buffer.baseAddress, min(buffer.count, IOLoop.readSize), 0)
                return max(result, 0)
            }
            if result > 0 {
                // A short read emptied the socket: the next bytes bring a new edge.
                if result < IOLoop.readSize && !peerShut { socketReadable = false }
                owner?.ioRead(self, loop.readBuffer)
            } else if result == 0 {
                socketReadable = false
                inputClosed = true
                if reads > 1 { owner?.ioReadComplete(self) }
                owner?.ioInputClosed(self)
                return
            } else if errno == EAGAIN || errno == EWOULDBLOCK {
                socketReadable = false
            } else if errno != EINTR {
                fail(SystemCallError(errno: errno, call: "read"))
                return
            }
        }
        if isActive { owner?.ioReadComplete(self) }
    }

    // MARK: Writing

    /// Queues `bytes`; they go out at the next `flush()`.
    public func write(_ bytes: ByteBuffer) {
        guard isActive, !outputClosed, bytes.readableBytes > 0 else { return }
        pending.append(bytes)
        bufferedBytes += bytes.readableBytes
        if isWritable && bufferedBytes > Self.highWaterMark {
            isWritable = false
            owner?.ioWritabilityChanged(self, writable: false)
        }
    }

    /// Sends every queued byte the socket takes now; the rest goes when
    /// the socket has room again.
    public func flush() {
        flushedCount = pending.count
        if socketWritable && flushedCount > 0 { writeFlushed() }
    }

    /// Flushes, and calls `done` once every queued byte went out: at once
    /// when the socket took them all, or when the connection closed.
    public func whenFlushed(_ done: @escaping () -> Void) {
        flush()
        if pending.isEmpty || !isActive {
            done()
        } else {
            flushedCallbacks.append(done)
        }
    }

    private func writeFlushed() {
        while flushedCount > 0 && isActive {
            let result: Int
            if flushedCount == 1 {
                result = pending[0].withUnsafeReadableBytes { Glibc.send(fd, $0.baseAddress, $0.count, CInt(MSG_NOSIGNAL)) }
            } else {
                result = writeVector()
            }
            if result < 0 {
                if errno == EAGAIN || errno == EWOULDBLOCK {
                    socketFull()
                    return
                }
                if errno == EINTR { continue }
                fail(SystemCallError(errno: errno, call: "write"))
                return
            }
            consume(result)
        }
        guard flushedCount == 0, isActive else { return }
        if pending.isEmpty && !flushedCallbacks.isEmpty {
            let callbacks = flushedCallbacks
            flushedCallbacks = []
            for done in callbacks { done() }
            guard isActive else { return }
        }
        // Spliced bytes go after the buffered ones.
        if spliceIn != nil {
            sendSpliced()
        } else {
            endIfDrained()
        }
    }

    /// No buffered byte and no spliced byte waits to go out.
    private var nothingToSend: Bool { pending.isEmpty && (spliceIn?.bytes ?? 0) == 0 }

    /// Shuts the output or closes, as asked, once nothing is left to send.
    private func endIfDrained() {
        guard let mode = afterFlush, nothingToSend else { return }
        afterFlush = nil
        switch mode {
        case .output: shutdownOutput()
        case .all: finish(error: nil)
        }
    }

    // MARK: Splicing

    /// From now on, what this connection reads goes to `target` through a
    /// pipe with splice(2), not through the process: the owner is told
    /// the amounts (`ioSpliced`), not the bytes. Bytes already queued on
    /// `target` go first. False when no pipe could be had.
    public func splice(to target: IOConnection) -> Bool {
        guard isActive, target.isActive, spliceOut == nil, target.spliceIn == nil,
              let pipe = try? IOSplice() else { return false }
        spliceOut = pipe
        spliceTarget = target
        target.spliceIn = pipe
        target.spliceSource = self
        if isReading && socketReadable { scheduleRead() }
        return true
    }

    private func spliceAvailable() {
        guard let pipe = spliceOut, let target = spliceTarget else { return }
        var turns = 0
        while isReading && socketReadable && isActive && !inputClosed {
            let room = pipe.capacity - pipe.bytes
            // Full: reading resumes when the target has emptied it.
            if room <= 0 { return }
            if turns == Self.readsPerTurn {
                scheduleRead()
                return
            }
            turns += 1
            let moved = cepoll_splice(fd, pipe.writeFD, UInt(room))
            if moved > 0 {
                pipe.bytes += moved
                owner?.ioSpliced(self, bytes: moved)
                target.sendSpliced()
            } else if moved == 0 {
                socketReadable = false
                inputClosed = true
                owner?.ioInputClosed(self)
                return
            } else if errno == EAGAIN || errno == EWOULDBLOCK {
                // An empty pipe cannot be the one refusing: the socket is
                // empty. A pipe holding bytes may be out of slots: reading
                // resumes when the target has emptied it.
                if pipe.bytes == 0 { socketReadable = false }
                return
            } else if errno != EINTR {
                fail(SystemCallError(errno: errno, call: "splice"))
                return
            }
        }
    }

    /// Sends what waits in the pipe this connection is the target of.
    private func sendSpliced() {
        guard let pipe = spliceIn, isActive, pending.isEmpty, socketWritable else { return }
        while pipe.bytes > 0 {
            let sent = cepoll_splice(pipe.readFD, fd, UInt(pipe.bytes))
            if sent > 0 {
                pipe.bytes -= sent
            } else if sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                socketFull()
                return
            } else if sent < 0 && errno == EINTR {
                continue
            } else {
                fail(SystemCallError(errno: errno, call: "splice"))
                return
            }
        }
        if let source = spliceSource, source.isActive, source.isReading, source.socketReadable {
            source.scheduleRead()
        }
        endIfDrained()
    }

    private func writeVector() -> Int {
        let count = min(flushedCount, 64)
        return withUnsafeTemporaryAllocation(of: iovec.self, capacity: count) { vectors in
            for i in 0..<count {
                // The buffers stay in `pending`, unchanged, during the call.
                pending[i].withUnsafeReadableBytes { bytes in
                    vectors[i] = iovec(iov_base: UnsafeMutableRawPointer(mutating: bytes.baseAddress), iov_len: bytes.count)
                }
            }
            var message = msghdr()
            message.msg_iov = vectors.baseAddress
            message.msg_iovlen = count
            return sendmsg(fd, &message, CInt(MSG_NOSIGNAL))
        }
    }

    /// Drops `written` bytes from the front of the flushed buffers.
    private func consume(_ written: Int) {
        var left = written
        bufferedBytes -= written
        var done = 0
        while done < flushedCount {
            let size = pending[done].readableBytes
            if size > left {
                pending[done].moveReaderIndex(forwardBy: left)
                break
            }
            left -= size
            done += 1
        }
        if done == pending.count {
            // Popped one by one: `removeAll(keepingCapacity:)` goes through
            // the generic `replaceSubrange`, about 125 instructions more
            // for the one or two buffers a request leaves here.
            while pending.popLast() != nil {}
            flushedCount = 0
        } else if done > 0 {
            pending.removeFirst(done)
            flushedCount -= done
        }
        if !isWritable && bufferedBytes < Self.lowWaterMark {
            isWritable = true
            owner?.ioWritabilityChanged(self, writable: true)
        }
    }

    // MARK: Closing

    /// Sends a FIN once every queued byte went out; reading goes on.
    public func shutdownOutputWhenFlushed() {
        flush()
        if nothingToSend && !isConnecting {
            shutdownOutput()
        } else {
            afterFlush = .output
        }
    }

    /// Closes once every queued byte went out (at once when none is).
    public func closeWhenFlushed() {
        flush()
        // A FIN, never a reset: the peer is to read all of it.
        if nothingToSend { finish(error: nil) } else { afterFlush = .all }
    }

    public func shutdownOutput() {
        guard isActive, !outputClosed else { return }
        outputClosed = true
        if inputClosed {
            close()
        } else {
            Glibc.shutdown(fd, CInt(SHUT_WR))
        }
    }

    /// Closes now, dropping what was not sent: with a reset when
    /// `resetsWhenClosed` and the peer still has its side open.
    public func close() {
        if resetsWhenClosed && !inputClosed && !peerShut && !isConnecting {
            reset()
        } else {
            finish(error: nil)
        }
    }

    /// Closes with a reset (SO_LINGER 0) instead of a FIN.
    public func reset() {
        guard isActive else { return }
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        finish(error: nil)
    }

    /// Makes the connection disappear without telling the peer
    /// (`silent-drop`, as 2.6 does it on Linux): under TCP_REPAIR, which
    /// needs CAP_NET_ADMIN, closing sends nothing at all; without it the
    /// reset that SO_LINGER 0 makes leaves with a TTL (hop limit) of 1,
    /// so that it dies at the first router though a peer on the local
    /// network still gets it.
    public func silentDrop() {
        guard isActive else { return }
        var one: CInt = 1
        let size = socklen_t(MemoryLayout<CInt>.size)
        // The ACK of what the client sent goes first (a delayed one is
        // due under `tcp-smart-accept`): data left unacknowledged would be
        // sent again, and answered by a reset once the socket is gone.
        _ = setsockopt(fd, CInt(IPPROTO_TCP), TCP_QUICKACK, &one, size)
        if setsockopt(fd, CInt(IPPROTO_TCP), Self.tcpRepair, &one, size) != 0 {
            // Both: an IPv6 socket may carry IPv4-mapped traffic.
            _ = setsockopt(fd, CInt(IPPROTO_IP), IP_TTL, &one, size)
            _ = setsockopt(fd, CInt(IPPROTO_IPV6), IPV6_UNICAST_HOPS, &one, size)
        }
        reset()
    }

    /// TCP_REPAIR (linux/tcp.h), which Glibc's module does not export.
    private static let tcpRepair: CInt = 19

    private func fail(_ error: SystemCallError) {
        finish(error: error)
    }

    private func finish(error: SystemCallError?) {
        guard isActive else { return }
        isActive = false
        loop.forget(fd)
        Glibc.close(fd)
        fd = -1
        loop.keepSpareQueue(&pending)
        flushedCount = 0
        bufferedBytes = 0
        for done in flushedCallbacks { loop.post(done) }
        flushedCallbacks = []
        // The pipe's descriptors close once the other side lets it go too.
        spliceOut = nil
        spliceTarget = nil
        spliceIn = nil
        spliceSource = nil
        if isConnecting {
            isConnecting = false
            if error == nil { owner?.ioConnected(self, error: SystemCallError(errno: ECANCELED, call: "connect")) }
        }
        loop.post(.closed(self, error))
    }

    /// The task `finish` posted: the owner learns the end, and lets go.
    func reportClosed(_ error: SystemCallError?) {
        let owner = self.owner
        self.owner = nil
        owner?.ioClosed(self, error: error)
    }

    // MARK: Addresses

    public var localAddress: SocketAddress? {
        if knownLocalAddress == nil { knownLocalAddress = address(getsockname) }
        return knownLocalAddress
    }

    public var remoteAddress: SocketAddress? {
        if knownRemoteAddress == nil { knownRemoteAddress = address(getpeername) }
        return knownRemoteAddress
    }

    private func address(
        _ call: (CInt, UnsafeMutablePointer<sockaddr>, UnsafeMutablePointer<socklen_t>) -> CInt
    ) -> SocketAddress? {
        guard fd >= 0 else { return nil }
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let rc = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { call(fd, $0, &length) }
        }
        guard rc == 0 else { return nil }
        return SocketAddress(storage)
    }
}

extension SocketAddress {
    /// The address as a `sockaddr` and its length, for system calls.
    func withSockAddr<T>(_ body: (UnsafePointer<sockaddr>, Int) -> T) -> T {
        switch self {
        case .v4(let address):
            var raw = address.address
            return withUnsafePointer(to: &raw) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, MemoryLayout<sockaddr_in>.size) }
            }
        case .v6(let address):
            var raw = address.address
            return withUnsafePointer(to: &raw) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, MemoryLayout<sockaddr_in6>.size) }
            }
        case .unixDomainSocket(let address):
            var raw = address.address
            return withUnsafePointer(to: &raw) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, MemoryLayout<sockaddr_un>.size) }
            }
        }
    }

    /// The address a system call filled in (IPv4, IPv6 or a local socket).
    public init?(_ storage: sockaddr_storage) {
        var storage = storage
        switch CInt(storage.ss_family) {
        // No host name: `ipAddress` formats the address when asked, and
        // formatting it here (inet_ntop's printf) cost more than the rest
        // of a connection's set-up.
        case AF_INET:
            let raw = withUnsafePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee } }
            self.init(raw, host: "")
        case AF_INET6:
            let raw = withUnsafePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee } }
            self.init(raw, host: "")
        case AF_UNIX:
            let raw = withUnsafePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr_un.self, capacity: 1) { $0.pointee } }
            self.init(raw)
        default:
            return nil
        }
    }
}

#if canImport(Glibc)
import Glibc
#endif
import HAProxyConfig
import HAProxyDNS
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A `resolvers` section at run time (manual 5.3): one UDP socket per
/// nameserver, the resolutions of the servers that name the section, and
/// the servers' addresses and maintenance kept in step with the answers.
///
/// Everything runs on one event loop: a tick polls the resolutions (start,
/// retry, time out), answers arrive on the same loop, and nothing blocks.
/// Counters are read by `show resolvers` under their own lock.
final class ResolversRuntime {
    /// The servers of one backend that resolve the same name the same way.
    final class RequesterGroup {
        var resolution: Resolution
        let backend: Backend
        var servers: [Server]

        init(resolution: Resolution, backend: Backend, servers: [Server]) {
            self.resolution = resolution
            self.backend = backend
            self.servers = servers
        }
    }

    let config: ResolversConfig
    private let nameservers: [SocketAddress?]
    private var channels: [Channel?]
    /// The `tcp@` nameservers' connections (nil for UDP ones).
    private var streams: [TCPNameserverConnection?]
    private let countersLock = NIOLock()
    private var counters: [NameserverCounters]
    private(set) var groups: [RequesterGroup] = []
    private var eventLoop: EventLoop?
    private var task: RepeatedTask?
    private var lastID = UInt16.random(in: 0...UInt16.max)
    /// Operational messages, as `ProxyRuntime` reports them.
    var report: (_ text: String, _ logLevel: LogLevel?, _ backend: Backend) -> Void = { _, _, _ in }

    /// Levels of the operational log lines (nil: standard error only).
    enum LogLevel { case notice, alert }

    init(config: ResolversConfig) {
        self.config = config
        nameservers = config.nameservers.map { try? SocketAddress(ipAddress: $0.host, port: $0.port) }
        channels = Array(repeating: nil, count: config.nameservers.count)
        streams = Array(repeating: nil, count: config.nameservers.count)
        counters = Array(repeating: NameserverCounters(), count: config.nameservers.count)
    }

    var timers: ResolutionTimers {
        var t = ResolutionTimers()
        t.resolveMs = UInt64(config.timeoutResolveMs)
        t.retryMs = UInt64(config.timeoutRetryMs)
        t.retries = config.resolveRetries
        t.holdNXMs = UInt64(config.holdNXMs)
        t.holdRefusedMs = UInt64(config.holdRefusedMs)
        t.holdTimeoutMs = UInt64(config.holdTimeoutMs)
        t.holdOtherMs = UInt64(config.holdOtherMs)
        t.holdObsoleteMs = UInt64(config.holdObsoleteMs)
        return t
    }

    /// Adds a server to the group resolving its name in its backend.
    func register(_ server: Server, name: String) {
        let prefer: Resolution.Family = server.config.options.resolvePreferIPv4 ? .ipv4 : .ipv6
        let key = DNSName.normalized(name)
        if let group = groups.first(where: {
            $0.backend === server.backend && $0.resolution.name == key && $0.resolution.prefer == prefer
        }) {
            group.servers.append(server)
            return
        }
        let resolution = Resolution(name: key, prefer: prefer, timers: timers, payloadSize: config.acceptedPayloadSize)
        groups.append(RequesterGroup(resolution: resolution, backend: server.backend, servers: [server]))
    }

    /// Opens the nameservers' sockets on `loop` and starts the tick.
    func start(on loop: EventLoop) {
        eventLoop = loop
        for (index, address) in nameservers.enumerated() {
            guard let address else { continue }
            if config.nameservers[index].isTCP {
                streams[index] = TCPNameserverConnection(address: address, eventLoop: loop) { [weak self] bytes in
                    self?.received(bytes, nameserver: index)
                }
                continue
            }
            let handler = NameserverHandler(index: index, owner: self)
            let bootstrap = DatagramBootstrap(group: loop)
                .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 65_536))
                .channelInitializer { $0.pipeline.addHandler(handler) }
            let host = address.protocol == .inet6 ? "::" : "0.0.0.0"
            channels[index] = try? bootstrap.bind(host: host, port: 0).wait()
        }
        let tick = max(10, min(100, config.timeoutRetryMs / 4, config.timeoutResolveMs / 4))
        task = loop.scheduleRepeatedTask(initialDelay: .zero, delay: .milliseconds(Int64(tick))) { [weak self] _ in
            self?.poll()
        }
    }

    func stop() {
        task?.cancel()
        for channel in channels { channel?.close(promise: nil) }
        if let loop = eventLoop {
            let streams = self.streams
            loop.execute { for stream in streams { stream?.close() } }
        }
    }

    static func nowMs() -> UInt64 { NIODeadline.now().uptimeNanoseconds / 1_000_000 }

    private func nextID() -> UInt16 {
        lastID &+= 1
        return lastID
    }

    private func poll() {
        let now = Self.nowMs()
        for group in groups {
            let action = group.resolution.poll(nowMs: now, nextID: nextID)
            perform(action, group: group, nameserver: nil, nowMs: now)
        }
    }

    private func perform(_ action: Resolution.Action, group: RequesterGroup, nameserver: Int?, nowMs: UInt64) {
        switch action {
        case .none:
            break
        case .send(let query):
            send(query)
        case .finished(let status):
            if status == .timeout {
                countersLock.withLock { for i in counters.indices { counters[i].timeout += 1 } }
            }
            apply(status, to: group, nameserver: nameserver, nowMs: nowMs)
        }
    }

    private func send(_ query: DNSQuery) {
        guard let bytes = query.encoded() else { return }
        for (index, stream) in streams.enumerated() {
            guard let stream else { continue }
            stream.send(bytes) { [weak self] written in
                guard let self else { return }
                self.countersLock.withLock {
                    if written { self.counters[index].sent += 1 } else { self.counters[index].sendErrors += 1 }
                }
            }
        }
        for (index, channel) in channels.enumerated() where streams[index] == nil {
            guard let channel, let address = nameservers[index] else {
                countersLock.withLock { counters[index].sendErrors += 1 }
                continue
            }
            var buffer = channel.allocator.buffer(capacity: bytes.count)
            buffer.writeBytes(bytes)
            let promise = channel.eventLoop.makePromise(of: Void.self)
            promise.futureResult.whenComplete { [weak self] result in
                guard let self else { return }
                self.countersLock.withLock {
                    if case .success = result { self.counters[index].sent += 1 } else { self.counters[index].sendErrors += 1 }
                }
            }
            channel.writeAndFlush(AddressedEnvelope(remoteAddress: address, data: buffer), promise: promise)
        }
    }

    /// An answer from nameserver `index`; datagrams from any other address
    /// or port are dropped unread.
    fileprivate func received(_ envelope: AddressedEnvelope<ByteBuffer>, nameserver index: Int) {
        guard let expected = nameservers[index], envelope.remoteAddress == expected else { return }
        var buffer = envelope.data
        received(buffer.readBytes(length: buffer.readableBytes) ?? [], nameserver: index)
    }

    /// An answer's bytes from nameserver `index` (a datagram, or a message
    /// of a `tcp@` connection).
    private func received(_ bytes: [UInt8], nameserver index: Int) {
        let now = Self.nowMs()
        if bytes.count > config.acceptedPayloadSize && !config.nameservers[index].isTCP {
            countersLock.withLock { counters[index].tooBig += 1 }
            return
        }
        let verdict: Resolution.AnswerVerdict
        var next: (Resolution.Action, RequesterGroup)?
        do {
            let response = try DNSResponse(parsing: bytes)
            guard let group = groups.first(where: { $0.resolution.inFlight?.id == response.id }) else {
                countersLock.withLock { counters[index].outdated += 1 }
                return
            }
            let (v, action) =
                response.isTruncated && !config.nameservers[index].isTCP
                ? group.resolution.receiveTruncated(
                    response, completeAnswerComing: streams.contains { $0 != nil }, nowMs: now, nextID: nextID)
                : group.resolution.receive(response, nowMs: now, nextID: nextID)
            verdict = v
            next = (action, group)
        } catch {
            let id = bytes.count >= 2 ? UInt16(bytes[0]) << 8 | UInt16(bytes[1]) : nil
            guard let id, let group = groups.first(where: { $0.resolution.inFlight?.id == id }) else {
                countersLock.withLock { counters[index].invalid += 1 }
                return
            }
            let (v, action) = group.resolution.receiveInvalid(id: id, nowMs: now, nextID: nextID)
            verdict = v
            next = (action, group)
        }
        countersLock.withLock { counters[index].count(verdict) }
        if let (action, group) = next { perform(action, group: group, nameserver: index, nowMs: now) }
    }

    /// Applies the end of a resolution to the group's servers.
    private func apply(_ status: ResolutionStatus, to group: RequesterGroup, nameserver: Int?, nowMs: UInt64) {
        let backend = group.backend
        if status != .valid {
            guard group.resolution.holdExpired(nowMs: nowMs) else { return }
            for server in group.servers where !backend.lock.withLock({ server.inResolutionMaintenance }) {
                loseAddress(server, in: backend, reason: status.maintenanceReason)
            }
            return
        }
        if group.resolution.isService {
            applyServices(to: group)
            return
        }
        let members = group.servers.map { server in
            backend.lock.withLock {
                AddressAssignment.Member(
                    current: server.inResolutionMaintenance ? nil : Self.bytes(of: server.address),
                    allowDuplicates: server.config.options.allowDuplicateIP,
                    preferredNetworks: server.config.options.resolveNetworks.map { ($0.bytes, $0.prefixLength) })
            }
        }
        let assigned = AddressAssignment.assign(members, available: group.resolution.addresses.map(\.bytes))
        let source = nameserver.map { "\(config.name)/\(config.nameservers[$0].name)" } ?? "DNS cache"
        for (i, server) in group.servers.enumerated() {
            let old = members[i].current
            guard let new = assigned[i] else {
                if old != nil { loseAddress(server, in: backend, reason: "No IP for server ") }
                continue
            }
            let port = backend.lock.withLock { server.servicePort } ?? server.config.port ?? 0
            guard new != old, let text = Self.text(of: new), let address = try? SocketAddress(ipAddress: text, port: port)
            else { continue }
            let oldText = old.flatMap(Self.text(of:)) ?? "(none)"
            backend.lock.withLock { server.address = address }
            server.idlePool.closeAll()
            server.checker?.serverAddressChanged(address)
            server.agent?.serverAddressChanged(address)
            if let index = nameserver { countersLock.withLock { counters[index].update += 1 } }
            report(
                "\(backend.name)/\(server.name) changed its IP from \(oldText) to \(text) by \(i == 0 ? source : "DNS cache").",
                .notice, backend)
            if old == nil {
                backend.setState(server, resolution: false)
                let fqdn = backend.lock.withLock { server.fqdn } ?? ""
                report("Server \(backend.name)/\(server.name) ('\(fqdn)') is UP/READY (resolves again).", .notice, backend)
                report("Server \(backend.name)/\(server.name) administratively READY thanks to valid DNS answer.", .notice, backend)
            }
        }
    }

    /// SRV records to the group's servers: a server keeps its record while
    /// the answers hold it, the others take the records no server has.
    /// A record gives the target's name, the port, the weight (SRV weight
    /// / 256 + 1, unless `ignore-weight`) and, from the additional records,
    /// the address; a server whose record went away goes to maintenance.
    private func applyServices(to group: RequesterGroup) {
        let backend = group.backend
        let records = group.resolution.services.map(\.record)
        let current: [(target: String, port: Int)?] = group.servers.map { server in
            backend.lock.withLock { server.fqdn.map { ($0, server.servicePort ?? 0) } }
        }
        var assigned = [Int?](repeating: nil, count: group.servers.count)
        var used = Set<Int>()
        for (i, entry) in current.enumerated() {
            guard let entry,
                let j = records.indices.first(where: {
                    !used.contains($0) && records[$0].target == entry.target && records[$0].port == entry.port
                })
            else { continue }
            assigned[i] = j
            used.insert(j)
        }
        // Servers that never had a record come first (2.6 fills them before
        // those whose record went away).
        let hadRecord = group.servers.map { server in backend.lock.withLock { server.hostnameFlag } }
        let waitingOrder = group.servers.indices.filter { !hadRecord[$0] } + group.servers.indices.filter { hadRecord[$0] }
        for i in waitingOrder where assigned[i] == nil {
            guard let j = records.indices.first(where: { !used.contains($0) }) else { break }
            assigned[i] = j
            used.insert(j)
        }
        for (i, server) in group.servers.enumerated() {
            let waiting = backend.lock.withLock { server.inResolutionMaintenance }
            guard let j = assigned[i] else {
                guard current[i] != nil else { continue }
                leaveTargetGroups(server)
                backend.lock.withLock {
                    server.fqdn = nil
                    server.servicePort = nil
                }
                if !waiting { loseAddress(server, in: backend, reason: "entry removed from SRV record") }
                continue
            }
            let record = records[j]
            if current[i]?.target != record.target { leaveTargetGroups(server) }
            backend.lock.withLock {
                server.fqdn = record.target
                server.servicePort = record.port
                server.hostnameFlag = true
            }
            if !server.config.options.ignoreServiceWeight {
                let weight = min(record.weight / 256 + 1, LBServer.maxWeight)
                if backend.lock.withLock({ server.lb.userWeight }) != weight { backend.setWeight(server, weight) }
            }
            let old = waiting ? nil : backend.lock.withLock { Self.bytes(of: server.address) }
            let oldPort = backend.lock.withLock { server.address.port }
            guard let bytes = record.address, let text = Self.text(of: bytes),
                let address = try? SocketAddress(ipAddress: text, port: record.port)
            else {
                // No additional record for the target: its name is resolved
                // on its own, as any server's.
                if !waiting, current[i]?.target != record.target {
                    loseAddress(server, in: backend, reason: "No IP for server ")
                }
                if !groups.contains(where: { !$0.resolution.isService && $0.servers.contains { $0 === server } }) {
                    register(server, name: record.target)
                }
                continue
            }
            guard bytes != old || oldPort != record.port else { continue }
            backend.lock.withLock { server.address = address }
            server.idlePool.closeAll()
            server.checker?.serverAddressChanged(address)
            server.agent?.serverAddressChanged(address)
            if bytes != old {
                let oldText = old.flatMap(Self.text(of:)) ?? "(none)"
                report(
                    "\(backend.name)/\(server.name) changed its IP from \(oldText) to \(text) by DNS additional record.",
                    .notice, backend)
            }
            if waiting {
                backend.setState(server, resolution: false)
                report("Server \(backend.name)/\(server.name) ('\(record.target)') is UP/READY (resolves again).", .notice, backend)
            }
        }
    }

    /// An SRV server no longer resolves its previous target on its own.
    private func leaveTargetGroups(_ server: Server) {
        for group in groups where !group.resolution.isService { group.servers.removeAll { $0 === server } }
        groups.removeAll { $0.servers.isEmpty }
    }

    /// The server goes to maintenance without an address, as 2.6 words it.
    private func loseAddress(_ server: Server, in backend: Backend, reason: String) {
        let sessions = server.connectionCount
        let change = backend.setState(server, resolution: true)
        let usable = backend.usableCounts
        let text =
            "\(server.isBackup ? "Backup Server" : "Server") \(backend.name)/\(server.name) is going DOWN for maintenance (\(reason)). \(usable.active) active and \(usable.backup) backup servers left. \(sessions) sessions active, \(change.requeued) requeued, \(change.remainingInQueue) remaining in queue."
        // 2.6 logs it as an alert whether servers are left or not.
        report(text, .alert, backend)
    }

    /// `set server <b>/<s> fqdn <name>`: the server leaves its group for
    /// the one of the new name, and that name is asked at once.
    func changeName(of server: Server, to name: String) {
        guard let loop = eventLoop else { return }
        loop.execute { [self] in
            for group in groups { group.servers.removeAll { $0 === server } }
            groups.removeAll { $0.servers.isEmpty }
            register(server, name: name)
        }
    }

    /// The section's block of `show resolvers`.
    func render(into out: inout String) {
        out += "Resolvers section \(config.name)\n"
        let snapshot = countersLock.withLock { counters }
        for (index, nameserver) in config.nameservers.enumerated() {
            snapshot[index].render(name: nameserver.name, into: &out)
        }
    }

    static func bytes(of address: SocketAddress) -> [UInt8]? {
        switch address {
        case .v4(let a):
            return withUnsafeBytes(of: a.address.sin_addr) { Array($0) }
        case .v6(let a):
            return withUnsafeBytes(of: a.address.sin6_addr) { Array($0) }
        default:
            return nil
        }
    }

    static func text(of bytes: [UInt8]) -> String? {
        var out = [CChar](repeating: 0, count: 64)
        let family = bytes.count == 4 ? AF_INET : AF_INET6
        guard bytes.count == 4 || bytes.count == 16,
            inet_ntop(family, bytes, &out, socklen_t(out.count)) != nil
        else { return nil }
        return String(cString: out)
    }
}

/// Hands a nameserver's datagrams to its section.
private final class NameserverHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    let index: Int
    unowned let owner: ResolversRuntime

    init(index: Int, owner: ResolversRuntime) {
        self.index = index
        self.owner = owner
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        owner.received(unwrapInboundIn(data), nameserver: index)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        // ICMP errors and the like: the query times out and is sent again.
    }
}

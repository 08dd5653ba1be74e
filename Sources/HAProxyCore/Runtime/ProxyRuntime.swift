import HAProxyTables
import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import HAProxyConfig
import HAProxyHTTP
import HAProxyRules
import HAProxyObservability
import HAProxyTLS
import HAProxyIO
import Synchronization
import CEpoll
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// The running proxy: frontends, backends and servers built from one
/// immutable `Configuration`, on `nbthread` event loops.
///
/// Building validates everything `-c` must catch beyond the parser
/// (server addresses resolve, error files are valid HTTP responses)
/// without binding anything; `start()` binds the listeners.
public final class ProxyRuntime {
    public let configuration: Configuration
    public private(set) var frontends: [Frontend] = []
    public private(set) var backends: [Backend] = []
    /// Backends by name, for dynamic `use_backend` rules.
    private(set) var backendsByName: [String: Backend] = [:]
    /// Created by `start()`, after binding and daemonizing.
    public private(set) var group: MultiThreadedEventLoopGroup!
    /// The I/O driver's loops (`nbthread` of them), serving the `mode tcp`
    /// frontends that need no TLS; empty when no frontend runs there.
    private(set) var driverLoops: [IOLoop] = []
    private let lock = NIOLock()
    private var currentConnections = 0
    private var acceptingPaused = false
    private var stopping = false
    private var graceStarted = false
    private var finished = false
    /// Set once a soft stop's listeners are closed: no new connection can come.
    private var listenersClosed = false
    private var stopped: EventLoopPromise<Void>!
    /// The global maxconn in force; `set maxconn global` changes it.
    private var maxconnLimit: Int?
    /// `stats socket` listeners, bound with the frontends.
    var statsListeners: [StatsSocketListener] = []
    /// Streams alive now (`show sess`, `shutdown sessions`).
    let streams = ActiveStreams()
    /// Process-wide connection and session rates and their limits.
    let rates: ProcessRates
    /// Requests (HTTP) and streams (TCP) numbered as they start (`%rt`).
    let requestCounter = RequestCounter()
    /// TLS connections and handshakes (`show info` Ssl* fields).
    let tlsStatistics = TLSStatistics()
    /// `resolvers` sections, keeping servers' addresses in step with DNS.
    var resolvers: [ResolversRuntime] = []
    /// `peers` sections sharing stick tables with other processes.
    var peers: [PeersRuntime] = []
    /// The runtime API (stats socket commands).
    public private(set) lazy var cli = CLICommandProcessor(runtime: self)
    /// Warnings found while building (2.6 prints them at start and with `-c`).
    public private(set) var buildWarnings: [String] = []
    /// Log targets of every proxy; set before `start()`.
    public var logger: Logger?
    /// Receives operational messages (server UP/DOWN, no server available).
    public var onMessage: (_ level: MessageLevel, _ text: String) -> Void = { _, _ in }

    public enum MessageLevel: Sendable { case alert, warning, notice, info }

    /// `track-sc*` rules naming a table no proxy declares (2.6's check once
    /// the file is read).
    static func checkTrackedTables(_ configuration: Configuration, errors: inout [RuntimeError]) {
        for proxy in configuration.proxies where !proxy.disabled {
            let actions: [StickCounterAction] =
                (proxy.tcpRequestConnectionRules + proxy.tcpRequestSessionRules + proxy.tcpRequestContentRules).compactMap {
                    if case .stickCounter(let a) = $0.action { return a }
                    return nil
                } + proxy.httpRequestRules.compactMap {
                    if case .stickCounter(let a) = $0.action { return a }
                    return nil
                }
            for rule in proxy.stickingRules where StickTableRegistry.table(named: rule.table) == nil {
                let what = rule.kind == .storeResponse ? "store table" : "stick-table"
                errors.append(RuntimeError(
                    "Proxy '\(proxy.name)': unable to find \(what) '\(rule.table)'.", location: nil))
            }
            if proxy.mode == .tcp, proxy.stickingRules.contains(where: { $0.kind == .storeResponse }) {
                errors.append(RuntimeError(
                    "Proxy '\(proxy.name)': 'stick store-response' in 'mode tcp' is not supported by this build.",
                    location: nil))
            }
            for case .track(let slot, _, let table, _, _) in actions where StickTableRegistry.table(named: table) == nil {
                errors.append(RuntimeError(
                    "Proxy '\(proxy.name)': unable to find table '\(table)' referenced by track-sc\(slot).",
                    location: nil))
            }
        }
    }

    /// Builds the runtime; throws every problem found, each with its location.
    public init(configuration: Configuration) throws {
        self.configuration = configuration
        // The global section's `set-var` lines, evaluated when it was read.
        for (name, value) in configuration.global.processVariables { ProcessVariables.shared.set(name, value) }
        self.maxconnLimit = configuration.global.maxconn
        self.rates = ProcessRates(
            connectionLimit: configuration.global.maxConnRate, sessionLimit: configuration.global.maxSessRate)
        var errors: [RuntimeError] = []
        let global = configuration.global
        let headerCase = HTTPHeaderCase(global.headerCaseAdjust)
        if let user = global.user, getpwnam(user) == nil {
            errors.append(RuntimeError("cannot find user id for '\(user)' (0:Success)", location: global.userLocation))
        }
        if let group = global.group, getgrnam(group) == nil {
            errors.append(RuntimeError("cannot find group id for '\(group)' (0:Success)", location: global.groupLocation))
        }
        // The stick tables, listed by `show table` last declared first.
        // Tables that `stick` rules use remember the server (2.6 adds
        // `server_id` and `server_key` to them).
        let sticking = Set(configuration.proxies.flatMap { $0.stickingRules.map(\.table) })
        StickTableRegistry.install(configuration.proxies.reversed().compactMap { proxy in
            guard !proxy.disabled, var definition = proxy.stickTable?.definition else { return nil }
            if sticking.contains(definition.name) {
                for type in [StickDataType.serverID, .serverKey] where !definition.stores(type) {
                    definition.stored.append((type, 0))
                }
            }
            return StickTable(definition)
        } + configuration.peers.flatMap { $0.tables.map { StickTable($0.definition) } })
        Self.checkTrackedTables(configuration, errors: &errors)
        var backendsByName: [String: Backend] = [:]
        defer { self.backendsByName = backendsByName }
        let proxyIDs = ProxyNumbering.ids(configuration)
        let lastAddresses = LastAddresses(global: global)
        for proxy in configuration.proxies where proxy.capabilities.contains(.backend) && !proxy.disabled {
            var addresses: [SocketAddress] = []
            var unresolved: [Int] = []
            for (index, server) in proxy.servers.enumerated() {
                if server.options.resolvers != nil || server.options.initAddr != nil, !Self.hasLiteralHost(server) {
                    let last = { lastAddresses.address(of: server.name, in: proxy) }
                    switch Self.initialAddress(server, proxy: proxy, last: last, errors: &errors, warnings: &buildWarnings) {
                    case .address(let address):
                        addresses.append(address)
                    case .unresolved:
                        unresolved.append(index)
                        addresses.append(try! SocketAddress(ipAddress: "0.0.0.0", port: server.port ?? 0))
                    }
                    continue
                }
                do {
                    addresses.append(try Self.resolve(server))
                } catch {
                    errors.append(RuntimeError(
                        "'server \(proxy.name)/\(server.name)' : could not resolve address '\(server.host)'.",
                        location: server.location, bracketed: true))
                    addresses.append(try! SocketAddress(ipAddress: "0.0.0.0", port: 0))
                }
            }
            let pages = Self.errorPages(proxy, sections: configuration.httpErrors, errors: &errors)
            // `cookie ... dynamic`: servers without a value get one from
            // the key and their address.
            var dynamicCookies: [String: String] = [:]
            if let cookie = proxy.cookie, cookie.dynamic, let key = proxy.dynamicCookieKey {
                for (server, address) in zip(proxy.servers, addresses) where server.options.cookie == nil {
                    let bytes = address.withAddressBytes { Array($0) }
                    guard !bytes.isEmpty else { continue }
                    dynamicCookies[server.name] = CookieValues.dynamic(key: key, address: bytes, port: address.port ?? 0)
                }
            }
            let policy = HTTPBackendPolicy(
                index: backends.count, config: proxy, dynamicCookies: dynamicCookies, errorPages: pages,
                id: proxyIDs[proxy.name] ?? 0, headerCase: headerCase)
            let backend = Backend(config: proxy, addresses: addresses, httpPolicy: policy)
            for index in unresolved { backend.markUnresolved(backend.servers[index]) }
            Self.prepareServerTLS(backend, global: global.tls, errors: &errors)
            backend.onNoServerAvailable = { [weak self] b in self?.reportNoServer(b) }
            backends.append(backend)
            backendsByName[proxy.name] = backend
        }
        Self.linkTrackedServers(backendsByName)
        let rulesWriteTransactionLog = HTTPFrontendPolicy.rulesWriteTransactionLog(configuration.proxies)
        for proxy in configuration.proxies where proxy.capabilities.contains(.frontend) && !proxy.disabled {
            // Streams of both modes evaluate the `use_backend` rules (TCP ones
            // after their content rules); this is where none applies.
            let target: Backend?
            if let name = proxy.defaultBackend {
                target = backendsByName[name]
                if target == nil {
                    errors.append(RuntimeError(
                        "Proxy '\(proxy.name)': unable to find required default_backend: '\(name)'.",
                        location: proxy.location))
                }
            } else if proxy.capabilities.contains(.backend) {
                target = backendsByName[proxy.name]
            } else {
                target = nil
            }
            let pages = Self.errorPages(proxy, sections: configuration.httpErrors, errors: &errors)
            let limits = HTTPHeadLimits(bufferSize: global.tuneBufsize, maxRewrite: global.tuneMaxrewrite)
            let policy = HTTPFrontendPolicy(
                config: proxy, headLimits: limits, errorPages: pages, defaultBackend: target?.httpPolicy,
                userlists: configuration.userlists, backendNamed: { backendsByName[$0]?.httpPolicy },
                id: proxyIDs[proxy.name] ?? 0, rulesWriteTransactionLog: rulesWriteTransactionLog,
                headerCase: headerCase, compressionLevel: global.tuneCompMaxLevel)
            let frontend = Frontend(config: proxy, backend: target, httpPolicy: policy)
            frontend.runtime = self
            frontend.requestCounter = requestCounter
            frontend.activeStreams = streams
            frontend.processRates = rates
            frontend.backendsByIndex = backends
            frontend.tlsContexts = Self.bindTLSContexts(
                proxy, global: global.tls, errors: &errors, warnings: &buildWarnings)
            frontends.append(frontend)
        }
        if !errors.isEmpty {
            throw RuntimeBuildErrors(
                errors: errors, warnings: buildWarnings,
                addressInitializationFailed: errors.allSatisfy { $0.message.hasSuffix(Self.initAddrFailure) })
        }
        resolvers = buildResolvers()
        peers = buildPeers()
    }

    /// One TLS context per `ssl` bind line (shared by the line's addresses).
    static func bindTLSContexts(
        _ proxy: ProxyConfig, global: TLSGlobalConfig, errors: inout [RuntimeError], warnings: inout [String]
    ) -> [SourceLocation: TLSServerContext] {
        var contexts: [SourceLocation: TLSServerContext] = [:]
        var failed: Set<SourceLocation> = []
        for bind in proxy.binds where bind.tls.enabled {
            if contexts[bind.location] != nil || failed.contains(bind.location) { continue }
            do {
                let built = try TLSServerContext.build(
                    bind.tls, global: global, httpMode: proxy.mode == .http, proxy: proxy.name, location: bind.location)
                contexts[bind.location] = built.context
                warnings += built.warnings
            } catch {
                failed.insert(bind.location)
                errors.append(RuntimeError(error.message))
            }
        }
        return contexts
    }

    /// The TLS context and `sni` expression of each `ssl` server, and the
    /// context of its health checks when they run over TLS (`check-ssl`, or
    /// an `ssl` server checked on its own address and port).
    static func prepareServerTLS(_ backend: Backend, global: TLSGlobalConfig, errors: inout [RuntimeError]) {
        for server in backend.servers {
            let options = server.config.options
            let tls = options.tls
            let checksUseTLS = tls.checkSSL ?? (tls.enabled && options.checkPort == nil && options.checkAddr == nil)
            guard tls.enabled || checksUseTLS else { continue }
            // This build's tcp-check rulesets speak clear text only.
            if options.check && checksUseTLS && [.tcpCheck, .protocolCheck].contains(backend.config.healthCheck.kind) {
                let check = backend.config.healthCheck
                let kind = check.kind == .protocolCheck ? check.protocolCheck.map { "'option \($0.optionName)'" } : nil
                errors.append(RuntimeError(
                    "'server \(backend.name)/\(server.name)' : \(kind ?? "tcp-check") health checks over SSL are not supported by this build.",
                    location: server.config.location, bracketed: true))
            }
            let context: TLSClientContext
            do {
                context = try TLSClientContext.build(tls, global: global, backend: backend.name, server: server.name)
            } catch {
                errors.append(RuntimeError(
                    "'server \(backend.name)/\(server.name)' : \(error.message)", location: server.config.location,
                    bracketed: true))
                continue
            }
            if tls.enabled { server.tls = context }
            if checksUseTLS { server.checkTLS = context }
            if let text = tls.sni { server.sni = try? SampleExpression.parse(text) }
        }
    }

    /// Resolves a server's address now (hostnames at start, as HAProxy's `init-addr last,libc`).
    static func resolve(_ server: ServerConfig) throws -> SocketAddress {
        var host = server.host
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        let port = server.port ?? 0
        if let address = try? SocketAddress(ipAddress: host, port: port) { return address }
        return try SocketAddress.makeAddressResolvingHost(host, port: port)
    }

    /// A proxy's error pages (`errorfile`, `errorfiles`, `errorloc*`,
    /// `http-error`, the last line for a status winning), errorfiles validated.
    static func errorPages(
        _ proxy: ProxyConfig, sections: [HTTPErrorsSection], errors: inout [RuntimeError]
    ) -> [Int: HTTPErrorReply] {
        var pages: [Int: HTTPErrorReply] = [:]
        for (status, page) in proxy.errorPages(sections: sections) {
            switch page {
            case .file(let file):
                switch HTTPErrorPages.loadErrorFile(file.bytes) {
                case .success(let bytes): pages[status] = .bytes(bytes)
                case .failure(let error):
                    errors.append(RuntimeError("\(error.message) (errorfile '\(file.path)')", location: file.location))
                }
            case .redirect(let code, let location):
                pages[status] = .bytes(HTTPErrorPages.redirectPage(code: code, location: location))
            case .reply(let reply):
                pages[status] = .reply(reply)
            case .builtin:
                break
            }
        }
        return pages
    }

    // MARK: Start and stop

    /// Binds every listener (plain sockets, no event loop yet). Throws the
    /// first failure, worded as HAProxy's "cannot bind socket" ALERT.
    ///
    /// - Parameter inherited: listening sockets handed over by a previous
    ///   process (master-worker reload), keyed by `listenerKey(_:)`; a bind
    ///   whose key is there adopts that socket instead of binding again.
    public func bind(inheriting inherited: [String: CInt] = [:]) throws {
        for frontend in frontends {
            for (index, bind) in frontend.config.binds.enumerated() {
                if let fd = inherited[Self.listenerKey(bind)] {
                    if case .inet = bind.address { frontend.clientKeepAlive?.apply(to: fd) }
                    frontend.listeners.append(Listener(bind: bind, fd: fd, frontend: frontend, id: index + 1))
                    continue
                }
                do {
                    let backlog = bind.backlog ?? frontend.config.backlog
                        ?? frontend.config.maxconn ?? configuration.global.maxconn ?? 1024
                    let fd = try Listener.open(bind, backlog: backlog, reusePort: !configuration.global.noReusePort)
                    if case .inet = bind.address { frontend.clientKeepAlive?.apply(to: fd) }
                    frontend.listeners.append(Listener(bind: bind, fd: fd, frontend: frontend, id: index + 1))
                } catch let error as SocketError {
                    throw RuntimeError(
                        "Starting \(frontend.config.sectionName) \(frontend.name): \(error.what) (\(error.reason)) [\(bind.address)]",
                        location: bind.location)
                } catch {
                    throw RuntimeError(
                        "Starting \(frontend.config.sectionName) \(frontend.name): cannot bind socket (\(error)) [\(bind.address)]",
                        location: bind.location)
                }
            }
        }
        statsListeners = try StatsSocketListener.bindAll(configuration.global)
    }

    /// Closes whatever `bind` opened before it failed, so that it can run
    /// again (nothing accepts yet).
    func unbind() {
        for frontend in frontends {
            for listener in frontend.listeners { listener.close() }
            frontend.listeners.removeAll()
        }
        for listener in statsListeners { listener.close() }
        statsListeners.removeAll()
    }

    /// Identifies a bind across processes: the address as written.
    public static func listenerKey(_ bind: BindConfig) -> String {
        "\(bind.address)"
    }

    /// Every bound listening socket with its key, to hand over on reload.
    public var listenerDescriptors: [(key: String, fd: CInt)] {
        frontends.flatMap { fe in fe.listeners.map { (Self.listenerKey($0.bind), $0.fd) } }
    }

    /// Whether a soft or hard stop began (listeners closed or closing).
    var isStopping: Bool { lock.withLock { stopping } }

    /// Starts the event loops and accepts on the bound listeners.
    public func start() throws {
        for frontend in frontends {
            if let log = logger?.frontendLog(named: frontend.name), log.isEnabled { frontend.log = log }
        }
        TLSEngine.observer = tlsStatistics
        // The process's `cpu-map` binds this thread before the loops' are
        // made, so that they start where it allows (2.6 binds its process
        // in daemon and master-worker mode only).
        let cpuMap = configuration.global.cpuMap
        if Self.bindsProcessCPUs, let cpus = cpuMap.process { Self.bindCurrentThread(to: cpus) }
        group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, configuration.global.nbthread))
        for backend in backends { backend.warmupLoop = group.next() }
        stopped = group.next().makePromise()
        // Streams run on the I/O driver, TLS included (`ssl` binds and
        // servers: their connections' record layer a `TLSEngine`); the
        // NIO group serves the stats sockets, health checks, resolvers
        // and peers.
        if !frontends.isEmpty {
            for i in 0..<max(1, configuration.global.nbthread) {
                let loop = try IOLoop(index: i)
                loop.start(name: "haproxy-io-\(i)")
                driverLoops.append(loop)
            }
        }
        // Thread N is the N-th loop of the group and the N-th driver loop.
        if !cpuMap.threads.isEmpty {
            let loops: [[any EventLoop]] = [Array(group.makeIterator()), driverLoops]
            for list in loops {
                for (index, loop) in list.enumerated() {
                    guard let cpus = cpuMap.cpus(forThread: index + 1) else { continue }
                    try loop.submit { Self.bindCurrentThread(to: cpus) }.wait()
                }
            }
        }
        for frontend in frontends {
            for listener in frontend.listeners {
                try listener.activate(on: driverLoops)
            }
        }
        // Made here, before any loop runs, as the Prometheus exporter reads
        // its settings from the loops serving scrapes.
        let cli = self.cli
        for listener in statsListeners { try listener.activate(group: group, processor: cli) }
        try startHealthChecks()
        startResolvers()
        try startPeers()
    }

    /// Whether `cpu-map`'s process mapping binds the process: set when it
    /// runs as a daemon or as a master's worker.
    public static var bindsProcessCPUs = false

    /// Binds the calling thread to `cpus`; a set without any CPU of the
    /// machine binds nothing (the kernel refuses it, as it does 2.6's).
    private static func bindCurrentThread(to cpus: [Int]) {
        var mask = [UInt](repeating: 0, count: CPUMap.cpuLimit / UInt.bitWidth)
        for cpu in cpus { mask[cpu / UInt.bitWidth] |= 1 << UInt(cpu % UInt.bitWidth) }
        _ = cepoll_bind_current_thread(mask, mask.count)
    }

    /// Blocks until the runtime has stopped.
    public func wait() {
        try? stopped.futureResult.wait()
    }

    /// Soft stop (SIGUSR1): stop accepting, let streams finish, then stop.
    /// With `grace` in global, the listeners keep accepting for that long
    /// first (manual: `grace`), e.g. while a load balancer in front notices.
    public func softStop() {
        if let grace = configuration.global.graceMs, grace > 0, !graceStarted {
            graceStarted = true
            DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(grace)) { [self] in
                beginSoftStop()
            }
            return
        }
        beginSoftStop()
    }

    private func beginSoftStop() {
        lock.withLock { stopping = true }
        // A connection may still be accepted until the close completes on
        // the listener's loop: only then is "no connection left" final.
        let closing = frontends.flatMap { $0.listeners.compactMap { $0.close() } }
        for proxy in configuration.proxies where !proxy.disabled {
            let fe = frontends.first { $0.config.name == proxy.name }?.withCounters { $0.totalConnections } ?? 0
            let be = backends.first { $0.config.name == proxy.name }.map { b in b.lock.withLock { b.totalStreams } } ?? 0
            let line = "Proxy \(proxy.name) stopped (cumulated conns: FE: \(fe), BE: \(be))."
            onMessage(.warning, line)
            logger?.logOperational(.warning, line, proxy: proxy.name)
        }
        let finishIfIdle = { [self] in
            let idle: Bool = lock.withLock {
                listenersClosed = true
                return currentConnections == 0
            }
            if idle { finish() }
        }
        // The tables go to the next process before this one may end.
        let handOver = handOverPeers()
        if closing.isEmpty && handOver.isEmpty {
            finishIfIdle()
        } else {
            // Connections accepted just before the close may still be
            // queued for set-up on their driver loops: one pass through
            // each lets them register (and count) first.
            let group = self.group!
            let loops = driverLoops
            EventLoopFuture.andAllComplete(closing + handOver, on: group.next()).flatMap { _ in
                EventLoopFuture.andAllComplete(loops.map { $0.submit {} }, on: group.next())
            }.whenComplete { _ in finishIfIdle() }
        }
    }

    /// Hard stop (SIGTERM/SIGINT): close everything now.
    public func hardStop() {
        lock.withLock { stopping = true }
        for frontend in frontends {
            for listener in frontend.listeners { listener.close() }
        }
        finish()
    }

    private func finish() {
        let first: Bool = lock.withLock {
            defer { finished = true }
            return !finished
        }
        guard first else { return }
        stopHealthChecks()
        stopResolvers()
        stopPeers()
        for listener in statsListeners { listener.close() }
        for backend in backends {
            for server in backend.servers { server.idlePool.closeAll() }
        }
        stopped.succeed(())
    }

    /// SIGHUP in standalone mode: each server's state to the logs.
    public func dumpServerStates() {
        for backend in backends {
            for server in backend.servers {
                // On the signal queue: the event loops change these meanwhile.
                let (status, current, pending, total) = backend.lock.withLock {
                    (server.statusText, server.currentConnections, server.queue.count, server.totalConnections)
                }
                let line = "SIGHUP: Server \(backend.name)/\(server.name) is \(status). Conn: \(current) act, \(pending) pend, \(total) tot."
                onMessage(.notice, line)
                logger?.logOperational(.notice, line, proxy: backend.name)
            }
        }
    }

    /// Pause (TTOU) or resume (TTIN) every listener.
    public func setListenersPaused(_ paused: Bool) {
        for frontend in frontends { frontend.setAccepting(!paused) }
    }

    /// Pauses every listener and returns once none accepts any more, so
    /// another process can take over the shared sockets (worker reload,
    /// SIGTTOU before `-x`). Must not be called on an event loop.
    public func pauseListenersAndWait() {
        let applied = frontends.flatMap { $0.setAccepting(false) }
        for future in applied { try? future.wait() }
    }

    func connectionOpened() {
        let pause: Bool = lock.withLock {
            currentConnections += 1
            if let max = maxconnLimit, currentConnections >= max, !acceptingPaused {
                acceptingPaused = true
                return true
            }
            return false
        }
        if pause { setListenersPaused(true) }
    }

    func connectionClosed() {
        var resume = false
        let done: Bool = lock.withLock {
            currentConnections -= 1
            if acceptingPaused, let max = maxconnLimit, currentConnections < max {
                acceptingPaused = false
                resume = !stopping
            }
            return stopping && listenersClosed && currentConnections == 0
        }
        if resume { setListenersPaused(false) }
        if done { finish() }
    }



    public var connectionCount: Int { lock.withLock { currentConnections } }

    /// The global maxconn in force (`set maxconn global` changes it).
    public var globalMaxconnLimit: Int? {
        get { lock.withLock { maxconnLimit } }
        set { lock.withLock { maxconnLimit = newValue } }
    }

    public func backend(named name: String) -> Backend? { backends.first { $0.name == name } }
}

/// Every error found while building the runtime.
public struct RuntimeBuildErrors: Error {
    public var errors: [RuntimeError]
    /// Warnings found before the errors (2.6 prints both).
    public var warnings: [String] = []
    /// Only `init-addr` methods failed: 2.6 ends with "Failed to
    /// initialize server(s) addr." rather than "Fatal errors found".
    public var addressInitializationFailed = false
}

/// The process's count of requests (HTTP) and streams (TCP), each taking
/// the next number as it starts (`%rt`, from 0): shared by every loop.
final class RequestCounter: Sendable {
    private let count = Synchronization.Atomic<Int>(0)

    func next() -> Int { count.wrappingAdd(1, ordering: .relaxed).oldValue }
}

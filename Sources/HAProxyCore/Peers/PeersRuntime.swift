import HAProxyConfig
import HAProxyTables
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
#if canImport(Glibc)
import Glibc
#endif

/// A `peers` section at work (manual 3.5): listens on the local peer's
/// address, keeps one session with each remote peer (connecting to it
/// when it has none, every 5 seconds), pushes the entries that change in
/// the tables naming the section, applies the peers' updates, and asks for
/// a full resynchronisation once at start.
///
/// Every session and all of this state live on one event loop; the
/// tables tell it about changes from any loop through `noteChange`.
final class PeersRuntime {
    /// A table shared through the section.
    struct SharedTable {
        let table: StickTable
        /// The id this side gives it in definition messages (from 1).
        let id: UInt64
        /// The name both sides know it by.
        let wireName: [UInt8]
    }

    /// A remote peer and its session.
    final class RemotePeer {
        let config: PeersConfig.Peer
        var session: PeerSession?
        var reconnect: Scheduled<Void>?
        /// What `show peers` reports, read from any thread under `lock`.
        private var status = Status()
        private let lock = NIOLock()

        struct Status {
            var lastStatus = "NONE"
            var lastHandshake: UInt64?
            var reconnectAt: UInt64?
            var established = false
            var newConnections = 0
            var txHeartbeats = 0
            var rxHeartbeats = 0
            /// By local table index: the peer's id for it and the data
            /// types it sends, the last update received, pushed, acked.
            var remoteIDs: [Int: UInt64] = [:]
            var remoteData: [Int: UInt64] = [:]
            var lastGet: [Int: UInt32] = [:]
            var lastPushed: [Int: UInt32] = [:]
            var lastAcked: [Int: UInt32] = [:]
        }

        init(config: PeersConfig.Peer) { self.config = config }

        func withStatus<R>(_ body: (inout Status) -> R) -> R { lock.withLock { body(&status) } }
    }

    let config: PeersConfig
    let localName: String
    let tables: [SharedTable]
    let remotes: [RemotePeer]
    private(set) var loop: EventLoop!
    private var listener: Channel?
    private var stopped = false
    /// A full resync was received (or none is to be had).
    var resynced = false {
        didSet { if resynced { pendingLock.withLock { resyncDeadline = nil } } }
    }
    /// Until when a resync is awaited (`show peers`'s resync_timeout).
    private var resyncDeadline: UInt64?
    var resyncTimeoutLeft: UInt64? {
        pendingLock.withLock { resyncDeadline.map { $0 > StickTable.now ? $0 - StickTable.now : 0 } }
    }
    private var resyncTimer: Scheduled<Void>?
    /// The hand-over to the next process on a soft stop.
    private var handOver: (session: PeerSession?, promise: EventLoopPromise<Void>)?

    /// Changed entries waiting to be pushed, gathered from every loop.
    private let pendingLock = NIOLock()
    private var pending: [(table: Int, entry: StickEntry)] = []
    private var flushScheduled = false
    /// The id of the last update pushed, per table (under `pendingLock`,
    /// read by `show peers`).
    private var updateIDs: [UInt32]
    /// When the section started (`show peers`).
    let startDate = time(nil)

    func lastUpdateID(of table: Int) -> UInt32 { pendingLock.withLock { updateIDs[table] } }

    /// The keys of the last updates, per table, by id (under
    /// `pendingLock`): what a peer that comes back did not acknowledge.
    private var recent: [[(id: UInt32, key: StickKey)]] = []
    static let recentKept = 4096

    private func remember(_ key: StickKey, id: UInt32, of table: Int) {
        pendingLock.withLock {
            if recent.count <= table { recent += Array(repeating: [], count: table + 1 - recent.count) }
            if recent[table].count >= Self.recentKept { recent[table].removeFirst(Self.recentKept / 2) }
            recent[table].append((id, key))
        }
    }

    /// The keys updated after `acked` in table `table`, oldest first; nil
    /// when the updates kept do not reach back to it.
    private func keys(after acked: UInt32, of table: Int) -> [StickKey]? {
        pendingLock.withLock {
            let last = updateIDs[table]
            let missing = last &- acked
            guard missing > 0 else { return [] }
            guard table < recent.count, let first = recent[table].first, last &- first.id >= missing &- 1 else { return nil }
            return recent[table].filter { last &- $0.id < missing }.map(\.key)
        }
    }

    private func nextUpdateID(of table: Int) -> UInt32 {
        pendingLock.withLock {
            updateIDs[table] &+= 1
            return updateIDs[table]
        }
    }

    static let reconnectDelay = TimeAmount.seconds(5)
    static let resyncTimeout = TimeAmount.seconds(5)

    init(config: PeersConfig, localName: String, tables: [StickTable]) {
        self.config = config
        self.localName = localName
        var shared: [SharedTable] = []
        for (i, table) in tables.enumerated() {
            // A `table` line of the section is `<section>/<name>` here and
            // `/<name>` on the wire, as 2.6 sends it.
            var wire = Array(table.name.utf8)
            if table.name.hasPrefix(config.name + "/") { wire.removeFirst(config.name.utf8.count) }
            shared.append(SharedTable(table: table, id: UInt64(i + 1), wireName: wire))
        }
        self.tables = shared
        self.remotes = config.remotePeers.map(RemotePeer.init)
        self.updateIDs = Array(repeating: 0, count: shared.count)
    }

    func start(on loop: EventLoop) throws {
        self.loop = loop
        for (index, shared) in tables.enumerated() {
            shared.table.onChange = { [weak self] entry in self?.noteChange(table: index, entry: entry) }
        }
        if let local = config.localPeer {
            do {
                try listen(on: local)
            } catch {
                // 2.6's words, its reason as strerror() gives it.
                let reason = (error as? IOError).map { String(cString: strerror($0.errnoCode)) } ?? "\(error)"
                throw RuntimeError(
                    "Binding [\(local.location)] for proxy \(local.name): cannot bind socket (\(reason)) for [\(Self.text(local))]")
            }
        }
        loop.execute { [self] in
            pendingLock.withLock { resyncDeadline = StickTable.now + 5000 }
            resyncTimer = loop.scheduleTask(in: Self.resyncTimeout) { [weak self] in self?.resynced = true }
            for remote in remotes { connect(remote) }
        }
    }

    private func listen(on local: PeersConfig.Peer) throws {
        let address = try SocketAddress.makeAddressResolvingHost(local.host, port: local.port)
        listener = try ServerBootstrap(group: loop)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            // The next worker binds the same address while this one
            // still runs: it is where this one hands its tables over.
            .serverChannelOption(ChannelOptions.socketOption(NIOBSDSocket.Option(rawValue: SO_REUSEPORT)), value: 1)
            .childChannelInitializer { [weak self] channel in
                guard let self else { return channel.close() }
                return channel.eventLoop.makeCompletedFuture {
                    let session = PeerSession(runtime: self, channel: channel, outgoing: nil)
                    try channel.pipeline.syncOperations.addHandler(PeerSessionHandler(session: session))
                }
            }
            .bind(to: address).wait()
    }

    func stop() {
        loop?.execute { [self] in
            stopped = true
            for shared in tables { shared.table.onChange = nil }
            listener?.close(promise: nil)
            resyncTimer?.cancel()
            for remote in remotes {
                remote.reconnect?.cancel()
                remote.session?.close()
            }
        }
    }

    // MARK: Hand-over on reload

    /// Soft stop: the sessions with the remote peers close, the listener
    /// too, and the tables go to the process now listening on the local
    /// peer's address (the new worker of a reload), ending with "resync
    /// finished", as 2.6's old process does. Completes once the new
    /// process confirmed, or failed, or after 5 s.
    func handOverTables() -> EventLoopFuture<Void> {
        let promise = loop.makePromise(of: Void.self)
        loop.execute { [self] in
            guard !stopped else { return promise.succeed(()) }
            stopped = true
            resyncTimer?.cancel()
            for remote in remotes {
                remote.reconnect?.cancel()
                remote.session?.close()
            }
            guard let local = config.localPeer, let listener,
                  let address = try? SocketAddress.makeAddressResolvingHost(local.host, port: local.port)
            else { return promise.succeed(()) }
            handOver = (nil, promise)
            let timeout = loop.scheduleTask(in: .seconds(5)) { [weak self] in self?.endHandOver() }
            promise.futureResult.whenComplete { _ in timeout.cancel() }
            let peer = RemotePeer(config: local)
            listener.close().whenComplete { [self] _ in
                open(to: address, as: peer) { [weak self] in self?.handOver?.session = $0 }
                    .whenFailure { [weak self] _ in self?.endHandOver() }
            }
        }
        return promise.futureResult
    }

    /// The hand-over ended (confirmed, refused, lost or timed out).
    func endHandOver() {
        guard let handOver else { return }
        self.handOver = nil
        handOver.session?.close()
        handOver.promise.succeed(())
    }

    func isHandOver(_ session: PeerSession) -> Bool { handOver?.session === session }

    // MARK: Sessions

    private func connect(_ remote: RemotePeer) {
        guard !stopped, remote.session == nil else { return }
        remote.reconnect?.cancel()
        remote.reconnect = nil
        guard let address = try? SocketAddress.makeAddressResolvingHost(remote.config.host, port: remote.config.port) else {
            scheduleReconnect(remote)
            return
        }
        open(to: address, as: remote).whenFailure { [weak self] _ in
            remote.withStatus { $0.lastStatus = "CONN" }
            self?.scheduleReconnect(remote)
        }
    }

    /// A connection to `address` whose session speaks to `peer` first.
    private func open(
        to address: SocketAddress, as peer: RemotePeer, _ made: @escaping (PeerSession) -> Void = { _ in }
    ) -> EventLoopFuture<Channel> {
        ClientBootstrap(group: loop)
            .connectTimeout(.seconds(5))
            .channelInitializer { [weak self] channel in
                guard let self else { return channel.close() }
                return channel.eventLoop.makeCompletedFuture {
                    let session = PeerSession(runtime: self, channel: channel, outgoing: peer)
                    made(session)
                    try channel.pipeline.syncOperations.addHandler(PeerSessionHandler(session: session))
                }
            }
            .connect(to: address)
    }

    func scheduleReconnect(_ remote: RemotePeer) {
        guard !stopped, remote.session == nil, remote.reconnect == nil else { return }
        remote.reconnect = loop.scheduleTask(in: Self.reconnectDelay) { [weak self] in
            remote.reconnect = nil
            self?.connect(remote)
        }
    }

    func remote(named name: String) -> RemotePeer? {
        if name == localName, let local = config.localPeer {
            // The previous process of this one, handing its tables over.
            return RemotePeer(config: local)
        }
        return remotes.first { $0.config.name == name }
    }

    /// Whether `remote` is this process's own peer (a hand-over session).
    func isLocal(_ remote: RemotePeer) -> Bool { remote.config.name == localName }

    /// A session finished its handshake: it replaces any other with the
    /// same peer (2.6 keeps the newest), then asks for a resync if needed.
    func established(_ session: PeerSession, with remote: RemotePeer) {
        if isLocal(remote) {
            // Handing over (ours), or being handed over to: the old
            // process teaches unasked.
            if let handOver, handOver.session === session { teach(session); session.finishTeaching() }
            return
        }
        if let old = remote.session, old !== session { old.close() }
        remote.session = session
        remote.reconnect?.cancel()
        remote.reconnect = nil
        remote.withStatus {
            $0.newConnections += 1
            $0.lastStatus = "ESTA"
            $0.lastHandshake = StickTable.now
            $0.established = true
            $0.reconnectAt = nil
        }
        if !resynced, !remotes.contains(where: { $0.session?.resyncRequested == true }) {
            session.requestResync()
        }
        // As 2.6, resend what the peer did not acknowledge. Every change
        // of a table takes an update id, pushed or not (no session), so a
        // table whose last id the peer acknowledged is up to date there;
        // any other goes whole, which also covers what was pushed on a
        // session lost meanwhile (two peers that connect to each other at
        // once each keep the newest session and close the other).
        let acked = remote.withStatus { $0.lastAcked }
        var whole: [Int] = []
        for index in tables.indices {
            guard let last = acked[index], let keys = keys(after: last, of: index) else {
                whole.append(index)
                continue
            }
            let table = tables[index].table
            var seen = Set<StickKey>()
            for key in keys.reversed() where seen.insert(key).inserted {
                guard let entry = table.withEntry(key, create: false, { $0.entry }),
                      let update = table.peerUpdate(for: entry, id: nextUpdateID(of: index), timed: true)
                else { continue }
                remember(update.key, id: update.id ?? 0, of: index)
                session.push(update, of: index)
            }
        }
        teach(session, tables: whole)
        session.flush()
    }

    func closed(_ session: PeerSession) {
        if isHandOver(session) { endHandOver() }
        guard let remote = session.remote, remote.session === session else { return }
        remote.session = nil
        remote.withStatus {
            $0.established = false
            $0.reconnectAt = StickTable.now + 5000
        }
        if session.resyncRequested, !resynced {
            // Ask another connected peer.
            remotes.first { $0.session != nil }?.session?.requestResync()
        }
        scheduleReconnect(remote)
    }

    func resyncFinished() {
        resynced = true
        resyncTimer?.cancel()
    }

    // MARK: Pushing changes

    /// From any loop, under the table's lock: remembers the entry.
    private func noteChange(table: Int, entry: StickEntry) {
        let schedule: Bool = pendingLock.withLock {
            pending.append((table, entry))
            defer { flushScheduled = true }
            return !flushScheduled
        }
        if schedule { loop.execute { [weak self] in self?.flush() } }
    }

    private func flush() {
        let batch: [(table: Int, entry: StickEntry)] = pendingLock.withLock {
            defer {
                pending.removeAll(keepingCapacity: true)
                flushScheduled = false
            }
            return pending
        }
        var seen = Set<ObjectIdentifier>()
        let sessions = remotes.compactMap { $0.session }.filter { $0.isEstablished }
        for (index, entry) in batch.reversed() where seen.insert(ObjectIdentifier(entry)).inserted {
            let shared = tables[index]
            guard let update = shared.table.peerUpdate(for: entry, id: nextUpdateID(of: index), timed: false) else { continue }
            remember(update.key, id: update.id ?? 0, of: index)
            for session in sessions { session.push(update, of: index) }
        }
        for session in sessions { session.flush() }
    }

    /// Every entry of every table (or of those of `indices`), for a peer
    /// that asked for a resync or comes back.
    func teach(_ session: PeerSession, tables indices: [Int]? = nil) {
        for index in indices ?? Array(tables.indices) {
            let shared = tables[index]
            for entry in shared.table.entriesForPeers() {
                guard let update = shared.table.peerUpdate(for: entry, id: nextUpdateID(of: index), timed: true) else { continue }
                remember(update.key, id: update.id ?? 0, of: index)
                session.push(update, of: index)
            }
        }
    }
}

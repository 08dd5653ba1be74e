import HAProxyTables
import NIOCore
#if canImport(Glibc)
import Glibc
#endif

/// One connection with a remote peer: the handshake (the hello lines and
/// the status line), then the messages both ways (`PeerMessage`). On its
/// section's event loop only.
final class PeerSession {
    unowned let runtime: PeersRuntime
    let channel: Channel
    /// The peer, known from the start for a connection made here, from
    /// the hello for one accepted.
    private(set) var remote: PeersRuntime.RemotePeer?
    private let outgoing: Bool
    private(set) var isEstablished = false
    private(set) var resyncRequested = false
    private var input: [UInt8] = []
    private var output: [UInt8] = []
    /// Definitions sent on this session, by local table index.
    private var defined = Set<Int>()
    private var currentOut: Int?
    /// The peer's tables by its id: the local table index (nil when not
    /// shared here) and its definition.
    private var remoteTables: [UInt64: (local: Int?, definition: PeerTableDefinition)] = [:]
    private var currentIn: UInt64?
    /// The last update id received per remote table, to acknowledge.
    private var lastReceived: [UInt64: UInt32] = [:]
    /// `server_key` names sent and received on this session.
    private var dictionary = PeerDictionary()
    private var unacked = Set<UInt64>()
    private var heartbeat: RepeatedTask?
    private var lastWrite = StickTable.now
    private var lastRead = StickTable.now
    /// A peer silent this long is gone (2.6 sends a heartbeat every 3 s
    /// when it has nothing else to say).
    static let silenceLimit: UInt64 = 10_000

    init(runtime: PeersRuntime, channel: Channel, outgoing: PeersRuntime.RemotePeer?) {
        self.runtime = runtime
        self.channel = channel
        self.remote = outgoing
        self.outgoing = outgoing != nil
    }

    func close() {
        channel.close(promise: nil)
    }

    // MARK: Events from the handler

    func active() {
        guard outgoing, let remote else { return }
        output += PeerHandshake.hello(to: remote.config.name, from: runtime.localName, pid: getpid())
        flush()
    }

    func inactive() {
        heartbeat?.cancel()
        isEstablished = false
        runtime.closed(self)
    }

    func received(_ bytes: ByteBufferView) {
        lastRead = StickTable.now
        input += bytes
        if !isEstablished {
            guard handshake() else { return }
        }
        var index = 0
        let slice = input[...]
        do {
            while let message = try PeerMessage.decode(slice, at: &index) {
                handle(message)
            }
        } catch {
            PeerMessage.error(0).encode(into: &output)
            flush()
            close()
            return
        }
        input.removeFirst(index)
        for id in unacked {
            if let last = lastReceived[id] { PeerMessage.ack(tableID: id, update: last).encode(into: &output) }
        }
        unacked.removeAll()
        flush()
    }

    // MARK: Handshake

    /// Consumes the hello (accepted sessions) or the status line (our
    /// own); true once established.
    private func handshake() -> Bool {
        if outgoing {
            guard let (status, length) = PeerHandshake.readStatus(input[...]) else { return false }
            input.removeFirst(length)
            guard status == 200, let remote else {
                remote?.withStatus { $0.lastStatus = status == 300 ? "TRYAGAIN" : "BADHS" }
                close()
                return false
            }
            establish(with: remote)
            return true
        }
        switch PeerHandshake.readHello(input[...], localName: runtime.localName, isPeer: { runtime.remote(named: $0) != nil }) {
        case .incomplete:
            return false
        case .refused(let status):
            output += Array("\(status)\n".utf8)
            flush()
            close()
            return false
        case .accepted(let name, let length):
            input.removeFirst(length)
            guard let remote = runtime.remote(named: name) else { return false }
            self.remote = remote
            output += Array("200\n".utf8)
            establish(with: remote)
            return true
        }
    }

    private func establish(with remote: PeersRuntime.RemotePeer) {
        isEstablished = true
        heartbeat = channel.eventLoop.scheduleRepeatedTask(initialDelay: .seconds(3), delay: .seconds(3)) { [weak self] _ in
            guard let self else { return }
            if StickTable.now - self.lastRead >= Self.silenceLimit {
                self.close()
                return
            }
            guard StickTable.now - self.lastWrite >= 2500 else { return }
            self.remote?.withStatus { $0.txHeartbeats += 1 }
            PeerMessage.heartbeat.encode(into: &self.output)
            self.flush()
        }
        runtime.established(self, with: remote)
    }

    /// Ends a whole-table teaching (hand-over to the next process).
    func finishTeaching() {
        PeerMessage.resyncFinished.encode(into: &output)
        flush()
    }

    func requestResync() {
        resyncRequested = true
        PeerMessage.resyncRequest.encode(into: &output)
        flush()
    }

    // MARK: Messages

    private func handle(_ message: PeerMessage) {
        switch message {
        case .heartbeat:
            remote?.withStatus { $0.rxHeartbeats += 1 }
        case .resyncRequest:
            if runtime.isHandOver(self) { break }
            runtime.teach(self)
            (runtime.resynced ? PeerMessage.resyncFinished : .resyncPartial).encode(into: &output)
        case .resyncFinished, .resyncPartial:
            PeerMessage.resyncConfirm.encode(into: &output)
            if message == .resyncFinished { runtime.resyncFinished() }
            resyncRequested = false
        case .ack(let id, let update):
            if id >= 1, id <= UInt64(runtime.tables.count) { remote?.withStatus { $0.lastAcked[Int(id) - 1] = update } }
        case .resyncConfirm:
            if runtime.isHandOver(self) { runtime.endHandOver() }
        case .unknown:
            break
        case .error:
            close()
        case .tableDefinition(let definition):
            let local = runtime.tables.firstIndex {
                $0.wireName == definition.name && $0.table.accepts(definition)
            }
            remoteTables[definition.senderID] = (local, definition)
            currentIn = definition.senderID
            if let local {
                remote?.withStatus {
                    $0.remoteIDs[local] = definition.senderID
                    $0.remoteData[local] = definition.dataTypes
                }
            }
        case .tableSwitch(let id):
            currentIn = id
        case .update(let kind, let body):
            guard let id = currentIn, let known = remoteTables[id],
                  var update = PeerUpdate.decode(body, kind: kind, definition: known.definition)
            else { return }
            // `server_key`: the id (and the first time the name) of this
            // session's dictionary cache, turned into the name.
            update.values = PeerDictionary.map(update.values) { dictionary.decode($0) }
            lastReceived[id] = update.id ?? (lastReceived[id] ?? 0) &+ 1
            unacked.insert(id)
            if let local = known.local {
                runtime.tables[local].table.applyPeerUpdate(update, definition: known.definition)
                let id = lastReceived[id] ?? 0
                remote?.withStatus { $0.lastGet[local] = id }
            }
        }
    }

    /// Queues `update` of the local table `index` (its definition first
    /// on this session, or a table switch).
    func push(_ update: PeerUpdate, of index: Int) {
        let shared = runtime.tables[index]
        if !defined.contains(index) {
            defined.insert(index)
            PeerMessage.tableDefinition(shared.table.peerDefinition(id: shared.id, wireName: shared.wireName))
                .encode(into: &output)
        } else if currentOut != index {
            PeerMessage.tableSwitch(shared.id).encode(into: &output)
        }
        currentOut = index
        if let id = update.id { remote?.withStatus { $0.lastPushed[index] = id } }
        var body: [UInt8] = []
        let key = PeerKeyType.of(shared.table.definition.keyType)
        var update = update
        update.values = PeerDictionary.map(update.values) { dictionary.encode($0) }
        update.encode(keyType: key.code, keyLength: key.length, into: &body)
        PeerMessage.frame(update.expire != nil ? PeerUpdateKind.timed.rawValue : PeerUpdateKind.update.rawValue, body, into: &output)
    }

    func flush() {
        guard !output.isEmpty, channel.isActive else { return }
        var buffer = channel.allocator.buffer(capacity: output.count)
        buffer.writeBytes(output)
        output.removeAll(keepingCapacity: true)
        lastWrite = StickTable.now
        channel.writeAndFlush(buffer, promise: nil)
    }
}

/// Hands a peer connection's events to its session.
final class PeerSessionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    let session: PeerSession

    init(session: PeerSession) { self.session = session }

    func channelActive(context: ChannelHandlerContext) {
        session.active()
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        session.inactive()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        session.received(unwrapInboundIn(data).readableBytesView)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }
}

/// One name being resolved for the servers that share it: when to ask,
/// which family, the retries and the fallback to the other family, and
/// the addresses received with when each was last seen.
///
/// No sockets: the runtime sends the queries this returns, hands back the
/// answers it reads and applies the addresses to its servers.
public struct Resolution: Sendable {
    public enum Family: Sendable, Equatable { case ipv4, ipv6 }

    /// An address from the answers and when it was last in one.
    public struct CachedAddress: Sendable, Equatable {
        public var bytes: [UInt8]
        public var lastSeenMs: UInt64
    }

    /// What the runtime does next.
    public enum Action: Sendable, Equatable {
        case none
        /// Send this query to every nameserver.
        case send(DNSQuery)
        /// The resolution ended; `addresses` is up to date when valid.
        case finished(ResolutionStatus)
    }

    /// What an answer was.
    public enum AnswerVerdict: Sendable, Equatable {
        /// Not for the query in flight (another ID or question, or none in flight).
        case outdated
        case counted(ResolutionStatus, truncated: Bool)
        /// A UDP answer with the TC bit: counted, its records never used.
        case truncated
    }

    public let name: String
    public let prefer: Family
    public var timers: ResolutionTimers
    public var payloadSize: Int

    public private(set) var status: ResolutionStatus = .none
    public private(set) var lastValidMs: UInt64?
    /// When the first resolution started: holds count from there until a
    /// valid answer comes (a server keeps its `init-addr` address that long).
    public private(set) var firstStartMs: UInt64?
    /// When the last resolution ended (nil: never ran).
    public private(set) var lastEndMs: UInt64?
    public private(set) var addresses: [CachedAddress] = []
    /// For an SRV name: the records received, with when each was last seen.
    public private(set) var services: [(record: ServiceRecord, lastSeenMs: UInt64)] = []

    /// `_service._proto.name` is asked for SRV records (RFC 2782).
    public var isService: Bool { name.hasPrefix("_") }

    /// The query in flight.
    public private(set) var inFlight: DNSQuery?
    private var sentMs: UInt64 = 0
    private var triesLeft = 0
    private var triedOtherFamily = false

    public init(name: String, prefer: Family, timers: ResolutionTimers, payloadSize: Int = 512) {
        self.name = DNSName.normalized(name)
        self.prefer = prefer
        self.timers = timers
        self.payloadSize = payloadSize
    }

    /// Starts a resolution when one is due, or sends the query again when
    /// the last try went unanswered for `timeout retry`.
    public mutating func poll(nowMs: UInt64, nextID: () -> UInt16) -> Action {
        if var query = inFlight {
            guard nowMs >= sentMs + timers.retryMs else { return .none }
            if triesLeft > 0 {
                triesLeft -= 1
                query.id = nextID()
                inFlight = query
                sentMs = nowMs
                return .send(query)
            }
            return finish(.timeout, nowMs: nowMs)
        }
        // Every `timeout resolve`, valid or not: `hold valid` does not space
        // the resolutions of servers (manual 5.3.2; 2.6 with `hold valid 3s`
        // and `timeout resolve 100ms` asks ten times a second).
        if let last = lastEndMs {
            guard nowMs >= last + timers.resolveMs else { return .none }
        }
        triedOtherFamily = false
        if firstStartMs == nil { firstStartMs = nowMs }
        if isService { return start(.srv, nowMs: nowMs, id: nextID()) }
        return start(prefer == .ipv6 ? .aaaa : .a, nowMs: nowMs, id: nextID())
    }

    /// Asks again now (`set server fqdn`, a name that changed).
    public mutating func restart() {
        inFlight = nil
        lastEndMs = nil
        status = .none
        lastValidMs = nil
        firstStartMs = nil
        addresses = []
        services = []
    }

    private mutating func start(_ type: DNSRecordType, nowMs: UInt64, id: UInt16) -> Action {
        let query = DNSQuery(id: id, name: name, type: type, payloadSize: payloadSize)
        inFlight = query
        sentMs = nowMs
        triesLeft = max(timers.retries, 1) - 1
        return .send(query)
    }

    /// Reads an answer to the query in flight.
    public mutating func receive(_ response: DNSResponse, nowMs: UInt64, nextID: () -> UInt16) -> (AnswerVerdict, Action) {
        guard let query = inFlight, response.id == query.id, response.isResponse else { return (.outdated, .none) }
        guard response.questionName == name, response.questionType == query.type.rawValue else {
            return (.counted(.invalid, truncated: false), fallbackOrFinish(.invalid, nowMs: nowMs, nextID: nextID))
        }
        let result: ResolutionStatus
        switch response.responseCode {
        case .noError where query.type == .srv:
            let found = response.services(for: name, preferIPv6: prefer == .ipv6)
            if found.isEmpty {
                result = .noAnswer
            } else {
                mergeServices(found, nowMs: nowMs)
                result = .valid
            }
        case .noError:
            let found = response.addresses(for: name, type: query.type)
            if found.isEmpty {
                result = .noAnswer
            } else {
                merge(found.map(\.address), nowMs: nowMs)
                result = .valid
            }
        case .nameError: result = .nx
        case .refused: result = .refused
        default: result = .other
        }
        let verdict = AnswerVerdict.counted(result, truncated: response.isTruncated)
        if result == .valid { return (verdict, finish(.valid, nowMs: nowMs)) }
        return (verdict, fallbackOrFinish(result, nowMs: nowMs, nextID: nextID))
    }

    /// A UDP answer to the query in flight with the TC bit set: its records
    /// may have been cut, so none is used (2.6 counts it `truncated` and
    /// moves on as after an error). With a `tcp@` nameserver in the
    /// section, the complete answer comes over TCP: the resolution waits
    /// for it (or for `timeout retry`) instead of failing.
    public mutating func receiveTruncated(
        _ response: DNSResponse, completeAnswerComing: Bool, nowMs: UInt64, nextID: () -> UInt16
    ) -> (AnswerVerdict, Action) {
        guard let query = inFlight, response.id == query.id, response.isResponse else { return (.outdated, .none) }
        if completeAnswerComing { return (.truncated, .none) }
        return (.truncated, fallbackOrFinish(.invalid, nowMs: nowMs, nextID: nextID))
    }

    /// An unreadable answer to the query in flight (the ID read, the rest not).
    public mutating func receiveInvalid(id: UInt16, nowMs: UInt64, nextID: () -> UInt16) -> (AnswerVerdict, Action) {
        guard let query = inFlight, query.id == id else { return (.outdated, .none) }
        return (.counted(.invalid, truncated: false), fallbackOrFinish(.invalid, nowMs: nowMs, nextID: nextID))
    }

    /// A failed query moves on to the other family once, as 2.6 does.
    private mutating func fallbackOrFinish(_ result: ResolutionStatus, nowMs: UInt64, nextID: () -> UInt16) -> Action {
        if !triedOtherFamily, let query = inFlight, query.type != .srv {
            triedOtherFamily = true
            return start(query.type == .aaaa ? .a : .aaaa, nowMs: nowMs, id: nextID())
        }
        return finish(result == .noAnswer ? .other : result, nowMs: nowMs)
    }

    private mutating func finish(_ result: ResolutionStatus, nowMs: UInt64) -> Action {
        inFlight = nil
        lastEndMs = nowMs
        status = result
        if result == .valid { lastValidMs = nowMs }
        return .finished(result)
    }

    /// New addresses join, known ones are seen again, and those missing
    /// for `hold obsolete` leave.
    private mutating func merge(_ found: [[UInt8]], nowMs: UInt64) {
        for bytes in found {
            if let i = addresses.firstIndex(where: { $0.bytes == bytes }) {
                addresses[i].lastSeenMs = nowMs
            } else {
                addresses.append(CachedAddress(bytes: bytes, lastSeenMs: nowMs))
            }
        }
        addresses.removeAll { $0.lastSeenMs != nowMs && nowMs - $0.lastSeenMs >= timers.holdObsoleteMs }
    }

    /// SRV records: the same merge, a record being its target and port
    /// (its weight and address follow the latest answer).
    private mutating func mergeServices(_ found: [ServiceRecord], nowMs: UInt64) {
        for record in found {
            if let i = services.firstIndex(where: { $0.record.target == record.target && $0.record.port == record.port }) {
                services[i] = (record, nowMs)
            } else {
                services.append((record, nowMs))
            }
        }
        services.removeAll { $0.lastSeenMs != nowMs && nowMs - $0.lastSeenMs >= timers.holdObsoleteMs }
    }

    /// Whether a server that had an address should lose it now: the last
    /// resolution failed and the hold for that failure has passed since the
    /// last valid answer.
    public func holdExpired(nowMs: UInt64) -> Bool {
        switch status {
        case .none, .valid: return false
        default:
            guard let since = lastValidMs ?? firstStartMs else { return true }
            return nowMs - since >= timers.hold(for: status)
        }
    }
}

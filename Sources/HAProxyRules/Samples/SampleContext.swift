#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import HAProxyTables

/// What sample fetches read: the stream's connection, its HTTP messages,
/// the proxies it crosses and its variables. The runtime implements it over
/// its own objects; tests implement it over plain values.
///
/// Everything is read on demand, so a rule set that never looks at a
/// header costs nothing for it.
///
/// Class-bound: fetches receive it as `any SampleContext`, which for a
/// class is a reference passed as is; a struct context was boxed and
/// copied through its value witnesses at every fetch.
public protocol SampleContext: AnyObject {
    /// The client's address and port (`src`, `src_port`); nil on a UNIX socket.
    var source: SocketEndpoint? { get }
    /// The address and port the client connected to (`dst`, `dst_port`).
    var destination: SocketEndpoint? { get }
    /// The `name` of the bind line that accepted the connection (`so_name`).
    var bindName: String? { get }
    var frontendName: String { get }
    /// The backend the stream is assigned to, once switching rules ran.
    var backendName: String? { get }
    /// The server the stream is connected to, once chosen.
    var serverName: String? { get }
    /// Current connections on the frontend (`fe_conn`).
    var frontendConnections: Int { get }

    /// The request, once its head is complete (nil in TCP mode).
    var request: (any HTTPMessageReader)? { get }
    /// The response, once its head is complete.
    var response: (any HTTPMessageReader)? { get }
    /// The bytes received from the client and not yet forwarded, for the
    /// TCP content fetches (`req.len`, `req.payload`, `req.ssl_sni`...);
    /// in HTTP mode, the buffered request body (`req.body`).
    func withRequestPayload<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R?

    /// Live state of a backend (`nbsrv`, `be_conn`, `queue`...): `name` nil
    /// is the stream's current backend.
    func backendState(named name: String?) -> BackendState?
    /// Whether server `server` of `backend` is up (`srv_is_up`); nil when
    /// there is no such server.
    func serverIsUp(backend: String, server: String) -> Bool?

    /// A variable's value (`var(txn.name)`); nil when unset.
    func variable(_ name: VariableName) -> Sample?
    /// The transaction's `unique-id` (`unique-id-format`), if any.
    var uniqueID: [UInt8]? { get }
    /// A header captured with `capture request header` (by slot index).
    func capturedRequestHeader(_ index: Int) -> [UInt8]?
    func capturedResponseHeader(_ index: Int) -> [UInt8]?

    /// Sets (`value` nil: unsets) a variable: the `set-var` and `unset-var`
    /// converters write through it. Contexts without variable storage keep
    /// the default, which ignores the write.
    func setVariable(_ name: VariableName, to value: Sample?)
    /// The bytes received from the server and not yet forwarded
    /// (`res.len`, `res.payload` in `tcp-response content`); nil by default.
    func withResponsePayload<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R?
    /// The stream's date for `date`, `ltime` and `utime` (defaults to the
    /// wall clock).
    var currentTime: SampleTime { get }
    /// Whether the request is the first of its connection
    /// (`http_first_req`); nil when unknown (the default).
    var isFirstRequest: Bool? { get }
    /// During content inspection that may still wait for bytes (a
    /// `tcp-request`/`tcp-response inspect-delay` running), where fetches
    /// note that they found too little yet; nil when the contents are
    /// definitive (the default, and every other rule set).
    var pendingContent: PendingContent? { get }
    /// The numeric ids of the frontend, the backend and the server (`id`
    /// keyword or HAProxy's automatic numbering) for `fe_id`, `be_id` and
    /// `srv_id`; nil when unknown (the default).
    var frontendID: Int? { get }
    var backendID: Int? { get }
    var serverID: Int? { get }
    /// The `userlist` section named `name` (`http_auth(name)`); nil by
    /// default and for a name no section declares.
    func userlist(named name: String) -> Userlist?
    /// Whether credentials travel in `Proxy-Authorization` and `http-request
    /// auth` answers 407: a proxied request (its target is neither a path
    /// nor `*`) in a frontend with `option http-use-proxy-header`. False
    /// by default.
    var usesProxyAuthentication: Bool { get }
    /// Stores a value in capture slot `slot` of the request (or response)
    /// captures, truncated to the slot's length; ignored by default and
    /// for a slot the frontend does not declare.
    func storeCapture(_ value: [UInt8], response: Bool, slot: Int)
    /// Sets the level of the stream's log line (`set-log-level`); ignored
    /// by default.
    func setLogLevel(_ level: LogLevelOverride)
    /// The request line as the client sent it (`GET /a HTTP/1.1`), for
    /// the `capture.req.*` fetches, which response rules and logs read
    /// too; nil when not kept (the default: they read the request).
    func withReceivedRequestLine<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R?
    /// The client connection's TLS layer (`ssl_fc`...): nil when the
    /// connection is not TLS (the default).
    var clientTLS: (any TLSSessionView)? { get }
    /// The server connection's TLS layer (`ssl_bc`...): nil by default.
    var serverTLS: (any TLSSessionView)? { get }
    /// The entries the stream tracks (`track-sc*`, `sc_*` fetches); nil
    /// by default (no tracking).
    var stickCounters: StickCounters? { get }
    /// The HTTP major version the client connection speaks
    /// (`fc_http_major`): 1 on an HTTP frontend, whatever the request's
    /// version, since this build speaks HTTP/1 only; nil (the default)
    /// on a TCP frontend, where 2.6 finds nothing.
    var frontHTTPMajorVersion: Int? { get }
    /// The listener that accepted the connection (`so_id`, `dst_conn`);
    /// nil by default.
    var listener: ListenerView? { get }
    /// The session and request rates of frontend `name` (nil: the
    /// stream's) for `fe_sess_rate` and `fe_req_rate`; nil when there is
    /// no such frontend, and by default.
    func frontendRates(named name: String?) -> FrontendRates?
    /// The client's socket (`fc_src`, `fc_rtt`...); nil by default.
    var clientConnection: (any ClientConnectionView)? { get }
    /// The number of the thread running the stream, from 0 (`thread`);
    /// 0 by default.
    var threadIndex: Int { get }
    /// Whether the process is stopping (`stopping`): a soft stop began;
    /// false by default.
    var isStopping: Bool { get }
    /// `file:line` of the last final rule of the stream (`last_rule_file`,
    /// `last_rule_line`); nil before any, and by default.
    var lastFinalRule: String? { get }
    /// The rule runners call it when a final rule (`accept`, `reject`,
    /// `allow`, `deny`, `tarpit`, `auth`, `redirect`, `return`) ends its
    /// rule set; ignored by default.
    func noteFinalRule(_ location: String)
}

extension SampleContext {
    public func setVariable(_ name: VariableName, to value: Sample?) {}
    public func withResponsePayload<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R? { nil }
    public var currentTime: SampleTime { SampleTime.now }
    public var isFirstRequest: Bool? { nil }
    public var pendingContent: PendingContent? { nil }
    public var frontendID: Int? { nil }
    public var backendID: Int? { nil }
    public var serverID: Int? { nil }
    public func userlist(named name: String) -> Userlist? { nil }
    public var usesProxyAuthentication: Bool { false }
    public func storeCapture(_ value: [UInt8], response: Bool, slot: Int) {}
    public func setLogLevel(_ level: LogLevelOverride) {}
    public func withReceivedRequestLine<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R? { nil }
    public var clientTLS: (any TLSSessionView)? { nil }
    public var serverTLS: (any TLSSessionView)? { nil }
    public var stickCounters: StickCounters? { nil }
    public var frontHTTPMajorVersion: Int? { nil }
    public var listener: ListenerView? { nil }
    public func frontendRates(named name: String?) -> FrontendRates? { nil }
    public var clientConnection: (any ClientConnectionView)? { nil }
    public var threadIndex: Int { 0 }
    public var isStopping: Bool { false }
    public var lastFinalRule: String? { nil }
    public func noteFinalRule(_ location: String) {}
    /// The proxy whose rules run: its table is the default of `src_*`
    /// fetches.
    public var ruleProxyName: String { backendName ?? frontendName }
}

/// What content fetches tell the inspection rules (2.6's
/// `SMP_F_MAY_CHANGE`): their answer came from contents that are still
/// growing (`req.len`, a `req.payload` past the bytes received, a
/// ClientHello not complete yet), so a condition that fails on it is a
/// miss to evaluate again when more bytes arrive, not a verdict.
public final class PendingContent {
    /// Notes so far; a condition compares it before and after a test.
    public private(set) var notes = 0

    public init() {}

    /// Called by a fetch whose answer may change with more data.
    public func mayChange() { notes &+= 1 }
}

/// A date with microseconds, as `date` and the time converters read it.
public struct SampleTime: Sendable, Equatable {
    public var seconds: Int64
    public var microseconds: Int64
    public init(seconds: Int64, microseconds: Int64 = 0) {
        self.seconds = seconds
        self.microseconds = microseconds
    }

    /// The wall clock (`gettimeofday`).
    public static var now: SampleTime {
        var tv = timeval()
        gettimeofday(&tv, nil)
        return SampleTime(seconds: Int64(tv.tv_sec), microseconds: Int64(tv.tv_usec))
    }
}

/// An address and port as fetches return them.
public struct SocketEndpoint: Sendable, Equatable {
    public enum Address: Sendable, Equatable {
        case v4(IPv4Address)
        case v6(IPv6Address)
    }
    public var address: Address
    public var port: Int
    public init(address: Address, port: Int) {
        self.address = address
        self.port = port
    }
    /// The address as a sample (`src`, `dst`).
    public var sample: Sample {
        switch address {
        case .v4(let a): return .ipv4(a)
        case .v6(let a): return .ipv6(a)
        }
    }
}

/// Events per second over the last second, as 2.6 reads its frequency
/// counters: the current second's count plus the previous one's,
/// weighted by what is left of the current second.
public struct FrontendRates: Sendable, Equatable {
    /// New sessions (`fe_sess_rate`).
    public var sessions: Int
    /// HTTP requests (`fe_req_rate`).
    public var requests: Int
    public init(sessions: Int, requests: Int) {
        self.sessions = sessions
        self.requests = requests
    }
}

/// What `nbsrv`, `be_conn`, `queue`, `avg_queue` and `connslots` report.
public struct BackendState: Sendable, Equatable {
    /// Usable servers (`nbsrv`): up, not in maintenance, not draining.
    public var usableServers: Int
    /// Established connections (`be_conn`).
    public var connections: Int
    /// Streams waiting in the backend's and its servers' queues (`queue`).
    public var queued: Int
    /// Free connection slots plus free queue slots (`connslots`); nil
    /// when a usable server has no `maxconn` (unlimited).
    public var freeSlots: Int?
    public init(usableServers: Int, connections: Int, queued: Int, freeSlots: Int?) {
        self.usableServers = usableServers
        self.connections = connections
        self.queued = queued
        self.freeSlots = freeSlots
    }
}

extension HTTPMessageReader {
    public func forEachHeader(named lowercasedName: [UInt8], _ body: (UnsafeRawBufferPointer) -> Bool) {
        forEachHeader { name, value in
            guard name.count == lowercasedName.count else { return true }
            for i in 0..<name.count {
                let c = name[i]
                if (c >= 0x41 && c <= 0x5A ? c | 0x20 : c) != lowercasedName[i] { return true }
            }
            return body(value)
        }
    }
}

/// A parsed HTTP message (request or response) as fetches read it: the
/// start line and the headers as they are now, with the edits earlier
/// rules made. Byte views are valid only inside the closure.
public protocol HTTPMessageReader {
    /// The request method, e.g. `GET` (empty for a response).
    func withMethod<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R
    /// The request target as sent (`/path?query`, or an absolute URI).
    func withURI<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R
    /// `(1, 1)` for HTTP/1.1.
    var version: (major: Int, minor: Int) { get }
    /// The response status (0 for a request).
    var status: Int { get }
    /// Calls `body` with each header line's name and value in order; the
    /// value is trimmed. Stops when `body` returns false.
    func forEachHeader(_ body: (_ name: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) -> Bool)
    /// Calls `body` with the (trimmed) value of each header named
    /// `lowercasedName`, compared without case, in order; stops when
    /// `body` returns false. Readers that can compare names where they
    /// are implement it (`body` then runs for those headers only); the
    /// default goes through `forEachHeader`.
    func forEachHeader(named lowercasedName: [UInt8], _ body: (UnsafeRawBufferPointer) -> Bool)
    /// The body received so far (after `option http-buffer-request` or
    /// `wait-for-body`: all of it); nil when none is buffered.
    func withBody<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R?
}

import HAProxyBase
import NIOCore

/// What a stream measured, for its log line and the counters: HAProxy's
/// timers (manual 8.4) and termination state (manual 8.5).
public struct StreamLogInfo {
    /// Dated by `clock`: the stream's loop's turn, or the system's clocks.
    public init(clock: TurnClock = .live) {
        acceptDateMicros = clock.wallMicroseconds
        accepted = clock.now
    }

    /// Wall-clock accept date in microseconds since the epoch.
    public var acceptDateMicros: Int64
    public var accepted: NIODeadline
    /// The process's number for this request (HTTP) or stream (TCP), in
    /// the order they started (`%rt`).
    public var requestID = 0
    /// The transaction's `unique-id-format` result (`%ID`), once made.
    public var uniqueID: [UInt8]?
    /// First byte of the current request (HTTP), for Ti and TR.
    public var requestStart: NIODeadline?
    /// When the request was sent to the server, for Tr.
    public var requestSent: NIODeadline?
    /// When the request (HTTP head) was complete; Ti/TR derive from it.
    public var requestReady: NIODeadline?
    public var queuedAt: NIODeadline?
    public var dequeuedAt: NIODeadline?
    /// `%sq` and `%bq`: the streams taken from the server's or the
    /// backend's queue while this one waited there, itself included.
    public var serverQueuePosition = 0
    public var backendQueuePosition = 0
    public var connectStart: NIODeadline?
    public var connected: NIODeadline?
    public var responseHead: NIODeadline?
    public var bytesFromClient: UInt64 = 0
    public var bytesFromServer: UInt64 = 0
    public var retries = 0
    /// Server connections this stream established, and idle ones it
    /// took over (`connect`, `reuse`).
    public var newServerConnections: Int32 = 0
    public var reusedServerConnections: Int32 = 0
    public var redispatched = false
    /// First character of the termination state: who ended it (`-` normal).
    public var cause: Character {
        get { Character(Unicode.Scalar(causeASCII)) }
        set { causeASCII = newValue.asciiValue ?? UInt8(ascii: "-") }
    }
    /// Second character: in which phase (`-` normal end).
    public var phase: Character {
        get { Character(Unicode.Scalar(phaseASCII)) }
        set { phaseASCII = newValue.asciiValue ?? UInt8(ascii: "-") }
    }
    /// `cause` and `phase` as they are kept: ASCII bytes, which the log
    /// is copied with at no cost (a `Character` is a string).
    public private(set) var causeASCII = UInt8(ascii: "-")
    public private(set) var phaseASCII = UInt8(ascii: "-")
    /// Third and fourth characters of `%tsc` (manual 8.5), as ASCII bytes:
    /// the persistence cookie the client sent (N, I, D, V, E, O, U) and
    /// what the proxy did with the server's (N, I, U, P, R, D); `-` where
    /// the backend has no cookie persistence. Set by the HTTP state machine.
    public var clientCookie: UInt8 = UInt8(ascii: "-")
    public var serverCookie: UInt8 = UInt8(ascii: "-")
    public var status: Int = -1
    /// The request line as received (before any rule rewrote it), from
    /// the method to the version, for `%r` and the `%H*` variables; nil
    /// when no request was accepted (`<BADREQ>`).
    public var requestLine: ByteBuffer?
    /// The request as received, for the log-format's `%[...]` samples
    /// (`capture.req.uri`, `method`); kept only when the format has some.
    public var receivedRequest: HTTPMessage? {
        get { ruleLog?.receivedRequest }
        set { ensureRuleLog().receivedRequest = newValue }
    }
    /// Capture slots and log level the transaction's rules set, shared
    /// with their contexts; nil until something needs it.
    public var ruleLog: TransactionLog?
    /// The capture slots' values, one per declared slot (empty when the
    /// frontend declares none).
    public var capturedRequestHeaders: [ByteBuffer?] {
        get { ruleLog?.requestCaptures ?? [] }
        set { ensureRuleLog().requestCaptures = newValue }
    }
    public var capturedResponseHeaders: [ByteBuffer?] {
        get { ruleLog?.responseCaptures ?? [] }
        set { ensureRuleLog().responseCaptures = newValue }
    }
    /// The service that answered (`<STATS>`, `<PROMEX>`): logged as the
    /// server, with no queue, connect or response time, as 2.6's applets.
    public var applet: String?
    /// The transaction is counted but not logged (a `monitor-uri` probe).
    public var unlogged = false

    /// The transaction's `TransactionLog`, created on first use.
    public mutating func ensureRuleLog() -> TransactionLog {
        if let ruleLog { return ruleLog }
        let created = TransactionLog()
        ruleLog = created
        return created
    }

    public mutating func terminate(_ cause: TerminationCode, _ phase: TerminationCode) {
        if causeASCII == UInt8(ascii: "-") {
            causeASCII = cause.ascii
            phaseASCII = phase.ascii
        }
    }

    /// A transfer with a server cut short, as 2.6 counts it from the
    /// termination state: by the client (`cli_abrt`) or by the server
    /// (`srv_abrt`); the server's own close or reset is also a response
    /// error (`eresp`), its timeout is not.
    public struct TransferAbort: Equatable {
        public let byClient: Bool
        public let isResponseError: Bool
    }

    /// The abort the termination state tells, nil outside the data phase.
    public var transferAbort: TransferAbort? {
        guard phaseASCII == UInt8(ascii: "D") else { return nil }
        switch causeASCII {
        case UInt8(ascii: "C"), UInt8(ascii: "c"): return TransferAbort(byClient: true, isResponseError: false)
        case UInt8(ascii: "S"), UInt8(ascii: "s"):
            return TransferAbort(byClient: false, isResponseError: causeASCII == UInt8(ascii: "S"))
        default: return nil
        }
    }

    public static func ms(_ from: NIODeadline?, _ to: NIODeadline?) -> Int {
        guard let from, let to else { return -1 }
        return Int((to.uptimeNanoseconds &- from.uptimeNanoseconds) / 1_000_000)
    }
}

/// A character of the termination state (manual 8.5), written as a
/// literal (`log.terminate("P", "R")`) and kept as its ASCII byte.
public struct TerminationCode: ExpressibleByUnicodeScalarLiteral, Equatable, Sendable {
    public let ascii: UInt8
    public init(unicodeScalarLiteral scalar: Unicode.Scalar) {
        precondition(scalar.isASCII, "termination codes are ASCII letters")
        ascii = UInt8(scalar.value)
    }
}

/// The shorter of two optional timeouts (nil is infinite).
public func minTimeout(_ a: Int?, _ b: Int?) -> Int? {
    switch (a, b) {
    case let (a?, b?): return min(a, b)
    case let (a?, nil): return a
    case let (nil, b?): return b
    default: return nil
    }
}

extension TurnClock {
    /// The turn's monotonic time as a deadline (`NIODeadline.now()`'s clock).
    @inline(__always)
    public var now: NIODeadline { .uptimeNanoseconds(uptimeNanoseconds) }
}

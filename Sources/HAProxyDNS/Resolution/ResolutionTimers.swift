/// The timers of a `resolvers` section that drive one resolution (manual
/// 5.3.2): how often to ask, how long to wait, how many times to try, and
/// how long each kind of failure leaves a server its last address.
public struct ResolutionTimers: Sendable, Equatable {
    /// `timeout resolve`: how often a name is asked again.
    public var resolveMs: UInt64 = 1000
    /// `timeout retry`: how long one query waits for an answer.
    public var retryMs: UInt64 = 1000
    /// `resolve_retries`: queries sent before a resolution times out.
    public var retries = 3
    /// `hold nx`, `hold refused`, `hold timeout`, `hold other`: how long
    /// after the last valid answer a server keeps its address in that case.
    public var holdNXMs: UInt64 = 30_000
    public var holdRefusedMs: UInt64 = 30_000
    public var holdTimeoutMs: UInt64 = 30_000
    public var holdOtherMs: UInt64 = 30_000
    /// `hold obsolete`: how long an address missing from the answers stays.
    public var holdObsoleteMs: UInt64 = 0

    public init() {}

    /// The hold period for a resolution that ended with `status` (none
    /// after a valid answer).
    public func hold(for status: ResolutionStatus) -> UInt64 {
        switch status {
        case .none, .valid: return 0
        case .nx: return holdNXMs
        case .refused: return holdRefusedMs
        case .timeout: return holdTimeoutMs
        case .other, .invalid, .noAnswer: return holdOtherMs
        }
    }
}

/// How a resolution ended.
public enum ResolutionStatus: Sendable, Equatable {
    case none
    case valid
    /// NXDOMAIN.
    case nx
    case refused
    /// No answer within `resolve_retries` x `timeout retry`.
    case timeout
    /// Another response code (SERVFAIL, NOTIMP...).
    case other
    /// An answer that could not be read or does not answer the question.
    case invalid
    /// NOERROR without any address of the asked family.
    case noAnswer

    /// The reason 2.6 gives when a server goes to maintenance for it.
    public var maintenanceReason: String {
        switch self {
        case .nx: return "DNS NX status"
        case .timeout: return "DNS timeout status"
        case .refused: return "DNS refused status"
        case .none, .valid, .other, .invalid, .noAnswer: return "unspecified DNS error"
        }
    }
}

/// The outcome of one health check, named as HAProxy names it in the stats
/// page's "check status" column and in its logs (manual, section 9.1,
/// "check_status" field).
public enum CheckResultCode: String, Sendable, CaseIterable {
    /// TCP connection established (plain connect check).
    case L4OK
    /// Connection not established before the timeout.
    case L4TOUT
    /// Connection refused or failed (the errno text goes in the info).
    case L4CON
    /// TLS handshake succeeded (reserved: checks over TLS are not implemented).
    case L6OK
    /// TLS handshake timed out (reserved).
    case L6TOUT
    /// TLS handshake failed (reserved).
    case L6RSP
    /// Layer 7 check passed (HTTP status accepted, or a tcp-check ruleset completed).
    case L7OK
    /// Layer 7 check conditionally passed (`http-check disable-on-404`).
    case L7OKC
    /// Connected, but no complete answer before the timeout.
    case L7TOUT
    /// Invalid or unexpected answer (bad HTTP, content not matched, empty answer).
    case L7RSP
    /// HTTP status not accepted.
    case L7STS

    /// The number `show servers state` and state files give the status
    /// (2.6's HCHK_STATUS_*: L4OK is 6, L7OK 15, after a placeholder 14).
    public var stateFileNumber: Int {
        switch self {
        case .L4OK: return 6
        case .L4TOUT: return 7
        case .L4CON: return 8
        case .L6OK: return 9
        case .L6TOUT: return 10
        case .L6RSP: return 11
        case .L7TOUT: return 12
        case .L7RSP: return 13
        case .L7OK: return 15
        case .L7OKC: return 16
        case .L7STS: return 17
        }
    }

    /// The text HAProxy prints after `reason: `.
    public var reasonDescription: String {
        switch self {
        case .L4OK: return "Layer4 check passed"
        case .L4TOUT: return "Layer4 timeout"
        case .L4CON: return "Layer4 connection problem"
        case .L6OK: return "Layer6 check passed"
        case .L6TOUT: return "Layer6 timeout"
        case .L6RSP: return "Layer6 invalid response"
        case .L7OK: return "Layer7 check passed"
        case .L7OKC: return "Layer7 check conditionally passed"
        case .L7TOUT: return "Layer7 timeout"
        case .L7RSP: return "Layer7 invalid response"
        case .L7STS: return "Layer7 wrong status"
        }
    }

    /// Whether the check counts as a success for rise/fall.
    public var isSuccess: Bool {
        switch self {
        case .L4OK, .L6OK, .L7OK, .L7OKC: return true
        default: return false
        }
    }

    /// Whether HAProxy prints `code: N` after the reason: only for the
    /// outcomes that carry layer 7 data (a status, or 0 for tcp-check).
    public var carriesCode: Bool {
        switch self {
        case .L7OK, .L7OKC, .L7STS: return true
        default: return false
        }
    }
}

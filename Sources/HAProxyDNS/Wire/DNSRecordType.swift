/// The record types a resolution asks for or follows (RFC 1035 3.2.2,
/// RFC 3596 for AAAA, RFC 2782 for SRV, RFC 6891 for OPT).
public enum DNSRecordType: UInt16, Sendable {
    case a = 1
    case cname = 5
    case aaaa = 28
    case srv = 33
    case opt = 41
}

/// The response codes a resolution tells apart (RFC 1035 4.1.1).
public enum DNSResponseCode: Sendable, Equatable {
    case noError
    case formatError
    case serverFailure
    case nameError
    case notImplemented
    case refused
    case other(UInt8)

    init(_ raw: UInt8) {
        switch raw {
        case 0: self = .noError
        case 1: self = .formatError
        case 2: self = .serverFailure
        case 3: self = .nameError
        case 4: self = .notImplemented
        case 5: self = .refused
        default: self = .other(raw)
        }
    }
}

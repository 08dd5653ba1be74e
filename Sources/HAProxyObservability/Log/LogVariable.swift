/// A `%` variable of a custom log format (manual 8.2.6, the table of
/// variables), by the name written after `%`.
public enum LogVariable: String, Sendable, CaseIterable {
    case bytesRead = "B"
    case capturedRequestCookie = "CC"
    case capturedResponseCookie = "CS"
    case hostname = "H"
    case httpMethod = "HM"
    case httpPath = "HP"
    case httpPathOnly = "HPO"
    case httpQuery = "HQ"
    case httpURI = "HU"
    case httpVersion = "HV"
    case uniqueID = "ID"
    case status = "ST"
    case gmtDate = "T"
    case activeTime = "Ta"
    case connectTime = "Tc"
    case dataTime = "Td"
    case localDate = "Tl"
    case handshakeTime = "Th"
    case idleTime = "Ti"
    case requestTotalTime = "Tq"
    case requestTime = "TR"
    case responseTime = "Tr"
    case timestamp = "Ts"
    case totalTime = "Tt"
    case totalActiveTime = "Tu"
    case queueTime = "Tw"
    case bytesUploaded = "U"
    case actconn = "ac"
    case backendName = "b"
    case beconn = "bc"
    case backendSourceIP = "bi"
    case backendSourcePort = "bp"
    case backendQueue = "bq"
    case clientIP = "ci"
    case clientPort = "cp"
    case frontendName = "f"
    case feconn = "fc"
    case frontendIP = "fi"
    case frontendPort = "fp"
    case frontendTransport = "ft"
    case logCounter = "lc"
    case requestHeaders = "hr"
    case requestHeaderList = "hrl"
    case responseHeaders = "hs"
    case responseHeaderList = "hsl"
    case acceptMillis = "ms"
    case pid = "pid"
    case requestLine = "r"
    case retries = "rc"
    case requestCounter = "rt"
    case serverName = "s"
    case srvConn = "sc"
    case serverIP = "si"
    case serverPort = "sp"
    case srvQueue = "sq"
    case sslCipher = "sslc"
    case sslVersion = "sslv"
    case acceptDate = "t"
    case requestDate = "tr"
    case requestGMTDate = "trg"
    case requestLocalDate = "trl"
    case terminationState = "ts"
    case terminationStateCookie = "tsc"

    /// Variables marked `H` in the manual's table: meaningful in HTTP mode only.
    public var isHTTPOnly: Bool {
        switch self {
        case .capturedRequestCookie, .capturedResponseCookie, .httpMethod, .httpPath, .httpPathOnly,
             .httpQuery, .httpURI, .httpVersion, .activeTime, .idleTime, .requestTotalTime,
             .requestTime, .responseTime, .requestLine, .requestDate, .requestGMTDate,
             .requestLocalDate, .terminationStateCookie:
            return true
        default:
            return false
        }
    }
}

/// Per-variable flags: `+Q` quote, `+X` hexadecimal, `+E` escape for RFC 5424.
public struct LogFormatFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let quote = LogFormatFlags(rawValue: 1)
    public static let hex = LogFormatFlags(rawValue: 2)
    public static let escape = LogFormatFlags(rawValue: 4)
}

/// The data a stick table stores per entry (manual 4.2 `stick-table ...
/// store`), in the order 2.6 prints them in `show table`. The raw value is
/// 2.6's number for the type (the one the peers protocol sends).
public enum StickDataType: Int, CaseIterable, Sendable {
    case serverID, gpt0, gpc0, gpc0Rate, connCount, connRate, connCurrent, sessionCount, sessionRate
    case httpRequestCount, httpRequestRate, httpErrorCount, httpErrorRate
    case bytesInCount, bytesInRate, bytesOutCount, bytesOutRate, gpc1, gpc1Rate, serverKey
    case httpFailCount, httpFailRate
    /// The arrays `gpt(N)`, `gpc(N)` and `gpc_rate(N,period)`: N values of
    /// one type (1 to 100), `gpt0`..., `gpc0`... in `show table`.
    case gpt, gpc, gpcRate

    /// The name in the configuration, fetches and the CLI.
    public var name: String {
        switch self {
        case .serverID: return "server_id"
        case .gpt0: return "gpt0"
        case .gpc0: return "gpc0"
        case .gpc0Rate: return "gpc0_rate"
        case .connCount: return "conn_cnt"
        case .connRate: return "conn_rate"
        case .connCurrent: return "conn_cur"
        case .sessionCount: return "sess_cnt"
        case .sessionRate: return "sess_rate"
        case .httpRequestCount: return "http_req_cnt"
        case .httpRequestRate: return "http_req_rate"
        case .httpErrorCount: return "http_err_cnt"
        case .httpErrorRate: return "http_err_rate"
        case .bytesInCount: return "bytes_in_cnt"
        case .bytesInRate: return "bytes_in_rate"
        case .bytesOutCount: return "bytes_out_cnt"
        case .bytesOutRate: return "bytes_out_rate"
        case .gpc1: return "gpc1"
        case .gpc1Rate: return "gpc1_rate"
        case .serverKey: return "server_key"
        case .httpFailCount: return "http_fail_cnt"
        case .httpFailRate: return "http_fail_rate"
        case .gpt: return "gpt"
        case .gpc: return "gpc"
        case .gpcRate: return "gpc_rate"
        }
    }

    public init?(name: String) {
        guard let type = Self.allCases.first(where: { $0.name == name }) else { return nil }
        self = type
    }

    /// A frequency counter over a period given in the `store` clause.
    public var isRate: Bool {
        switch self {
        case .gpc0Rate, .connRate, .sessionRate, .httpRequestRate, .httpErrorRate, .bytesInRate, .bytesOutRate,
             .gpc1Rate, .httpFailRate, .gpcRate:
            return true
        default:
            return false
        }
    }

    /// The rate counted alongside a counter (`gpc0` → `gpc0_rate`).
    public var rate: StickDataType? {
        switch self {
        case .gpc0: return .gpc0Rate
        case .gpc1: return .gpc1Rate
        case .gpc: return .gpcRate
        case .connCount: return .connRate
        case .sessionCount: return .sessionRate
        case .httpRequestCount: return .httpRequestRate
        case .httpErrorCount: return .httpErrorRate
        case .httpFailCount: return .httpFailRate
        case .bytesInCount: return .bytesInRate
        case .bytesOutCount: return .bytesOutRate
        default: return nil
        }
    }

    /// Values that print and compare as signed 32-bit integers (2.6's
    /// `std_t_sint`: `server_id`); the others are unsigned (32 or 64 bits).
    public var isSigned: Bool { self == .serverID }

    /// `gpt`, `gpc` and `gpc_rate`: their length is given in `store`.
    public var isArray: Bool { self == .gpt || self == .gpc || self == .gpcRate }

    /// The most elements an array holds (2.6: `gpc0` to `gpc99`).
    public static let maxArrayLength = 100

    /// The array element the legacy types stand for when the table stores
    /// the array instead (manual 4.2: with `gpc(N)`, the `gpc0`/`gpc1`
    /// fetches and actions use its first two elements).
    public var arrayElement: (array: StickDataType, index: Int)? {
        switch self {
        case .gpt0: return (.gpt, 0)
        case .gpc0: return (.gpc, 0)
        case .gpc1: return (.gpc, 1)
        case .gpc0Rate: return (.gpcRate, 0)
        case .gpc1Rate: return (.gpcRate, 1)
        default: return nil
        }
    }
}

/// HTTP responses by status class, as HAProxy's `p.http.rsp[]` counters
/// (`show stat` columns `hrsp_1xx` to `hrsp_5xx` and `hrsp_other`).
///
/// Kept under the lock of the frontend, backend or server that owns it.
struct HTTPResponseCounters: Equatable {
    private(set) var informational: UInt64 = 0
    private(set) var success: UInt64 = 0
    private(set) var redirection: UInt64 = 0
    private(set) var clientError: UInt64 = 0
    private(set) var serverError: UInt64 = 0
    /// Statuses outside 100–599.
    private(set) var other: UInt64 = 0

    /// Counts one response with `status`.
    @inline(__always)
    mutating func count(status: Int) {
        switch status / 100 {
        case 1: informational &+= 1
        case 2: success &+= 1
        case 3: redirection &+= 1
        case 4: clientError &+= 1
        case 5: serverError &+= 1
        default: other &+= 1
        }
    }

    /// The counts in column order: 1xx, 2xx, 3xx, 4xx, 5xx, other.
    var byClass: [UInt64] { [informational, success, redirection, clientError, serverError, other] }
}

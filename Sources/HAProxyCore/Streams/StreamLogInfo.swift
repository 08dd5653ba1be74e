#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore

/// What a stream measured, for its log line and the counters: HAProxy's
/// timers (manual 8.4) and termination state (manual 8.5).
struct StreamLogInfo {
    init() {
        var tv = timeval()
        gettimeofday(&tv, nil)
        acceptDateMicros = Int64(tv.tv_sec) * 1_000_000 + Int64(tv.tv_usec)
    }

    /// Wall-clock accept date in microseconds since the epoch.
    var acceptDateMicros: Int64 = 0
    var accepted: NIODeadline = .now()
    /// First byte of the current request (HTTP), for Ti and TR.
    var requestStart: NIODeadline?
    /// When the request was sent to the server, for Tr.
    var requestSent: NIODeadline?
    /// When the request (HTTP head) was complete; Ti/TR derive from it.
    var requestReady: NIODeadline?
    var queuedAt: NIODeadline?
    var dequeuedAt: NIODeadline?
    var connectStart: NIODeadline?
    var connected: NIODeadline?
    var responseHead: NIODeadline?
    var bytesFromClient: UInt64 = 0
    var bytesFromServer: UInt64 = 0
    var retries = 0
    var redispatched = false
    /// First character of the termination state: who ended it (`-` normal).
    var cause: Character = "-"
    /// Second character: in which phase (`-` normal end).
    var phase: Character = "-"
    var status: Int = -1
    /// `capture request|response header` values, one per declared capture
    /// (empty when the frontend declares none).
    var capturedRequestHeaders: [ByteBuffer?] = []
    var capturedResponseHeaders: [ByteBuffer?] = []
    /// The transaction is counted but not logged (a `monitor-uri` probe).
    var unlogged = false

    mutating func terminate(_ cause: Character, _ phase: Character) {
        if self.cause == "-" {
            self.cause = cause
            self.phase = phase
        }
    }

    static func ms(_ from: NIODeadline?, _ to: NIODeadline?) -> Int {
        guard let from, let to else { return -1 }
        return Int((to.uptimeNanoseconds &- from.uptimeNanoseconds) / 1_000_000)
    }
}

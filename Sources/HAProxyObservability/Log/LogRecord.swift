import HAProxyRules
import NIOCore

/// The values one stream produces for its log line; the runtime fills it and
/// hands it to `ProxyLog.log(_:)`.
///
/// Field names follow the manual's variables (section 8.2.6). Timers are in
/// milliseconds with -1 meaning "never reached", exactly as HAProxy prints
/// them; counters are taken when the line is emitted. Byte-valued fields are
/// `ByteBuffer` slices of what the runtime already holds (the request head,
/// captured header values), so filling a record copies nothing.
public struct LogRecord: Sendable {
    // MARK: Addresses (%ci %cp %fi %fp %bi %bp %si %sp)
    public var clientAddress: LogAddress = .none
    public var clientPort = 0
    public var frontendAddress: LogAddress = .none
    public var frontendPort = 0
    /// The source address of the connection to the server (`%bi:%bp`).
    public var backendSourceAddress: LogAddress = .none
    public var backendSourcePort = 0
    /// The server's address (`%si:%sp`).
    public var serverAddress: LogAddress = .none
    public var serverPort = 0

    // MARK: Dates
    /// Accept date, microseconds since the epoch (`%t`, `%T`, `%Ts`, `%ms`).
    public var acceptDateMicros: Int64 = 0
    /// Date of the first byte of the HTTP request (`%tr`, `%trg`, `%trl`);
    /// nil means the accept date (TCP streams).
    public var requestDateMicros: Int64?

    // MARK: Names (%f %ft %b %s)
    public var frontendName = ""
    /// True when the frontend connection is TLS: `%ft` gets a `~` suffix.
    public var frontendIsSSL = false
    /// Backend name; nil until a backend is chosen (logs the frontend name).
    public var backendName: String?
    /// Server name; nil logs `<NOSRV>`.
    public var serverName: String?
    /// `HTTP` or `TCP`, for the default connection line `(fe/HTTP)`.
    public var isHTTP = false

    // MARK: Timers, ms, -1 when not reached (manual 8.4)
    /// Th: handshake (SSL, PROXY protocol).
    public var Th = 0
    /// Ti: idle time before the HTTP request.
    public var Ti = 0
    /// TR: time to receive the full request from its first byte.
    public var TR = -1
    /// Tw: time waiting in queues.
    public var Tw = -1
    /// Tc: time to establish the server connection.
    public var Tc = -1
    /// Tr: server response time (until complete response headers).
    public var Tr = -1
    /// Td: data transmission time; when nil it is derived as
    /// `Ta - (TR + Tw + Tc + Tr)` over the non-negative timers.
    public var Td: Int?
    /// Ta: active time of the request (from its first byte to the end).
    public var Ta = 0
    /// Tt: total stream duration from accept.
    public var Tt = 0
    /// `option logasap`: Tt, Ta and the byte count are prefixed with `+`.
    public var logASAP = false

    // MARK: HTTP
    /// Status code; -1 when none (`%ST`).
    public var status = -1
    /// Bytes from the server to the client (`%B`).
    public var bytesRead: Int64 = 0
    /// Bytes from the client to the server (`%U`).
    public var bytesUploaded: Int64 = 0
    /// The request line as received (`METHOD URI VERSION`), for `%r` `%HM`
    /// `%HU` `%HP` `%HQ` `%HV`; nil when no request was seen (`<BADREQ>`).
    public var requestLine: ByteBuffer?
    /// `capture cookie` on the request (`%CC`) and response (`%CS`).
    public var capturedRequestCookie: ByteBuffer?
    public var capturedResponseCookie: ByteBuffer?
    /// One slot per `capture request header`, nil when absent (`%hr`, `%hrl`).
    public var capturedRequestHeaders: [ByteBuffer?] = []
    public var capturedResponseHeaders: [ByteBuffer?] = []
    /// `unique-id-format` result (`%ID`).
    public var uniqueID: String?
    /// The stream as the format's `%[...]` samples read it; nil when the
    /// format has none (or the stream cannot provide it): they render `-`.
    /// Only read while the line is rendered, under the emitter's lock.
    nonisolated(unsafe) public var sampleContext: (any SampleContext)?
    /// The level `set-log-level` chose (`silent`: no line at all); nil
    /// keeps the proxy's choice.
    public var levelOverride: LogLevelOverride?

    // MARK: State and counters
    public var termination = TerminationState.normal
    /// Process-wide active connections (`%ac`).
    public var actconn = 0
    /// Frontend, backend, server concurrent connections (`%fc` `%bc` `%sc`).
    public var feconn = 0
    public var beconn = 0
    public var srvConn = 0
    /// Connection retries (`%rc`).
    public var retries = 0
    /// The stream was redispatched to another server: `%rc` gets a `+`.
    public var redispatched = false
    /// Server and backend queue sizes when the stream was queued (`%sq` `%bq`).
    public var srvQueue = 0
    public var backendQueue = 0
    /// Request counter, HAProxy's global unique stream number (`%rt`).
    public var requestCounter = 0
    /// The frontend's count of emitted log lines (`%lc`); `ProxyLog` fills it.
    public var logCounter = 0

    // MARK: SSL (no TLS yet: logged as `-`)
    public var sslCipher: String?
    public var sslVersion: String?

    public init() {}

    /// Tq = Th + Ti + TR, or -1 when any is -1.
    public var Tq: Int { (Th < 0 || Ti < 0 || TR < 0) ? -1 : Th + Ti + TR }
    /// Tu = Tt without the idle time.
    public var Tu: Int { Ti >= 0 ? Tt - Ti : Tt }
    /// Td as given, or derived from Ta and the other timers (manual 8.4).
    public var dataTime: Int {
        if let Td { return Td }
        if Tr < 0 && isHTTP { return -1 }
        var t = isHTTP ? Ta : Tt - max(Th, 0)
        for v in [TR, Tw, Tc, Tr] where v > 0 { t -= v }
        return t
    }
    /// The request date, or the accept date when no request was seen.
    public var effectiveRequestDateMicros: Int64 { requestDateMicros ?? acceptDateMicros }
}

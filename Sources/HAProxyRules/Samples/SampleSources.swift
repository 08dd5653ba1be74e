/// Where a fetch takes its data from, and so at which rule stages it can
/// be used: `res.hdr` in an `http-request` rule is refused at parse time
/// (`may not be reliably used here because it needs 'HTTP response
/// headers' which is not available here`).
///
/// The names are the ones HAProxy 2.6 prints in those errors.
public struct SampleSources: OptionSet, Sendable, Hashable {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    /// Constants, process state, variables, backend counters (`nbsrv`...).
    public static let internalState = SampleSources(rawValue: 1 << 0)
    /// The bind line (`so_name`).
    public static let listener = SampleSources(rawValue: 1 << 1)
    public static let frontend = SampleSources(rawValue: 1 << 2)
    /// Addresses and ports (`src`, `dst`).
    public static let layer4 = SampleSources(rawValue: 1 << 3)
    /// The client-side connection's TLS layer (`ssl_fc`): not yet known in
    /// `tcp-request connection`.
    public static let clientConnection = SampleSources(rawValue: 1 << 4)
    /// Bytes waiting in the request channel (`req.len`, `req.payload`).
    public static let requestBuffer = SampleSources(rawValue: 1 << 5)
    /// Volatile request data (`req.hdr`, `path`): gone once it is forwarded.
    public static let httpRequestHeaders = SampleSources(rawValue: 1 << 6)
    /// Request data kept for the transaction (`method`, captures).
    public static let httpRequest = SampleSources(rawValue: 1 << 7)
    public static let backend = SampleSources(rawValue: 1 << 8)
    public static let server = SampleSources(rawValue: 1 << 9)
    public static let responseBuffer = SampleSources(rawValue: 1 << 10)
    public static let httpResponseHeaders = SampleSources(rawValue: 1 << 11)
    public static let httpResponse = SampleSources(rawValue: 1 << 12)

    public static let all = SampleSources(rawValue: (1 << 13) - 1)

    /// The names 2.6 prints, one per bit, in bit order.
    private static let names: [String] = [
        "internal state", "listener", "frontend", "layer 4", "client-side connection",
        "request buffer", "HTTP request headers", "HTTP request", "backend", "server",
        "response buffer", "HTTP response headers", "HTTP response",
    ]

    /// The name of the lowest source in the set, as 2.6 words it in its
    /// errors (`HTTP response headers`).
    public var name: String {
        for bit in 0..<Self.names.count where rawValue & (1 << bit) != 0 { return Self.names[bit] }
        return ""
    }
}

/// The rule sets a sample expression can appear in, with the data each
/// one has (2.6, checked with `haproxy -c`: `be_name` is refused in a
/// frontend's `http-request` rules, `req.hdr` in `http-response` rules).
public enum SampleStage: Sendable, Hashable {
    case tcpRequestConnection
    case tcpRequestSession
    /// `tcp-request content` (`inBackend`: declared in a backend).
    case tcpRequestContent(inBackend: Bool)
    case httpRequest(inBackend: Bool)
    case tcpResponseContent
    case httpResponse
    case httpAfterResponse
    /// Everything a stream has seen (`http-error` formats).
    case logging
    /// `log-format` samples: the line is written once the messages are
    /// gone, so header and buffer contents are not available (2.6).
    case logLine

    /// The sources whose data is available at this stage.
    public var availableSources: SampleSources {
        let connection: SampleSources = [.internalState, .listener, .frontend, .layer4]
        switch self {
        case .tcpRequestConnection:
            return connection
        case .tcpRequestSession:
            return connection.union(.clientConnection)
        case .tcpRequestContent(let inBackend), .httpRequest(let inBackend):
            var sources = connection.union([.clientConnection, .requestBuffer, .httpRequestHeaders, .httpRequest])
            if inBackend { sources.insert(.backend) }
            return sources
        case .tcpResponseContent, .httpResponse, .httpAfterResponse:
            return SampleSources.all.subtracting([.requestBuffer, .httpRequestHeaders])
        case .logging:
            return .all
        case .logLine:
            return SampleSources.all.subtracting([
                .requestBuffer, .httpRequestHeaders, .responseBuffer, .httpResponseHeaders,
            ])
        }
    }
}

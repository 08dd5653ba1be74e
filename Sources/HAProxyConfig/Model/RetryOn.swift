/// `retry-on`: the failures after which a request is sent again, within
/// `retries` (manual 4.2, "retry-on"). The default is `conn-failure`.
public struct RetryOn: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// The connection (or its TLS handshake) failed: the request was not sent.
    public static let connFailure = RetryOn(rawValue: 1 << 0)
    /// The server closed after the request was sent, having answered nothing.
    public static let emptyResponse = RetryOn(rawValue: 1 << 1)
    /// The server sent something that is not a complete response head.
    public static let junkResponse = RetryOn(rawValue: 1 << 2)
    /// `timeout server` struck before the response head.
    public static let responseTimeout = RetryOn(rawValue: 1 << 3)
    /// The server rejected early data (never sent by this build: no `allow-0rtt`).
    public static let zeroRTTRejected = RetryOn(rawValue: 1 << 4)

    /// The status codes 2.6 accepts, each a bit after the failure kinds.
    public static let statuses: [Int] = [401, 403, 404, 408, 425, 500, 501, 502, 503, 504]

    /// The bit of a status code `retry-on` accepts, nil for any other.
    public static func status(_ code: Int) -> RetryOn? {
        guard let i = statuses.firstIndex(of: code) else { return nil }
        return RetryOn(rawValue: 1 << (8 + UInt32(i)))
    }

    /// `all-retryable-errors`.
    public static let allRetryable: RetryOn = [
        .connFailure, .emptyResponse, .junkResponse, .responseTimeout, .zeroRTTRejected,
        status(500)!, status(502)!, status(503)!, status(504)!,
    ]

    /// Whether a response with `code` is retried.
    @inline(__always)
    public func retries(status code: Int) -> Bool {
        guard rawValue >> 8 != 0, let bit = Self.status(code) else { return false }
        return contains(bit)
    }

    /// Any kind that needs the request once it was sent (all but
    /// `conn-failure`): the request is then kept until the response comes.
    public var needsSentRequest: Bool { !subtracting(.connFailure).isEmpty }

    /// Reads `retry-on`'s words; nil and the message 2.6 gives for a bad list.
    public static func parse(_ words: ArraySlice<String>) -> Result<RetryOn, RetryOnError> {
        guard !words.isEmpty else { return .failure(RetryOnError("needs at least one keyword to specify when to retry")) }
        var set: RetryOn = []
        for word in words {
            switch word {
            case "none":
                guard words.count == 1 else { return .failure(RetryOnError("'none' keyworld only usable alone")) }
            case "conn-failure": set.insert(.connFailure)
            case "empty-response": set.insert(.emptyResponse)
            case "junk-response": set.insert(.junkResponse)
            case "response-timeout": set.insert(.responseTimeout)
            case "0rtt-rejected": set.insert(.zeroRTTRejected)
            case "all-retryable-errors": set.formUnion(.allRetryable)
            default:
                guard let code = Int(word), String(code) == word, let bit = status(code) else {
                    return .failure(RetryOnError(": unknown keyword '\(word)'"))
                }
                set.insert(bit)
            }
        }
        return .success(set)
    }
}

/// Why a `retry-on` line was refused (the words after `'retry-on'`).
public struct RetryOnError: Error, Equatable {
    public let message: String
    init(_ message: String) { self.message = message }
}

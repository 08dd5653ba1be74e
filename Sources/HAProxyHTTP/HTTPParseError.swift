/// A malformed head or body, with the status HAProxy 2.6 answers for it.
///
/// Requests HAProxy cannot parse get a 400 (a few framing cases a 422);
/// responses it cannot parse become a 502 for the client. `offset` points
/// at the offending byte, relative to where parsing started, for logs.
public struct HTTPParseError: Error, Equatable, Sendable {
    /// What was wrong; for logs and tests, not for the client.
    public enum Reason: UInt8, Sendable {
        case invalidStartLine, invalidMethod, invalidURI, http09, invalidVersion, invalidStatus
        case invalidHeaderName, invalidFolding, invalidLineBreak, tooManyHeaders, headTooLarge
        case invalidContentLength, invalidTransferEncoding, unsupportedTransferEncoding
        case hostMismatch, invalidChunkSize, invalidChunkTerminator, invalidTrailer
        /// A WebSocket upgrade without a 24-byte `Sec-WebSocket-Key`.
        case invalidWebSocketKey
        /// An HTTP/1.0 GET, HEAD or DELETE with a body (413).
        case bodyNotAllowed
    }

    public var status: Int
    public var reason: Reason
    public var offset: Int

    public init(status: Int, reason: Reason, offset: Int) {
        self.status = status; self.reason = reason; self.offset = offset
    }
}

/// Outcome of one `HTTPHeadParser.parse` call.
public enum HTTPHeadParseResult: Sendable {
    /// The head is not complete yet; call again with the same reader index
    /// once more bytes arrived (the scan resumes where it stopped).
    case needMore
    /// A complete head; it used `head.length` bytes of the buffer.
    case complete(HTTPHead)
    case error(HTTPParseError)
}

/// Size limits applied to a head, from HAProxy's tunables.
///
/// HAProxy converts a head to its internal HTX form, which must fit in
/// `tune.bufsize - tune.maxrewrite` minus the HTX bookkeeping; since HTX
/// stores 8 bytes per block, the raw limit shrinks by about 4 bytes per
/// header. The 37-byte bookkeeping constant was measured on 2.6.12 (a head
/// of 15273 bytes with 2 headers passes, 15274 fails; with 52 headers,
/// 15073 passes). `tune.http.maxhdr` (101) allows 100 header lines.
public struct HTTPHeadLimits: Sendable {
    public var bufferSize: Int
    public var maxRewrite: Int
    public var maxHeaders: Int

    public init(bufferSize: Int = 16384, maxRewrite: Int = 1024, maxHeaders: Int = 100) {
        self.bufferSize = bufferSize; self.maxRewrite = maxRewrite; self.maxHeaders = maxHeaders
    }

    /// Largest HTX size a head may take.
    @inlinable public var htxBudget: Int { bufferSize - maxRewrite - 37 }
}

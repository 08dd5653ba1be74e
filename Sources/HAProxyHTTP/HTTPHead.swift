import NIOCore

/// HTTP version of a start line; HAProxy accepts any `HTTP/<digit>.<digit>`.
public struct HTTPVersion: Equatable, Sendable {
    public var major: UInt8
    public var minor: UInt8
    public init(major: UInt8, minor: UInt8) { self.major = major; self.minor = minor }
    public static let http1_0 = HTTPVersion(major: 1, minor: 0)
    public static let http1_1 = HTTPVersion(major: 1, minor: 1)
    /// True for 1.1 and later, where connections are persistent by default.
    @inlinable public var isPersistentByDefault: Bool { major > 1 || (major == 1 && minor >= 1) }
}

/// Headers the scan recognises, so later stages can find them by kind.
///
/// `Proxy-Connection` and `Keep-Alive` are not among them: HAProxy 2.6
/// neither obeys nor removes them (recorded: `Proxy-Connection: close`
/// keeps the client connection open and reaches the server).
public enum HTTPKnownHeader: UInt8, Sendable {
    case other, host, contentLength, transferEncoding, connection, expect, upgrade, webSocketKey
}

/// One header line as offsets relative to the start of the head.
///
/// `line` covers the whole line from the name to the end of its line break
/// (including obs-fold continuation lines), which is what a rewrite removes;
/// `value` is trimmed of optional whitespace (RFC 9110 §5.5).
public struct HTTPHeaderField: Equatable, Sendable {
    public var name: Range<Int>
    public var value: Range<Int>
    public var line: Range<Int>
    public var kind: HTTPKnownHeader
    public init(name: Range<Int>, value: Range<Int>, line: Range<Int>, kind: HTTPKnownHeader) {
        self.name = name; self.value = value; self.line = line; self.kind = kind
    }
}

/// `Connection` header tokens that matter to a proxy (RFC 9110 §7.6.1).
public struct HTTPConnectionTokens: OptionSet, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let close = HTTPConnectionTokens(rawValue: 1)
    public static let keepAlive = HTTPConnectionTokens(rawValue: 2)
    public static let upgrade = HTTPConnectionTokens(rawValue: 4)
}

/// How the message body that follows a head is delimited (RFC 9112 §6.3).
public enum HTTPBodyFraming: Equatable, Sendable {
    /// No body at all (GET without length, HEAD response, 204, 304, 1xx).
    case none
    /// Exactly this many bytes.
    case contentLength(UInt64)
    /// Chunked transfer coding, ending with the last chunk and trailers.
    case chunked
    /// Response body that ends when the server closes the connection.
    case untilClose
    /// Bytes flow both ways opaquely (CONNECT 2xx, 101 Switching Protocols).
    case tunnel
}

/// A parsed request or response head: offsets into the received bytes plus
/// the facts the proxy needs, all found in one scan.
///
/// Offsets are relative to the reader index of the buffer given to the
/// parser. `length` counts everything the head used, including the empty
/// lines HAProxy skips before a request line, so the caller advances its
/// reader index by `length` and forwards the body from there.
public struct HTTPHead: Sendable {
    /// Bytes the head used in the buffer, leading empty lines included.
    public var length: Int = 0
    /// Offset of the start line (after skipped leading empty lines).
    public var startLineStart: Int = 0
    /// Offset just after the start line's line break: headers begin here.
    public var headersStart: Int = 0
    /// Offset of the empty line that ends the head.
    public var headersEnd: Int = 0
    public var isRequest: Bool = true

    public var method: HTTPMethod = .other
    /// Request: the method. Response: the version.
    public var methodRange: Range<Int> = 0..<0
    /// Request: the URI. Response: the status code.
    public var uriRange: Range<Int> = 0..<0
    /// Request: the version. Response: the reason phrase.
    public var versionRange: Range<Int> = 0..<0
    public var version: HTTPVersion = .http1_1
    /// Response status code (0 for requests).
    public var status: Int = 0

    public var headers: [HTTPHeaderField] = []

    /// Last valid `Content-Length` (all of them were equal), nil when absent.
    public var contentLength: UInt64? = nil
    /// `Transfer-Encoding` present (whatever its value).
    public var hasTransferEncoding: Bool = false
    /// `Transfer-Encoding` ends with `chunked`. Framing then ignores any
    /// `Content-Length`, and `HTTPHeadRewriter` drops that header when
    /// forwarding (RFC 9112 §6.3: a request smuggling defence).
    public var isChunked: Bool = false
    public var connection: HTTPConnectionTokens = []
    public var hasHost: Bool = false
    public var expectsContinue: Bool = false
    public var hasUpgrade: Bool = false
    /// A header was folded over several lines; HAProxy joins it with spaces.
    public var hasObsFold: Bool = false
    /// A version token the parser accepted only under `option
    /// accept-invalid-http-request` (`RTSP/1.0`): forwarded as written.
    public var forwardsVersionAsWritten: Bool = false
    public var bodyFraming: HTTPBodyFraming = .none
    /// `loggedSize(in:)` as the parser measured it, valid for the head
    /// as parsed (not after edits rewrote it).
    public internal(set) var loggedSizeAsParsed = 0

    public init() {}

    /// Response with a 1xx status other than 101: the final response follows.
    @inlinable public var isInterim: Bool { !isRequest && status >= 100 && status < 200 && status != 101 }

    /// Chunked with a `Content-Length` too, or chunked in HTTP/1.0: the
    /// message is forwarded but the connection closes after its answer
    /// (RFC 9112 §6.1; recorded: 2.6 answers `connection: close`).
    @inlinable public var hasAmbiguousFraming: Bool {
        isChunked && (contentLength != nil || !version.isPersistentByDefault)
    }

    /// Whether the connection may carry another message after this one,
    /// following the version default and the `Connection` tokens.
    @inlinable public var isKeepAlive: Bool {
        if connection.contains(.close) { return false }
        if version.isPersistentByDefault { return true }
        return connection.contains(.keepAlive)
    }
}

extension HTTPHead {
    /// The value of the first header named `name` (ASCII, compared without
    /// case), as a range of `bytes`' readable bytes; nil when absent.
    public func firstHeaderValue(named name: some Collection<UInt8>, in bytes: ByteBuffer) -> Range<Int>? {
        headerValue(named: name, in: bytes, among: headers)
    }

    /// The value of the last header named `name`, as `firstHeaderValue`.
    public func lastHeaderValue(named name: some Collection<UInt8>, in bytes: ByteBuffer) -> Range<Int>? {
        headerValue(named: name, in: bytes, among: headers.reversed())
    }

    private func headerValue(
        named name: some Collection<UInt8>, in bytes: ByteBuffer, among fields: some Sequence<HTTPHeaderField>
    ) -> Range<Int>? {
        bytes.withUnsafeReadableBytes { p in
            for h in fields where h.name.count == name.count {
                if zip(p[h.name], name).allSatisfy({ HTTPBytes.lower($0) == HTTPBytes.lower($1) }) { return h.value }
            }
            return nil
        }
    }
}

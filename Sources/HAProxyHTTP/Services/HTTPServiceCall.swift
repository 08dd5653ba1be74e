import HAProxyConfig
import NIOCore

/// A request a service answers inside the stream (HAProxy's applets): the
/// statistics page, or a service named by `http-request use-service`. The
/// state machine hands it to the I/O layer, which asks the runtime for the
/// response and gives it back with `serviceAnswered`.
public final class HTTPServiceCall {
    public enum Service {
        /// A service registered under this name.
        case named(String)
        /// The statistics page of a proxy; `admin` when `stats admin`
        /// allows this request to act on servers.
        case statsPage(HTTPStatsPagePolicy, admin: Bool)
    }

    public let service: Service
    public let method: HTTPMethod
    /// The request target as received (path and query string).
    public let target: String
    /// The request body (decoded from chunks), when the request has one
    /// and it was awaited (a POST to an admin page).
    public let body: [UInt8]
    /// The frontend the request came through.
    public let frontendName: String

    public init(service: Service, method: HTTPMethod, target: String, body: [UInt8], frontendName: String) {
        self.service = service
        self.method = method
        self.target = target
        self.body = body
        self.frontendName = frontendName
    }

    /// The target's path (before `?`).
    public var path: Substring { target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0] }

    /// The query string (after the first `?`), empty when none.
    public var query: Substring {
        guard let mark = target.firstIndex(of: "?") else { return "" }
        return target[target.index(after: mark)...]
    }
}

/// What a service answers: written by the stream with a `content-length`
/// (or chunked) and the connection header the stream needs.
public struct HTTPServiceResponse: Sendable {
    public var status: Int
    /// Header lines in order, names in lower case as 2.6 writes them.
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// What the log shows in the server field for the service's answers
    /// (2.6's applet names: `<STATS>`, `<PROMEX>`).
    public var logName: String?
    /// Sent with `transfer-encoding: chunked` (in one chunk, its size in
    /// upper-case hex) instead of a `content-length`, as 2.6's stats page
    /// sends its HTML, CSV and JSON.
    public var chunked = false

    public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = [], chunked: Bool = false) {
        self.status = status
        self.headers = headers
        self.body = body
        self.chunked = chunked
    }

    /// The bytes on the wire; a HEAD request gets the head only.
    /// `connectionFirst`: the connection header goes before a chunked
    /// framing header (2.6's order for an HTTP/1.0 request).
    public func bytes(connection: HTTPResponseConnection, isHEAD: Bool, connectionFirst: Bool = false) -> ByteBuffer {
        var out = ByteBuffer()
        out.reserveCapacity(128 + body.count)
        HTTPResponseBuilder.writeStatusLine(&out, status: status, reason: HTTPReasonPhrase.phrase(for: status))
        for (name, value) in headers {
            out.writeString(name)
            out.writeStaticString(": ")
            out.writeString(value)
            out.writeStaticString("\r\n")
        }
        if chunked {
            if connectionFirst { HTTPResponseBuilder.writeConnection(&out, connection) }
            out.writeStaticString("transfer-encoding: chunked\r\n")
            if !connectionFirst { HTTPResponseBuilder.writeConnection(&out, connection) }
            out.writeStaticString("\r\n")
            guard !isHEAD else { return out }
            if !body.isEmpty {
                out.writeString(String(body.count, radix: 16, uppercase: true))
                out.writeStaticString("\r\n")
                out.writeBytes(body)
                out.writeStaticString("\r\n")
            }
            out.writeStaticString("0\r\n\r\n")
            return out
        }
        if status != 204 && status != 304 {
            out.writeStaticString("content-length: ")
            HTTPResponseBuilder.writeDecimal(&out, body.count)
            out.writeStaticString("\r\n")
        }
        HTTPResponseBuilder.writeConnection(&out, connection)
        out.writeStaticString("\r\n")
        if !isHEAD { out.writeBytes(body) }
        return out
    }
}

import NIOCore

/// HAProxy 2.6's built-in error responses, byte-exact, and `errorfile` loading.
///
/// HAProxy keeps one message per status in `http_err_msgs` (http.c). Sent by
/// a stream (deny, 502, 503, 504...) it passes through HTX and the H1 mux,
/// which lowercases header names and writes `connection: close` last; sent
/// by the connection layer before any stream exists (a request it cannot
/// parse, a request timeout, a 422 on Transfer-Encoding) it goes out as
/// written in the source, with its original header case and order. Both
/// forms were recorded from the real binary (Tests/HAProxyHTTPTests/Golden).
public enum HTTPErrorPages {
    /// Statuses that have a built-in page.
    public static let statuses: [Int] = [200, 400, 401, 403, 404, 405, 407, 408, 410, 413, 422, 425, 429, 500, 501, 502, 503, 504]

    struct Entry {
        var status: Int
        var reason: StaticString
        var text: StaticString
        var closes: Bool
    }

    static let entries: [Entry] = [
        Entry(status: 200, reason: "OK", text: "Service ready.", closes: false),
        Entry(status: 400, reason: "Bad request", text: "Your browser sent an invalid request.", closes: true),
        Entry(status: 401, reason: "Unauthorized", text: "You need a valid user and password to access this content.", closes: false),
        Entry(status: 403, reason: "Forbidden", text: "Request forbidden by administrative rules.", closes: false),
        Entry(status: 404, reason: "Not Found", text: "The resource could not be found.", closes: false),
        Entry(status: 405, reason: "Method Not Allowed", text: "A request was made of a resource using a request method not supported by that resource", closes: false),
        Entry(status: 407, reason: "Unauthorized", text: "You need a valid user and password to access this content.", closes: false),
        Entry(status: 408, reason: "Request Time-out", text: "Your browser didn't send a complete request in time.", closes: true),
        Entry(status: 410, reason: "Gone", text: "The resource is no longer available and will not be available again.", closes: false),
        Entry(status: 413, reason: "Payload Too Large", text: "The request entity exceeds the maximum allowed.", closes: false),
        Entry(status: 422, reason: "Unprocessable Content", text: "The server cannot process the contained instructions.", closes: false),
        Entry(status: 425, reason: "Too Early", text: "Your browser sent early data.", closes: false),
        Entry(status: 429, reason: "Too Many Requests", text: "You have sent too many requests in a given amount of time.", closes: false),
        Entry(status: 500, reason: "Internal Server Error", text: "An internal server error occurred.", closes: false),
        Entry(status: 501, reason: "Not Implemented", text: ".The server does not support the functionality required to fulfill the request.", closes: false),
        Entry(status: 502, reason: "Bad Gateway", text: "The server returned an invalid or incomplete response.", closes: false),
        Entry(status: 503, reason: "Service Unavailable", text: "No server is available to handle this request.", closes: false),
        Entry(status: 504, reason: "Gateway Time-out", text: "The server didn't respond in time.", closes: false),
    ]

    /// The HTML body of the built-in page for `status`.
    public static func body(for status: Int) -> ByteBuffer? {
        entries.first { $0.status == status }.map(body)
    }

    static func body(_ e: Entry) -> ByteBuffer {
        var b = ByteBuffer()
        b.writeStaticString("<html><body><h1>")
        HTTPResponseBuilder.writeDecimal(&b, e.status)
        b.writeInteger(UInt8(ascii: " "))
        b.writeStaticString(e.reason)
        b.writeStaticString("</h1>\n")
        b.writeStaticString(e.text)
        b.writeStaticString("\n</body></html>\n")
        return b
    }

    static func build(_ e: Entry, early: Bool, connection: HTTPResponseConnection) -> ByteBuffer {
        var body = body(e)
        var out = ByteBuffer()
        HTTPResponseBuilder.writeStatusLine(&out, status: e.status, reason: e.reason)
        if early {
            out.writeStaticString("Content-length: ")
            HTTPResponseBuilder.writeDecimal(&out, body.readableBytes)
            out.writeStaticString("\r\nCache-Control: no-cache\r\n")
            if e.closes { out.writeStaticString("Connection: close\r\n") }
            out.writeStaticString("Content-Type: text/html\r\n\r\n")
        } else {
            out.writeStaticString("content-length: ")
            HTTPResponseBuilder.writeDecimal(&out, body.readableBytes)
            out.writeStaticString("\r\ncache-control: no-cache\r\ncontent-type: text/html\r\n")
            HTTPResponseBuilder.writeConnection(&out, e.closes ? .close : connection)
            out.writeStaticString("\r\n")
        }
        out.writeBuffer(&body)
        return out
    }

    static let streamPages: [Int: ByteBuffer] = {
        var d: [Int: ByteBuffer] = [:]
        for e in entries { d[e.status] = build(e, early: false, connection: .none) }
        return d
    }()

    static let earlyPages: [Int: ByteBuffer] = {
        var d: [Int: ByteBuffer] = [:]
        for e in entries { d[e.status] = build(e, early: true, connection: .none) }
        return d
    }()

    /// The page a stream sends for `status` (deny, 502, 503, 504...) on a
    /// keep-alive connection. Built once; sending it copies nothing.
    public static func page(for status: Int) -> ByteBuffer? { streamPages[status] }

    /// The page a stream sends for `status` with the given connection header
    /// (400 and 408 always carry `connection: close`).
    public static func page(for status: Int, connection: HTTPResponseConnection) -> ByteBuffer? {
        if connection == .none { return streamPages[status] }
        guard let e = entries.first(where: { $0.status == status }) else { return nil }
        return build(e, early: false, connection: connection)
    }

    /// The page the connection layer sends before a stream exists: 400 for
    /// an unparsable request, 408 for a request timeout, 422 for a refused
    /// Transfer-Encoding, 500/501 for internal failures.
    public static func earlyPage(for status: Int) -> ByteBuffer? { earlyPages[status] }

    /// Turns the contents of an `errorfile` into the bytes HAProxy sends.
    ///
    /// The file is a raw HTTP response (like /etc/haproxy/errors/503.http).
    /// HAProxy parses it as a response head, refuses chunked bodies and a
    /// Content-Length that disagrees with the payload, and sends it through
    /// HTX: start line as written, header names lowercased, values trimmed,
    /// `Connection` headers dropped (the H1 layer writes its own), body as is.
    /// - Returns: the ready-to-send bytes, or the error text HAProxy prints
    ///   after `errorfile : '<path>': `.
    public static func loadErrorFile(_ file: [UInt8]) -> Result<ByteBuffer, ErrorFileError> {
        var parser = HTTPHeadParser.response(to: .get)
        let result = file.withUnsafeBytes { parser.parse(bytes: $0) }
        let head: HTTPHead
        switch result {
        case .complete(let h): head = h
        case .error(let e): return .failure(ErrorFileError(message: "unable to parse headers (error offset: \(e.offset))"))
        case .needMore: return .failure(ErrorFileError(message: "unable to parse headers (error offset: \(file.count))"))
        }
        if head.isChunked { return .failure(ErrorFileError(message: "chunk-encoded payload not supported")) }
        let payload = file.count - head.length
        if let cl = head.contentLength, cl != UInt64(payload) {
            return .failure(ErrorFileError(message: "payload size does not match the announced content-length (\(payload) != \(cl))"))
        }
        var out = ByteBuffer()
        out.reserveCapacity(file.count)
        out.writeBytes(file[head.startLineStart..<head.versionRange.upperBound])
        out.writeStaticString("\r\n")
        for h in head.headers where h.kind != .connection {
            for i in h.name { out.writeInteger(HTTPBytes.lower(file[i])) }
            out.writeStaticString(": ")
            out.writeBytes(file[h.value])
            out.writeStaticString("\r\n")
        }
        out.writeStaticString("\r\n")
        out.writeBytes(file[head.length...])
        return .success(out)
    }

    /// Why an `errorfile` was refused, worded as HAProxy's alert.
    public struct ErrorFileError: Error, Equatable, Sendable {
        public var message: String
    }
}

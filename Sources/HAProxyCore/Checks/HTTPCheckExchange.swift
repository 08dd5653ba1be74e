import HAProxyConfig
import HAProxyHTTP
import NIOCore

/// One `option httpchk` exchange without any channel: the request bytes to
/// send, and the evaluation of what came back (manual, `option httpchk`,
/// `http-check send`, `http-check expect`).
///
/// The request is `METHOD URI VERSION`, then the configured headers with
/// lower-case names, `content-length` when there is a body and
/// `connection: close` for HTTP/1.1, as HAProxy 2.6 sends them (recorded).
/// Without `expect` rules a 2xx or 3xx status passes. Status rules are
/// decided on the head; content rules wait for the body (its length, the
/// connection close, or a full buffer). A chunked body is matched as it
/// came, chunk sizes included.
struct HTTPCheckExchange {
    /// Bytes HAProxy gives up reading at (`tune.bufsize`).
    static let maxResponseBytes = 16384

    let request: [UInt8]
    /// Where `x-haproxy-server-state` goes in `request`: after the
    /// configured headers, before `content-length` and `connection`.
    private let stateHeaderOffset: Int
    let method: HTTPMethod
    let expects: [HealthCheckPattern]
    let needsBody: Bool
    /// `http-check disable-on-404`.
    let disableOn404: Bool

    private var parser: HTTPHeadParser
    /// Offset of the current (final) head from the buffer's reader index,
    /// after interim 1xx responses.
    private var headOffset = 0
    private var head: HTTPHead?
    private var reasonPhrase = ""

    init(config: HealthCheckConfig) throws {
        expects = try config.httpExpect.map(HealthCheckPattern.init)
        disableOn404 = config.disableOn404
        needsBody = expects.contains { !$0.isStatusRule }
        switch config.httpMethod.uppercased() {
        case "HEAD": method = .head
        case "CONNECT": method = .connect
        case "OPTIONS": method = .options
        case "POST": method = .post
        default: method = .get
        }
        parser = .response(to: method)
        (request, stateHeaderOffset) = HTTPCheckExchange.buildRequest(config)
    }

    /// The request with `x-haproxy-server-state: state` (`http-check send-state`).
    func request(withState state: String) -> [UInt8] {
        var out = Array(request[..<stateHeaderOffset])
        out += Array("x-haproxy-server-state: \(state)\r\n".utf8)
        out += request[stateHeaderOffset...]
        return out
    }

    static func buildRequest(_ config: HealthCheckConfig) -> (request: [UInt8], stateHeaderOffset: Int) {
        var s = "\(config.httpMethod) \(config.httpURI) \(config.httpVersion)\r\n"
        for (name, value) in config.httpHeaders {
            s += "\(name.lowercased()): \(value)\r\n"
        }
        let offset = s.utf8.count
        if let body = config.httpBody, !body.isEmpty { s += "content-length: \(body.utf8.count)\r\n" }
        if config.httpVersion.uppercased() == "HTTP/1.1" { s += "connection: close\r\n" }
        s += "\r\n"
        if let body = config.httpBody { s += body }
        return (Array(s.utf8), offset)
    }

    /// Evaluates the bytes received so far (always from the same reader
    /// index); nil means "wait for more".
    /// - Parameter closed: the server closed its side, nothing more comes.
    mutating func evaluate(_ buffer: ByteBuffer, closed: Bool) -> HealthCheckResult? {
        let full = buffer.readableBytes >= HTTPCheckExchange.maxResponseBytes
        while head == nil {
            let rest = buffer.getSlice(at: buffer.readerIndex + headOffset, length: buffer.readableBytes - headOffset)!
            switch parser.parse(rest) {
            case .needMore:
                return (closed || full) ? HealthCheckResult(code: .L7RSP) : nil
            case .error:
                return HealthCheckResult(code: .L7RSP)
            case .complete(let h):
                if h.isInterim {
                    headOffset += h.length
                    continue
                }
                head = h
                reasonPhrase = HTTPCheckExchange.reasonPhrase(rest, h)
            }
        }
        let h = head!
        if needsBody {
            let bodyBytes = buffer.readableBytes - headOffset - h.length
            var complete = closed || full
            switch h.bodyFraming {
            case .none: complete = true
            case .contentLength(let n): complete = complete || UInt64(bodyBytes) >= n
            default: break
            }
            if !complete { return nil }
        }
        return decide(status: h.status, body: buffer.getBytes(
            at: buffer.readerIndex + headOffset + h.length,
            length: buffer.readableBytes - headOffset - h.length) ?? [])
    }

    /// Applies the expect rules (or the 2xx/3xx default) to a response.
    func decide(status: Int, body: [UInt8]) -> HealthCheckResult {
        // Before the expect rules (manual); the phrase is for the checker,
        // which reports a 404 from a server that is down as L7STS.
        if disableOn404 && status == 404 {
            return HealthCheckResult(code: .L7OKC, statusCode: status, info: reasonPhrase)
        }
        if expects.isEmpty {
            if (200...399).contains(status) { return HealthCheckResult(code: .L7OK, statusCode: status) }
            return HealthCheckResult(code: .L7STS, statusCode: status, info: reasonPhrase)
        }
        for rule in expects {
            if rule.isStatusRule {
                if rule.matches(status: status) == rule.negated {
                    return HealthCheckResult(code: .L7STS, statusCode: status, info: reasonPhrase)
                }
                continue
            }
            if body.isEmpty {
                return HealthCheckResult(code: .L7RSP, info: "HTTP content check could not find a response body")
            }
            let matched = rule.matches(content: body)
            if matched && rule.negated {
                return HealthCheckResult(code: .L7RSP, info: "HTTP check matched unwanted content")
            }
            if !matched && !rule.negated {
                return HealthCheckResult(code: .L7RSP, info: "HTTP content check did not match")
            }
        }
        return HealthCheckResult(code: .L7OK, statusCode: status)
    }

    /// The reason phrase of the status line, e.g. `Service Unavailable`.
    static func reasonPhrase(_ buffer: ByteBuffer, _ head: HTTPHead) -> String {
        guard let line = buffer.getBytes(at: buffer.readerIndex + head.startLineStart,
                                         length: max(0, head.headersStart - head.startLineStart)) else { return "" }
        var end = line.count
        while end > 0 && (line[end - 1] == 0x0A || line[end - 1] == 0x0D) { end -= 1 }
        // "HTTP/1.1 503 Service Unavailable": skip version and code.
        var i = 0
        var spaces = 0
        while i < end && spaces < 2 {
            if line[i] == 0x20 {
                spaces += 1
                while i + 1 < end && line[i + 1] == 0x20 { i += 1 }
            }
            i += 1
        }
        return spaces < 2 ? "" : String(decoding: line[i..<end], as: UTF8.self)
    }
}

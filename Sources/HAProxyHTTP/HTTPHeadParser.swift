import NIOCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Incremental HTTP/1 head parser for requests or responses, validating as
/// HAProxy 2.6's h1.c does and recording offsets instead of Strings.
///
/// Call `parse(_:)` with the received bytes each time more arrive, without
/// moving the reader index while it answers `.needMore`: the search for the
/// end of the head resumes where it stopped, and the head is parsed once,
/// when complete. After `.complete` or `.error` the parser is ready for the
/// next message. Leading empty lines are skipped, as HAProxy does.
public struct HTTPHeadParser: Sendable {
    public enum Mode: Equatable, Sendable {
        case request
        /// A response to a request with this method (HEAD and CONNECT change
        /// how its body is delimited).
        case response(requestMethod: HTTPMethod)
    }

    public var mode: Mode
    public var limits: HTTPHeadLimits
    /// `option accept-invalid-http-request|response` (recorded from 2.6):
    /// header names of any bytes up to the colon; for requests also a
    /// target of any bytes above the space (`{`, `|`, `"`, `#`, UTF-8,
    /// DEL), a request line without a version (HTTP/0.9, handled as 1.0)
    /// and a version token of another form (`RTSP/1.0`, `HTTP/1.10`),
    /// handled as 1.0 and forwarded as written.
    public var lenient = false

    // Resumable end-of-head search.
    @usableFromInline var scanned = 0
    @usableFromInline var started = false
    @usableFromInline var startLine = 0
    /// Offset where the current header line starts: a line feed there, or
    /// a CR LF there, ends the head.
    @usableFromInline var lineStart = 0

    public init(mode: Mode, limits: HTTPHeadLimits = HTTPHeadLimits()) {
        self.mode = mode
        self.limits = limits
    }

    /// A parser for client requests.
    public static func request(limits: HTTPHeadLimits = HTTPHeadLimits()) -> HTTPHeadParser {
        HTTPHeadParser(mode: .request, limits: limits)
    }

    /// A parser for server responses to a request with `method`.
    public static func response(to method: HTTPMethod, limits: HTTPHeadLimits = HTTPHeadLimits()) -> HTTPHeadParser {
        HTTPHeadParser(mode: .response(requestMethod: method), limits: limits)
    }

    /// Forgets a partial scan (for example when the connection is reused).
    public mutating func reset() {
        scanned = 0; started = false; startLine = 0; lineStart = 0
    }

    /// Scans the readable bytes of `buffer` for a complete head.
    public mutating func parse(_ buffer: ByteBuffer) -> HTTPHeadParseResult {
        var storage: [HTTPHeaderField] = []
        return buffer.withUnsafeReadableBytes { self.parse(bytes: $0, headerStorage: &storage) }
    }

    /// Same as `parse(_:)`, a complete head taking the array storage of
    /// `headerStorage` for its fields (left empty then), so that heads
    /// parsed one after another need no new storage: hand back the fields
    /// of a head no longer needed (`swap(&storage, &old.headers)`).
    public mutating func parse(_ buffer: ByteBuffer, headerStorage: inout [HTTPHeaderField]) -> HTTPHeadParseResult {
        buffer.withUnsafeReadableBytes { self.parse(bytes: $0, headerStorage: &headerStorage) }
    }

    /// Same as `parse(_:)` over raw bytes starting at the message start.
    public mutating func parse(bytes p: UnsafeRawBufferPointer) -> HTTPHeadParseResult {
        var storage: [HTTPHeaderField] = []
        return parse(bytes: p, headerStorage: &storage)
    }

    mutating func parse(bytes p: UnsafeRawBufferPointer, headerStorage: inout [HTTPHeaderField]) -> HTTPHeadParseResult {
        let n = p.count
        var i = scanned
        if !started {
            while i < n {
                let c = p[i]
                if c == 0x0A { i += 1; continue }
                if c == 0x0D {
                    if i + 1 >= n { break }
                    if p[i + 1] == 0x0A { i += 2; continue }
                    return finish(.error(fail(.invalidStartLine, i)))
                }
                started = true
                startLine = i
                lineStart = i
                break
            }
        }
        if started, let base = p.baseAddress {
            // Jump from line feed to line feed (memchr), checking whether the
            // line that ends there is empty.
            while i < n {
                guard let hit = memchr(base + i, 0x0A, n - i) else {
                    i = n
                    break
                }
                let lf = base.distance(to: UnsafeRawPointer(hit))
                if lf == lineStart || (lf == lineStart + 1 && p[lineStart] == 0x0D) {
                    return finish(parseHead(p, startLine, lf + 1, &headerStorage))
                }
                lineStart = lf + 1
                i = lf + 1
            }
        }
        scanned = i
        if n >= limits.bufferSize {
            return finish(.error(fail(.headTooLarge, n)))
        }
        return .needMore
    }

    @inline(__always)
    mutating func finish(_ r: HTTPHeadParseResult) -> HTTPHeadParseResult {
        reset()
        return r
    }

    @inline(__always)
    func fail(_ reason: HTTPParseError.Reason, _ offset: Int) -> HTTPParseError {
        HTTPParseError(status: mode == .request ? 400 : 502, reason: reason, offset: offset)
    }

    /// Validates the version token at `p[s..<e]`: exactly `HTTP/<d>.<d>`.
    @inline(__always)
    static func version(_ p: UnsafeRawBufferPointer, _ s: Int, _ e: Int) -> HTTPVersion? {
        guard e - s == 8, p[s] == 0x48, p[s + 1] == 0x54, p[s + 2] == 0x54, p[s + 3] == 0x50,
              p[s + 4] == 0x2F, p[s + 6] == 0x2E else { return nil }
        let ma = p[s + 5] &- 0x30, mi = p[s + 7] &- 0x30
        guard ma <= 9, mi <= 9 else { return nil }
        return HTTPVersion(major: ma, minor: mi)
    }

    /// A version token `option accept-invalid-http-request` lets through
    /// (recorded from 2.6): uppercase letters, `/`, digits, `.`, digits
    /// (`RTSP/1.0`, `HTTP/1.10`, `HTTP/11.1`; not `http/1.1`, nor a
    /// token followed by more words).
    static func isLenientVersion(_ p: UnsafeRawBufferPointer, _ s: Int, _ e: Int) -> Bool {
        var i = s
        while i < e, p[i] >= 0x41 && p[i] <= 0x5A { i += 1 }
        guard i > s, i < e, p[i] == 0x2F else { return false }
        i += 1
        let major = i
        while i < e, p[i] &- 0x30 <= 9 { i += 1 }
        guard i > major, i < e, p[i] == 0x2E else { return false }
        i += 1
        let minor = i
        while i < e, p[i] &- 0x30 <= 9 { i += 1 }
        return i > minor && i == e
    }

    /// The version of a response's version token (`XXXX/d.d`, read by
    /// its digits: `HTTX/1.1` is 1.1); nil when 2.6 refuses it. Recorded
    /// with `lenient`: any token passes; one of 8 bytes is read by its
    /// 6th and 8th bytes whatever they are (`ABCDEFGH` counts as 1.1 or
    /// more), another is 1.0 (so it goes out as written: `HTTP/1.10`).
    @inline(__always)
    static func responseVersion(_ p: UnsafeRawBufferPointer, _ s: Int, _ e: Int, lenient: Bool) -> HTTPVersion? {
        if lenient {
            guard e > s else { return nil }
            guard e - s == 8 else { return .http1_0 }
            return HTTPVersion(major: p[s + 5] &- 0x30, minor: p[s + 7] &- 0x30)
        }
        guard e - s == 8, p[s + 4] == 0x2F else { return nil }
        for k in s..<(s + 4) where !((p[k] >= 0x41 && p[k] <= 0x5A) || p[k] &- 0x30 <= 9) { return nil }
        let ma = p[s + 5] &- 0x30, mi = p[s + 7] &- 0x30
        guard p[s + 6] == 0x2E, ma <= 9, mi <= 9 else { return nil }
        return HTTPVersion(major: ma, minor: mi)
    }

    /// Bytes HAProxy accepts in a response version token.
    @inline(__always)
    static func isResponseVersionByte(_ c: UInt8) -> Bool {
        (c >= 0x41 && c <= 0x5A) || (c >= 0x30 && c <= 0x39) || c == 0x2F || c == 0x2E
    }

    /// Parses the complete head `p[start..<end]` (end is just past the final LF).
    func parseHead(
        _ p: UnsafeRawBufferPointer, _ start: Int, _ end: Int, _ storage: inout [HTTPHeaderField]
    ) -> HTTPHeadParseResult {
        var head = HTTPHead()
        swap(&head.headers, &storage)
        head.headers.removeAll(keepingCapacity: true)
        head.length = end
        head.startLineStart = start
        var i = start
        @inline(__always) func isLineEnd(_ c: UInt8) -> Bool { c == 0x0D || c == 0x0A }

        switch mode {
        case .request:
            head.isRequest = true
            while HTTPBytes.isToken(p[i]) { i += 1 }
            if i == start { return .error(fail(.invalidMethod, i)) }
            head.methodRange = start..<i
            head.method = HTTPMethod.classify(p, start, i)
            // Recorded from 2.6: PRI, in any case (the method of the HTTP/2
            // preface), is a 400 in HTTP/1, even with
            // `option accept-invalid-http-request`.
            if i - start == 3, p[start] | 0x20 == 0x70, p[start + 1] | 0x20 == 0x72, p[start + 2] | 0x20 == 0x69 {
                return .error(fail(.invalidMethod, start))
            }
            if isLineEnd(p[i]) { return .error(fail(.http09, i)) }
            if !HTTPBytes.isSPHT(p[i]) { return .error(fail(.invalidMethod, i)) }
            while HTTPBytes.isSPHT(p[i]) { i += 1 }
            if isLineEnd(p[i]) { return .error(fail(.http09, i)) }
            let uriStart = i
            while true {
                let c = p[i]
                if HTTPBytes.isSPHT(c) || isLineEnd(c) { break }
                if !HTTPBytes.isURI(c) && !(lenient && c > 0x20) { return .error(fail(.invalidURI, i)) }
                i += 1
            }
            head.uriRange = uriStart..<i
            while HTTPBytes.isSPHT(p[i]) { i += 1 }
            if isLineEnd(p[i]) {
                guard lenient else { return .error(fail(.http09, i)) }
                // HTTP/0.9: forwarded as an HTTP/1.0 request.
                head.versionRange = i..<i
                head.version = .http1_0
            } else {
                let vStart = i
                while !isLineEnd(p[i]) { i += 1 }
                head.versionRange = vStart..<i
                if let v = Self.version(p, vStart, i) {
                    head.version = v
                } else {
                    guard lenient, Self.isLenientVersion(p, vStart, i) else { return .error(fail(.invalidVersion, vStart)) }
                    head.version = .http1_0
                    head.forwardsVersionAsWritten = true
                }
            }
        case .response:
            // HAProxy 2.6 reads a response's version as four uppercase
            // letters or digits, '/', a digit, '.', a digit, and the status
            // as any run of digits (recorded: "HTTX/1.1 200", "ABCD/1.1" and
            // "HTTP/1.1 20" pass; "http/1.1", "HTTP/1.10", "HTTP/2",
            // "XHTTP/1.1", "HTTP/A.1" and "abc" give 502). With `option
            // accept-invalid-http-response`, any token of those bytes.
            head.isRequest = false
            while Self.isResponseVersionByte(p[i]) { i += 1 }
            guard let version = Self.responseVersion(p, start, i, lenient: lenient) else {
                return .error(fail(.invalidVersion, start))
            }
            head.methodRange = start..<i
            head.version = version
            if !HTTPBytes.isSPHT(p[i]) { return .error(fail(.invalidVersion, i)) }
            while HTTPBytes.isSPHT(p[i]) { i += 1 }
            let sStart = i
            var status = 0
            while true {
                let d = p[i] &- 0x30
                if d > 9 { break }
                if status < 100_000 { status = status * 10 + Int(d) }
                i += 1
            }
            if i == sStart { return .error(fail(.invalidStatus, sStart)) }
            head.uriRange = sStart..<i
            head.status = status
            if HTTPBytes.isSPHT(p[i]) {
                while HTTPBytes.isSPHT(p[i]) { i += 1 }
                let rStart = i
                while !isLineEnd(p[i]) { i += 1 }
                head.versionRange = rStart..<i
            } else if isLineEnd(p[i]) {
                head.versionRange = i..<i
            } else {
                return .error(fail(.invalidStatus, i))
            }
        }
        if p[i] == 0x0D {
            if p[i + 1] != 0x0A { return .error(fail(.invalidLineBreak, i)) }
            i += 2
        } else {
            i += 1
        }
        head.headersStart = i

        var facts = Facts()
        if head.headers.capacity < 16 { head.headers.reserveCapacity(16) }
        var htxSize = 40 + head.methodRange.count + head.uriRange.count + head.versionRange.count + 8
        // `loggedSize(in:)` summed along the way (the first Content-Length
        // counts once the framing is known, in `finishFacts`).
        var logged = HTTPHead.loggedMessageOverhead + head.methodRange.count + head.uriRange.count
            + head.versionRange.count
        while true {
            let lineStart = i
            let c = p[i]
            if c == 0x0D {
                if p[i + 1] != 0x0A { return .error(fail(.invalidLineBreak, i)) }
                break
            }
            if c == 0x0A { break }
            if HTTPBytes.isSPHT(c) { return .error(fail(.invalidFolding, i)) }
            if lenient {
                while p[i] != 0x3A && !isLineEnd(p[i]) { i += 1 }
            } else {
                while HTTPBytes.isToken(p[i]) { i += 1 }
            }
            if i == lineStart || p[i] != 0x3A { return .error(fail(.invalidHeaderName, i)) }
            let nameEnd = i
            i += 1
            while HTTPBytes.isSPHT(p[i]) { i += 1 }
            var vStart = i, vEnd = i
            while true {
                // The line ends at its LF (the head ends with one), found
                // by memchr, as is a CR, which may only come just before
                // it: two vector scans cost less than a test per byte.
                let base = p.baseAddress!
                let lf = base.distance(to: UnsafeRawPointer(memchr(base + i, 0x0A, end - i)!))
                var lineEnd = lf
                if lf > i, let hit = memchr(base + i, 0x0D, lf - i) {
                    let cr = base.distance(to: UnsafeRawPointer(hit))
                    if cr != lf - 1 { return .error(fail(.invalidLineBreak, cr)) }
                    lineEnd = cr
                }
                // Blanks at the end of the line are not the value's.
                var last = lineEnd
                while last > i && HTTPBytes.isSPHT(p[last - 1]) { last -= 1 }
                if last > i { vEnd = last }
                i = lf + 1
                guard i < end, HTTPBytes.isSPHT(p[i]) else { break }
                head.hasObsFold = true
                while HTTPBytes.isSPHT(p[i]) { i += 1 }
                if vEnd == vStart { vStart = i; vEnd = i }
            }
            if head.headers.count >= limits.maxHeaders { return .error(fail(.tooManyHeaders, lineStart)) }
            let kind = Self.classifyName(p, lineStart, nameEnd)
            let field = HTTPHeaderField(name: lineStart..<nameEnd, value: vStart..<vEnd, line: lineStart..<i, kind: kind)
            htxSize += 8 + field.name.count + field.value.count
            if kind != .other {
                if let e = facts.note(field, p, &head, mode == .request) { return .error(e) }
                switch kind {
                case .connection:
                    let value = HTTPHead.connectionValueLength(p, field.value)
                    if value > 0 { logged += field.name.count + value }
                case .contentLength:
                    if facts.loggedContentLength < 0 {
                        facts.loggedContentLength = field.name.count + HTTPHead.firstListElement(p, field.value).count
                    }
                default:
                    logged += field.name.count + field.value.count
                }
            } else {
                logged += field.name.count + field.value.count
            }
            head.headers.append(field)
        }
        head.headersEnd = i
        head.loggedSizeAsParsed = logged
        if htxSize > limits.htxBudget { return .error(fail(.headTooLarge, i)) }
        if let error = finishFacts(&head, facts, p) { return .error(error) }
        return .complete(consume head)
    }

    /// Resolves framing and cross-header checks once all headers are seen;
    /// the error that rejects the head, if any. (The caller returns the
    /// head it owns: a result built here from the `inout` head copied it.)
    func finishFacts(_ head: inout HTTPHead, _ facts: Facts, _ p: UnsafeRawBufferPointer) -> HTTPParseError? {
        switch mode {
        case .request:
            if head.hasTransferEncoding {
                if !facts.chunkedLast { return fail(.invalidTransferEncoding, head.headersStart) }
                head.isChunked = true
                head.bodyFraming = .chunked
            } else if let cl = head.contentLength, cl > 0 {
                head.bodyFraming = .contentLength(cl)
            } else {
                head.bodyFraming = .none
            }
            // Recorded: an HTTP/1.0 GET, HEAD or DELETE carrying a body gets
            // 413 (other methods, and HTTP/1.1, pass), before a 422 for a
            // coding other than chunked.
            if head.bodyFraming != .none && !head.version.isPersistentByDefault
                && (head.method == .get || head.method == .head || head.method == .delete) {
                return HTTPParseError(status: 413, reason: .bodyNotAllowed, offset: head.headersStart)
            }
            if facts.otherCoding {
                return HTTPParseError(status: 422, reason: .unsupportedTransferEncoding, offset: head.headersStart)
            }
            // Recorded: `Connection: upgrade` with `websocket` among the
            // `Upgrade` tokens needs a 24-byte Sec-WebSocket-Key (any
            // bytes), whatever the version; otherwise 400.
            if facts.webSocketUpgrade && head.connection.contains(.upgrade) && !facts.webSocketKeyValid {
                return fail(.invalidWebSocketKey, head.headersStart)
            }
            if let host = facts.host {
                var authority: Range<Int>? = nil
                let u = head.uriRange
                if head.method == .connect {
                    authority = u
                } else if p[u.lowerBound] != 0x2F && p[u.lowerBound] != 0x2A {
                    authority = Self.authority(p, u)
                }
                if let a = authority, !a.isEmpty, !HTTPBytes.equalsLower(p, a, host) {
                    return fail(.hostMismatch, u.lowerBound)
                }
            }
        case .response(let requestMethod):
            let s = head.status
            if s >= 100 && s < 200 {
                head.bodyFraming = s == 101 ? .tunnel : .none
            } else if requestMethod == .connect && s < 300 {
                head.bodyFraming = .tunnel
            } else if requestMethod == .head || s == 204 || s == 304 {
                head.bodyFraming = .none
            } else if head.hasTransferEncoding {
                // Recorded: a response whose Transfer-Encoding is not exactly
                // `chunked` ("gzip", "gzip, chunked") becomes a 502.
                if !facts.chunkedLast || facts.otherCoding {
                    return fail(.invalidTransferEncoding, head.headersStart)
                }
                head.isChunked = true
                head.bodyFraming = .chunked
            } else if let cl = head.contentLength {
                head.bodyFraming = cl > 0 ? .contentLength(cl) : .none
            } else {
                head.bodyFraming = .untilClose
            }
        }
        if !head.isChunked && facts.loggedContentLength > 0 { head.loggedSizeAsParsed += facts.loggedContentLength }
        return nil
    }

    /// The authority of an absolute-form URI (`scheme://[user@]host[:port]`),
    /// as HAProxy compares it with `Host`.
    static func authority(_ p: UnsafeRawBufferPointer, _ u: Range<Int>) -> Range<Int>? {
        var i = u.lowerBound
        while i + 2 < u.upperBound {
            if p[i] == 0x3A && p[i + 1] == 0x2F && p[i + 2] == 0x2F { break }
            i += 1
        }
        guard i + 2 < u.upperBound else { return nil }
        var start = i + 3
        var j = start
        while j < u.upperBound, p[j] != 0x2F, p[j] != 0x3F { j += 1 }
        var k = start
        while k < j { if p[k] == 0x40 { start = k + 1 }; k += 1 }
        return start..<j
    }

    /// Recognises the header names the scan acts upon, without allocating.
    static func classifyName(_ p: UnsafeRawBufferPointer, _ s: Int, _ e: Int) -> HTTPKnownHeader {
        switch e - s {
        case 4: return HTTPBytes.equalsLower(p, s, e, "host") ? .host : .other
        case 6: return HTTPBytes.equalsLower(p, s, e, "expect") ? .expect : .other
        case 7: return HTTPBytes.equalsLower(p, s, e, "upgrade") ? .upgrade : .other
        case 10: return HTTPBytes.equalsLower(p, s, e, "connection") ? .connection : .other
        case 14: return HTTPBytes.equalsLower(p, s, e, "content-length") ? .contentLength : .other
        case 17:
            if HTTPBytes.equalsLower(p, s, e, "transfer-encoding") { return .transferEncoding }
            return HTTPBytes.equalsLower(p, s, e, "sec-websocket-key") ? .webSocketKey : .other
        default: return .other
        }
    }

    /// What the known headers told so far.
    struct Facts {
        var host: Range<Int>? = nil
        var chunkedSeen = false
        var chunkedLast = false
        var otherCoding = false
        var webSocketUpgrade = false
        var webSocketKeyValid = false
        /// The first Content-Length's share of the logged size (-1: none).
        var loggedContentLength = -1

        /// Applies one known header; returns an error when HAProxy rejects it.
        mutating func note(_ f: HTTPHeaderField, _ p: UnsafeRawBufferPointer, _ head: inout HTTPHead, _ isRequest: Bool) -> HTTPParseError? {
            let status = isRequest ? 400 : 502
            let v = f.value
            switch f.kind {
            case .contentLength:
                // h1_parse_cont_len_header: comma-separated equal decimal values.
                var i = v.lowerBound
                while true {
                    if i >= v.upperBound { return HTTPParseError(status: status, reason: .invalidContentLength, offset: i) }
                    if HTTPBytes.isSPHT(p[i]) { i += 1; continue }
                    let digitsStart = i
                    var cl: UInt64 = 0
                    while i < v.upperBound {
                        let d = p[i] &- 0x30
                        if d > 9 { break }
                        let (m, o1) = cl.multipliedReportingOverflow(by: 10)
                        let (a, o2) = m.addingReportingOverflow(UInt64(d))
                        if o1 || o2 { return HTTPParseError(status: status, reason: .invalidContentLength, offset: i) }
                        cl = a
                        i += 1
                    }
                    if i == digitsStart { return HTTPParseError(status: status, reason: .invalidContentLength, offset: i) }
                    while i < v.upperBound {
                        if !HTTPBytes.isSPHT(p[i]) {
                            if p[i] != 0x2C { return HTTPParseError(status: status, reason: .invalidContentLength, offset: i) }
                            break
                        }
                        i += 1
                    }
                    if let old = head.contentLength, old != cl {
                        return HTTPParseError(status: status, reason: .invalidContentLength, offset: digitsStart)
                    }
                    head.contentLength = cl
                    if i >= v.upperBound { return nil }
                    i += 1
                }
            case .transferEncoding:
                // h1_parse_xfer_enc_header: chunked at most once, and last.
                head.hasTransferEncoding = true
                var i = v.lowerBound
                while i < v.upperBound {
                    if HTTPBytes.isSPHT(p[i]) { i += 1; continue }
                    var n = i
                    while n < v.upperBound, p[n] != 0x2C { n += 1 }
                    var we = n
                    while we > i, HTTPBytes.isSPHT(p[we - 1]) { we -= 1 }
                    chunkedLast = false
                    if HTTPBytes.equalsLower(p, i, we, "chunked") {
                        if chunkedSeen { return HTTPParseError(status: status, reason: .invalidTransferEncoding, offset: i) }
                        chunkedSeen = true
                        chunkedLast = true
                    } else {
                        otherCoding = true
                    }
                    i = n + 1
                }
            case .connection:
                HTTPBytes.forEachListToken(p, v) { s, e in
                    if HTTPBytes.equalsLower(p, s, e, "close") {
                        head.connection.insert(.close)
                    } else if HTTPBytes.equalsLower(p, s, e, "keep-alive") {
                        head.connection.insert(.keepAlive)
                    } else if HTTPBytes.equalsLower(p, s, e, "upgrade") {
                        head.connection.insert(.upgrade)
                    }
                }
            case .host:
                head.hasHost = true
                if let h = host {
                    if isRequest && !HTTPBytes.equalsLower(p, h, v) {
                        return HTTPParseError(status: 400, reason: .hostMismatch, offset: v.lowerBound)
                    }
                } else {
                    host = v
                }
            case .expect:
                if HTTPBytes.equalsLower(p, v.lowerBound, v.upperBound, "100-continue") { head.expectsContinue = true }
            case .upgrade:
                head.hasUpgrade = true
                HTTPBytes.forEachListToken(p, v) { s, e in
                    if HTTPBytes.equalsLower(p, s, e, "websocket") { webSocketUpgrade = true }
                }
            case .webSocketKey:
                webSocketKeyValid = v.count == 24
            case .other:
                break
            }
            return nil
        }
    }
}

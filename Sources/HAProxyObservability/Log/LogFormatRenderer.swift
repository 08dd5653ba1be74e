import NIOCore

/// Writes a `LogRecord` through a compiled `LogFormat` into a reused byte
/// array, the way HAProxy's `sess_build_logline` does: strings through the
/// quoting and escaping rules of `lf_text`, URIs and captures with `#XX`
/// encoding of non-printable bytes, numbers and dates written in place.
public struct LogFormatRenderer {
    /// `%pid`.
    public var pid: Int
    /// `%H`: the host name.
    public var hostname: [UInt8]
    var clock = LogClock()

    public init(pid: Int, hostname: String) {
        self.pid = pid
        self.hostname = Array(hostname.utf8)
    }

    /// Bytes written as `#XX` in URIs (`%r`, `%HU`...): controls, DEL and
    /// above, `"` and `#`.
    static let urlEncodeMap: [Bool] = {
        var m = [Bool](repeating: false, count: 256)
        for i in 0..<32 { m[i] = true }
        for i in 127..<256 { m[i] = true }
        m[Int(UInt8(ascii: "\""))] = true
        m[Int(UInt8(ascii: "#"))] = true
        return m
    }()

    /// Bytes written as `#XX` in captured headers and cookies: also `{|}`.
    static let headerEncodeMap: [Bool] = {
        var m = urlEncodeMap
        for c in "{|}".utf8 { m[Int(c)] = true }
        return m
    }()

    /// Renders `record` through `format`, appending to `out`.
    public mutating func render(_ format: LogFormat, _ record: LogRecord, into out: inout [UInt8]) {
        var lastSeparatorEnd = out.count
        for item in format.items {
            switch item {
            case .literal(let bytes):
                out.append(contentsOf: bytes)
            case .separator:
                if out.count != lastSeparatorEnd {
                    out.append(0x20)
                    lastSeparatorEnd = out.count
                }
            case .fetch(let f, let flags):
                renderFetch(f, flags, record, into: &out)
            case .sample(let sample, let flags):
                Self.appendSample(sample, flags, record, to: &out)
            case .variable(let v, let flags):
                renderVariable(v, flags, record, into: &out)
            }
        }
    }

    // MARK: Variables

    mutating func renderVariable(_ v: LogVariable, _ flags: LogFormatFlags, _ r: LogRecord, into out: inout [UInt8]) {
        switch v {
        case .bytesRead:
            if r.logASAP { out.append(0x2B) }
            LogBytes.appendDecimal(Int(r.bytesRead), to: &out)
        case .bytesUploaded:
            LogBytes.appendDecimal(Int(r.bytesUploaded), to: &out)
        case .capturedRequestCookie:
            Self.appendEncoded(r.capturedRequestCookie, Self.headerEncodeMap, flags, to: &out)
        case .capturedResponseCookie:
            Self.appendEncoded(r.capturedResponseCookie, Self.headerEncodeMap, flags, to: &out)
        case .hostname:
            hostname.withUnsafeBufferPointer { Self.appendText(UnsafeRawBufferPointer($0), flags, to: &out) }
        case .httpMethod, .httpPath, .httpPathOnly, .httpQuery, .httpURI, .httpVersion, .requestLine:
            renderRequestPart(v, flags, r, into: &out)
        case .uniqueID:
            Self.appendString(r.uniqueID, flags, to: &out)
        case .status:
            LogBytes.appendDecimal(r.status, to: &out)
        case .gmtDate:
            clock.appendCLFDate(r.acceptDateMicros, local: false, to: &out)
        case .localDate:
            clock.appendCLFDate(r.acceptDateMicros, local: true, to: &out)
        case .activeTime:
            if r.logASAP { out.append(0x2B) }
            LogBytes.appendDecimal(r.Ta, to: &out)
        case .connectTime: LogBytes.appendDecimal(r.Tc, to: &out)
        case .dataTime: LogBytes.appendDecimal(r.dataTime, to: &out)
        case .handshakeTime: LogBytes.appendDecimal(r.Th, to: &out)
        case .idleTime: LogBytes.appendDecimal(r.Ti, to: &out)
        case .requestTotalTime: LogBytes.appendDecimal(r.Tq, to: &out)
        case .requestTime: LogBytes.appendDecimal(r.TR, to: &out)
        case .responseTime: LogBytes.appendDecimal(r.Tr, to: &out)
        case .totalTime:
            if r.logASAP { out.append(0x2B) }
            LogBytes.appendDecimal(r.Tt, to: &out)
        case .totalActiveTime:
            if r.logASAP { out.append(0x2B) }
            LogBytes.appendDecimal(r.Tu, to: &out)
        case .queueTime: LogBytes.appendDecimal(r.Tw, to: &out)
        case .timestamp:
            let s = Int(r.acceptDateMicros / 1_000_000)
            if flags.contains(.hex) { LogBytes.appendHex(UInt64(s), width: 8, to: &out) }
            else { LogBytes.appendDecimal(s, to: &out) }
        case .actconn: LogBytes.appendDecimal(r.actconn, to: &out)
        case .backendName:
            Self.appendString(r.backendName ?? r.frontendName, flags, to: &out)
        case .beconn: LogBytes.appendDecimal(r.beconn, to: &out)
        case .backendSourceIP: Self.appendIP(r.backendSourceAddress, flags, to: &out)
        case .backendSourcePort: Self.appendPort(r.backendSourcePort, flags, to: &out)
        case .backendQueue: LogBytes.appendDecimal(r.backendQueue, to: &out)
        case .clientIP: Self.appendIP(r.clientAddress, flags, to: &out)
        case .clientPort: Self.appendPort(r.clientPort, flags, to: &out)
        case .frontendName: Self.appendString(r.frontendName, flags, to: &out)
        case .feconn: LogBytes.appendDecimal(r.feconn, to: &out)
        case .frontendIP: Self.appendIP(r.frontendAddress, flags, to: &out)
        case .frontendPort: Self.appendPort(r.frontendPort, flags, to: &out)
        case .frontendTransport:
            Self.appendString(r.frontendIsSSL ? r.frontendName + "~" : r.frontendName, flags, to: &out)
        case .logCounter: LogBytes.appendDecimal(r.logCounter, to: &out)
        case .requestHeaders: Self.appendCaptures(r.capturedRequestHeaders, flags, to: &out)
        case .responseHeaders: Self.appendCaptures(r.capturedResponseHeaders, flags, to: &out)
        case .requestHeaderList: Self.appendCaptureList(r.capturedRequestHeaders, flags, to: &out)
        case .responseHeaderList: Self.appendCaptureList(r.capturedResponseHeaders, flags, to: &out)
        case .acceptMillis:
            let ms = Int((r.acceptDateMicros % 1_000_000) / 1000)
            if flags.contains(.hex) { LogBytes.appendHex(UInt64(ms), width: 2, to: &out) }
            else { LogBytes.appendPadded(ms, width: 3, to: &out) }
        case .pid:
            if flags.contains(.hex) { LogBytes.appendHex(UInt64(pid), width: 4, to: &out) }
            else { LogBytes.appendDecimal(pid, to: &out) }
        case .retries:
            if r.redispatched { out.append(0x2B) }
            LogBytes.appendDecimal(r.retries, to: &out)
        case .requestCounter:
            if flags.contains(.hex) { LogBytes.appendHex(UInt64(r.requestCounter), width: 4, to: &out) }
            else { LogBytes.appendDecimal(r.requestCounter, to: &out) }
        case .serverName:
            Self.appendString(r.serverName ?? "<NOSRV>", flags, to: &out)
        case .srvConn: LogBytes.appendDecimal(r.srvConn, to: &out)
        case .serverIP: Self.appendIP(r.serverAddress, flags, to: &out)
        case .serverPort: Self.appendPort(r.serverPort, flags, to: &out)
        case .srvQueue: LogBytes.appendDecimal(r.srvQueue, to: &out)
        case .sslCipher: Self.appendString(r.sslCipher, flags, to: &out)
        case .sslVersion: Self.appendString(r.sslVersion, flags, to: &out)
        case .acceptDate: clock.appendLogDate(r.acceptDateMicros, to: &out)
        case .requestDate: clock.appendLogDate(r.effectiveRequestDateMicros, to: &out)
        case .requestGMTDate: clock.appendCLFDate(r.effectiveRequestDateMicros, local: false, to: &out)
        case .requestLocalDate: clock.appendCLFDate(r.effectiveRequestDateMicros, local: true, to: &out)
        case .terminationState:
            out.append(r.termination.cause.rawValue)
            out.append(r.termination.state.rawValue)
        case .terminationStateCookie:
            out.append(r.termination.cause.rawValue)
            out.append(r.termination.state.rawValue)
            out.append(r.termination.clientCookie)
            out.append(r.termination.serverCookie)
        }
    }

    /// `%r` and the `%H*` parts of the request line.
    func renderRequestPart(_ v: LogVariable, _ flags: LogFormatFlags, _ r: LogRecord, into out: inout [UInt8]) {
        guard let line = r.requestLine else {
            Self.appendText(Self.badRequest, flags, to: &out)
            return
        }
        line.withUnsafeReadableBytes { p in
            let sp1 = p.firstIndex(of: 0x20) ?? p.count
            var uriStart = sp1
            while uriStart < p.count && p[uriStart] == 0x20 { uriStart += 1 }
            var uriEnd = uriStart
            while uriEnd < p.count && p[uriEnd] != 0x20 { uriEnd += 1 }
            var verStart = uriEnd
            while verStart < p.count && p[verStart] == 0x20 { verStart += 1 }
            let uri = UnsafeRawBufferPointer(rebasing: p[uriStart..<uriEnd])
            let query = uri.firstIndex(of: UInt8(ascii: "?")) ?? uri.count
            let slice: UnsafeRawBufferPointer
            switch v {
            case .requestLine: slice = p
            case .httpMethod: slice = UnsafeRawBufferPointer(rebasing: p[0..<sp1])
            case .httpURI: slice = uri
            case .httpPath: slice = UnsafeRawBufferPointer(rebasing: uri[0..<query])
            case .httpQuery: slice = UnsafeRawBufferPointer(rebasing: uri[query...])
            case .httpVersion:
                if verStart >= p.count {
                    Self.appendText(Self.http09, flags, to: &out)
                    return
                }
                slice = UnsafeRawBufferPointer(rebasing: p[verStart...])
            case .httpPathOnly:
                var path = UnsafeRawBufferPointer(rebasing: uri[0..<query])
                if path.first != UInt8(ascii: "/"), let scheme = Self.range(of: "://", in: path) {
                    let afterAuthority = path[(scheme + 3)...].firstIndex(of: UInt8(ascii: "/")) ?? path.count
                    path = UnsafeRawBufferPointer(rebasing: path[afterAuthority...])
                }
                slice = path
            default: slice = p
            }
            Self.appendEncodedRaw(slice, Self.urlEncodeMap, flags, alwaysWrap: true, to: &out)
        }
    }

    static let badRequest: UnsafeRawBufferPointer = {
        let s: StaticString = "<BADREQ>"
        return UnsafeRawBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount)
    }()
    static let http09: UnsafeRawBufferPointer = {
        let s: StaticString = "HTTP/0.9"
        return UnsafeRawBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount)
    }()

    static func range(of needle: StaticString, in p: UnsafeRawBufferPointer) -> Int? {
        let n = needle.utf8CodeUnitCount
        guard p.count >= n else { return nil }
        for i in 0...(p.count - n) {
            var ok = true
            for j in 0..<n where p[i + j] != needle.utf8Start[j] { ok = false; break }
            if ok { return i }
        }
        return nil
    }

    // MARK: Value writers (HAProxy's lf_text_len, lf_ip, lf_port, lf_encode_*)

    /// A string the way `lf_text_len` writes it: `"..."` with `+Q`, escaped
    /// with `+E`; missing or empty becomes `-`, or `""` when quoted.
    static func appendText(_ p: UnsafeRawBufferPointer?, _ flags: LogFormatFlags, to out: inout [UInt8]) {
        let quote = flags.contains(.quote)
        if quote { out.append(0x22) }
        if let p, !p.isEmpty {
            if flags.contains(.escape) {
                for c in p {
                    if c == 0x22 || c == 0x5C || c == 0x5D { out.append(0x5C) }
                    out.append(c)
                }
            } else {
                out.append(contentsOf: p)
            }
        } else if !quote {
            out.append(0x2D)
        }
        if quote { out.append(0x22) }
    }

    static func appendString(_ s: String?, _ flags: LogFormatFlags, to out: inout [UInt8]) {
        guard var s else { appendText(nil, flags, to: &out); return }
        s.withUTF8 { appendText(UnsafeRawBufferPointer($0), flags, to: &out) }
    }

    /// A captured value (`%CC`, `%CS`): `#XX`-encoded, `-` or `""` when absent.
    static func appendEncoded(_ b: ByteBuffer?, _ map: [Bool], _ flags: LogFormatFlags, to out: inout [UInt8]) {
        guard let b, b.readableBytes > 0 else { appendText(nil, flags, to: &out); return }
        b.withUnsafeReadableBytes { appendEncodedRaw($0, map, flags, alwaysWrap: true, to: &out) }
    }

    /// `lf_encode_string`: bytes in `map` become `#XX`; `+E` backslash-escapes
    /// `"`, `\` and `]`; `+Q` wraps in quotes.
    static func appendEncodedRaw(_ p: UnsafeRawBufferPointer, _ map: [Bool], _ flags: LogFormatFlags,
                                 alwaysWrap: Bool, to out: inout [UInt8]) {
        let quote = flags.contains(.quote)
        let escape = flags.contains(.escape)
        if quote { out.append(0x22) }
        for c in p {
            if map[Int(c)] {
                out.append(0x23)
                out.append(LogBytes.hexDigits[Int(c >> 4)])
                out.append(LogBytes.hexDigits[Int(c & 0xF)])
            } else {
                if escape && (c == 0x22 || c == 0x5C || c == 0x5D) { out.append(0x5C) }
                out.append(c)
            }
        }
        if quote { out.append(0x22) }
    }

    static func appendIP(_ a: LogAddress, _ flags: LogFormatFlags, to out: inout [UInt8]) {
        if flags.contains(.hex) { a.appendHex(to: &out); return }
        let quote = flags.contains(.quote)
        if quote { out.append(0x22) }
        a.appendText(to: &out)
        if quote { out.append(0x22) }
    }

    static func appendPort(_ port: Int, _ flags: LogFormatFlags, to out: inout [UInt8]) {
        if flags.contains(.hex) { LogBytes.appendHex(UInt64(port), width: 4, to: &out) }
        else { LogBytes.appendDecimal(port, to: &out) }
    }

    /// `%hr`/`%hs`: `{a|b}`, nothing at all when no capture is configured.
    static func appendCaptures(_ caps: [ByteBuffer?], _ flags: LogFormatFlags, to out: inout [UInt8]) {
        guard !caps.isEmpty else { return }
        let quote = flags.contains(.quote)
        var inner = flags
        inner.remove(.quote)
        if quote { out.append(0x22) }
        out.append(0x7B)
        for (i, cap) in caps.enumerated() {
            if i > 0 { out.append(0x7C) }
            cap?.withUnsafeReadableBytes { appendEncodedRaw($0, headerEncodeMap, inner, alwaysWrap: false, to: &out) }
        }
        out.append(0x7D)
        if quote { out.append(0x22) }
    }

    /// `%hrl`/`%hsl`: one field per capture separated by spaces, `-` when absent.
    static func appendCaptureList(_ caps: [ByteBuffer?], _ flags: LogFormatFlags, to out: inout [UInt8]) {
        let quote = flags.contains(.quote)
        var inner = flags
        inner.remove(.quote)
        for (i, cap) in caps.enumerated() {
            if i > 0 { out.append(0x20) }
            if quote { out.append(0x22) }
            if let cap {
                cap.withUnsafeReadableBytes { appendEncodedRaw($0, headerEncodeMap, inner, alwaysWrap: false, to: &out) }
            } else {
                out.append(0x2D)
            }
            if quote { out.append(0x22) }
        }
    }
}

extension LogFormatRenderer {
    /// Renders the log-format variable `name` (`ci`, `Ts`...) for
    /// `record`, with `options` (`+X`, `-Q`... applied in order): a
    /// variable met outside a log line, in a rule's format or in
    /// `unique-id-format`. An unknown name renders nothing.
    public mutating func render(variableNamed name: String, options: [String], _ record: LogRecord, into out: inout [UInt8]) {
        guard let variable = LogVariable(rawValue: name) else { return }
        renderVariable(variable, LogFormatFlags(options: options), record, into: &out)
    }
}

extension LogFormatFlags {
    /// The flags `+Q`, `-X`... set, in order from none; other words are
    /// ignored, as by the log-format parser.
    public init(options: [String]) {
        self = []
        for option in options where option.count == 2 {
            let flag: LogFormatFlags
            switch option.last! {
            case "Q": flag = .quote
            case "X": flag = .hex
            case "E": flag = .escape
            default: continue
            }
            if option.first == "+" { insert(flag) } else if option.first == "-" { remove(flag) }
        }
    }
}

/// Fetches on the HTTP request (manual 7.3.6): start line, URL parts,
/// headers, cookies, body and captures.
enum HTTPRequestFetches {
    private static let request: HTTPFetchBuilders.MessageOf = { $0.request }
    private static let hostHeader = Array("host".utf8)
    private static let contentLength = Array("content-length".utf8)

    /// Word `index` (method, target, version) of the request line as
    /// received, when the context kept it.
    private static func requestLineWord(_ context: any SampleContext, _ index: Int) -> Sample? {
        context.withReceivedRequestLine { line -> Sample? in
            let words = line.split(separator: 0x20, maxSplits: 2, omittingEmptySubsequences: true)
            return index < words.count ? .string(Array(words[index])) : nil
        } ?? nil
    }

    static let keywords: [SampleFetchKeyword] = {
        var list: [SampleFetchKeyword] = [
            SampleFetchKeyword("method", .httpRequest) { context, body in
                _ = context.request?.withMethod(body)
            },
            SampleFetchKeyword("path", .httpRequestHeaders) { context, body in
                _ = context.request?.withPathAndQuery { path, _ in body(path) }
            },
            SampleFetchKeyword("pathq", .string, .httpRequestHeaders) { _, context in
                context.request?.withURI { uri in .string(Array(uri[HTTPBytes.pathStart(uri)...])) }
            },
            SampleFetchKeyword("url", .httpRequestHeaders) { context, body in
                _ = context.request?.withURI(body)
            },
            SampleFetchKeyword("query", .string, .httpRequestHeaders) { _, context in
                context.request?.withPathAndQuery { _, query in query.map { .string(Array($0)) } } ?? nil
            },
            SampleFetchKeyword("base", .string, .httpRequestHeaders) { _, context in
                context.request.flatMap { base($0, query: false) }
            },
            SampleFetchKeyword("baseq", .string, .httpRequestHeaders) { _, context in
                context.request.flatMap { base($0, query: true) }
            },
            SampleFetchKeyword("base32", .int, .httpRequestHeaders) { _, context in
                context.request.map { .int(Int64(base32($0))) }
            },
            SampleFetchKeyword("base32+src", .binary, .httpRequestHeaders) { _, context in
                guard let request = context.request else { return nil }
                return withSource(base32(request), context)
            },
            SampleFetchKeyword("url32", .int, .httpRequestHeaders) { _, context in
                context.request.map { .int(Int64(url32($0))) }
            },
            SampleFetchKeyword("url32+src", .binary, .httpRequestHeaders) { _, context in
                guard let request = context.request else { return nil }
                return withSource(url32(request), context)
            },
            SampleFetchKeyword("url_ip", .ipv4, .httpRequestHeaders) { _, context in
                guard let host = context.request.flatMap(urlHost) else { return nil }
                return IPv4Address(text: host.host).map { .ipv4($0) }
            },
            SampleFetchKeyword("url_port", .int, .httpRequestHeaders) { _, context in
                guard let request = context.request else { return nil }
                guard let host = urlHost(request) else { return .int(80) }
                return .int(host.port ?? 80)
            },
            SampleFetchKeyword("req.ver", .string, .httpRequestHeaders, compile: HTTPFetchBuilders.version(request)),
            SampleFetchKeyword("req.hdrs", .string, .httpRequestHeaders, compile: HTTPFetchBuilders.headerBlock(request)),
            SampleFetchKeyword("req.hdr_names", [.string], .string, .httpRequestHeaders, compile: HTTPFetchBuilders.headerNames(request)),
            SampleFetchKeyword("req.body", .binary, .httpRequestHeaders) { _, context in
                context.request?.withBody { .binary(Array($0)) } ?? nil
            },
            SampleFetchKeyword("req.body_len", .int, .httpRequestHeaders) { _, context in
                guard let request = context.request else { return nil }
                return .int(Int64(request.withBody { $0.count } ?? 0))
            },
            SampleFetchKeyword("req.body_size", .int, .httpRequestHeaders) { _, context in
                guard let request = context.request else { return nil }
                if let declared = request.headerValue(named: contentLength, split: false, occurrence: 0),
                   let size = Sample.parseLeadingInt(declared)
                { return .int(size) }
                return .int(Int64(request.withBody { $0.count } ?? 0))
            },
            SampleFetchKeyword("http_first_req", .bool, .httpRequest) { _, context in
                context.isFirstRequest.map { .bool($0) }
            },
            SampleFetchKeyword("capture.req.method", .string, .httpRequest) { _, context in
                if let word = requestLineWord(context, 0) { return word }
                return context.request?.withMethod { .string(Array($0)) }
            },
            SampleFetchKeyword("capture.req.uri", .string, .httpRequest) { _, context in
                if let word = requestLineWord(context, 1) { return word }
                return context.request?.withURI { .string(Array($0)) }
            },
            SampleFetchKeyword("capture.req.ver", .string, .httpRequest) { _, context in
                if case .string(let word)? = requestLineWord(context, 2) {
                    // `HTTP/1.1` as `HTTP/1.1`; 2.6 writes the version it read.
                    return .string(word)
                }
                guard let version = context.request?.version else { return nil }
                return .string(Array("HTTP/\(version.major).\(version.minor)".utf8))
            },
            SampleFetchKeyword("capture.req.hdr", [.int], mandatory: 1, .string, .httpRequest) { args, context in
                context.capturedRequestHeader(Int(args.int(at: 0) ?? 0)).map { .string($0) }
            },
        ]
        list.append(SampleFetchKeyword("urlp_val", [.string, .string], .int, .httpRequestHeaders) { args in
            let parameter = try urlParameter(args)
            return SampleFetch { context in
                guard case .string(let text)? = parameter.value(context) else { return nil }
                return .int(Int64(parameterInteger(text)))
            }
        })
        list.append(SampleFetchKeyword("req.body_param", [.string], .string, .httpRequestHeaders, compile: bodyParameter))
        for name in ["url_param", "urlp"] {
            list.append(SampleFetchKeyword(name, [.string, .string], .string, .httpRequestHeaders, compile: urlParameter))
        }
        for (prefix, header, fullHeader) in [("req.", "hdr", "fhdr"), ("", "hdr", "fhdr")] {
            list.append(SampleFetchKeyword(prefix + header, [.string, .int], .string, .httpRequestHeaders, compile: HTTPFetchBuilders.header(request, split: true)))
            list.append(SampleFetchKeyword(prefix + header + "_cnt", [.string], .int, .httpRequestHeaders, compile: HTTPFetchBuilders.headerCount(request, split: true)))
            list.append(SampleFetchKeyword(prefix + header + "_ip", [.string, .int], .address, .httpRequestHeaders, compile: HTTPFetchBuilders.typedHeader(request, as: .address)))
            list.append(SampleFetchKeyword(prefix + header + "_val", [.string, .int], .int, .httpRequestHeaders, compile: HTTPFetchBuilders.typedHeader(request, as: .int)))
            if prefix == "req." {
                list.append(SampleFetchKeyword(prefix + fullHeader, [.string, .int], .string, .httpRequestHeaders, compile: HTTPFetchBuilders.header(request, split: false)))
                list.append(SampleFetchKeyword(prefix + fullHeader + "_cnt", [.string], .int, .httpRequestHeaders, compile: HTTPFetchBuilders.headerCount(request, split: false)))
            }
        }
        for name in ["req.cook", "cook"] {
            list.append(SampleFetchKeyword(name, [.string], .string, .httpRequestHeaders, compile: HTTPFetchBuilders.cookie(request, response: false)))
            list.append(SampleFetchKeyword(name + "_cnt", [.string], .int, .httpRequestHeaders, compile: HTTPFetchBuilders.cookieCount(request, response: false)))
            list.append(SampleFetchKeyword(name + "_val", [.string], .int, .httpRequestHeaders, compile: HTTPFetchBuilders.cookieValue(request, response: false)))
        }
        return list
    }()

    /// `url_param([name[,delim]])`: a query parameter's value (the first
    /// parameter's without a name); `delim` lists the separators (`&`).
    @Sendable static func urlParameter(_ args: [SampleArgument]) throws -> SampleFetch {
        let name = args.bytes(at: 0).flatMap { $0.isEmpty ? nil : $0 }
        let explicit = args.bytes(at: 1)
        let delimiters = explicit ?? [UInt8(ascii: "&")]
        let each: @Sendable (any SampleContext, (UnsafeRawBufferPointer) -> Bool) -> Void = { context, body in
            guard let explicit else {
                context.request?.withPathAndQuery { _, query in
                    guard let query = query else { return }
                    HTTPBytes.parameter(query, name: name, delimiters: delimiters, body)
                }
                return
            }
            // Recorded: with its own delimiter, the parameters start after
            // the first '?' or the first delimiter (`/m;a=7;b=8`).
            context.request?.withURI { uri in
                guard let start = uri.firstIndex(where: { $0 == UInt8(ascii: "?") || explicit.contains($0) }) else { return }
                HTTPBytes.parameter(UnsafeRawBufferPointer(rebasing: uri[(start + 1)...]), name: name, delimiters: delimiters, body)
            }
        }
        return SampleFetch(value: { context in
            var result: [UInt8]? = nil
            each(context) { value in
                result = Array(value)
                return true
            }
            return result.map { .string($0) }
        }, values: { context, body in
            each(context) { body(.string(Array($0))) }
        })
    }

    /// The integer `urlp_val` reads from a parameter's text, as 2.6 reads
    /// it (observed): 32 bits that wrap, a leading `-` for a negative
    /// value, and any byte below `0` taken as a digit of negative weight
    /// (`1.5` is 85, `+5` is -45) until a byte above `9`; empty is 0.
    static func parameterInteger(_ text: [UInt8]) -> Int32 {
        var value: Int32 = 0
        let negative = text.first == UInt8(ascii: "-")
        for byte in text.dropFirst(negative ? 1 : 0) {
            let digit = Int32(byte) - 0x30
            if digit > 9 { break }
            value = negative ? value &* 10 &- digit : value &* 10 &+ digit
        }
        return value
    }

    /// `req.body_param([NAME])`: the value of the first `NAME=` parameter
    /// of an url-encoded body (the first parameter when no name is
    /// given), as written; the ACL form sees every match.
    @Sendable static func bodyParameter(_ args: [SampleArgument]) throws -> SampleFetch {
        let name = args.bytes(at: 0).flatMap { $0.isEmpty ? nil : $0 }
        let ampersand = [UInt8(ascii: "&")]
        return SampleFetch(value: { context in
            context.request?.withBody { body -> Sample? in
                var result: Sample?
                HTTPBytes.parameter(body, name: name, delimiters: ampersand) { value in
                    result = .string(Array(value))
                    return true
                }
                return result
            } ?? nil
        }, values: { context, each in
            _ = context.request?.withBody { body in
                HTTPBytes.parameter(body, name: name, delimiters: ampersand) { each(.string(Array($0))) }
            }
        })
    }

    /// `base` (`baseq` with `query`): the first element of the first
    /// `Host` header followed by the path; 2.6 splits the header on
    /// commas (`Host: a, b` gives `a/x`) and finds nothing when both
    /// parts are empty.
    static func base(_ request: any HTTPMessageReader, query: Bool) -> Sample? {
        var out = request.headerValue(named: hostHeader, split: true, occurrence: 1) ?? []
        request.withURI { uri in
            let start = pathStart(uri)
            let end = query ? uri.count : HTTPBytes.index(of: UInt8(ascii: "?"), in: uri, from: start) ?? uri.count
            out.append(contentsOf: uri[start..<end])
        }
        return out.isEmpty ? nil : .string(out)
    }

    /// `base32`: sdbm over `base` with 2.6's full avalanche (observed: equal
    /// to `base,sdbm(1)`); an empty base still hashes.
    static func base32(_ request: any HTTPMessageReader) -> UInt32 {
        var hash: UInt32 = 0
        if let host = request.headerValue(named: hostHeader, split: true, occurrence: 1) {
            host.withUnsafeBytes { hash = sdbm(hash, $0) }
        }
        request.withURI { uri in
            let start = pathStart(uri)
            let end = HTTPBytes.index(of: UInt8(ascii: "?"), in: uri, from: start) ?? uri.count
            hash = sdbm(hash, UnsafeRawBufferPointer(rebasing: uri[start..<end]))
        }
        return Hashing.avalanche(hash)
    }

    /// `url32`: as `base32` but over the whole first `Host` header, not
    /// split (`Host: a, b` hashes `a, b`), and the path with its query;
    /// an absolute target contributes from its path on, as `pathq`.
    static func url32(_ request: any HTTPMessageReader) -> UInt32 {
        var hash: UInt32 = 0
        if let host = request.headerValue(named: hostHeader, split: false, occurrence: 1) {
            host.withUnsafeBytes { hash = sdbm(hash, $0) }
        }
        request.withURI { uri in hash = sdbm(hash, UnsafeRawBufferPointer(rebasing: uri[pathStart(uri)...])) }
        return Hashing.avalanche(hash)
    }

    /// Where these fetches take the path from: a target that is neither
    /// origin nor absolute form (`*`, an authority) has none in 2.6
    /// (`OPTIONS *` with `Host: foo.com` gives a base of `foo.com`).
    private static func pathStart(_ uri: UnsafeRawBufferPointer) -> Int {
        if uri.first == UInt8(ascii: "/") { return 0 }
        return HTTPBytes.authorityRange(uri)?.upperBound ?? uri.count
    }

    /// sdbm continued from `hash` (the host and the path hash as one string).
    private static func sdbm(_ hash: UInt32, _ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var hash = hash
        for b in bytes { hash = UInt32(b) &+ (hash << 6) &+ (hash << 16) &- hash }
        return hash
    }

    /// The `+src` forms: the hash in network order, then the client's
    /// address, 4 bytes for IPv4 and 16 for IPv6; nothing without one.
    static func withSource(_ hash: UInt32, _ context: any SampleContext) -> Sample? {
        guard let source = context.source else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(20)
        func append<T: FixedWidthInteger>(_ value: T) {
            for shift in stride(from: T.bitWidth - 8, through: 0, by: -8) {
                out.append(UInt8(truncatingIfNeeded: value >> shift))
            }
        }
        append(hash)
        switch source.address {
        case .v4(let a): append(a.value)
        case .v6(let a):
            append(a.high)
            append(a.low)
        }
        return .binary(out)
    }

    /// The host and port of an absolute request target (`url_ip`, `url_port`).
    static func urlHost(_ request: any HTTPMessageReader) -> (host: [UInt8], port: Int64?)? {
        request.withURI { uri -> (host: [UInt8], port: Int64?)? in
            guard let range = HTTPBytes.authorityRange(uri) else { return nil }
            var authority = Array(uri[range])
            if let at = authority.lastIndex(of: UInt8(ascii: "@")) { authority.removeSubrange(...at) }
            if let colon = authority.lastIndex(of: UInt8(ascii: ":")), !authority.contains(UInt8(ascii: "]")) || authority[colon - 1] == UInt8(ascii: "]") {
                let port = Sample.parseLeadingInt(Array(authority[(colon + 1)...]))
                return (Array(authority[..<colon]), port)
            }
            return (authority, nil)
        }
    }
}

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
                guard let request = context.request,
                      var out = request.headerValue(named: hostHeader, split: false, occurrence: 0)
                else { return nil }
                request.withPathAndQuery { path, _ in out.append(contentsOf: path) }
                return .string(out)
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

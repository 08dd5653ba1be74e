/// Fetches on the HTTP response (manual 7.3.6): status, version, headers,
/// `Set-Cookie` values and captures.
enum HTTPResponseFetches {
    private static let response: HTTPFetchBuilders.MessageOf = { $0.response }

    static let keywords: [SampleFetchKeyword] = {
        var list: [SampleFetchKeyword] = [
            SampleFetchKeyword("status", .int, .httpResponse) { _, context in
                context.response.map { .int(Int64($0.status)) }
            },
            SampleFetchKeyword("res.ver", .string, .httpResponseHeaders, compile: HTTPFetchBuilders.version(response)),
            SampleFetchKeyword("resp_ver", .string, .httpResponseHeaders, compile: HTTPFetchBuilders.version(response)),
            SampleFetchKeyword("res.hdrs", .string, .httpResponseHeaders, compile: HTTPFetchBuilders.headerBlock(response)),
            SampleFetchKeyword("res.hdr_names", [.string], .string, .httpResponseHeaders, compile: HTTPFetchBuilders.headerNames(response)),
            SampleFetchKeyword("res.body", .binary, .httpResponseHeaders) { _, context in
                context.response?.withBody { .binary(Array($0)) } ?? nil
            },
            SampleFetchKeyword("capture.res.ver", .string, .httpResponse) { _, context in
                guard let version = context.response?.version else { return nil }
                return .string(Array("HTTP/\(version.major).\(version.minor)".utf8))
            },
            SampleFetchKeyword("capture.res.hdr", [.int], mandatory: 1, .string, .httpResponse) { args, context in
                context.capturedResponseHeader(Int(args.int(at: 0) ?? 0)).map { .string($0) }
            },
        ]
        for prefix in ["res.", "s"] {
            list.append(SampleFetchKeyword(prefix + "hdr", [.string, .int], .string, .httpResponseHeaders, compile: HTTPFetchBuilders.header(response, split: true)))
            list.append(SampleFetchKeyword(prefix + "hdr_cnt", [.string], .int, .httpResponseHeaders, compile: HTTPFetchBuilders.headerCount(response, split: true)))
            list.append(SampleFetchKeyword(prefix + "hdr_ip", [.string, .int], .address, .httpResponseHeaders, compile: HTTPFetchBuilders.typedHeader(response, as: .address)))
            list.append(SampleFetchKeyword(prefix + "hdr_val", [.string, .int], .int, .httpResponseHeaders, compile: HTTPFetchBuilders.typedHeader(response, as: .int)))
        }
        list.append(SampleFetchKeyword("res.fhdr", [.string, .int], .string, .httpResponseHeaders, compile: HTTPFetchBuilders.header(response, split: false)))
        list.append(SampleFetchKeyword("res.fhdr_cnt", [.string], .int, .httpResponseHeaders, compile: HTTPFetchBuilders.headerCount(response, split: false)))
        for name in ["res.cook", "scook"] {
            list.append(SampleFetchKeyword(name, [.string], .string, .httpResponseHeaders, compile: HTTPFetchBuilders.cookie(response, response: true)))
            list.append(SampleFetchKeyword(name + "_cnt", [.string], .int, .httpResponseHeaders, compile: HTTPFetchBuilders.cookieCount(response, response: true)))
            list.append(SampleFetchKeyword(name + "_val", [.string], .int, .httpResponseHeaders, compile: HTTPFetchBuilders.cookieValue(response, response: true)))
        }
        return list
    }()
}

/// Builders for the fetches the request and response share (`req.hdr` and
/// `res.hdr`, `req.cook` and `res.cook`...), parameterised by which
/// message they read.
enum HTTPFetchBuilders {
    typealias MessageOf = @Sendable (any SampleContext) -> (any HTTPMessageReader)?

    /// `hdr(name[,occ])` and `fhdr(name[,occ])`: the last value (or the
    /// given occurrence); ACLs see every value unless an occurrence is given.
    static func header(_ message: @escaping MessageOf, split: Bool) -> @Sendable ([SampleArgument]) throws -> SampleFetch {
        { args in
            let name = args.bytes(at: 0).map(HTTPBytes.lowercased)
            let occurrence = Int(args.int(at: 1) ?? 0)
            let valueOf: @Sendable (any SampleContext) -> Sample? = { context in
                if name == nil && occurrence == 0 { return nil }
                return message(context)?.headerValue(named: name, split: split, occurrence: occurrence).map { .string($0) }
            }
            guard occurrence == 0 else { return SampleFetch(value: valueOf) }
            var bytes: (@Sendable (any SampleContext, (UnsafeRawBufferPointer) -> Bool) -> Void)?
            if let name {
                bytes = { context, body in message(context)?.forEachHeaderValue(named: name, split: split, body) }
            }
            return SampleFetch(value: valueOf, values: { context, body in
                message(context)?.forEachHeaderValue(named: name, split: split) { body(.string(Array($0))) }
            }, bytes: bytes)
        }
    }

    /// `hdr_cnt([name])`, `fhdr_cnt([name])`.
    static func headerCount(_ message: @escaping MessageOf, split: Bool) -> @Sendable ([SampleArgument]) throws -> SampleFetch {
        { args in
            let name = args.bytes(at: 0).map(HTTPBytes.lowercased)
            return SampleFetch { context in
                message(context).map { .int(Int64($0.headerValueCount(named: name, split: split))) }
            }
        }
    }

    /// `hdr_ip(name[,occ])` and `hdr_val(name[,occ])`: the header value
    /// read as an address or an integer.
    static func typedHeader(_ message: @escaping MessageOf, as type: SampleType) -> @Sendable ([SampleArgument]) throws -> SampleFetch {
        let plain = header(message, split: true)
        return { args in
            let fetch = try plain(args)
            let convert: @Sendable (Sample) -> Sample? = { sample in
                guard case .string(let bytes) = sample else { return nil }
                if type == .int { return Sample.parseLeadingInt(bytes).map { .int($0) } }
                return headerAddress(bytes)
            }
            let value: @Sendable (any SampleContext) -> Sample? = { context in fetch.value(context).flatMap(convert) }
            guard let values = fetch.values else { return SampleFetch(value: value) }
            return SampleFetch(value: value) { context, body in
                values(context) { sample in convert(sample).map(body) ?? false }
            }
        }
    }

    /// `hdr_ip`: an IPv4 address, possibly followed by `:port`, or an IPv6
    /// address.
    static func headerAddress(_ bytes: [UInt8]) -> Sample? {
        if let v4 = IPv4Address(text: bytes) { return .ipv4(v4) }
        if let colon = bytes.firstIndex(of: UInt8(ascii: ":")), let v4 = IPv4Address(text: bytes[..<colon]) { return .ipv4(v4) }
        return IPv6Address(text: bytes).map { .ipv6($0) }
    }

    /// `cook([name])` on `Cookie` headers (request) or `scook([name])` on
    /// `Set-Cookie` headers (response, one cookie per header): the last
    /// value of cookie `name`, the first cookie's value without a name.
    static func cookie(_ message: @escaping MessageOf, response: Bool) -> @Sendable ([SampleArgument]) throws -> SampleFetch {
        { args in
            let name = args.bytes(at: 0)
            let each: @Sendable (any SampleContext, (UnsafeRawBufferPointer) -> Bool) -> Void = { context, body in
                forEachCookie(message(context), response: response, name: name, body)
            }
            return SampleFetch(value: { context in
                var last: [UInt8]? = nil
                each(context) { value in
                    last = Array(value)
                    return name == nil
                }
                return last.map { .string($0) }
            }, values: { context, body in
                each(context) { body(.string(Array($0))) }
            }, bytes: each)
        }
    }

    /// `cook_cnt([name])`.
    static func cookieCount(_ message: @escaping MessageOf, response: Bool) -> @Sendable ([SampleArgument]) throws -> SampleFetch {
        { args in
            let name = args.bytes(at: 0)
            return SampleFetch { context in
                guard let reader = message(context) else { return nil }
                var count = 0
                forEachCookie(reader, response: response, name: name) { _ in
                    count += 1
                    return false
                }
                return .int(Int64(count))
            }
        }
    }

    /// `cook_val([name])`: the cookie's value as an integer.
    static func cookieValue(_ message: @escaping MessageOf, response: Bool) -> @Sendable ([SampleArgument]) throws -> SampleFetch {
        let plain = cookie(message, response: response)
        return { args in
            let fetch = try plain(args)
            let toInt: @Sendable (Sample) -> Sample? = { sample in sample.stringBytes.flatMap(Sample.parseLeadingInt).map { .int($0) } }
            return SampleFetch(value: { context in fetch.value(context).flatMap(toInt) }, values: { context, body in
                fetch.values?(context) { sample in toInt(sample).map(body) ?? false }
            })
        }
    }

    private static let cookieHeader = Array("cookie".utf8)
    private static let setCookieHeader = Array("set-cookie".utf8)

    static func forEachCookie(
        _ reader: (any HTTPMessageReader)?, response: Bool, name: [UInt8]?, _ body: (UnsafeRawBufferPointer) -> Bool
    ) {
        guard let reader = reader else { return }
        reader.forEachHeader(named: response ? setCookieHeader : cookieHeader) { value in
            if response {
                // One cookie per Set-Cookie: its first `name=value`.
                var stop = false
                _ = HTTPBytes.forEachCookie(value) { cookieName, cookieValue in
                    if name == nil || HTTPBytes.equals(cookieName, name!) { stop = body(cookieValue) }
                    return true
                }
                return !stop
            }
            let stop = HTTPBytes.forEachCookie(value) { cookieName, cookieValue in
                guard name == nil || HTTPBytes.equals(cookieName, name!) else { return false }
                return body(cookieValue)
            }
            return !stop
        }
    }

    /// `req.ver`, `res.ver`: `1.1`.
    static func version(_ message: @escaping MessageOf) -> @Sendable ([SampleArgument]) throws -> SampleFetch {
        { _ in
            SampleFetch { context in
                guard let version = message(context)?.version else { return nil }
                return .string(Array("\(version.major).\(version.minor)".utf8))
            }
        }
    }

    /// `req.hdr_names([delim])`: names in order, lowercase as 2.6's HTX
    /// stores them, joined by `delim` (`,` by default).
    static func headerNames(_ message: @escaping MessageOf) -> @Sendable ([SampleArgument]) throws -> SampleFetch {
        { args in
            let delimiter = args.bytes(at: 0) ?? [UInt8(ascii: ",")]
            return SampleFetch { context in
                guard let reader = message(context) else { return nil }
                var out: [UInt8] = []
                reader.forEachHeader { name, _ in
                    if !out.isEmpty { out.append(contentsOf: delimiter) }
                    out.append(contentsOf: name.lazy.map(HTTPBytes.lowercase))
                    return true
                }
                return .string(out)
            }
        }
    }

    /// `req.hdrs`: the header block, `name: value` lines (names lowercase)
    /// each ended by CRLF, plus the empty line.
    static func headerBlock(_ message: @escaping MessageOf) -> @Sendable ([SampleArgument]) throws -> SampleFetch {
        { _ in
            SampleFetch { context in
                guard let reader = message(context) else { return nil }
                var out: [UInt8] = []
                reader.forEachHeader { name, value in
                    out.append(contentsOf: name.lazy.map(HTTPBytes.lowercase))
                    out.append(contentsOf: [UInt8(ascii: ":"), 0x20])
                    out.append(contentsOf: value)
                    out.append(contentsOf: [0x0d, 0x0a])
                    return true
                }
                out.append(contentsOf: [0x0d, 0x0a])
                return .string(out)
            }
        }
    }
}

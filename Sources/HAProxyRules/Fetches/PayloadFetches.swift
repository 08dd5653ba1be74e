/// Content fetches for `tcp-request content` inspection (manual 7.3.5):
/// they read the bytes received from the client and not yet forwarded,
/// through `SampleContext.withRequestPayload`, and find nothing until
/// enough bytes arrived.
enum PayloadFetches {
    static let keywords: [SampleFetchKeyword] = {
        var list: [SampleFetchKeyword] = [
            // The length may still grow: a test on it waits (`req.len ge 10`).
            SampleFetchKeyword("req.len", .int, .requestBuffer) { _, context in
                context.pendingContent?.mayChange()
                return context.withRequestPayload { .int(Int64($0.count)) }
            },
            SampleFetchKeyword("req.payload", [.int, .int], mandatory: 2, .binary, .requestBuffer) { args, context in
                let offset = Int(args.int(at: 0) ?? 0)
                let length = Int(args.int(at: 1) ?? 0)
                return context.withRequestPayload { payload(offset, length, $0, context) } ?? nil
            },
            SampleFetchKeyword("res.len", .int, .responseBuffer) { _, context in
                context.pendingContent?.mayChange()
                return context.withResponsePayload { .int(Int64($0.count)) }
            },
            SampleFetchKeyword("res.payload", [.int, .int], mandatory: 2, .binary, .responseBuffer) { args, context in
                let offset = Int(args.int(at: 0) ?? 0)
                let length = Int(args.int(at: 1) ?? 0)
                return context.withResponsePayload { payload(offset, length, $0, context) } ?? nil
            },
            SampleFetchKeyword("req.payload_lv", [.int, .int, .string], mandatory: 2, .binary, .requestBuffer, compile: payloadLengthValue),
        ]
        // The ClientHello fetches read a complete first record only: on a
        // partial one they wait for the rest (a non-TLS start fails at once).
        let hello: [(String, SampleType, @Sendable (UnsafeRawBufferPointer) -> Sample?)] = [
            ("ssl_hello_type", .int, { TLSClientHello.handshakeType($0).map { .int(Int64($0)) } }),
            ("ssl_sni", .string, { TLSClientHello.serverName($0).map { .string($0) } }),
            ("ssl_ver", .int, { TLSClientHello.version($0).map { .int(Int64($0)) } }),
        ]
        for (name, type, read) in hello {
            let needsRecord = name != "ssl_ver"
            for keyword in ["req." + name, "req_" + name] {
                list.append(SampleFetchKeyword(keyword, type, .requestBuffer) { _, context in
                    context.withRequestPayload { data -> Sample? in
                        if needsRecord, TLSClientHello.isIncompleteRecord(data) {
                            context.pendingContent?.mayChange()
                            return nil
                        }
                        let value = read(data)
                        if value == nil, !needsRecord, data.count < 11 { context.pendingContent?.mayChange() }
                        return value
                    } ?? nil
                })
            }
        }
        for name in ["req.rdp_cookie", "rdp_cookie"] {
            list.append(SampleFetchKeyword(name, [.string], .string, .requestBuffer) { args, context in
                let wanted = args.bytes(at: 0).map(HTTPBytes.lowercased)
                return context.withRequestPayload { data -> Sample? in
                    guard let cookie = rdpCookie(data, named: wanted) else {
                        context.pendingContent?.mayChange()
                        return nil
                    }
                    return .string(cookie)
                } ?? nil
            })
        }
        list.append(SampleFetchKeyword("rdp_cookie_cnt", [.string], .int, .requestBuffer) { args, context in
            let wanted = args.bytes(at: 0).map(HTTPBytes.lowercased)
            return context.withRequestPayload { .int(rdpCookie($0, named: wanted) == nil ? 0 : 1) }
        })
        list.append(SampleFetchKeyword("req.rdp_cookie_cnt", [.string], .int, .requestBuffer) { args, context in
            let wanted = args.bytes(at: 0).map(HTTPBytes.lowercased)
            return context.withRequestPayload { .int(rdpCookie($0, named: wanted) == nil ? 0 : 1) }
        })
        return list
    }()

    /// `req.payload(offset,length)` / `res.payload`: `length` bytes at
    /// `offset` (0: to the end, which may still grow); too few bytes yet
    /// is a miss the rules may wait on.
    static func payload(_ offset: Int, _ length: Int, _ data: UnsafeRawBufferPointer, _ context: any SampleContext) -> Sample? {
        guard offset >= 0, length >= 0 else { return nil }
        guard offset + length <= data.count else {
            context.pendingContent?.mayChange()
            return nil
        }
        if length == 0 { context.pendingContent?.mayChange() }
        let end = length == 0 ? data.count : offset + length
        return .binary(Array(data[offset..<end]))
    }

    /// `req.payload_lv(offset1,length[,offset2])`: a block whose size is
    /// the big-endian `length`-byte integer at `offset1`, starting right
    /// after it or at `offset2` (`+n`/`-n`: relative to the length's end).
    @Sendable static func payloadLengthValue(_ args: [SampleArgument]) throws -> SampleFetch {
        let lengthOffset = Int(args.int(at: 0) ?? 0)
        let lengthSize = Int(args.int(at: 1) ?? 0)
        var dataOffset: (relative: Bool, value: Int)? = nil
        if let text = args.bytes(at: 2), !text.isEmpty {
            guard let value = Sample.parseLeadingInt(text) else { throw SampleArgumentError("invalid offset '\(String(decoding: text, as: UTF8.self))'") }
            dataOffset = (text[0] == UInt8(ascii: "+") || text[0] == UInt8(ascii: "-"), Int(value))
        }
        guard lengthSize > 0 && lengthSize <= 8 else { throw SampleArgumentError("payload length must be > 0 and <= 8") }
        let offset2 = dataOffset
        return SampleFetch { context in
            context.withRequestPayload { data -> Sample? in
                guard lengthOffset >= 0 else { return nil }
                guard lengthOffset + lengthSize <= data.count else {
                    context.pendingContent?.mayChange()
                    return nil
                }
                var length = 0
                for i in 0..<lengthSize { length = length << 8 | Int(data[lengthOffset + i]) }
                let afterLength = lengthOffset + lengthSize
                let start = offset2.map { $0.relative ? afterLength + $0.value : $0.value } ?? afterLength
                guard start >= 0, length >= 0 else { return nil }
                guard start + length <= data.count else {
                    context.pendingContent?.mayChange()
                    return nil
                }
                return .binary(Array(data[start..<(start + length)]))
            } ?? nil
        }
    }

    /// The first RDP cookie (`Cookie: mstshash=user\r\n` after the TPKT and
    /// X.224 headers) when its name is `name` (any name when nil,
    /// compared without case).
    static func rdpCookie(_ data: UnsafeRawBufferPointer, named name: [UInt8]?) -> [UInt8]? {
        // TPKT version 3, then the X.224 connection request: 11 bytes.
        guard data.count > 11, data[0] == 3, data[1] == 0 else { return nil }
        let prefix = Array("cookie:".utf8)
        var i = 11
        guard data.count >= i + prefix.count else { return nil }
        for byte in prefix {
            guard HTTPBytes.lowercase(data[i]) == byte else { return nil }
            i += 1
        }
        while i < data.count, data[i] == 0x20 { i += 1 }
        let nameStart = i
        while i < data.count, data[i] != UInt8(ascii: "=") {
            if data[i] == 0x0d || data[i] == 0x0a { return nil }
            i += 1
        }
        guard i < data.count else { return nil }
        if let name = name {
            guard HTTPBytes.equalsLowercased(UnsafeRawBufferPointer(rebasing: data[nameStart..<i]), name) else { return nil }
        }
        let valueStart = i + 1
        var end = valueStart
        while end < data.count, data[end] != 0x0d { end += 1 }
        // The cookie must be complete: ended by CRLF.
        guard end + 1 < data.count, data[end + 1] == 0x0a else { return nil }
        return Array(data[valueStart..<end])
    }
}

import NIOCore

/// What `Connection` header the H1 layer adds to a response it sends.
///
/// HAProxy's mux drops any `Connection` header of a generated response and
/// writes its own last: `close` when the connection ends after it (client
/// asked to close, HTTP/1.0 without keep-alive, 400/408), `keep-alive` for
/// an HTTP/1.0 client that asked for it, nothing otherwise.
public enum HTTPResponseConnection: Sendable {
    case none, close, keepAlive
}

/// Builds the bytes of responses HAProxy generates itself.
public enum HTTPResponseBuilder {
    /// The response of `http-request return status S [content-type T]
    /// [hdr N V]... [string B]`.
    ///
    /// Byte-exact with 2.6 (recorded): `HTTP/1.1 S <reason>`, the `hdr`
    /// headers, then `content-length` (none on a 204 or 304),
    /// `content-type` (when given) and the connection header, all
    /// lowercase. Written in one pass into one buffer sized from the parts.
    public static func returnResponse(
        status: Int, headers: [(name: [UInt8], value: [UInt8])] = [], contentType: String?, body: [UInt8],
        connection: HTTPResponseConnection = .none
    ) -> ByteBuffer {
        let reason = HTTPReasonPhrase.phrase(for: status)
        // The fixed parts at their longest (status line, content-length,
        // content-type and connection lines, the blank line, two 20-digit
        // numbers) take 112 bytes.
        var bound = 128 + reason.utf8CodeUnitCount + body.count + (contentType?.utf8.count ?? 0)
        for (name, value) in headers { bound += name.count + value.count + 4 }
        // Allocated at its size: an empty buffer's storage was copied
        // into a new one by `reserveCapacity`.
        var out = ByteBufferAllocator().buffer(capacity: bound)
        out.writeWithUnsafeMutableBytes(minimumWritableBytes: bound) { buffer in
            var w = HTTPHeadRewriter.Writer(base: buffer.baseAddress!)
            w.copy("HTTP/1.1 ")
            w.decimal(status)
            w.byte(UInt8(ascii: " "))
            w.copy(reason)
            w.crlf()
            for (name, value) in headers {
                w.bytes(name)
                w.colonSpace()
                w.bytes(value)
                w.crlf()
            }
            if status != 204 && status != 304 {
                w.copy("content-length: ")
                w.decimal(body.count)
                w.crlf()
            }
            if var type = contentType {
                w.copy("content-type: ")
                type.withUTF8 { w.copy(UnsafeRawBufferPointer($0), 0..<$0.count) }
                w.crlf()
            }
            switch connection {
            case .none: break
            case .close: w.copy("connection: close\r\n")
            case .keepAlive: w.copy("connection: keep-alive\r\n")
            }
            w.crlf()
            w.bytes(body)
            return w.count
        }
        return out
    }

    /// What the response parser counts for `%B` (`HTTPHead.loggedSizeAsParsed`)
    /// in the head `returnResponse` writes, without parsing it: the
    /// status line's parts, `content-length` and `content-type`, not
    /// the connection header (2.6 takes `close` and `keep-alive` out).
    /// Nil for the heads the parser is left to count: with `hdr` lines,
    /// a 1xx, 204 or 304 answer, a status that is not three digits, a
    /// content type with control bytes.
    public static func returnResponseLoggedHeadSize(
        status: Int, headers: [(name: [UInt8], value: [UInt8])], contentType: String?, bodyCount: Int
    ) -> Int? {
        guard headers.isEmpty, status >= 200, status <= 999, status != 204, status != 304 else { return nil }
        var size = HTTPHead.loggedMessageOverhead + 8 + 3 + HTTPReasonPhrase.phrase(for: status).utf8CodeUnitCount
        // `content-length` and its value.
        var digits = 1
        var n = bodyCount
        while n >= 10 {
            n /= 10
            digits += 1
        }
        size += 14 + digits
        if var contentType {
            // The value as the parser takes it: blanks around it left out.
            let length = contentType.withUTF8 { p -> Int? in
                var first = -1, last = -1
                for index in 0..<p.count {
                    let c = p[index]
                    if c < 0x20 && c != 0x09 || c == 0x7F { return nil }
                    if c != 0x20 && c != 0x09 {
                        if first < 0 { first = index }
                        last = index
                    }
                }
                return first < 0 ? 0 : last - first + 1
            }
            guard let length else { return nil }
            size += 12 + length
        }
        return size
    }

    /// `HTTP/1.1 <status> <reason>\r\n`.
    public static func writeStatusLine(_ out: inout ByteBuffer, status: Int, reason: StaticString) {
        out.writeStaticString("HTTP/1.1 ")
        writeDecimal(&out, status)
        out.writeInteger(UInt8(ascii: " "))
        out.writeStaticString(reason)
        out.writeStaticString("\r\n")
    }

    /// The connection header line for `c`, if any.
    public static func writeConnection(_ out: inout ByteBuffer, _ c: HTTPResponseConnection) {
        switch c {
        case .none: break
        case .close: out.writeStaticString("connection: close\r\n")
        case .keepAlive: out.writeStaticString("connection: keep-alive\r\n")
        }
    }

    /// Writes a non-negative integer in decimal without building a String.
    public static func writeDecimal(_ out: inout ByteBuffer, _ value: Int) {
        out.writeWithUnsafeMutableBytes(minimumWritableBytes: 20) { buffer in
            var w = HTTPHeadRewriter.Writer(base: buffer.baseAddress!)
            w.decimal(value)
            return w.count
        }
    }
}

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
    /// The response of `http-request return status S content-type T string B`.
    ///
    /// Byte-exact with 2.6: `HTTP/1.1 S <reason>`, then `content-length`,
    /// `content-type` (when given) and the connection header, all lowercase.
    public static func returnResponse(status: Int, contentType: String?, body: [UInt8], connection: HTTPResponseConnection = .none) -> ByteBuffer {
        var out = ByteBuffer()
        out.reserveCapacity(64 + body.count)
        writeStatusLine(&out, status: status, reason: HTTPReasonPhrase.phrase(for: status))
        out.writeStaticString("content-length: ")
        writeDecimal(&out, body.count)
        out.writeStaticString("\r\n")
        if let t = contentType {
            out.writeStaticString("content-type: ")
            out.writeString(t)
            out.writeStaticString("\r\n")
        }
        writeConnection(&out, connection)
        out.writeStaticString("\r\n")
        out.writeBytes(body)
        return out
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
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var v = value < 0 ? 0 : value
        var n = 0
        withUnsafeMutableBytes(of: &digits) { d in
            repeat {
                d[19 - n] = UInt8(v % 10) + 0x30
                v /= 10
                n += 1
            } while v > 0
            out.writeBytes(UnsafeRawBufferPointer(rebasing: d[(20 - n)...]))
        }
    }
}

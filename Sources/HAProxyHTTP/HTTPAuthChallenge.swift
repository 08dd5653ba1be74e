import NIOCore

/// The answer of `http-request auth` (manual 4.2): the proxy's 401 page
/// (407 for a proxied request under `option http-use-proxy-header`), its
/// own `errorfile` if it has one, with every `WWW-Authenticate` (or
/// `Proxy-Authenticate`) header replaced by one Basic challenge for the
/// realm, written after the page's headers as 2.6 adds it.
public enum HTTPAuthChallenge {
    /// `page` is a stream error page without connection header
    /// (`HTTPErrorPages.page(for:)` or a loaded `errorfile`).
    public static func response(
        page: ByteBuffer, proxyAuthentication: Bool, realm: [UInt8], connection: HTTPResponseConnection
    ) -> ByteBuffer {
        let header: StaticString = proxyAuthentication ? "proxy-authenticate" : "www-authenticate"
        let lowered = header.withUTF8Buffer { Array($0) }
        var parser = HTTPHeadParser.response(to: .get)
        guard case .complete(let head) = parser.parse(page),
              let bytes = page.getBytes(at: page.readerIndex, length: page.readableBytes)
        else { return page }
        var out = ByteBuffer()
        out.reserveCapacity(page.readableBytes + 64 + realm.count)
        out.writeBytes(bytes[head.startLineStart..<head.headersStart])
        for field in head.headers where field.kind != .connection {
            let name = bytes[field.name].map(HTTPBytes.lower)
            if name == lowered { continue }
            out.writeBytes(bytes[field.line])
        }
        out.writeStaticString(header)
        out.writeStaticString(": Basic realm=\"")
        out.writeBytes(realm)
        out.writeStaticString("\"\r\n")
        HTTPResponseBuilder.writeConnection(&out, connection)
        out.writeStaticString("\r\n")
        out.writeBytes(bytes[head.length...])
        return out
    }
}

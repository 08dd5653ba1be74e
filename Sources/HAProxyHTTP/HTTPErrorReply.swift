import HAProxyRules
import NIOCore

/// A proxy's answer for one error status, ready for its streams: what
/// `errorfile`, `errorfiles`, `errorloc*` and `http-error` configured
/// (manual 4.2). The stream's backend is asked first, then its frontend,
/// then the built-in pages (`HTTPErrorPages`).
public enum HTTPErrorReply: Sendable {
    /// A fixed response: an errorfile as HAProxy sends it, or the redirect
    /// of an `errorloc`.
    case bytes(ByteBuffer)
    /// An `http-error` reply, built for each request (its `lf-string` and
    /// `hdr` formats read the request).
    case reply(HTTPReturn)
}

extension HTTPErrorPages {
    /// The page of `errorloc`/`errorloc302` (302) and `errorloc303` (303),
    /// as recorded from 2.6: no body, `cache-control` first.
    public static func redirectPage(code: Int, location: String) -> ByteBuffer {
        var out = ByteBuffer()
        out.reserveCapacity(96 + location.utf8.count)
        HTTPResponseBuilder.writeStatusLine(&out, status: code, reason: code == 303 ? "See Other" : "Found")
        out.writeStaticString("cache-control: no-cache\r\ncontent-length: 0\r\nlocation: ")
        out.writeString(location)
        out.writeStaticString("\r\n\r\n")
        return out
    }
}

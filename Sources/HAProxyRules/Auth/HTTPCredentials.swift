/// The credentials of a request's `Authorization` header (or
/// `Proxy-Authorization` for a proxied request under `option
/// http-use-proxy-header`), as 2.6 reads them for `http_auth*`.
///
/// Only the first value counts (the first header, cut at its first
/// comma). The scheme ends at the first space; `Basic` and `Bearer` are
/// recognised whatever their case. A Basic value must be strict base64
/// of `user:password` (the password may hold colons); anything else gives
/// no credentials at all.
public enum HTTPCredentials: Equatable, Sendable {
    case basic(user: [UInt8], password: [UInt8])
    case bearer(token: [UInt8])

    /// The scheme's name as `http_auth_type` returns it.
    public var scheme: [UInt8] {
        switch self {
        case .basic: return Array("Basic".utf8)
        case .bearer: return Array("Bearer".utf8)
        }
    }

    static let authorization = Array("authorization".utf8)
    static let proxyAuthorization = Array("proxy-authorization".utf8)

    /// The credentials in `header` (nil: the authorization header this
    /// request uses) of the context's request.
    public static func of(_ context: some SampleContext, header: [UInt8]? = nil) -> HTTPCredentials? {
        guard let request = context.request else { return nil }
        let name = header ?? (context.usesProxyAuthentication ? proxyAuthorization : authorization)
        guard let value = request.headerValue(named: name, split: true, occurrence: 1) else { return nil }
        return parse(value)
    }

    /// Parses one header value (already trimmed).
    public static func parse(_ value: [UInt8]) -> HTTPCredentials? {
        guard let space = value.firstIndex(of: UInt8(ascii: " ")) else { return nil }
        let scheme = value[..<space].map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
        var start = space
        while start < value.count, value[start] == UInt8(ascii: " ") { start += 1 }
        let rest = Array(value[start...])
        guard !rest.isEmpty else { return nil }
        switch scheme {
        case Array("basic".utf8):
            guard let decoded = Base64.decode(rest, url: false),
                  let colon = decoded.firstIndex(of: UInt8(ascii: ":"))
            else { return nil }
            return .basic(user: Array(decoded[..<colon]), password: Array(decoded[(colon + 1)...]))
        case Array("bearer".utf8):
            return .bearer(token: rest)
        default:
            return nil
        }
    }
}

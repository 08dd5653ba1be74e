import HAProxyConfig
import NIOCore

/// The prebuilt answer of an `http-request return` or `deny` rule, in the
/// three forms the connection header can take, so answering allocates
/// nothing but the slice.
public struct RuleResponse: Sendable {
    public let plain: ByteBuffer
    public let close: ByteBuffer
    public let keepAlive: ByteBuffer
    /// Whether this answer ends the connection whatever the client asked.
    public let alwaysCloses: Bool
    public let status: Int

    public init(rule: HTTPRequestRule, errorPages: [Int: ByteBuffer]) {
        switch rule {
        case .returnResponse(let r):
            status = r.status
            if let raw = r.rawResponse {
                let b = ByteBuffer(bytes: raw)
                (plain, close, keepAlive) = (b, b, b)
            } else {
                let body = r.body ?? []
                plain = HTTPResponseBuilder.returnResponse(status: r.status, contentType: r.contentType, body: body)
                close = HTTPResponseBuilder.returnResponse(
                    status: r.status, contentType: r.contentType, body: body, connection: .close)
                keepAlive = HTTPResponseBuilder.returnResponse(
                    status: r.status, contentType: r.contentType, body: body, connection: .keepAlive)
            }
            alwaysCloses = false
        case .deny(let s):
            status = s
            let page = errorPages[s] ?? HTTPErrorPages.page(for: s, connection: .close)
                ?? HTTPErrorPages.page(for: 403, connection: .close)!
            (plain, close, keepAlive) = (page, page, page)
            alwaysCloses = true
        }
    }

    public func bytes(for connection: HTTPResponseConnection) -> ByteBuffer {
        switch connection {
        case .none: return plain
        case .close: return close
        case .keepAlive: return keepAlive
        }
    }
}

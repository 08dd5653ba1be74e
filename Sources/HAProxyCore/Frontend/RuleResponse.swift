import HAProxyConfig
import HAProxyHTTP
import NIOCore

/// The prebuilt answer of an `http-request return` or `deny` rule, in the
/// three forms the connection header can take, so answering allocates
/// nothing but the slice.
struct RuleResponse {
    let plain: ByteBuffer
    let close: ByteBuffer
    let keepAlive: ByteBuffer
    /// Whether this answer ends the connection whatever the client asked.
    let alwaysCloses: Bool
    let status: Int

    init(rule: HTTPRequestRule, errorPages: [Int: ByteBuffer]) {
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

    func bytes(for connection: HTTPResponseConnection) -> ByteBuffer {
        switch connection {
        case .none: return plain
        case .close: return close
        case .keepAlive: return keepAlive
        }
    }
}

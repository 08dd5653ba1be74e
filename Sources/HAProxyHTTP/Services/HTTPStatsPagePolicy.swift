import HAProxyConfig
import HAProxyRules
import NIOCore

/// A proxy's statistics page as its streams check it: the URI prefix
/// that selects it, the rules and accounts that guard it, and the page's
/// configuration for the runtime that renders it.
public final class HTTPStatsPagePolicy: Sendable {
    public let config: StatsPageConfig
    /// The proxy that declares the page (`stats scope .`).
    public let proxyName: String
    private let uri: [UInt8]
    private let accounts: [(user: [UInt8], password: [UInt8])]

    public init(config: StatsPageConfig, proxyName: String) {
        self.config = config
        self.proxyName = proxyName
        uri = Array(config.uri.utf8)
        accounts = config.accounts.map { (Array($0.user.utf8), Array($0.password.utf8)) }
    }

    /// Whether the request's target starts with the `stats uri` prefix.
    func matches(_ head: HTTPHead, in bytes: ByteBuffer) -> Bool {
        let range = head.uriRange
        guard range.count >= uri.count else { return false }
        return bytes.withUnsafeReadableBytes { p in
            for i in 0..<uri.count where p[range.lowerBound + i] != uri[i] { return false }
            return true
        }
    }

    /// Whether the page is open to the request: no `stats auth` account,
    /// or Basic credentials naming one of them.
    func admits(_ context: HTTPStreamContext) -> Bool {
        guard !accounts.isEmpty else { return true }
        guard case .basic(let user, let password)? = HTTPCredentials.of(context) else { return false }
        return accounts.contains { $0.user == user && $0.password == password }
    }
}

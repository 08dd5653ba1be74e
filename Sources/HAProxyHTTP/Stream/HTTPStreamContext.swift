import HAProxyRules
import NIOCore

/// What the runtime tells rules about live proxies and servers (`nbsrv`,
/// `be_conn`, `srv_is_up`, `fe_conn`), implemented by the I/O layer.
public protocol HTTPRuntimeView: AnyObject {
    /// State of backend `name`, or of `current` when `name` is nil.
    func backendState(named name: String?, current: HTTPBackendPolicy?) -> BackendState?
    func serverIsUp(backend: String, server: String) -> Bool?
    var frontendConnections: Int { get }
    /// The backend policy named `name` (dynamic `use_backend`).
    func backendPolicy(named name: String) -> HTTPBackendPolicy?
}

/// A stream's variables (`txn.*`, `req.*`, `res.*`, `sess.*`; `proc.*`
/// are process-wide), shared by the rule sets of a stream.
public final class StreamVariables {
    public var values = Variables()
    public init() {}
}

/// The stream as HTTP rules see it: fetches read the connection, the
/// proxies and the messages; actions edit the message of the rule set's
/// side. Built for one rule set run, then its messages are taken back.
struct HTTPStreamContext: HTTPRuleTarget {
    var requestMessage: HTTPMessage?
    var responseMessage: HTTPMessage?
    /// Actions edit the response (http-response, http-after-response).
    var editsResponse = false
    let source: SocketEndpoint?
    let destination: SocketEndpoint?
    let frontendName: String
    var backend: HTTPBackendPolicy?
    var serverName: String?
    let runtime: HTTPRuntimeView?
    let variables: StreamVariables
    /// Edits that could not be applied (`failed_rewrites`).
    var failedRewrites = 0
    /// The configuration's userlists, by name.
    var userlists: [String: Userlist] = [:]
    /// A proxied request under `option http-use-proxy-header`.
    var usesProxyAuthentication = false

    var bindName: String? { nil }
    var backendName: String? { backend?.name }
    var frontendConnections: Int { runtime?.frontendConnections ?? 0 }
    var request: (any HTTPMessageReader)? { requestMessage }
    var response: (any HTTPMessageReader)? { responseMessage }

    func withRequestPayload<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R? { nil }

    func backendState(named name: String?) -> BackendState? {
        runtime?.backendState(named: name, current: backend)
    }

    func serverIsUp(backend: String, server: String) -> Bool? {
        runtime?.serverIsUp(backend: backend, server: server)
    }

    func variable(_ name: VariableName) -> Sample? {
        name.scope == .proc ? ProcessVariables.shared.get(name) : variables.values.get(name)
    }

    func setVariable(_ name: VariableName, to value: Sample?) {
        if name.scope == .proc {
            if let value { ProcessVariables.shared.set(name, value) } else { ProcessVariables.shared.unset(name) }
            return
        }
        if let value { variables.values.set(name, value) } else { variables.values.unset(name) }
    }

    func userlist(named name: String) -> Userlist? { userlists[name] }

    var uniqueID: [UInt8]? { nil }
    func capturedRequestHeader(_ index: Int) -> [UInt8]? { nil }
    func capturedResponseHeader(_ index: Int) -> [UInt8]? { nil }

    // MARK: Edits

    private mutating func edit(_ body: (inout HTTPMessage) throws -> Void) -> Bool {
        do {
            if editsResponse {
                guard var message = responseMessage else { return false }
                responseMessage = nil
                defer { responseMessage = message }
                try body(&message)
            } else {
                guard var message = requestMessage else { return false }
                requestMessage = nil
                defer { requestMessage = message }
                try body(&message)
            }
            return true
        } catch {
            failedRewrites += 1
            return false
        }
    }

    mutating func setHeader(_ name: [UInt8], _ value: [UInt8]) -> Bool {
        edit { try $0.setHeader(name, value) }
    }

    mutating func addHeader(_ name: [UInt8], _ value: [UInt8]) -> Bool {
        edit { try $0.addHeader(name, value) }
    }

    mutating func deleteHeaders(where matches: (UnsafeRawBufferPointer) -> Bool) -> Bool {
        edit { try $0.deleteHeaders(where: matches) }
    }

    mutating func replaceHeaderValues(_ name: [UInt8], _ transform: (UnsafeRawBufferPointer) -> [UInt8]?) -> Bool {
        edit { try $0.replaceHeaderValues(name, transform) }
    }

    mutating func setMethod(_ method: [UInt8]) -> Bool {
        edit { try $0.setMethod(method) }
    }

    mutating func setURI(_ uri: [UInt8]) -> Bool {
        edit { try $0.setURI(uri) }
    }

    mutating func setStatus(_ status: Int, reason: [UInt8]?) -> Bool {
        let text = reason ?? Array(String(describing: HTTPReasonPhrase.phrase(for: status)).utf8)
        return edit { try $0.setStatus(status, reason: text) }
    }

    /// The log-format variables rules may use in their formats.
    func renderLogVariable(_ name: String, into out: inout [UInt8]) {
        func address(_ endpoint: SocketEndpoint?) {
            guard let endpoint, case .string(let text)? = endpoint.sample.cast(to: .string) else { return }
            out += text
        }
        switch name {
        case "ci": address(source)
        case "cp": out += Array(String(source?.port ?? 0).utf8)
        case "fi": address(destination)
        case "fp": out += Array(String(destination?.port ?? 0).utf8)
        case "f", "ft": out += Array(frontendName.utf8)
        case "b": out += Array((backend?.name ?? "<NOSRV>").utf8)
        case "s": out += Array((serverName ?? "<NOSRV>").utf8)
        default: break
        }
    }
}

extension SocketEndpoint {
    /// The endpoint of an IPv4 or IPv6 socket address; nil for others.
    init?(_ address: SocketAddress?) {
        switch address {
        case .v4(let a)?:
            self.init(address: .v4(IPv4Address(UInt32(bigEndian: a.address.sin_addr.s_addr))), port: address!.port ?? 0)
        case .v6(let a)?:
            var raw = a.address.sin6_addr
            let (high, low) = withUnsafeBytes(of: &raw) { p in
                (p.loadUnaligned(fromByteOffset: 0, as: UInt64.self).bigEndian,
                 p.loadUnaligned(fromByteOffset: 8, as: UInt64.self).bigEndian)
            }
            self.init(address: .v6(IPv6Address(high: high, low: low)), port: address!.port ?? 0)
        default:
            return nil
        }
    }
}

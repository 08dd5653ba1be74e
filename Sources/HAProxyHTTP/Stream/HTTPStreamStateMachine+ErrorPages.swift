import HAProxyConfig
import HAProxyRules
import NIOCore

/// The proxy's own error pages (`errorfile`, `errorfiles`, `errorloc*`,
/// `http-error`), and the request headers the proxies add or filter on the
/// way to the server (`option originalto`, `option
/// http-restrict-req-hdr-names`).
extension HTTPStreamStateMachine {
    // MARK: Error pages

    /// What the stream's backend, else its frontend, answers for `status`.
    func errorReply(for status: Int) -> HTTPErrorReply? {
        backend?.errorPages[status] ?? policy.errorPages[status]
    }

    /// The bytes of the configured page for `status`; nil when neither
    /// proxy has one (the built-in page applies).
    mutating func configuredErrorPage(
        _ status: Int, connection: HTTPResponseConnection, context: HTTPStreamContext? = nil
    ) -> ByteBuffer? {
        switch errorReply(for: status) {
        case .bytes(let page)?:
            return page
        case .reply(let reply)?:
            return Self.build(reply, connection: connection, context ?? makeContext())
        case nil:
            return nil
        }
    }

    /// Answers a request with the error page for `status` (a `deny`
    /// without a payload, `default-errorfiles`): the configured one, else
    /// the built-in one, else an empty reply with that status.
    mutating func answerErrorPage(_ status: Int, _ context: HTTPStreamContext) {
        switch errorReply(for: status) {
        case .bytes(let page)?:
            answerLocally(status: status, alwaysCloses: false) { _ in page }
        case .reply(let reply)?:
            answerLocally(status: status, alwaysCloses: false) { Self.build(reply, connection: $0, context) }
        case nil:
            if HTTPErrorPages.page(for: status) != nil {
                // Recorded: with the connection header of the answer
                // (`close`, or `keep-alive` to an HTTP/1.0 client).
                answerLocally(status: status, alwaysCloses: false) { HTTPErrorPages.page(for: status, connection: $0)! }
            } else {
                var reply = HTTPReturn()
                reply.status = status
                answerLocally(status: status, alwaysCloses: false) { Self.build(reply, connection: $0, context) }
            }
        }
    }

    /// A rule's `errorfile` (or `errorfiles` page) as 2.6 sends it
    /// (recorded): header names lowercased, values trimmed, the file's
    /// `Connection` header dropped; the raw bytes if it does not parse.
    static func errorFileResponse(_ raw: [UInt8]) -> ByteBuffer {
        if case .success(let page) = HTTPErrorPages.loadErrorFile(raw) { return page }
        return ByteBuffer(bytes: raw)
    }

    /// Whether a rule's reply is `default-errorfiles`: the proxy's page for its status.
    static func usesProxyErrorPage(_ reply: HTTPReturn) -> Bool {
        if case .proxyErrorPage = reply.payload { return true }
        return false
    }

    // MARK: Request headers

    /// `option http-restrict-req-hdr-names` of one proxy, after its
    /// `http-request` rules let the request through (manual 4.2):
    /// `delete` removes the headers whose name has a character outside
    /// `[A-Za-z0-9-]`, `reject` denies the request with a 403.
    static func restrictHeaderNames(
        _ mode: ProxyOptions.RestrictHeaderNames, after verdict: HTTPRuleVerdict, _ context: inout HTTPStreamContext
    ) -> HTTPRuleVerdict {
        switch verdict {
        case .proceed, .allow: break
        default: return verdict
        }
        switch mode {
        case .preserve:
            return verdict
        case .delete:
            var found = false
            context.request?.forEachHeader { name, _ in
                found = !isRestrictedName(name)
                return !found
            }
            if found { _ = context.deleteHeaders(where: { !isRestrictedName($0) }) }
            return verdict
        case .reject:
            var found = false
            context.request?.forEachHeader { name, _ in
                found = !isRestrictedName(name)
                return !found
            }
            return found ? .deny(status: 403, response: nil) : verdict
        }
    }

    /// Whether a header name holds only `[A-Za-z0-9-]`.
    static func isRestrictedName(_ name: UnsafeRawBufferPointer) -> Bool {
        name.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || (c | 0x20 >= 0x61 && c | 0x20 <= 0x7A) || c == 0x2D
        }
    }

    /// `option originalto`: the address the client connected to, unless it
    /// is in the `except` network. The backend's option wins over the
    /// frontend's (recorded: its header name and its `except` both apply).
    mutating func appendOriginalTo(_ edits: inout HTTPHeadEdits, _ backend: HTTPBackendPolicy) {
        guard let option = backend.originalTo ?? policy.originalTo, let ip = localAddress?.ipAddress else { return }
        if let except = option.except.flatMap(IPNetwork.init), except.contains(localAddress) { return }
        edits.append(name: option.header, value: ip)
    }

    /// Drops from the forwarded request every header named `name`: the
    /// client's, and those the rules added.
    func removeHeaders(named name: [UInt8], from edits: inout HTTPHeadEdits, in bytes: ByteBuffer) {
        bytes.withUnsafeReadableBytes { p in
            for (index, field) in request.headers.enumerated()
            where HTTPBytes.equalsIgnoringCase(UnsafeRawBufferPointer(rebasing: p[field.name]), name) {
                edits.remove(index)
            }
        }
        if edits.addedLines.contains(where: { HTTPBytes.equalsIgnoringCase($0.name, name) }) {
            edits.addedLines.removeAll { HTTPBytes.equalsIgnoringCase($0.name, name) }
        }
    }
}

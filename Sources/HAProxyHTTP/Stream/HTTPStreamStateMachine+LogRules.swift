import HAProxyRules
import NIOCore

/// The logging side of a transaction's rules: the capture slots and log
/// level they share through a `TransactionLog`, and the context the
/// log-format's `%[...]` samples read when the line is written.
extension HTTPStreamStateMachine {
    /// The transaction's `TransactionLog`, with the frontend's slots.
    mutating func ruleLog() -> TransactionLog {
        let ruleLog = log.ensureRuleLog()
        ruleLog.requestSlots = policy.captureRequestHeaders
        ruleLog.responseSlots = policy.captureResponseHeaders
        return ruleLog
    }

    /// Keeps the request line as received for the log line (2.6 logs
    /// the client's request line, whatever rules rewrite), and the whole
    /// request when the log-format's samples read it.
    mutating func recordRequestLine(_ bytes: ByteBuffer) {
        let start = request.methodRange.lowerBound
        let end = request.versionRange.upperBound
        if end > start {
            log.requestLine = bytes.getSlice(at: bytes.readerIndex + start, length: end - start)
        }
        if policy.logUsesSamples { log.receivedRequest = HTTPMessage(head: request, bytes: bytes) }
    }

    /// The termination state of a transaction a rule answered (manual
    /// 8.5): `P` for a deny, `L` for a response the proxy built (`return`,
    /// `redirect`, `auth`), in the request (`R`) or response (`H`) phase.
    mutating func recordRuleAnswer(_ verdict: HTTPRuleVerdict, inResponse: Bool) {
        let phase: TerminationCode = inResponse ? "H" : "R"
        switch verdict {
        case .proceed, .allow, .tarpit, .waitForBody, .useService: return
        case .deny, .badRequest: log.terminate("P", phase)
        // Recorded: `PR` even for a response dropped by `http-response`.
        case .reject, .silentDrop: log.terminate("P", "R")
        case .respond, .redirect, .authenticate: log.terminate("L", phase)
        }
    }

    /// A context for the log-format's samples, or nil when the frontend's
    /// formats have none. It keeps a copy of the variables (the
    /// transaction's are cleared once it ends, before the I/O layer writes
    /// the line) and the status of the answer, whoever sent it.
    mutating func logSampleContext() -> (any SampleContext)? {
        guard policy.logUsesSamples else { return nil }
        let context = makeContext()
        let snapshot = StreamVariables()
        snapshot.values = context.variables.values
        if let counters = context.variables.trackedCounters, !counters.isEmpty {
            snapshot.adopt(counters.detachForLog())
        }
        context.variables = snapshot
        if let received = log.receivedRequest { context.requestMessage = received }
        if log.status > 0 { context.loggedResponse = LoggedResponse(status: log.status) }
        return context
    }
}

/// The answer of a transaction as fetches read it at log time: its status
/// (`status`); its headers are gone (2.6 refuses header fetches in a
/// log-format).
struct LoggedResponse: HTTPMessageReader {
    var status: Int
    var version: (major: Int, minor: Int) { (1, 1) }
    func withMethod<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R { body(UnsafeRawBufferPointer(start: nil, count: 0)) }
    func withURI<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R { body(UnsafeRawBufferPointer(start: nil, count: 0)) }
    func forEachHeader(_ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) -> Bool) {}
    func withBody<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R? { nil }
}

extension HTTPStreamStateMachine {
    /// Evaluates an expression on the stream as rules see it now (a
    /// server's `sni` when its connection opens).
    public mutating func evaluate(_ expression: SampleExpression) -> Sample? {
        expression.evaluate(makeContext())
    }
}

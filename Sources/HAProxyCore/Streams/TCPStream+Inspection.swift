import HAProxyConfig
import HAProxyHTTP
import HAProxyRules
import NIOCore

/// Where a TCP stream's content inspection stands (manual 4.2
/// `tcp-request inspect-delay`): which rules hold the bytes back and
/// until when.
struct ContentInspection {
    /// Whose `tcp-request content` rules hold the client's bytes.
    enum Side { case frontend, backend }
    var side: Side?
    /// The `tcp-response content` rules hold the server's bytes.
    var response = false
    var heldResponse: ByteBuffer?
    /// When the rules decide on what is there; set at the first miss.
    var deadline: NIODeadline?
    var task: Scheduled<Void>?
    /// The frontend's rules rejected the stream (logged with the
    /// frontend as its backend, as 2.6 does).
    var rejectedByFrontend = false

    mutating func cancel() {
        task?.cancel()
        task = nil
        deadline = nil
    }
}

extension TCPStream {
    /// The rules and the delay of the side being inspected.
    private var requestRules: (rules: [TCPRule], delay: Int) {
        let proxy = inspection.side == .backend ? backend?.config : frontend.config
        return (proxy?.tcpRequestContentRules ?? [], proxy?.tcpRequestInspectDelay ?? 0)
    }

    /// Bytes after which the contents cannot grow: the buffer less the
    /// space reserved for rewrites (2.6's `channel_full`).
    private var inspectionBufferLimit: Int {
        let limits = frontend.httpPolicy.headLimits
        return limits.bufferSize - limits.maxRewrite
    }

    func ruleContext() -> TCPRuleContext {
        let context = TCPRuleContext(
            frontend: frontend, client: clientAddress, local: localAddress, listener: listener, variables: variables)
        context.clientConnection = socket
        context.threadIndex = eventLoop.index
        context.lastFinalRule = lastFinalRule
        context.backend = backend
        context.serverName = server?.name
        let ruleLog = log.ensureRuleLog()
        if ruleLog.requestSlots.isEmpty { ruleLog.declareRequestSlots(frontend.config.captureRequestHeaders) }
        context.transactionLog = ruleLog
        if SampleFormat.rulesRenderLogVariables { context.logInfo = log }
        if let format = frontend.httpPolicy.uniqueIDFormat {
            context.uniqueIDFormat = format
            context.uniqueIDCell = uniqueID
            context.logInfo = log
        }
        context.clientTLS = clientTLS
        context.serverTLS = serverTLS
        return context
    }

    // MARK: Request

    /// The session is set up (after a PROXY header when one came): the
    /// frontend's content rules, then backend switching.
    func startContentAnalysis() {
        if frontend.config.tcpRequestContentRules.isEmpty {
            route()
        } else {
            startRequestInspection(.frontend)
        }
    }

    private func startRequestInspection(_ side: ContentInspection.Side) {
        state = .inspecting
        inspection.side = side
        inspection.cancel()
        // 2.6 measures the wait for contents as queue time (Tw).
        log.queuedAt = log.queuedAt ?? log.accepted
        timer.arm(ms: frontend.config.timeouts.client)
        if requestRules.delay > 0 || (pending?.readableBytes ?? 0) > 0 || clientInputClosed {
            inspectRequest()
        } else {
            // No delay: the verdict comes on what the first read brings
            // (2.6 applies it at once, usually with those bytes there).
            scheduleInspection(in: 1) { $0.inspectRequest(final: true) }
        }
    }

    /// Runs the content rules on the bytes held so far.
    func inspectRequest(final: Bool = false) {
        guard state == .inspecting, let side = inspection.side else { return }
        let (rules, delay) = requestRules
        let expired = inspection.deadline.map { $0 <= eventLoop.now } ?? false
        let isFinal = final || delay == 0 || expired || clientInputClosed
            || (pending?.readableBytes ?? 0) >= inspectionBufferLimit
        let context = ruleContext()
        context.requestPayload = pending ?? ByteBufferAllocator().buffer(capacity: 0)
        context.pendingContent = isFinal ? nil : PendingContent()
        let verdict = TCPRuleRunner.run(rules, on: context)
        lastFinalRule = context.lastFinalRule
        switch verdict {
        case .wait:
            if inspection.deadline == nil {
                inspection.deadline = eventLoop.now + .milliseconds(Int64(delay))
                scheduleInspection(in: delay) { $0.inspectRequest(final: true) }
            }
        case .reject, .silentDrop:
            frontend.countDenied()
            if verdict == .silentDrop, side == .backend { backend?.count { $0.deniedRequests += 1 } }
            inspection.rejectedByFrontend = side == .frontend
            log.terminate("P", "R")
            closeAll(graceful: true, silently: verdict == .silentDrop)
        case .accept, .close:
            inspection.cancel()
            inspection.side = nil
            timer.cancel()
            resumeClientReads()
            if side == .frontend {
                route()
            } else {
                assignServer()
            }
        }
    }

    /// `use_backend` rules on the contents (conditions are final: a miss
    /// is a non-match), then the backend's own content rules, then a server.
    private func route() {
        backend = chooseBackend()
        state = .waitingServer
        if let backend, backend.name != frontend.name, !backend.config.tcpRequestContentRules.isEmpty {
            startRequestInspection(.backend)
        } else {
            assignServer()
        }
    }

    private func chooseBackend() -> Backend? {
        let rules = frontend.httpPolicy.switchingRules
        guard !rules.isEmpty, let runtime = frontend.runtime else { return frontend.backend }
        let context = ruleContext()
        context.requestPayload = pending ?? ByteBufferAllocator().buffer(capacity: 0)
        for rule in rules {
            if let condition = rule.condition, !condition.evaluate(context) { continue }
            switch rule.target {
            case .backend(let policy):
                return runtime.backends[policy.index]
            case .format(let format):
                let name = String(decoding: format.evaluate(context), as: UTF8.self)
                // A name that matches no backend falls back to the default one.
                return runtime.backendsByName[name] ?? frontend.backend
            }
        }
        return frontend.backend
    }

    private func scheduleInspection(in ms: Int, _ body: @escaping (TCPStream) -> Void) {
        inspection.task?.cancel()
        inspection.task = eventLoop.scheduleTask(in: .milliseconds(Int64(ms))) { [weak self] in
            guard let self else { return }
            self.inspection.task = nil
            body(self)
        }
    }

    // MARK: Response

    /// The server connection is up: its first bytes wait for the backend's
    /// `tcp-response content` rules.
    func startResponseInspection() {
        guard let backend, !backend.config.tcpResponseContentRules.isEmpty else { return }
        inspection.response = true
        inspection.cancel()
        if (backend.config.tcpResponseInspectDelay ?? 0) > 0 {
            inspectResponse()
        } else {
            scheduleInspection(in: 1) { $0.inspectResponse(final: true) }
        }
    }

    func holdResponse(_ buffer: ByteBuffer) {
        var buffer = buffer
        if inspection.heldResponse == nil {
            inspection.heldResponse = buffer
        } else {
            inspection.heldResponse!.writeBuffer(&buffer)
        }
        inspectResponse()
    }

    /// Runs the response rules on the server's bytes held so far.
    func inspectResponse(final: Bool = false) {
        guard inspection.response, state == .established, let backend else { return }
        let delay = backend.config.tcpResponseInspectDelay ?? 0
        let expired = inspection.deadline.map { $0 <= eventLoop.now } ?? false
        let held = inspection.heldResponse?.readableBytes ?? 0
        let isFinal = final || delay == 0 || expired || serverChannel == nil || held >= inspectionBufferLimit
        let context = ruleContext()
        context.responsePayload = inspection.heldResponse ?? ByteBufferAllocator().buffer(capacity: 0)
        context.pendingContent = isFinal ? nil : PendingContent()
        let verdict = TCPRuleRunner.run(backend.config.tcpResponseContentRules, on: context)
        lastFinalRule = context.lastFinalRule
        switch verdict {
        case .wait:
            if inspection.deadline == nil {
                inspection.deadline = eventLoop.now + .milliseconds(Int64(delay))
                scheduleInspection(in: delay) { $0.inspectResponse(final: true) }
            }
        case .silentDrop:
            // 2.6 counts it as a denied request, of the frontend and the
            // backend, and logs it as one (`PR`).
            frontend.countDenied()
            backend.count { $0.deniedRequests += 1 }
            log.terminate("P", "R")
            inspection.response = false
            closeAll(silently: true)
        case .reject:
            frontend.countDeniedResponse()
            let server = self.server
            backend.count { b in
                b.deniedResponses += 1
                server?.deniedResponses += 1
            }
            log.terminate("P", "D")
            inspection.response = false
            closeAll()
        case .accept, .close:
            inspection.cancel()
            inspection.response = false
            if let held = inspection.heldResponse, held.readableBytes > 0 {
                client.writeAndFlush(held)
            }
            inspection.heldResponse = nil
            if verdict == .close { closeAll(graceful: true) }
        }
    }
}

import HAProxyRules
import NIOCore

/// Requests held before they go on: the body awaited for the rules
/// (`option http-buffer-request`, `http-request wait-for-body`), a
/// tarpitted request (`http-request tarpit`), and the interim responses
/// the rules send meanwhile (`http-request early-hint`, `100 Continue`).
extension HTTPStreamStateMachine {
    /// What keeps the current request waiting, and where it goes on.
    struct RequestHold {
        /// Where the rules go on once the body is here: in the frontend's
        /// or the backend's `http-request` rules, at rule `rule`.
        struct Resume: Equatable {
            var inBackend: Bool
            var rule: Int
        }
        var resume: Resume?
        /// `wait-for-body at-least`: the payload bytes enough to go on (0: all).
        var atLeast = 0
        /// The answer a tarpitted request gets once its delay is over.
        var tarpit: (status: Int, response: HTTPReturn?, context: HTTPStreamContext)?
    }

    // MARK: Interim responses

    /// Writes the interim responses the rules produced, counted as 2.6
    /// counts them (`%B`).
    mutating func sendInterimResponses(_ context: HTTPStreamContext) {
        guard let bytes = context.interimResponses else { return }
        context.interimResponses = nil
        log.bytesFromServer &+= UInt64(context.interimLoggedBytes)
        context.interimLoggedBytes = 0
        emit(.writeClient(ownAnswer(bytes)))
        emit(.flushClient)
    }

    /// After a rule set ran: sends its interim responses, and starts
    /// waiting for the body when it stopped at a `wait-for-body`. True
    /// when the request waits (the rules' edits are kept).
    mutating func holdsRequest(
        _ verdict: HTTPRuleVerdict, inBackend: Bool, _ context: HTTPStreamContext
    ) -> Bool {
        sendInterimResponses(context)
        guard case .waitForBody(let rule, let timeMs, let atLeast) = verdict else { return false }
        takeRequest(from: context)
        waitForBody(RequestHold.Resume(inBackend: inBackend, rule: rule), atLeast: atLeast, timeMs: timeMs)
        return true
    }

    /// `option http-buffer-request` of the frontend (before its rules) or
    /// of the backend (before the backend's): true when the request waits.
    mutating func holdsForBufferedBody(inBackend: Bool, _ context: HTTPStreamContext? = nil) -> Bool {
        let context = context ?? makeContext()
        let waits = context.needsRequestBody(atLeast: 0)
        sendInterimResponses(context)
        takeRequest(from: context)
        if waits { waitForBody(RequestHold.Resume(inBackend: inBackend, rule: 0), atLeast: 0, timeMs: nil) }
        return waits
    }

    // MARK: Waiting for the body

    /// The bytes of a request without a body (shared, allocated once).
    private static let noBytes = ByteBuffer()

    /// The request body as it has arrived, for the rules.
    var arrivedRequestBody: HTTPRequestBody? {
        mutating get {
            // Once forwarding began, the body is no longer the rules' to see.
            guard requestBytes != nil, requestBody.consumed == 0 else { return nil }
            let framing = request.bodyFraming
            // A request without a body keeps nothing: neither its limit (a
            // walk over the headers) nor the bytes after it matter, and a
            // context holding those would keep the loop's read buffer
            // from being read into again.
            if framing == .none { return HTTPRequestBody(bytes: Self.noBytes, framing: .none, limit: 0) }
            return HTTPRequestBody(bytes: inbound, framing: framing, limit: HTTPRequestBody.limit(for: request, policy.headLimits))
        }
    }

    /// The request message the rules read and edit, with its body, in
    /// the box fetches read it through. Built in the box: a message built
    /// here and handed over was copied (moved through optionals) on its
    /// way into it, a few hundred bytes each time.
    mutating func requestBoxForRules() -> MessageBox? {
        guard let requestBytes else { return nil }
        let box = MessageBox(HTTPMessage(head: request, bytes: requestBytes))
        box.message.adopt(requestEdits)
        box.message.requestBody = arrivedRequestBody
        return box
    }

    /// Waits for the body: with `timeMs` (`wait-for-body time`), else
    /// under the request's own timer (`timeout http-request`, as 2.6).
    mutating func waitForBody(_ resume: RequestHold.Resume, atLeast: Int, timeMs: Int?) {
        hold.resume = resume
        hold.atLeast = atLeast
        state = .waitingBody
        if let timeMs { armTimer(timeMs) }
        pauseClient(false)
    }

    /// More of the body arrived: the rules go on once it is complete, or
    /// `at-least` bytes are here, or the buffer is full.
    mutating func requestBodyArrived() {
        guard let resume = hold.resume, let body = arrivedRequestBody else { return }
        let status = body.status
        if status.isMalformed {
            log.status = 400
            log.terminate("P", "R")
            log.requestReady = nil
            hold = RequestHold()
            let page = HTTPErrorPages.page(for: 400, connection: .close)!
            countLocalResponse(page)
            respondAndClose(page)
            return
        }
        guard status.isComplete || status.isFull || (hold.atLeast > 0 && status.available >= hold.atLeast) else {
            return
        }
        hold = RequestHold()
        state = .readingRequest
        armTimer(nil)
        // Recorded: the request counts as received (TR) once its body is.
        log.requestReady = clock.now
        analyseRequest(resuming: resume)
    }

    /// The wait is over without the body: 408 (recorded: `cR`, the
    /// stream's page with `connection: close`, the bytes that came
    /// counted, then the connection closes).
    mutating func requestBodyWaitExpired() {
        hold = RequestHold()
        countArrivedRequestBody()
        log.status = 408
        log.terminate("c", "R")
        log.requestReady = nil
        let page = configuredErrorPage(408, connection: .close) ?? HTTPErrorPages.page(for: 408, connection: .close)!
        countLocalResponse(page)
        respondAndClose(page)
    }

    /// Counts the body bytes that arrived (`%U`) without forwarding them.
    private mutating func countArrivedRequestBody() {
        var probe = requestBody
        _ = try? probe.consume(inbound)
        log.bytesFromClient &+= probe.loggedBytes &- requestBody.loggedBytes
    }

    /// A local answer keeps the connection when the request body is
    /// complete (recorded: 2.6 closes only when some of it is still to
    /// come). The body bytes that came are taken off the input and
    /// counted (`%U`).
    mutating func dropsCompleteRequestBody() -> Bool {
        if requestDone || request.bodyFraming == .none { return true }
        var probe = requestBody
        let progress = try? probe.consume(inbound)
        log.bytesFromClient &+= probe.loggedBytes &- requestBody.loggedBytes
        requestBody = probe
        if let progress { inbound.moveReaderIndex(forwardBy: progress.length) }
        guard progress?.isComplete == true else { return false }
        requestDone = true
        return true
    }

    // MARK: Tarpit

    /// `http-request tarpit`: counted as denied (`dreq`) at once, held
    /// for the `timeout tarpit` of the proxy whose rule it is, then
    /// answered; logged `PT` with the time held as `Tw` (recorded).
    mutating func startTarpit(status: Int, response: HTTPReturn?, _ context: HTTPStreamContext) {
        emit(.countDenied(backendIndex: backend?.index))
        log.status = response?.status ?? status
        log.terminate("P", "T")
        log.requestReady = nil
        log.queuedAt = log.requestStart ?? log.accepted
        hold.tarpit = (status, response, context)
        state = .tarpitted
        let delay = (backend?.timeouts ?? policy.timeouts).tarpitDelay
        if delay <= 0 {
            tarpitExpired()
        } else {
            armTimer(delay)
        }
    }

    /// The delay is over: the deny answer (the error page for the status
    /// unless the rule gave its own response).
    mutating func tarpitExpired() {
        guard let tarpit = hold.tarpit else { return }
        hold = RequestHold()
        log.dequeuedAt = clock.now
        state = .readingRequest
        var reply = tarpit.response ?? HTTPReturn()
        if tarpit.response == nil {
            reply.status = tarpit.status
            reply.payload = .proxyErrorPage
        }
        // The body that came meanwhile is counted; after a complete one
        // the connection stays (`answerLocally`).
        var context = tarpit.context
        _ = answer(.respond(reply), &context)
    }

    /// Bytes from a client whose request is held: kept for later, up to
    /// a buffer.
    mutating func heldRequestInput() {
        if state == .waitingBody {
            requestBodyArrived()
        } else if inbound.readableBytes > policy.headLimits.bufferSize {
            pauseClient(true)
        }
    }

    /// The client shut its side while its request was held: a tarpitted
    /// one is still answered (recorded); a body that will not come ends
    /// the stream (`CR`). True when handled here.
    mutating func heldRequestInputClosed() -> Bool {
        switch state {
        case .tarpitted:
            clientFinishedSending = true
            return true
        case .waitingBody:
            countArrivedRequestBody()
            log.terminate("C", "R")
            hold = RequestHold()
            closeAll()
            return true
        default:
            return false
        }
    }
}

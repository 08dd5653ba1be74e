import HAProxyRules
import NIOCore

/// Requests answered inside the stream by a service: the statistics page
/// of the frontend or the backend (checked after that proxy's
/// `http-request` rules, as in 2.6), and `http-request use-service`.
extension HTTPStreamStateMachine {
    /// A request for the page of `stats`: its `stats http-request` rules
    /// and `stats auth` accounts decide first; an admin POST waits for its
    /// body (the rules go on at `resumeAt`, past the proxy's own rules,
    /// when it is here). False when the request is not for the page.
    mutating func answeredByStatsPage(
        _ stats: HTTPStatsPagePolicy, inBackend: Bool, resumeAt: Int, _ context: inout HTTPStreamContext
    ) -> Bool {
        guard let bytes = requestBytes, stats.matches(request, in: bytes) else { return false }
        var verdict = HTTPRuleRunner.run(stats.config.rules, on: context)
        switch verdict {
        case .authenticate(let realm) where realm.isEmpty:
            verdict = .authenticate(realm: stats.config.effectiveRealm)
        case .proceed where !stats.admits(context):
            verdict = .authenticate(realm: stats.config.effectiveRealm)
        default:
            break
        }
        switch verdict {
        case .proceed, .allow:
            break
        default:
            takeRequest(from: context)
            _ = answer(verdict, &context)
            return true
        }
        let admin = stats.config.adminCondition?.evaluate(context) ?? false
        if admin && request.method == .post {
            let waits = context.needsRequestBody(atLeast: 0)
            sendInterimResponses(context)
            if waits {
                takeRequest(from: context)
                waitForBody(RequestHold.Resume(inBackend: inBackend, rule: resumeAt), atLeast: 0, timeMs: nil)
                return true
            }
        }
        takeRequest(from: context)
        runService(.statsPage(stats, admin: admin))
        return true
    }

    /// Hands the request to a service; its answer comes back through
    /// `serviceAnswered`. Counted as intercepted, as 2.6 counts its applets.
    mutating func runService(_ service: HTTPServiceCall.Service) {
        emit(.countIntercepted)
        let target = requestBytes.flatMap { bytes in
            bytes.getString(at: bytes.readerIndex + request.uriRange.lowerBound, length: request.uriRange.count)
        } ?? ""
        var body: [UInt8] = []
        if request.method == .post, let arrived = arrivedRequestBody, arrived.status.isComplete {
            body = arrived.withPayload { Array($0) }
        }
        emit(.runService(HTTPServiceCall(
            service: service, method: request.method, target: target, body: body, frontendName: policy.proxyName)))
    }

    /// The service's response: sent like the proxy's own answers, the
    /// connection kept when the request is complete.
    public mutating func serviceAnswered(_ response: HTTPServiceResponse) {
        log.status = response.status
        log.applet = response.logName
        log.terminate("L", "R")
        let isHEAD = request.method == .head
        let isHTTP10 = request.version == .http1_0
        let encoder = serviceAnswerEncoder()
        answerLocally(alwaysCloses: false, encoder: encoder) { connection in
            LocalAnswer(bytes: response.bytes(connection: connection, isHEAD: isHEAD, connectionFirst: isHTTP10), loggedSize: nil)
        }
    }
}

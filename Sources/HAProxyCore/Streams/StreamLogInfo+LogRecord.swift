import HAProxyObservability
import HAProxyHTTP
import NIOCore

extension StreamLogInfo {
    /// The log record of a stream or transaction that ends now.
    ///
    /// Timers as manual 8.4: Ti idle before the request, TR request head,
    /// Tw queue, Tc connect, Tr server response head, Ta active, Tt total;
    /// `now` is the end (the stream's loop's turn).
    func record(
        frontend: Frontend, backend: Backend?, server: Server?,
        client: SocketAddress?, local: SocketAddress?, requestLine: ByteBuffer?, isHTTP: Bool,
        now: NIODeadline = .now()
    ) -> LogRecord {
        var r = LogRecord()
        (r.clientAddress, r.clientPort) = LogAddress.from(client)
        (r.frontendAddress, r.frontendPort) = LogAddress.from(local)
        if let server { (r.serverAddress, r.serverPort) = LogAddress.from(server.address) }
        r.acceptDateMicros = acceptDateMicros
        r.frontendName = frontend.name
        r.backendName = backend?.name
        r.serverName = server?.name ?? applet
        r.isHTTP = isHTTP
        r.Th = 0
        let start = requestStart ?? accepted
        r.Ti = isHTTP ? Self.ms(accepted, start) : 0
        // %tr: when the request began, after the idle time of a kept-alive
        // connection (its `accepted` is the end of the previous request).
        if isHTTP, requestStart != nil {
            r.requestDateMicros = acceptDateMicros + (start - accepted).nanoseconds / 1_000
        }
        r.TR = isHTTP ? Self.ms(start, requestReady) : -1
        if applet != nil {
            (r.Tw, r.Tc, r.Tr) = (0, 0, 0)
        } else {
            (r.Tw, r.Tc) = (queueTime, connectTime)
            r.Tr = isHTTP ? responseTime : -1
        }
        r.Ta = Self.ms(start, now)
        r.Tt = Self.ms(accepted, now)
        // A TCP stream has no status: 2.6 writes 0 for `%ST` (recorded).
        r.status = isHTTP ? status : 0
        r.bytesRead = Int64(bytesFromServer)
        r.bytesUploaded = Int64(bytesFromClient)
        r.requestLine = requestLine
        r.capturedRequestHeaders = capturedRequestHeaders
        r.capturedResponseHeaders = capturedResponseHeaders
        r.levelOverride = ruleLog?.level
        r.termination = TerminationState(
            cause: TerminationState.Cause(rawValue: causeASCII) ?? .none,
            state: TerminationState.SessionState(rawValue: phaseASCII) ?? .none,
            clientCookie: clientCookie, serverCookie: serverCookie)
        // Other event loops update these counters (`nbthread`): read them
        // under the locks they are kept under.
        r.actconn = frontend.runtime?.connectionCount ?? 0
        r.feconn = frontend.connectionCount
        if let backend {
            (r.beconn, r.srvConn) = backend.logCounts(server: server)
        } else {
            r.srvConn = server?.connectionCount ?? 0
        }
        r.srvQueue = serverQueuePosition
        r.backendQueue = backendQueuePosition
        r.retries = retries
        r.requestCounter = requestID
        if let uniqueID { r.uniqueID = String(decoding: uniqueID, as: UTF8.self) }
        r.redispatched = redispatched
        return r
    }

    /// Tw: the time spent queued. A reused idle server connection has no
    /// connect step: it is ready when taken, so Tw and Tc are 0 as in
    /// HAProxy, not -1 (unset).
    var queueTime: Int {
        let connectBegin = connectStart ?? connected
        return queuedAt != nil ? Self.ms(queuedAt, dequeuedAt ?? connectBegin) : (connectBegin != nil ? 0 : -1)
    }

    /// Tc: the time to establish the server connection.
    var connectTime: Int { Self.ms(connectStart ?? connected, connected) }

    /// Tr: from the request sent to the server to its response head.
    var responseTime: Int { Self.ms(requestSent ?? connected, responseHead) }

    /// The times `qtime`/`ctime`/`rtime`/`ttime` average, for a stream
    /// that ends now: HTTP transactions count from their request's start.
    func timeSample(isHTTP: Bool, now: NIODeadline) -> StreamTimeSample {
        StreamTimeSample(
            queue: queueTime, connect: connectTime, response: isHTTP ? responseTime : 0,
            total: Self.ms(isHTTP ? requestStart ?? accepted : accepted, now))
    }
}

/// What the runtime API needs from a backend beyond its own file.
extension Backend {
    /// A server without an address at start (`init-addr none`): in
    /// maintenance "(resolution)" from the beginning, without a message.
    func markUnresolved(_ server: Server) {
        lock.withLock {
            server.inResolutionMaintenance = true
            server.downTransitions += 1  // 2.6 counts the start in RMAINT in chkdown
            server.lb.isUsable = false
            loadBalancer.serverStateChanged(server.lb)
        }
    }

    /// `clear counters` (maximums) or `clear counters all` (everything),
    /// for the backend and its servers.
    func clearCounters(all: Bool) {
        let queued = queuedCount
        lock.withLock {
            maxQueued = queued
            maxStreams = currentStreams
            sessionRate.clearPeak()
            times.clearMaximums()
            for server in servers {
                server.maxSeenConnections = server.currentConnections
                server.sessionRate.clearPeak()
                server.times.clearMaximums()
                guard all else { continue }
                server.totalConnections = 0
                server.loadBalanced = 0
                server.connectionErrors = 0
                server.responseErrors = 0
                server.clientAborts = 0
                server.serverAborts = 0
                server.deniedResponses = 0
                server.retries = 0
                server.redispatches = 0
                server.bytesIn = 0
                server.bytesOut = 0
                server.downTransitions = 0
                server.responses = HTTPResponseCounters()
                server.httpRequests = 0
                server.newConnections = 0
                server.reusedConnections = 0
                server.times = StreamTimeStats()
            }
            guard all else { return }
            totalStreams = 0
            connectionErrors = 0
            responseErrors = 0
            clientAborts = 0
            serverAborts = 0
            deniedResponses = 0
            deniedRequests = 0
            compression = CompressionCounters()
            bytesIn = 0
            bytesOut = 0
            responses = HTTPResponseCounters()
            httpRequests = 0
            newConnections = 0
            reusedConnections = 0
            times = StreamTimeStats()
        }
    }
}

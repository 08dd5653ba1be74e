import HAProxyHTTP
import HAProxyIO
import NIOCore

/// The part of a stream between needing a server and having a connection
/// to one, shared by HTTP sessions and TCP streams: asking the backend (a
/// server, the queue, or none) and what a failed connection leads to
/// (manual: `retries`, `option redispatch`, `timeout queue`).
///
/// The stream keeps its own state machine; these requirements are the
/// points where the shared steps hand back to it.
protocol ServerAttempt: ServerSlotWaiter {
    var log: StreamLogInfo { get set }
    /// Connection retries left for the current request (`retries`).
    var retriesLeft: Int { get set }
    var timer: StreamTimer { get }
    /// When the current connection attempt started (set by `connect`).
    var connectAttemptStart: NIODeadline { get }
    /// Asks the load balancer with the stream's hash key, if any.
    func pickServer(_ lb: LoadBalancer, avoiding: LBServer?) -> LBServer?
    /// A slot on `server` is reserved: connect to it (or reuse a connection).
    func useServer(_ server: Server)
    /// Whether the stream still waits for its connection to `server`.
    func isConnecting(to server: Server) -> Bool
    /// Opens a new connection to `server` (slot already held).
    func connect(to server: Server)
    /// The connection `connect(to:)` opened to `server` is up.
    func connected(_ connection: PooledConnection, to server: Server)
    /// About to ask the load balancer again: forget the failed server.
    func prepareRedispatch()
    /// No server, or no retry left: the stream fails with `S`/`C` (503),
    /// `s`/`C` when the last attempt timed out (`timeout connect`).
    func failServerConnection(timedOut: Bool)
}

extension ServerAttempt {
    /// Asks `backend` for a server; `avoiding` is the one a redispatch
    /// leaves, `now` the `RateClock` time for the session rates.
    func requestServer(from backend: Backend, avoiding: Server? = nil, now: UInt64) {
        switch backend.acquire(for: self, avoiding: avoiding, now: now, pick: { pickServer($0, avoiding: $1) }) {
        case .server(let server):
            useServer(server)
        case .queued:
            log.queuedAt = eventLoop.now
            timer.arm(ms: backend.config.timeouts.queue ?? backend.config.timeouts.connect)
        case .noServer:
            failServerConnection(timedOut: false)
        }
    }

    /// The connection to `server` failed (`timedOut`: `timeout connect`
    /// struck): retry it, redispatch, or fail.
    func connectionFailed(to server: Server, timedOut: Bool) {
        let backend = server.backend
        // A stream that left the connecting state (client gone with
        // abortonclose, a hard stop) released its slot then.
        guard isConnecting(to: server) else { return }
        let attemptMs = Int((eventLoop.now - connectAttemptStart).nanoseconds / 1_000_000)
        switch ConnectRetry.next(retriesLeft: retriesLeft, failed: server, attemptMs: attemptMs) {
        case .redispatch:
            retriesLeft -= 1
            log.retries += 1
            // The backend counts the redispatch, or the retry when the
            // load balancer chooses this server again.
            backend.release(server, endStream: false)
            log.redispatched = true
            prepareRedispatch()
            requestServer(from: backend, avoiding: server, now: RateClock.milliseconds(eventLoop.now))
        case .retrySame(let delay):
            retriesLeft -= 1
            log.retries += 1
            let retry = { [self] in
                guard isConnecting(to: server) else { return }
                backend.countRetry(on: server)
                connect(to: server)
            }
            if delay == 0 {
                retry()
            } else {
                _ = eventLoop.schedule(at: eventLoop.now + .milliseconds(Int64(delay)), retry)
            }
        case .fail:
            backend.countConnectionError(on: server)
            failServerConnection(timedOut: timedOut)
        }
    }
}

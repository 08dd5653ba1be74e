#if canImport(Glibc)
import Glibc
#endif
import CEpoll
import NIOCore

/// What an `IOListener` hands each accepted connection to.
public protocol IOListenerOwner: AnyObject {
    /// A connection was accepted: `fd` is non-blocking, close-on-exec, and
    /// now belongs to the owner; `peer` is the client's address.
    func ioAccepted(_ listener: IOListener, fd: CInt, peer: SocketAddress?)
    /// accept(2) failed for another reason than an empty queue.
    func ioAcceptFailed(_ listener: IOListener, error: SystemCallError)
    /// How many connections may be accepted now (rate limits).
    func ioAcceptBudget(_ listener: IOListener) -> IOAcceptBudget
}

/// What a listener may accept at a given moment.
public enum IOAcceptBudget {
    case unlimited
    /// At most this many now (at least one).
    case upTo(Int)
    /// None before this many milliseconds: the connections wait in the
    /// kernel's backlog, none is refused.
    case wait(milliseconds: Int)
}

/// A listening socket on an `IOLoop`: it accepts while the socket has
/// connections queued and `isAccepting` holds, at most `maxAccept` in one
/// turn of the loop (HAProxy's `tune.maxaccept`).
///
/// A TCP listener first asks the kernel how many connections wait
/// (TCP_INFO gives a listener's accept queue length) and accepts that
/// many: an accept(2) that finds the queue empty allocates a socket and a
/// descriptor before it fails, some 3.7 µs here against 0.4 µs for the
/// question, and draining the queue until EAGAIN paid it once per burst.
/// Connections that come after the question raise a new edge.
///
/// Used on its loop only. The descriptor stays the caller's: `stop()`
/// only stops watching it.
public final class IOListener: IOReadiness {
    public let loop: IOLoop
    public let fd: CInt
    public weak var owner: IOListenerOwner?
    public var maxAccept = 64
    public var isAccepting = true {
        didSet {
            if isAccepting && !oldValue && pendingConnections { scheduleAccept() }
        }
    }
    private var pendingConnections = false
    private var acceptScheduled = false
    private var registered = false
    private var budgetTimer: IOTimer?
    /// Whether TCP_INFO tells the queue's length (not for a UNIX socket):
    /// found out at the first try.
    private var knowsQueueLength = true
    /// The accept(2) calls that found the queue empty.
    public private(set) var emptyAccepts = 0

    public init(fd: CInt, on loop: IOLoop, owner: IOListenerOwner) throws {
        self.fd = fd
        self.loop = loop
        self.owner = owner
        let flags = fcntl(fd, F_GETFL)
        _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
        try loop.register(fd, events: IOEvents.readable, handler: self)
        registered = true
    }

    public func stop() {
        guard registered else { return }
        registered = false
        budgetTimer?.cancel()
        budgetTimer = nil
        loop.deregister(fd)
    }

    public func ready(_ events: UInt32) {
        pendingConnections = true
        if isAccepting { acceptQueued() }
    }

    private func scheduleAccept() {
        guard !acceptScheduled else { return }
        acceptScheduled = true
        loop.post { [self] in
            acceptScheduled = false
            if isAccepting && pendingConnections && registered { acceptQueued() }
        }
    }

    private func acceptQueued() {
        guard budgetTimer == nil else { return }  // waiting for the rate limits
        var limit = maxAccept
        switch owner?.ioAcceptBudget(self) ?? .unlimited {
        case .unlimited: break
        case .upTo(let room): limit = max(1, min(limit, room))
        case .wait(let milliseconds):
            budgetTimer = loop.schedule(at: loop.now + .milliseconds(Int64(milliseconds))) { [self] in
                budgetTimer = nil
                if isAccepting && pendingConnections && registered { acceptQueued() }
            }
            return
        }
        var accepted = 0
        // With the queue's length known, the accept that would meet the
        // empty queue is not made.
        var queued = Int.max
        if knowsQueueLength {
            if let length = queueLength() {
                queued = length
            } else {
                knowsQueueLength = false
            }
        }
        while isAccepting && registered {
            if accepted == queued {
                pendingConnections = false
                return
            }
            if accepted == limit {
                scheduleAccept()
                return
            }
            var peer = sockaddr_storage()
            let client = cepoll_accept(fd, &peer)
            if client >= 0 {
                accepted += 1
                if let owner {
                    owner.ioAccepted(self, fd: client, peer: SocketAddress(peer))
                } else {
                    close(client)
                }
                continue
            }
            switch errno {
            case EAGAIN, EWOULDBLOCK:
                emptyAccepts += 1
                pendingConnections = false
                return
            case EINTR, ECONNABORTED:
                continue
            default:
                // Out of descriptors or memory: try again in the next turn.
                owner?.ioAcceptFailed(self, error: SystemCallError(errno: errno, call: "accept4"))
                scheduleAccept()
                return
            }
        }
    }

    /// The connections waiting in the listener's accept queue, or nil when
    /// the socket does not say (only a TCP listener does).
    private func queueLength() -> Int? {
        var info = tcp_info()
        var length = socklen_t(MemoryLayout<tcp_info>.size)
        guard getsockopt(fd, CInt(IPPROTO_TCP), TCP_INFO, &info, &length) == 0,
              info.tcpi_state == UInt8(TCP_LISTEN) else { return nil }
        // A listener's tcpi_unacked is its accept queue's length.
        return Int(info.tcpi_unacked)
    }
}

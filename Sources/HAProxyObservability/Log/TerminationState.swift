/// The termination state HAProxy logs as `%ts` (2 chars) and `%tsc` (4 chars).
///
/// Manual section 8.5 "Session state at disconnection": the first character
/// says what caused the end of the stream, the second in which state it was;
/// `%tsc` adds the persistence cookie status (client side, server side).
public struct TerminationState: Sendable, Equatable {
    /// First character: the first event that caused the stream to terminate.
    public enum Cause: UInt8, Sendable {
        /// C: the TCP session was aborted by the client.
        case clientAbort = 0x43
        /// S: aborted by the server, or the server explicitly refused it.
        case serverAbort = 0x53
        /// P: aborted prematurely by the proxy (deny, tarpit, internal error...).
        case proxy = 0x50
        /// L: the stream was locally processed (stats, redirect, return).
        case local = 0x4C
        /// R: a resource on the proxy was exhausted (memory, sockets, ports).
        case resource = 0x52
        /// I: an internal error was identified by the proxy during a self-check.
        case `internal` = 0x49
        /// D: the stream was killed because the server was detected as down.
        case down = 0x44
        /// U: the stream was killed because of a backup server coming up.
        case up = 0x55
        /// K: the stream was actively killed by an admin on the CLI.
        case killed = 0x4B
        /// c: the client-side timeout expired while waiting for the client.
        case clientTimeout = 0x63
        /// s: the server-side timeout expired while waiting for the server.
        case serverTimeout = 0x73
        /// -: normal stream completion.
        case none = 0x2D
    }

    /// Second character: the stream's state when it ended.
    public enum SessionState: UInt8, Sendable {
        /// R: waiting for a complete, valid request from the client.
        case request = 0x52
        /// Q: waiting in the queue for a connection slot.
        case queue = 0x51
        /// C: waiting for the connection to the server to establish.
        case connect = 0x43
        /// H: waiting for complete, valid response headers from the server.
        case headers = 0x48
        /// D: in the data phase.
        case data = 0x44
        /// L: transmitting the last data to the client.
        case lastData = 0x4C
        /// T: the request was tarpitted.
        case tarpit = 0x54
        /// -: normal completion after the end of data transfer.
        case none = 0x2D
    }

    public var cause: Cause
    public var state: SessionState
    /// Third character of `%tsc`: persistence cookie sent by the client
    /// (N, I, D, V, E, O, U or `-`); manual 8.5. Stored as the ASCII byte.
    public var clientCookie: UInt8
    /// Fourth character of `%tsc`: cookie operation on the server side
    /// (N, I, U, P, R, D or `-`).
    public var serverCookie: UInt8

    public init(cause: Cause = .none, state: SessionState = .none,
                clientCookie: UInt8 = 0x2D, serverCookie: UInt8 = 0x2D) {
        self.cause = cause
        self.state = state
        self.clientCookie = clientCookie
        self.serverCookie = serverCookie
    }

    /// Normal completion: `--` / `----`.
    public static let normal = TerminationState()

    /// The 2-character form, as `%ts`.
    public var short: String { String(decoding: [cause.rawValue, state.rawValue], as: UTF8.self) }
    /// The 4-character form, as `%tsc`.
    public var long: String {
        String(decoding: [cause.rawValue, state.rawValue, clientCookie, serverCookie], as: UTF8.self)
    }

    /// True when the stream did not end normally (anything but `-` first),
    /// which `option log-separate-errors` and `dontlog-normal` look at.
    public var isError: Bool { cause != .none || state != .none }
}

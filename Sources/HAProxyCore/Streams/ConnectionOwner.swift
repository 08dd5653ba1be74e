import NIOCore

/// What a connection reports to the stream that owns it. Both sides of a
/// stream use the same shape so the relay logic is symmetric.
protocol ConnectionOwner: AnyObject {
    func connectionRead(_ side: ConnectionSide, _ buffer: ByteBuffer)
    func connectionReadComplete(_ side: ConnectionSide)
    /// The peer shut its sending side (half-close).
    func connectionInputClosed(_ side: ConnectionSide)
    func connectionWritabilityChanged(_ side: ConnectionSide, writable: Bool)
    func connectionClosed(_ side: ConnectionSide, error: Error?)
    /// Bytes went from `side` to the other side with splice(2), without
    /// passing through the process (`option splice-*`).
    func connectionSpliced(_ side: ConnectionSide, bytes: Int)
}

extension ConnectionOwner {
    func connectionSpliced(_ side: ConnectionSide, bytes: Int) {}
}

enum ConnectionSide { case client, server }

/// How long a closing connection may take to drain what is queued: a
/// peer that never reads again must not hold the connection forever.
let closingFlushGrace = TimeAmount.seconds(30)

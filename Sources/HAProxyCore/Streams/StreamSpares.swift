import HAProxyHTTP
import HAProxyIO
import NIOCore

/// The storage HTTP streams that ended on a loop leave to the next ones
/// (`HTTPStreamStateMachine.Storage`, the session's action list and its
/// timer): a new client connection then allocates none of it. Only emptied arrays
/// and buffers are kept, never a value of the stream that left them.
///
/// One per driver loop (in its `streamLocal`), used on its thread only.
final class StreamSpares {
    /// At most this many streams' storage is kept: enough for the streams
    /// that end between two accepts, little memory on an idle loop (each
    /// holds two write buffers of at most `OutgoingBatch.keptCapacity`).
    static let kept = 16

    private var machines: [HTTPStreamStateMachine.Storage] = []
    private var actionLists: [[HTTPStreamStateMachine.Action]] = []
    private var timers: [StreamTimer] = []

    private init() {
        machines.reserveCapacity(Self.kept)
        actionLists.reserveCapacity(Self.kept)
        timers.reserveCapacity(Self.kept)
    }

    /// The spares of `loop`, made on first use.
    static func of(_ loop: IOLoop) -> StreamSpares {
        if let spares = loop.streamLocal as? StreamSpares { return spares }
        let spares = StreamSpares()
        loop.streamLocal = spares
        return spares
    }

    func takeMachine() -> HTTPStreamStateMachine.Storage? { machines.popLast() }

    /// An empty action list for `HTTPSession`'s batches.
    func takeActionList() -> [HTTPStreamStateMachine.Action]? { actionLists.popLast() }

    /// A disarmed stream timer of this loop (`StreamTimer.Slot.adopt`).
    func takeTimer() -> StreamTimer? { timers.popLast() }

    /// Keeps the timer of a stream that ended, disarmed (`Slot.take`).
    func putTimer(_ timer: StreamTimer) {
        if timers.count < Self.kept { timers.append(timer) }
    }

    /// Keeps what a stream that ended leaves; `actions` must be empty.
    func put(_ machine: consuming HTTPStreamStateMachine.Storage, _ actions: consuming [HTTPStreamStateMachine.Action]) {
        if machines.count < Self.kept { machines.append(machine) }
        if actionLists.count < Self.kept, actions.isEmpty { actionLists.append(actions) }
    }
}

import NIOCore

/// Something a `StreamTimer` tells when its deadline passes.
protocol TimeoutOwner: AnyObject {
    func timedOut()
}

/// One timer per stream whose deadline moves cheaply.
///
/// Activity only stores a new deadline; the scheduled task is re-armed
/// when it fires early (the deadline moved later) or when a deadline moves
/// earlier than the armed one. A busy connection therefore costs no timer
/// operation per read, like HAProxy's expiry tree checks.
final class StreamTimer {
    private let loop: EventLoop
    private weak var owner: TimeoutOwner?
    private(set) var deadline: NIODeadline?
    private var armedAt: NIODeadline?
    private var task: Scheduled<Void>?
    private lazy var fire: () -> Void = { [weak self] in self?.fired() }

    init(loop: EventLoop, owner: TimeoutOwner) {
        self.loop = loop
        self.owner = owner
    }

    /// Sets the deadline `ms` from now; nil disarms (HAProxy's unset
    /// timeouts are infinite).
    func arm(ms: Int?) {
        guard let ms else {
            cancel()
            return
        }
        let newDeadline = NIODeadline.now() + .milliseconds(Int64(ms))
        deadline = newDeadline
        if let armedAt, armedAt <= newDeadline { return }
        task?.cancel()
        armedAt = newDeadline
        task = loop.scheduleTask(deadline: newDeadline, fire)
    }

    func cancel() {
        task?.cancel()
        task = nil
        armedAt = nil
        deadline = nil
    }

    private func fired() {
        armedAt = nil
        task = nil
        guard let deadline else { return }
        if deadline <= .now() {
            self.deadline = nil
            owner?.timedOut()
            return
        }
        armedAt = deadline
        task = loop.scheduleTask(deadline: deadline, fire)
    }
}

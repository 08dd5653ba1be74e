import NIOCore

/// One timer per stream whose deadline moves cheaply.
///
/// Activity only stores a new deadline; the scheduled task is re-armed
/// when it fires early (the deadline moved later) or when a deadline moves
/// earlier than the armed one. A busy connection therefore costs no timer
/// operation per read, like HAProxy's expiry tree checks.
struct DeadlineTimer {
    private(set) var deadline: NIODeadline?
    private var armedAt: NIODeadline?
    private var task: Scheduled<Void>?

    /// Sets the deadline (nil disarms) and schedules `fire` on `loop` when needed.
    mutating func set(_ newDeadline: NIODeadline?, on loop: EventLoop, fire: @escaping () -> Void) {
        deadline = newDeadline
        guard let newDeadline else {
            task?.cancel()
            task = nil
            armedAt = nil
            return
        }
        if let armedAt, armedAt <= newDeadline { return }
        task?.cancel()
        armedAt = newDeadline
        task = loop.scheduleTask(deadline: newDeadline, fire)
    }

    /// Call from the fired task: true when the deadline has really passed;
    /// otherwise re-arms for the moved deadline and returns false.
    mutating func expired(now: NIODeadline = .now(), on loop: EventLoop, fire: @escaping () -> Void) -> Bool {
        armedAt = nil
        task = nil
        guard let deadline else { return false }
        if deadline <= now { return true }
        armedAt = deadline
        task = loop.scheduleTask(deadline: deadline, fire)
        return false
    }

    mutating func cancel() {
        task?.cancel()
        task = nil
        armedAt = nil
        deadline = nil
    }
}

extension NIODeadline {
    /// `now + ms`, or nil when the timeout is unset (infinite, as HAProxy).
    static func after(ms: Int?) -> NIODeadline? {
        guard let ms else { return nil }
        return .now() + .milliseconds(Int64(ms))
    }
}

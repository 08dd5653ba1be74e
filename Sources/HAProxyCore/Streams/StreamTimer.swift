import HAProxyIO
import NIOConcurrencyHelpers
import NIOCore

/// Something a `StreamTimer` tells when its deadline passes.
protocol TimeoutOwner: AnyObject {
    func timedOut()
}

/// One timer per stream whose deadline moves cheaply.
///
/// Activity only stores a new deadline; the timer enters its loop's
/// `LoopTimers` heap again when it fires early (the deadline moved later)
/// or when a deadline moves earlier than the armed one. A busy connection
/// therefore costs no timer operation per read, and arming or cancelling
/// costs a heap operation, not a task scheduled on the event loop (like
/// HAProxy's expiry tree).
final class StreamTimer {
    private let timers: LoopTimers
    /// Not owned, and not weak either (a weak reference costs each stream
    /// a side table): the owner cancels its timer before it goes, or hands
    /// it over disarmed to the next stream of its loop (`Slot.adopt`).
    private unowned var owner: TimeoutOwner
    private(set) var deadline: NIODeadline?
    /// The deadline the timer sits in the heap with, while it does.
    fileprivate var armedAt: NIODeadline?
    fileprivate var heapIndex = -1

    /// A stream's timer, made when first armed (a stream answered at
    /// once needs none). The timer refers to its stream without owning
    /// it: the stream cancels it as it goes (`cancel()` in its deinit),
    /// so that an armed timer never outlives it in its loop's heap.
    struct Slot {
        private var made: StreamTimer?

        mutating func timer(loop: IOLoop, owner: TimeoutOwner) -> StreamTimer {
            if let made { return made }
            let timer = StreamTimer(loop: loop, owner: owner)
            made = timer
            return timer
        }

        func cancel() {
            made?.cancel()
        }

        /// Hands the timer over, disarmed, for another stream of the same
        /// loop (`adopt`); the slot makes a new one if armed again.
        mutating func take() -> StreamTimer? {
            guard let timer = made else { return nil }
            timer.cancel()
            made = nil
            return timer
        }

        /// Uses `timer`, disarmed and left by a stream that ended on the
        /// same loop, for `owner`.
        mutating func adopt(_ timer: StreamTimer, owner: TimeoutOwner) {
            assert(made == nil && timer.deadline == nil && timer.heapIndex < 0)
            timer.owner = owner
            made = timer
        }
    }

    init(loop: IOLoop, owner: TimeoutOwner) {
        self.timers = LoopTimers.of(loop)
        self.owner = owner
    }

    /// Sets the deadline `ms` from now; nil disarms (HAProxy's unset
    /// timeouts are infinite).
    func arm(ms: Int?) {
        guard let ms else {
            cancel()
            return
        }
        let newDeadline = timers.loop.now + .milliseconds(Int64(ms))
        deadline = newDeadline
        if let armedAt, armedAt <= newDeadline { return }
        armedAt = newDeadline
        timers.schedule(self)
    }

    func cancel() {
        if heapIndex >= 0 { timers.remove(self) }
        armedAt = nil
        deadline = nil
    }

    /// The heap's deadline passed (the timer left the heap).
    fileprivate func fired(now: NIODeadline) {
        armedAt = nil
        guard let deadline else { return }
        if deadline <= now {
            self.deadline = nil
            owner.timedOut()
            return
        }
        armedAt = deadline
        timers.schedule(self)
    }
}

/// The armed stream timers of one driver loop: a binary min-heap on their
/// deadlines, each timer knowing its place so that cancelling is cheap,
/// behind a single timer of the loop (no future) for the earliest
/// deadline. Used on its loop only.
final class LoopTimers {
    fileprivate let loop: IOLoop
    private var heap: [StreamTimer] = []
    /// When the loop's timer fires; it is moved only to fire earlier (a
    /// timer that fires with nothing due just schedules the next).
    private var scheduledAt: NIODeadline?
    private var task: IOTimer?
    private lazy var fire: () -> Void = { [unowned self] in self.fired() }

    private init(loop: IOLoop) {
        self.loop = loop
    }

    /// Moves the loop's timer to `deadline`.
    private func scheduleTask(at deadline: NIODeadline) {
        scheduledAt = deadline
        task?.cancel()
        task = loop.schedule(at: deadline, fire)
    }

    private static let registry = NIOLockedValueBox<[(loop: ObjectIdentifier, timers: LoopTimers)]>([])

    /// The timers of `loop` (a handful of loops: a list searched in order).
    static func of(_ loop: IOLoop) -> LoopTimers {
        let key = ObjectIdentifier(loop)
        return registry.withLockedValue { list in
            if let found = list.first(where: { $0.loop == key }) { return found.timers }
            let timers = LoopTimers(loop: loop)
            list.append((key, timers))
            return timers
        }
    }

    /// Puts `timer` in the heap with its `armedAt`, or moves it up after
    /// its deadline came earlier.
    fileprivate func schedule(_ timer: StreamTimer) {
        if timer.heapIndex < 0 {
            timer.heapIndex = heap.count
            heap.append(timer)
        }
        siftUp(timer.heapIndex)
        guard let first = heap.first?.armedAt else { return }
        if let scheduledAt, scheduledAt <= first { return }
        scheduleTask(at: first)
    }

    fileprivate func remove(_ timer: StreamTimer) {
        let i = timer.heapIndex
        timer.heapIndex = -1
        let last = heap.removeLast()
        guard i < heap.count else { return }
        heap[i] = last
        last.heapIndex = i
        siftDown(i)
        siftUp(last.heapIndex)
    }

    private func fired() {
        scheduledAt = nil
        task = nil
        let now = loop.now
        while let first = heap.first, let at = first.armedAt, at <= now {
            remove(first)
            first.fired(now: now)
        }
        if scheduledAt == nil, let next = heap.first?.armedAt {
            scheduleTask(at: next)
        }
    }

    private func key(_ i: Int) -> NIODeadline { heap[i].armedAt ?? .distantFuture }

    private func swapAt(_ i: Int, _ j: Int) {
        heap.swapAt(i, j)
        heap[i].heapIndex = i
        heap[j].heapIndex = j
    }

    private func siftUp(_ start: Int) {
        var i = start
        while i > 0 {
            let parent = (i - 1) / 2
            guard key(i) < key(parent) else { return }
            swapAt(i, parent)
            i = parent
        }
    }

    private func siftDown(_ start: Int) {
        var i = start
        while true {
            let left = 2 * i + 1
            guard left < heap.count else { return }
            var smallest = left
            if left + 1 < heap.count, key(left + 1) < key(left) { smallest = left + 1 }
            guard key(smallest) < key(i) else { return }
            swapAt(i, smallest)
            i = smallest
        }
    }
}

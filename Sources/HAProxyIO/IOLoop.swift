#if canImport(Glibc)
import Glibc
#endif
import CEpoll
import Dispatch
import HAProxyBase
import NIOConcurrencyHelpers
import NIOCore
import Synchronization

/// What a descriptor registered on an `IOLoop` is told when epoll reports
/// it ready. `events` is epoll's mask (`IOEvents`).
public protocol IOReadiness: AnyObject {
    func ready(_ events: UInt32)
}

/// epoll's event bits, as the loop reports them.
public enum IOEvents {
    public static let readable = EPOLLIN.rawValue
    public static let writable = EPOLLOUT.rawValue
    public static let error = EPOLLERR.rawValue
    public static let hangUp = EPOLLHUP.rawValue
    public static let readHangUp = EPOLLRDHUP.rawValue
    static let edgeTriggered = EPOLLET.rawValue
}

/// An event loop of our own: one thread, one epoll instance, descriptors
/// registered edge-triggered once for their whole life (no system call to
/// start or stop watching them), a heap of scheduled tasks and a queue of
/// tasks. It is a NIO `EventLoop`, so that code written against NIO's
/// loops (scheduled tasks, futures, `execute`) runs on it unchanged, but
/// it serves no NIO channel: its descriptors are `IOConnection`s and
/// `IOListener`s, whose events reach their owners by a direct call.
///
/// Everything but `execute`, `scheduleTask` and the cancellation of a
/// scheduled task must be called on the loop's thread.
public final class IOLoop: EventLoop, @unchecked Sendable {
    private let epollFD: CInt
    /// An eventfd: written by other threads to wake the loop up.
    private let wakeFD: CInt
    private var thread: pthread_t?
    private let started = ConditionLock(value: false)

    /// Registered descriptors, indexed by descriptor number, with the
    /// generation each registration got: epoll hands back both, so that a
    /// descriptor number closed and reused within one batch of events is
    /// never taken for its predecessor.
    private var handlers: [IOReadiness?] = []
    private var generations: [UInt32] = []

    /// Tasks posted from other threads, and whether the loop was woken up
    /// for them already.
    private let lock = NIOLock()
    private var remoteTasks: [() -> Void] = []
    private var woken = false
    /// `remoteTasks` has tasks (set with them, under the lock): the loop
    /// takes the lock only then, not on every turn.
    private let remotePending = Atomic<Bool>(false)
    /// Tasks posted on the loop itself: run after the current batch.
    private var localTasks: [LoopTask] = []
    private var runningTasks: [LoopTask] = []

    private var timers = TaskHeap()
    private var stopRequested = false
    private var shutdownCallbacks: [(DispatchQueue, @Sendable (Error?) -> Void)] = []

    /// A buffer reads land in, shared by the loop's connections: an idle
    /// connection holds no read buffer.
    public var readBuffer: ByteBuffer

    /// Output queues of closed connections, kept with their storage for
    /// the next connections (a new array per connection costs an
    /// allocation at its first write).
    private var spareQueues: [[ByteBuffer]] = []
    private static let spareQueuesKept = 256

    /// What the streams above the driver keep per loop (the storage the
    /// ended ones leave to the next), read and set on the loop's thread
    /// only.
    public var streamLocal: AnyObject?

    /// The time of the loop's current turn, read once a turn (on the
    /// loop's thread only): what the streams date their events and arm
    /// their timers with.
    public let clock = TurnClock()

    /// The turn's monotonic time (`clock`), as a deadline: on the loop's
    /// thread only.
    @inline(__always)
    public var now: NIODeadline { .uptimeNanoseconds(clock.uptimeNanoseconds) }

    /// Reads at most this many bytes at a time (HAProxy's `tune.bufsize`).
    public static let readSize = 16384

    /// The loop's number among the process's (HAProxy's thread id, from
    /// 0; the `thread` fetch).
    public let index: Int

    public init(index: Int = 0) throws {
        self.index = index
        // A write or splice to a socket its peer reset must fail with
        // EPIPE, not kill the process (HAProxy ignores SIGPIPE too).
        signal(SIGPIPE, SIG_IGN)
        epollFD = epoll_create1(CInt(EPOLL_CLOEXEC))
        guard epollFD >= 0 else { throw SystemCallError(errno: errno, call: "epoll_create1") }
        wakeFD = eventfd(0, CInt(EFD_NONBLOCK | EFD_CLOEXEC))
        guard wakeFD >= 0 else {
            Glibc.close(epollFD)
            throw SystemCallError(errno: errno, call: "eventfd")
        }
        readBuffer = ByteBufferAllocator().buffer(capacity: Self.readSize)
        var event = epoll_event()
        event.events = IOEvents.readable
        event.data.u64 = UInt64(UInt32(bitPattern: wakeFD))
        guard epoll_ctl(epollFD, EPOLL_CTL_ADD, wakeFD, &event) == 0 else {
            throw SystemCallError(errno: errno, call: "epoll_ctl")
        }
    }

    deinit {
        Glibc.close(wakeFD)
        Glibc.close(epollFD)
    }

    /// Starts the loop on a thread of its own named `name`.
    public func start(name: String) {
        let box = Unmanaged.passRetained(self)
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        var handle = pthread_t()
        let rc = pthread_create(&handle, &attributes, { raw in
            let loop = Unmanaged<IOLoop>.fromOpaque(raw!).takeRetainedValue()
            loop.run()
            return nil
        }, box.toOpaque())
        pthread_attr_destroy(&attributes)
        precondition(rc == 0, "pthread_create failed: \(rc)")
        cepoll_name_thread(handle, String(name.prefix(15)))
        started.lock(whenValue: true)
        started.unlock()
    }

    // MARK: Descriptors

    /// Watches `fd` for `events` (edge-triggered) and reports them to
    /// `handler` until `deregister` or until the descriptor is closed.
    public func register(_ fd: CInt, events: UInt32, handler: IOReadiness) throws {
        let index = Int(fd)
        if index >= handlers.count {
            let count = max(index + 1, handlers.count * 2, 64)
            handlers.append(contentsOf: repeatElement(nil, count: count - handlers.count))
            generations.append(contentsOf: repeatElement(0, count: count - generations.count))
        }
        generations[index] &+= 1
        handlers[index] = handler
        do {
            try control(EPOLL_CTL_ADD, fd, events: events)
        } catch {
            handlers[index] = nil
            throw error
        }
    }

    /// Changes the events watched on `fd`, registered with `register`.
    public func modify(_ fd: CInt, events: UInt32) throws {
        let index = Int(fd)
        guard index < handlers.count, handlers[index] != nil else { return }
        try control(EPOLL_CTL_MOD, fd, events: events)
    }

    /// Adds or changes `fd` in epoll, edge-triggered, its event data the
    /// descriptor and its current generation.
    private func control(_ operation: CInt, _ fd: CInt, events: UInt32) throws {
        var event = epoll_event()
        event.events = events | IOEvents.edgeTriggered
        event.data.u64 = UInt64(UInt32(bitPattern: fd)) | UInt64(generations[Int(fd)]) << 32
        guard epoll_ctl(epollFD, operation, fd, &event) == 0 else {
            throw SystemCallError(errno: errno, call: "epoll_ctl")
        }
    }

    /// Stops reporting `fd`'s events, the descriptor staying open.
    public func deregister(_ fd: CInt) {
        guard forget(fd) else { return }
        epoll_ctl(epollFD, EPOLL_CTL_DEL, fd, nil)
    }

    /// Stops reporting the events of `fd`, about to be closed: the close
    /// takes it out of epoll (its descriptors are never shared: they are
    /// close-on-exec and the process does not fork while it serves), and
    /// the new generation drops what the current batch still holds for it.
    @discardableResult
    func forget(_ fd: CInt) -> Bool {
        let index = Int(fd)
        guard index < handlers.count, handlers[index] != nil else { return false }
        handlers[index] = nil
        generations[index] &+= 1
        return true
    }

    /// An empty output queue, with storage when a closed connection left one.
    func takeSpareQueue() -> [ByteBuffer] {
        spareQueues.popLast() ?? []
    }

    /// Takes `queue` (emptied) for a later connection, leaving `[]`.
    func keepSpareQueue(_ queue: inout [ByteBuffer]) {
        queue.removeAll(keepingCapacity: true)
        guard queue.capacity > 0, queue.capacity <= 64, spareQueues.count < Self.spareQueuesKept else {
            queue = []
            return
        }
        spareQueues.append(queue)
        queue = []
    }

    // MARK: The loop

    private func run() {
        thread = pthread_self()
        started.lock()
        started.unlock(withValue: true)
        let capacity = 256
        let events = UnsafeMutablePointer<epoll_event>.allocate(capacity: capacity)
        defer { events.deallocate() }
        while true {
            let count = epoll_wait(epollFD, events, CInt(capacity), waitTimeout())
            clock.advance()
            if count > 0 {
                for i in 0..<Int(count) {
                    dispatch(events[i].data.u64, events[i].events)
                }
            }
            runDueTimers()
            runTasks()
            if stopRequested && localTasks.isEmpty { break }
        }
        finishShutdown()
    }

    @inline(__always)
    private func dispatch(_ data: UInt64, _ mask: UInt32) {
        let fd = CInt(bitPattern: UInt32(truncatingIfNeeded: data))
        if fd == wakeFD {
            var value: UInt64 = 0
            _ = read(wakeFD, &value, 8)
            return
        }
        let index = Int(fd)
        guard index < handlers.count, generations[index] == UInt32(truncatingIfNeeded: data >> 32),
              let handler = handlers[index] else { return }
        handler.ready(mask)
    }

    /// Milliseconds epoll may wait: none with tasks queued, until the next
    /// timer otherwise, forever with neither.
    private func waitTimeout() -> CInt {
        if !localTasks.isEmpty { return 0 }
        guard let next = timers.nextDeadline else { return -1 }
        // The turn's time: the wait may end as late as the turn took.
        let now = self.now
        if next <= now { return 0 }
        // Rounded up: waking before the deadline would only wait again.
        let ms = (next.uptimeNanoseconds - now.uptimeNanoseconds + 999_999) / 1_000_000
        return CInt(min(ms, UInt64(Int32.max)))
    }

    private func runDueTimers() {
        guard timers.nextDeadline != nil else { return }
        let now = self.now
        while let task = timers.popDue(now: now) {
            task()
        }
    }

    private func runTasks() {
        // A task posted after this check woke the loop (`woken` was false):
        // the next turn takes it.
        if remotePending.load(ordering: .acquiring) {
            lock.withLockVoid {
                for task in remoteTasks { localTasks.append(.run(task)) }
                remoteTasks.removeAll(keepingCapacity: true)
                remotePending.store(false, ordering: .relaxed)
                woken = false
            }
        }
        // Tasks posted by these tasks run in the next turn, after I/O.
        guard !localTasks.isEmpty else { return }
        swap(&runningTasks, &localTasks)
        for task in runningTasks {
            switch task {
            case .run(let body): body()
            case .read(let connection): connection.scheduledRead()
            case .closed(let connection, let error): connection.reportClosed(error)
            }
        }
        runningTasks.removeAll(keepingCapacity: true)
    }

    private func wake() {
        var one: UInt64 = 1
        _ = write(wakeFD, &one, 8)
    }

    // MARK: EventLoop

    public var inEventLoop: Bool {
        guard let thread else { return false }
        return pthread_equal(thread, pthread_self()) != 0
    }

    public func execute(_ task: @escaping @Sendable () -> Void) {
        post(task)
    }

    /// Runs `task` on the loop after the current batch of events (from the
    /// loop's thread or any other).
    public func post(_ task: @escaping () -> Void) {
        if inEventLoop {
            localTasks.append(.run(task))
            return
        }
        let needsWake = lock.withLock {
            remoteTasks.append(task)
            remotePending.store(true, ordering: .releasing)
            defer { woken = true }
            return !woken
        }
        if needsWake { wake() }
    }

    /// Posts one of the driver's own tasks (on the loop's thread): no
    /// closure to allocate.
    func post(_ task: LoopTask) {
        localTasks.append(task)
    }

    @discardableResult
    public func scheduleTask<T>(deadline: NIODeadline, _ task: @escaping @Sendable () throws -> T) -> Scheduled<T> {
        let promise: EventLoopPromise<T> = makePromise()
        let cell = TimerCell()
        let body: () -> Void = {
            do { promise.succeed(try task()) } catch { promise.fail(error) }
        }
        if inEventLoop {
            timers.insert(deadline: deadline, cell: cell, task: body)
        } else {
            post { self.timers.insert(deadline: deadline, cell: cell, task: body) }
        }
        return Scheduled(promise: promise) { [self] in
            let cancel = {
                if self.timers.remove(cell) { promise.fail(EventLoopError.cancelled) }
            }
            if self.inEventLoop { cancel() } else { self.post(cancel) }
        }
    }

    @discardableResult
    public func scheduleTask<T>(in delay: TimeAmount, _ task: @escaping @Sendable () throws -> T) -> Scheduled<T> {
        scheduleTask(deadline: .now() + delay, task)
    }

    /// A timer without a future: `task` runs at `deadline` unless the
    /// returned handle is cancelled first (on the loop).
    public func schedule(at deadline: NIODeadline, _ task: @escaping () -> Void) -> IOTimer {
        let cell = TimerCell()
        timers.insert(deadline: deadline, cell: cell, task: task)
        return IOTimer(loop: self, cell: cell)
    }

    fileprivate func cancel(_ cell: TimerCell) {
        _ = timers.remove(cell)
    }

    public func preconditionInEventLoop(file: StaticString, line: UInt) {
        precondition(inEventLoop, "not on the loop's thread", file: file, line: line)
    }

    public func preconditionNotInEventLoop(file: StaticString, line: UInt) {
        precondition(!inEventLoop, "on the loop's thread", file: file, line: line)
    }

    public func next() -> EventLoop { self }

    public func makeIterator() -> EventLoopIterator { EventLoopIterator([self]) }

    /// Stops the loop once the tasks already queued have run.
    public func shutdownGracefully(queue: DispatchQueue, _ callback: @escaping @Sendable (Error?) -> Void) {
        post {
            self.stopRequested = true
            self.shutdownCallbacks.append((queue, callback))
        }
    }

    private func finishShutdown() {
        for (queue, callback) in shutdownCallbacks {
            queue.async { callback(nil) }
        }
        shutdownCallbacks = []
    }
}

/// What the loop runs after a batch of events: a posted closure, or a
/// connection's own step, posted without allocating.
enum LoopTask {
    case run(() -> Void)
    /// Reads that waited for their turn (`IOConnection.readsPerTurn`).
    case read(IOConnection)
    /// Tells the connection's owner that it closed.
    case closed(IOConnection, SystemCallError?)
}

/// A task scheduled with `IOLoop.schedule(at:)`, cancellable on its loop.
public struct IOTimer {
    fileprivate let loop: IOLoop
    fileprivate let cell: TimerCell

    public func cancel() {
        loop.cancel(cell)
    }
}

/// A scheduled task's place in the heap (-1 once it ran or was removed).
final class TimerCell {
    var index = -1
}

/// The loop's scheduled tasks: a binary min-heap on their deadlines, in
/// the order they were scheduled for equal deadlines, each task's cell
/// knowing its place so that cancelling costs a heap operation.
struct TaskHeap {
    private struct Entry {
        let deadline: NIODeadline
        let sequence: UInt64
        let cell: TimerCell
        let task: () -> Void
    }
    private var heap: [Entry] = []
    private var sequence: UInt64 = 0

    var nextDeadline: NIODeadline? { heap.isEmpty ? nil : heap[0].deadline }

    mutating func insert(deadline: NIODeadline, cell: TimerCell, task: @escaping () -> Void) {
        sequence &+= 1
        cell.index = heap.count
        heap.append(Entry(deadline: deadline, sequence: sequence, cell: cell, task: task))
        siftUp(heap.count - 1)
    }

    /// Removes the task of `cell`; false when it already ran or was removed.
    mutating func remove(_ cell: TimerCell) -> Bool {
        let i = cell.index
        guard i >= 0, i < heap.count, heap[i].cell === cell else { return false }
        _ = take(at: i)
        return true
    }

    /// The earliest task whose deadline passed, out of the heap.
    mutating func popDue(now: NIODeadline) -> (() -> Void)? {
        guard !heap.isEmpty, heap[0].deadline <= now else { return nil }
        return take(at: 0)
    }

    /// The entry is swapped to the end and popped, not copied: a copy
    /// retains its cell and task, and releases them again.
    private mutating func take(at i: Int) -> () -> Void {
        heap.swapAt(i, heap.count - 1)
        let entry = heap.removeLast()
        entry.cell.index = -1
        if i < heap.count {
            heap[i].cell.index = i
            siftUp(siftDown(i))
        }
        return entry.task
    }

    /// Compares in place: reading two entries' fields copies no reference.
    private func less(_ i: Int, _ j: Int) -> Bool {
        heap[i].deadline < heap[j].deadline
            || (heap[i].deadline == heap[j].deadline && heap[i].sequence < heap[j].sequence)
    }

    private mutating func swapAt(_ i: Int, _ j: Int) {
        heap.swapAt(i, j)
        heap[i].cell.index = i
        heap[j].cell.index = j
    }

    private mutating func siftUp(_ start: Int) {
        var i = start
        while i > 0 {
            let parent = (i - 1) / 2
            guard less(i, parent) else { return }
            swapAt(i, parent)
            i = parent
        }
    }

    /// Returns where the entry ended.
    @discardableResult
    private mutating func siftDown(_ start: Int) -> Int {
        var i = start
        while true {
            let left = 2 * i + 1
            guard left < heap.count else { return i }
            var smallest = left
            if left + 1 < heap.count, less(left + 1, left) { smallest = left + 1 }
            guard less(smallest, i) else { return i }
            swapAt(i, smallest)
            i = smallest
        }
    }
}

/// A failed system call, with its errno.
public struct SystemCallError: Error, CustomStringConvertible {
    public let errno: CInt
    public let call: String

    public init(errno: CInt, call: String) {
        self.errno = errno
        self.call = call
    }

    public var description: String { "\(call): \(String(cString: strerror(errno)))" }
}

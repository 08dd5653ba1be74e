#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A pthread mutex, for the little state the log sinks share between event
/// loops (reconnect state, counters, the file queue).
final class LogLock: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)

    init() { pthread_mutex_init(mutex, nil) }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    @inline(__always)
    func withLock<T>(_ body: () throws -> T) rethrows -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }

    func lock() { pthread_mutex_lock(mutex) }
    func unlock() { pthread_mutex_unlock(mutex) }
}

/// A counter several threads bump (dropped lines, sent lines).
public final class LogCounter: @unchecked Sendable {
    private let lock = LogLock()
    private var value = 0

    public init() {}

    public func increment(by n: Int = 1) { lock.withLock { value += n } }
    public var current: Int { lock.withLock { value } }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The `proc` scope: variables shared by the whole process, read and
/// written from every event loop, hence behind a lock. `set-var` in the
/// global section fills it at start.
public final class ProcessVariables: @unchecked Sendable {
    /// The process's store.
    public static let shared = ProcessVariables()

    private var storage: [VariableName: Sample] = [:]
    private let lock: UnsafeMutablePointer<pthread_mutex_t>

    public init() {
        lock = .allocate(capacity: 1)
        pthread_mutex_init(lock, nil)
    }

    deinit {
        pthread_mutex_destroy(lock)
        lock.deallocate()
    }

    public func get(_ name: VariableName) -> Sample? {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        return storage[name]
    }

    public func set(_ name: VariableName, _ value: Sample) {
        pthread_mutex_lock(lock)
        storage[name] = value
        pthread_mutex_unlock(lock)
    }

    public func unset(_ name: VariableName) {
        pthread_mutex_lock(lock)
        storage[name] = nil
        pthread_mutex_unlock(lock)
    }

    /// Forgets every variable (a reload starts afresh).
    public func removeAll() {
        pthread_mutex_lock(lock)
        storage.removeAll()
        pthread_mutex_unlock(lock)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The names `http-request use-service` accepts: the services the runtime
/// registered before the configuration is read (HAProxy's
/// `service_keywords_register`). The configuration only needs the names;
/// the runtime keeps what answers under each.
public final class HTTPServiceCatalog: @unchecked Sendable {
    public static let shared = HTTPServiceCatalog()

    private var names: [String] = []
    private let lock: UnsafeMutablePointer<pthread_mutex_t>

    public init() {
        lock = .allocate(capacity: 1)
        pthread_mutex_init(lock, nil)
    }

    deinit {
        pthread_mutex_destroy(lock)
        lock.deallocate()
    }

    public func register(_ name: String) {
        pthread_mutex_lock(lock)
        if !names.contains(name) { names.append(name) }
        pthread_mutex_unlock(lock)
    }

    public func contains(_ name: String) -> Bool {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        return names.contains(name)
    }

    /// The names in registration order (`-vv`'s `Available services`).
    public var registered: [String] {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        return names
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The sample fetch keywords by name, built from each family's table
/// (internal states, layer 4, layer 7, payload); expressions look their
/// fetch up here when they are parsed, never when they run. Other parts
/// (stick tables, TLS) add theirs with `register` at start-up.
public enum SampleFetchRegistry {
    private nonisolated(unsafe) static var table: [String: SampleFetchKeyword] = {
        var table: [String: SampleFetchKeyword] = [:]
        for family in [
            InternalStateFetches.keywords, ConnectionFetches.keywords,
            HTTPRequestFetches.keywords, HTTPResponseFetches.keywords, PayloadFetches.keywords,
            AuthenticationFetches.keywords,
        ] {
            for keyword in family { table[keyword.name] = keyword }
        }
        return table
    }()
    private static let lock: UnsafeMutablePointer<pthread_rwlock_t> = {
        let lock = UnsafeMutablePointer<pthread_rwlock_t>.allocate(capacity: 1)
        pthread_rwlock_init(lock, nil)
        return lock
    }()

    public static func keyword(named name: String) -> SampleFetchKeyword? {
        pthread_rwlock_rdlock(lock)
        defer { pthread_rwlock_unlock(lock) }
        return table[name]
    }

    /// Every fetch name, sorted (for suggestions and documentation).
    public static var names: [String] {
        pthread_rwlock_rdlock(lock)
        defer { pthread_rwlock_unlock(lock) }
        return table.keys.sorted()
    }

    /// Adds (or replaces) fetches.
    public static func register(_ keywords: [SampleFetchKeyword]) {
        pthread_rwlock_wrlock(lock)
        defer { pthread_rwlock_unlock(lock) }
        for keyword in keywords { table[keyword.name] = keyword }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Keywords by name behind a read-write lock: the fetch and converter
/// registries, filled by each family's table and by `register` at start-up,
/// read when expressions are parsed (never when they run).
final class KeywordTable<Keyword>: @unchecked Sendable {
    private var table: [String: Keyword]
    private var lock = pthread_rwlock_t()

    init(_ families: [[Keyword]], name: (Keyword) -> String) {
        var table: [String: Keyword] = [:]
        for family in families {
            for keyword in family { table[name(keyword)] = keyword }
        }
        self.table = table
        pthread_rwlock_init(&lock, nil)
    }

    subscript(name: String) -> Keyword? {
        pthread_rwlock_rdlock(&lock)
        defer { pthread_rwlock_unlock(&lock) }
        return table[name]
    }

    /// Every name, sorted.
    var names: [String] {
        pthread_rwlock_rdlock(&lock)
        defer { pthread_rwlock_unlock(&lock) }
        return table.keys.sorted()
    }

    /// Adds (or replaces) keywords.
    func register(_ keywords: [Keyword], name: (Keyword) -> String) {
        pthread_rwlock_wrlock(&lock)
        defer { pthread_rwlock_unlock(&lock) }
        for keyword in keywords { table[name(keyword)] = keyword }
    }
}

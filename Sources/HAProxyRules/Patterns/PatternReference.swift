#if canImport(Glibc)
import Glibc
#endif
import HAProxyBase

/// The contents of one pattern or map file (`acl ... -f FILE`,
/// `map(FILE)`), shared by every ACL and converter that names it and
/// edited at run time by the CLI (`add map`, `del acl`, `set map`...,
/// management.txt 9.3): an edit applies to the next lookup, no reload.
///
/// Readers take the compiled set for their match method under the lock
/// (built once per change), then match without it.
public final class PatternReference: @unchecked Sendable {
    public struct Entry: Sendable {
        /// The entry's unique id (`show map` prints it as a pointer).
        public var id: Int
        public var key: String
        /// The value of a map entry; nil in a pattern file.
        public var value: String?
    }

    /// The file name as the configuration wrote it.
    public let path: String
    /// The reference's number in `show map` / `show acl` (`#N`).
    public let number: Int
    private var lock = pthread_mutex_t()
    private var entries: [Entry] = []
    private var nextID = 1
    /// Compiled sets by match method and case folding, with each entry's
    /// value in pattern order; handed out by reference.
    private var compiled: [Int: CompiledPatterns] = [:]

    final class CompiledPatterns: @unchecked Sendable {
        let set: PatternSet
        let values: [[UInt8]?]
        init(set: PatternSet, values: [[UInt8]?]) {
            self.set = set
            self.values = values
        }
    }

    init(path: String, number: Int) {
        self.path = path
        self.number = number
        pthread_mutex_init(&lock, nil)
    }

    private func locked<R>(_ body: () throws -> R) rethrows -> R {
        pthread_mutex_lock(&lock)
        defer { pthread_mutex_unlock(&lock) }
        return try body()
    }

    // MARK: Loading

    /// Reads `path`: one pattern (or `key value` for a map) per line,
    /// leading blanks skipped, `#` lines and blank lines ignored (manual
    /// 7.1 for pattern files, 7.3.1 `map` for maps).
    func load(isMap: Bool) throws {
        guard let data = SystemFile.contents(atPath: path) else {
            throw PatternSet.PatternError(message: "failed to open pattern file <\(path)>")
        }
        var loaded: [Entry] = []
        for rawLine in data.split(separator: 0x0A, omittingEmptySubsequences: false) {
            var line = rawLine[...]
            if line.last == 0x0D { line = line.dropLast() }
            while let f = line.first, f == 0x20 || f == 0x09 { line = line.dropFirst() }
            if line.isEmpty || line.first == UInt8(ascii: "#") { continue }
            if isMap {
                guard let split = line.firstIndex(where: { $0 == 0x20 || $0 == 0x09 }) else {
                    loaded.append(Entry(id: 0, key: String(decoding: line, as: UTF8.self), value: ""))
                    continue
                }
                var value = line[split...]
                while let f = value.first, f == 0x20 || f == 0x09 { value = value.dropFirst() }
                while let l = value.last, l == 0x20 || l == 0x09 { value = value.dropLast() }
                loaded.append(Entry(
                    id: 0, key: String(decoding: line[..<split], as: UTF8.self),
                    value: String(decoding: value, as: UTF8.self)))
            } else {
                loaded.append(Entry(id: 0, key: String(decoding: line, as: UTF8.self), value: nil))
            }
        }
        locked {
            for var entry in loaded {
                entry.id = nextID
                nextID += 1
                entries.append(entry)
            }
            compiled = [:]
        }
    }

    // MARK: Lookups

    /// The set compiled for `method`; patterns that do not parse for it
    /// fail the configuration (checked once at load).
    func compiledSet(_ method: PatternMatchMethod, ignoreCase: Bool) throws -> CompiledPatterns {
        try locked {
            let key = (PatternMatchMethod.allCases.firstIndex(of: method) ?? 0) * 2 + (ignoreCase ? 1 : 0)
            if let done = compiled[key] { return done }
            var set = PatternSet(method: method, ignoreCase: ignoreCase)
            var values: [[UInt8]?] = []
            for entry in entries {
                try set.add(entry.key)
                values.append(entry.value.map { Array($0.utf8) })
            }
            let done = CompiledPatterns(set: set, values: values)
            compiled[key] = done
            return done
        }
    }

    /// Whether `sample` matches one of the patterns (an ACL's `-f`).
    public func matches(_ sample: Sample, method: PatternMatchMethod, ignoreCase: Bool) -> Bool {
        guard let compiled = try? compiledSet(method, ignoreCase: ignoreCase) else { return false }
        return compiled.set.matches(sample)
    }

    /// The value of the entry `sample` matches (a map lookup).
    public func lookup(_ sample: Sample, method: PatternMatchMethod, ignoreCase: Bool = false) -> [UInt8]? {
        guard let compiled = try? compiledSet(method, ignoreCase: ignoreCase),
              let index = compiled.set.firstMatch(sample) else { return nil }
        return compiled.values[index]
    }

    // MARK: Run-time edits

    public var currentEntries: [Entry] { locked { entries } }

    public func add(key: String, value: String?) {
        locked {
            entries.append(Entry(id: nextID, key: key, value: value))
            nextID += 1
            compiled = [:]
        }
    }

    /// Removes the entries with `key` (or the one with id `id`); the count removed.
    @discardableResult
    public func remove(key: String? = nil, id: Int? = nil) -> Int {
        locked {
            let before = entries.count
            entries.removeAll { (key != nil && $0.key == key) || (id != nil && $0.id == id) }
            compiled = [:]
            return before - entries.count
        }
    }

    /// Sets the value of the entries with `key` (or id `id`); the count changed.
    @discardableResult
    public func set(key: String? = nil, id: Int? = nil, value: String) -> Int {
        locked {
            var changed = 0
            for i in entries.indices where (key != nil && entries[i].key == key) || (id != nil && entries[i].id == id) {
                entries[i].value = value
                changed += 1
            }
            compiled = [:]
            return changed
        }
    }

    public func clear() {
        locked {
            entries = []
            compiled = [:]
        }
    }
}

/// Every pattern and map file the configuration names, by path, so that
/// ACLs and maps naming the same file share one reference (2.6's
/// `show map` lists each once).
public enum PatternReferences {
    nonisolated(unsafe) private static var byPath: [String: PatternReference] = [:]
    private static let lock: UnsafeMutablePointer<pthread_mutex_t> = {
        let l = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        pthread_mutex_init(l, nil)
        return l
    }()

    /// The reference for `path`, read from the file the first time.
    public static func reference(path: String, isMap: Bool) throws -> PatternReference {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        if let existing = byPath[path] { return existing }
        let reference = PatternReference(path: path, number: byPath.count)
        try reference.load(isMap: isMap)
        byPath[path] = reference
        return reference
    }

    /// Every reference, in the order they were first named.
    public static var all: [PatternReference] {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        return byPath.values.sorted { $0.number < $1.number }
    }
}

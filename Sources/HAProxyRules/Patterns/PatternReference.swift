import HAProxyBase
import Synchronization

/// The patterns of one ACL or map: the contents of a pattern or map file
/// (`acl ... -f FILE`, `map(FILE)`), shared by every ACL and converter that
/// names it, or the inline patterns of one `acl` line or `{ ... }`. The CLI
/// edits it at run time (`add map`, `del acl`, `set map`, `prepare` and
/// `commit`, management.txt 9.3): an edit applies to the next lookup, no
/// reload.
///
/// Entries carry a version: lookups see only those of the current version
/// (`curr_ver`); `prepare` allocates the next one (`next_ver`), entries are
/// added to it, and `commit` makes it current and drops older ones.
///
/// Readers take the compiled set for their match method under the lock
/// (built once per change), then match without it. The lock is the
/// standard library's `Mutex`, whose uncontended path is inlined atomics:
/// a pthread mutex cost ~60 instructions per lookup, ~20 lookups in a
/// rule-heavy request.
public final class PatternReference: @unchecked Sendable {
    /// A pattern file is one column, a map file two; a file is only ever
    /// one or the other (2.6 refuses a map file named by an ACL).
    public enum Kind: Sendable {
        case acl, map
    }

    public struct Entry: Sendable, Equatable {
        /// The entry's unique handle, which `show map` prints as a pointer
        /// (`0x55d93cf45580`) and `del map`/`set map` accept as `#0x...`.
        public var handle: UInt64
        public var key: String
        /// The value of a map entry; nil in a pattern file.
        public var value: String?
        /// The version the entry belongs to.
        public var version: UInt32

        /// `handle` as `show map` prints it.
        public var pointer: String { "0x" + String(handle, radix: 16) }
    }

    /// How one user matches the patterns: 2.6 keeps one expression per
    /// match method, case folding and (for maps) value type, and counts
    /// and reports each (`entry_cnt`, `get map`).
    public struct Expression: Hashable, Sendable {
        public var method: PatternMatchMethod
        public var ignoreCase: Bool
        /// The map's output type (`map_str_int` reads integers); nil for an ACL.
        public var valueType: SampleType?

        public init(method: PatternMatchMethod, ignoreCase: Bool, valueType: SampleType? = nil) {
            self.method = method
            self.ignoreCase = ignoreCase && method.isTextual
            self.valueType = valueType
        }

        /// Hashed as one small word: each lookup finds its compiled set by
        /// this key (hashing the enums' string raw values cost more).
        public func hash(into hasher: inout Hasher) {
            var word = Int(method.code) << 8 | (ignoreCase ? 1 << 7 : 0)
            if let valueType { word |= Int(valueType.code) + 1 }
            hasher.combine(word)
        }
    }

    /// The file name as the configuration wrote it; empty for inline patterns.
    public let path: String
    public let kind: Kind
    /// The reference's number in `show map` / `show acl` (`#N`).
    public internal(set) var number: Int
    /// When the reference was created: `show map` numbers parse-time ones
    /// first, then those 2.6 resolves after parsing (`use_backend %[...]`).
    let phase: PatternReferences.Phase
    private let lock = Mutex(())
    private var entries: [Entry] = []
    private var users: [String] = []
    /// The file line of each entry read from the file, for load errors.
    private var fileLines: [UInt64: Int] = [:]
    private let origin: String?
    private var expressionList: [Expression] = []
    private var current: UInt32 = 0
    private var next: UInt32 = 0
    /// Compiled sets of the current version by expression, handed out by
    /// reference.
    /// (A reference has one or two expressions: a list searched in order
    /// costs less per lookup than hashing the key.)
    private var compiled: [(expression: Expression, patterns: CompiledPatterns)] = []

    /// One expression's set, with the entry behind each pattern position.
    /// For a map, each entry's value read once as the expression's value
    /// type (nil: a value that is not of that type).
    final class CompiledPatterns: @unchecked Sendable {
        let set: PatternSet
        let entries: [Entry]
        let values: [Sample?]
        /// `body` with `set`, lent without counting a reference (the
        /// compiled patterns hold it while the caller holds them).
        @inline(__always)
        func lentSet<R>(_ body: (PatternSet) -> R) -> R {
            Unmanaged.passUnretained(set)._withUnsafeGuaranteedRef(body)
        }

        init(set: PatternSet, entries: [Entry], valueType: SampleType?) {
            self.set = set
            self.entries = entries
            values = valueType.map { type in entries.map { PatternReference.value($0.value ?? "", as: type) } } ?? []
        }
    }

    /// - Parameters:
    ///   - origin: for inline patterns, what `show acl` says of them
    ///     (`acl 'path' file 'h.cfg' line 10`); nil for a file.
    init(path: String, kind: Kind, number: Int, phase: PatternReferences.Phase, origin: String? = nil) {
        self.path = path
        self.kind = kind
        self.number = number
        self.phase = phase
        self.origin = origin
    }

    private func locked<R>(_ body: () -> R) -> R {
        lock.withLock { _ in body() }
    }

    private func lockedThrowing<R>(_ body: () throws -> R) throws -> R {
        try lock.withLock { _ throws(any Error) -> R in try body() }
    }

    // MARK: Loading

    /// Reads `path`: one pattern (or `key value` for a map) per line,
    /// leading blanks skipped, `#` lines and blank lines ignored (manual
    /// 7.1 for pattern files, 7.3.1 `map` for maps).
    func load() throws {
        guard let data = SystemFile.contents(atPath: path) else {
            throw PatternSet.PatternError(message: "failed to open pattern file <\(path)>")
        }
        var loaded: [(String, String?, Int)] = []
        var lineNumber = 0
        for rawLine in data.split(separator: 0x0A, omittingEmptySubsequences: false) {
            lineNumber += 1
            var line = rawLine[...]
            if line.last == 0x0D { line = line.dropLast() }
            while let f = line.first, f == 0x20 || f == 0x09 { line = line.dropFirst() }
            if line.isEmpty || line.first == UInt8(ascii: "#") { continue }
            if kind == .map {
                guard let split = line.firstIndex(where: { $0 == 0x20 || $0 == 0x09 }) else {
                    loaded.append((String(decoding: line, as: UTF8.self), "", lineNumber))
                    continue
                }
                var value = line[split...]
                while let f = value.first, f == 0x20 || f == 0x09 { value = value.dropFirst() }
                while let l = value.last, l == 0x20 || l == 0x09 { value = value.dropLast() }
                loaded.append((
                    String(decoding: line[..<split], as: UTF8.self), String(decoding: value, as: UTF8.self), lineNumber))
            } else {
                loaded.append((String(decoding: line, as: UTF8.self), nil, lineNumber))
            }
        }
        locked {
            for (key, value, line) in loaded {
                let handle = PatternReferences.nextHandle()
                entries.append(Entry(handle: handle, key: key, value: value, version: current))
                fileLines[handle] = line
            }
            compiled = []
        }
    }

    // MARK: Users

    /// Records a use for `show map`'s description (`used by acl at file
    /// 'h.cfg' line 11`) and the expression it matches with, checking that
    /// every entry parses for it (a bad pattern fails the configuration).
    func register(_ expression: Expression, usedAt location: PatternReferences.Location?) throws {
        try lockedThrowing {
            if let location {
                users.append("\(kind == .map ? "map" : "acl") at file '\(location.file)' line \(location.line)")
            }
            if expressionList.contains(expression) { return }
            for entry in entries {
                do {
                    try Self.validate(entry.key, entry.value, for: expression)
                } catch let error as PatternSet.PatternError {
                    guard let line = fileLines[entry.handle] else { throw error }
                    throw PatternSet.PatternError(message: "\(error.message) at line \(line) of file '\(path)'")
                }
            }
            expressionList.append(expression)
        }
    }

    /// The expressions the configuration matches this reference with, in
    /// the order they were first used.
    public var expressions: [Expression] { locked { expressionList } }

    /// `show map`'s description, without the version counters.
    public var summary: String {
        locked {
            if let origin { return origin }
            var text = "pattern loaded from file '\(path)'"
            for (i, user) in users.enumerated() {
                text += i == 0 ? " used by " : ", by "
                text += user
            }
            return text
        }
    }

    // MARK: Lookups

    /// The set compiled for `expression` from the current version's entries.
    func compiledSet(_ expression: Expression) -> CompiledPatterns {
        locked {
            for i in compiled.indices where compiled[i].expression == expression { return compiled[i].patterns }
            let set = PatternSet(method: expression.method, ignoreCase: expression.ignoreCase)
            var visible: [Entry] = []
            for entry in entries where entry.version == current {
                // Entries were checked when added; one that does not parse is skipped.
                guard (try? set.add(entry.key, index: visible.count)) != nil else { continue }
                visible.append(entry)
            }
            let done = CompiledPatterns(set: set, entries: visible, valueType: expression.valueType)
            compiled.append((expression, done))
            return done
        }
    }

    /// Whether `sample` matches with `expression` (an ACL; a boolean
    /// sample matches an ACL without patterns when true).
    public func matches(_ sample: Sample, _ expression: Expression) -> Bool {
        let compiled = compiledSet(expression)
        return withExtendedLifetime(compiled) { compiled.lentSet { $0.matches(sample) } }
    }

    /// `matches` for a string sample given as its bytes (`PatternSet.firstMatch(bytes:)`).
    public func matches(bytes: UnsafeRawBufferPointer, _ expression: Expression) -> Bool {
        let compiled = compiledSet(expression)
        return withExtendedLifetime(compiled) { compiled.lentSet { $0.firstMatch(bytes: bytes) } } != nil
    }

    /// The entry `sample` matches with `expression`, if any.
    public func match(_ sample: Sample, _ expression: Expression) -> Entry? {
        let compiled = compiledSet(expression)
        guard let index = compiled.set.firstMatch(sample), index < compiled.entries.count else { return nil }
        return compiled.entries[index]
    }

    /// The value of the entry `sample` matches, read as the map
    /// expression's value type: `.some(nil)` when that entry's value is
    /// not of the type, nil when no entry matches.
    public func matchedValue(_ sample: Sample, _ expression: Expression) -> Sample?? {
        let compiled = compiledSet(expression)
        return withExtendedLifetime(compiled) {
            guard let index = compiled.lentSet({ $0.firstMatch(sample) }), index < compiled.values.count else { return nil }
            return .some(compiled.values[index])
        }
    }

    /// `map_regm`: the value of the first entry whose regex matches
    /// `sample`, its back-references replaced by the match's groups; nil
    /// when none matches.
    public func expandedValue(_ sample: Sample, _ expression: Expression) -> [UInt8]? {
        guard let text = sample.stringBytes else { return nil }
        let compiled = compiledSet(expression)
        return text.withUnsafeBytes { subject in
            compiled.set.firstRegexExpansion(subject) { index in
                index < compiled.entries.count ? Array((compiled.entries[index].value ?? "").utf8) : []
            }
        }
    }

    /// The value of the entry `sample` matches (a map lookup).
    public func lookup(_ sample: Sample, method: PatternMatchMethod, ignoreCase: Bool = false) -> [UInt8]? {
        match(sample, Expression(method: method, ignoreCase: ignoreCase))
            .map { Array(($0.value ?? "").utf8) }
    }

    // MARK: Versions

    /// `curr_ver`: the version lookups see.
    public var currentVersion: UInt32 { locked { current } }
    /// `next_ver`: the last version `prepare` allocated.
    public var nextVersion: UInt32 { locked { next } }

    /// Every entry of every version (`entry_cnt` counts them once per expression).
    public var allEntries: [Entry] { locked { entries } }

    /// The entries of `version` (the current one by default), in order.
    public func entries(version: UInt32? = nil) -> [Entry] {
        locked {
            let wanted = version ?? current
            return entries.filter { $0.version == wanted }
        }
    }

    /// The current version's entries.
    public var currentEntries: [Entry] { entries() }

    /// Allocates a new version (`prepare map`) and returns it.
    public func prepare() -> UInt32 {
        locked {
            next &+= 1
            return next
        }
    }

    /// Whether `version` lies past `next_ver` (versions wrap, compared as 2.6 does).
    public func isFuture(_ version: UInt32) -> Bool {
        locked { Int32(bitPattern: version &- next) > 0 }
    }

    /// Makes `version` current and drops the entries of older versions
    /// (`commit map`); false when it is not in `curr_ver+1 ... next_ver`.
    public func commit(_ version: UInt32) -> Bool {
        locked {
            guard Int32(bitPattern: version &- current) > 0, Int32(bitPattern: version &- next) <= 0 else {
                return false
            }
            current = version
            entries.removeAll { Int32(bitPattern: $0.version &- version) < 0 }
            compiled = []
            return true
        }
    }

    // MARK: Run-time edits

    /// Why an entry cannot be added: 2.6's message, without the final dot.
    public struct EditError: Error, Sendable, Equatable {
        public var message: String
    }

    /// Adds an entry to `version` (the current one by default), after
    /// checking it parses for every expression (`add map`, `add acl`).
    public func add(key: String, value: String?, version: UInt32? = nil) throws {
        try lockedThrowing {
            for expression in expressionList {
                do {
                    try Self.validate(key, value, for: expression)
                } catch let error as PatternSet.PatternError {
                    throw EditError(message: error.message)
                }
            }
            entries.append(Entry(handle: PatternReferences.nextHandle(), key: key, value: value, version: version ?? current))
            compiled = []
        }
    }

    /// Whether an entry of the current version has `key`.
    public func containsKey(_ key: String) -> Bool {
        locked { entries.contains { $0.version == current && $0.key == key } }
    }

    /// Removes the entries with `key` in every version, or the one with
    /// `handle`; the count removed.
    @discardableResult
    public func remove(key: String? = nil, handle: UInt64? = nil) -> Int {
        locked {
            let before = entries.count
            entries.removeAll { (key != nil && $0.key == key) || (handle != nil && $0.handle == handle) }
            compiled = []
            return before - entries.count
        }
    }

    /// Sets the value of the entries with `key` in every version (or of
    /// the one with `handle`); the count found. A value that does not parse
    /// for one of the map's expressions changes nothing (2.6 says nothing).
    @discardableResult
    public func set(key: String? = nil, handle: UInt64? = nil, value: String) -> Int {
        locked {
            let found = entries.indices.filter {
                (key != nil && entries[$0].key == key) || (handle != nil && entries[$0].handle == handle)
            }
            for expression in expressionList {
                if let type = expression.valueType, Self.value(value, as: type) == nil { return found.count }
            }
            for i in found { entries[i].value = value }
            compiled = []
            return found.count
        }
    }

    /// Removes the entries of `version` (the current one by default).
    public func clear(version: UInt32? = nil) {
        locked {
            let wanted = version ?? current
            entries.removeAll { $0.version == wanted }
            compiled = []
        }
    }

    // MARK: Values

    /// Checks that `key` parses for `expression`'s match method and
    /// `value` for its output type, with 2.6's messages.
    static func validate(_ key: String, _ value: String?, for expression: Expression) throws {
        if let type = expression.valueType, let value, Self.value(value, as: type) == nil {
            throw PatternSet.PatternError(message: "unable to parse '\(value)'")
        }
        let set = PatternSet(method: expression.method, ignoreCase: expression.ignoreCase)
        try set.add(key)
    }

    /// A map value read as the map's output type: strict integers
    /// (`map_*_int`), IPv4 or IPv6 addresses (`map_*_ip`), any string.
    public static func value(_ text: String, as type: SampleType) -> Sample? {
        let bytes = Array(text.utf8)
        switch type {
        case .int:
            var digits = bytes[...]
            if let f = digits.first, f == UInt8(ascii: "-") || f == UInt8(ascii: "+") { digits = digits.dropFirst() }
            guard !digits.isEmpty, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let v = Int64(text) else {
                return nil
            }
            return .int(v)
        case .address, .ipv4, .ipv6:
            if let v4 = IPv4Address(text: bytes) { return .ipv4(v4) }
            return IPv6Address(text: bytes).map { .ipv6($0) }
        default:
            return .string(bytes)
        }
    }
}

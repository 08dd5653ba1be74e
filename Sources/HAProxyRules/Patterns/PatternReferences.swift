#if canImport(Glibc)
import Glibc
#endif

/// Every ACL and map of the configuration: the pattern and map files by
/// path, so that ACLs and maps naming the same file share one reference,
/// and the inline patterns of each ACL. The runtime API finds them by
/// `#<id>` or file name (`show map`, `add acl`, management.txt 9.3).
///
/// 2.6 numbers them in one sequence, maps and ACLs alike, in the order it
/// creates them: while parsing, then the two ACLs of its internal HTTP
/// client, then those of rules resolved after parsing (`use_backend %[...]`).
public enum PatternReferences {
    /// Where in the configuration a pattern is used.
    public struct Location: Sendable, Equatable {
        public var file: String
        public var line: Int
        public init(file: String, line: Int) {
            self.file = file
            self.line = line
        }
    }

    /// When a reference is created, which orders the numbering.
    public enum Phase: Int, Sendable, Comparable {
        case parsing, internalClient, postParsing
        public static func < (a: Phase, b: Phase) -> Bool { a.rawValue < b.rawValue }
    }

    nonisolated(unsafe) private static var byPath: [String: PatternReference] = [:]
    nonisolated(unsafe) private static var created: [PatternReference] = []
    nonisolated(unsafe) private static var handles: UInt64 = 0x55d0_3cf4_4000
    nonisolated(unsafe) private static var _location: Location?
    nonisolated(unsafe) private static var _phase = Phase.parsing
    private static let lock: UnsafeMutablePointer<pthread_mutex_t> = {
        let l = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        pthread_mutex_init(l, nil)
        return l
    }()

    private static let handleLock: UnsafeMutablePointer<pthread_mutex_t> = {
        let l = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        pthread_mutex_init(l, nil)
        return l
    }()

    private static func locked<R>(_ body: () throws -> R) rethrows -> R {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        return try body()
    }

    /// The configuration line being parsed, named in `show map`'s
    /// descriptions; the configuration parser sets it for each line.
    public static var location: Location? {
        get { locked { _location } }
        set { locked { _location = newValue } }
    }

    /// Runs `body` creating references in `phase` (rules that 2.6 resolves
    /// after parsing number after the parse-time ones).
    public static func during<R>(_ phase: Phase, _ body: () throws -> R) rethrows -> R {
        let saved = locked { _phase }
        locked { _phase = phase }
        defer { locked { _phase = saved } }
        return try body()
    }

    /// A new unique entry handle, spaced like heap addresses.
    static func nextHandle() -> UInt64 {
        // Its own lock: files are read while `lock` is held.
        pthread_mutex_lock(handleLock)
        defer { pthread_mutex_unlock(handleLock) }
        handles &+= 0x50
        return handles
    }

    /// The reference for the file `path`, read the first time. A file read
    /// as one kind cannot be used as the other (2.6's message).
    public static func reference(path: String, kind: PatternReference.Kind) throws -> PatternReference {
        try locked {
            if let existing = byPath[path] {
                guard existing.kind == kind else {
                    let (was, now) = existing.kind == .map ? ("two", "one") : ("one", "two")
                    throw PatternSet.PatternError(
                        message: "The file \"\(path)\" is already used as \(was) column file and cannot be used by as \(now) column file.")
                }
                return existing
            }
            let reference = PatternReference(path: path, kind: kind, number: created.count, phase: _phase)
            try reference.load()
            byPath[path] = reference
            created.append(reference)
            return reference
        }
    }

    /// A reference for the inline patterns of an ACL whose criterion is
    /// `fetch` (`acl 'path' file 'h.cfg' line 10` in `show acl`).
    public static func inline(fetch: String) -> PatternReference {
        locked {
            let origin = "acl '\(fetch)' file '\(_location?.file ?? "")' line \(_location?.line ?? 0)"
            let reference = PatternReference(
                path: "", kind: .acl, number: created.count, phase: _phase, origin: origin)
            created.append(reference)
            return reference
        }
    }

    /// Every reference, numbered in 2.6's order.
    public static var all: [PatternReference] {
        locked { created.sorted { $0.number < $1.number } }
    }

    /// The references of one kind (`show map` lists maps, `show acl` ACLs).
    public static func all(_ kind: PatternReference.Kind) -> [PatternReference] {
        all.filter { $0.kind == kind }
    }

    /// The reference named `identifier` on the CLI: `#<id>` (digits only)
    /// or the file name, of `kind`.
    public static func find(_ identifier: String, kind: PatternReference.Kind) -> PatternReference? {
        if identifier.first == "#" {
            let digits = identifier.dropFirst()
            guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let n = Int(digits) else {
                return nil
            }
            return all.first { $0.number == n && $0.kind == kind }
        }
        guard !identifier.isEmpty else { return nil }
        return all.first { $0.path == identifier && $0.kind == kind }
    }

    /// The reference loaded from the file `path`, of either kind (the
    /// rules' `set-map(FILE)`... name it by its file).
    public static func find(path: String) -> PatternReference? {
        guard !path.isEmpty else { return nil }
        return locked { byPath[path] }
    }

    /// Forgets every reference before a configuration is loaded.
    public static func reset() {
        locked {
            byPath = [:]
            created = []
            _location = nil
            _phase = .parsing
        }
    }

    /// Ends loading: adds the ACLs of 2.6's internal HTTP client (two
    /// anonymous `var` ACLs, which `show acl` lists) and numbers every
    /// reference in 2.6's order.
    public static func finishLoading() {
        let client = during(.internalClient) {
            (0..<2).map { _ -> PatternReference in
                let saved = location
                location = Location(file: "httpclient", line: 0)
                defer { location = saved }
                let reference = inline(fetch: "var")
                try? reference.register(.init(method: .ip, ignoreCase: false), usedAt: nil)
                try? reference.add(key: "0.0.0.0", value: nil)
                return reference
            }
        }
        _ = client
        locked {
            _location = nil
            let ordered = created.enumerated().sorted {
                $0.element.phase != $1.element.phase ? $0.element.phase < $1.element.phase : $0.offset < $1.offset
            }
            for (n, item) in ordered.enumerated() { item.element.number = n }
        }
    }
}

/// One normalizer of `http-request normalize-uri` (manual 4.2, an
/// experimental directive in 2.6): a pure rewrite of the request target.
///
/// Every normalizer works on the target's path as 2.6 finds it: the whole
/// target when it starts with `/`; in an absolute target
/// (`scheme://authority/...`) what follows the authority from its first `/`
/// (the authority itself is never touched); nothing for `*`, an absolute
/// target without a `/` after its authority or any other form. That path
/// runs to the end of the target: the query and any `#` are part of it.
/// The `path-*` normalizers stop at its first `?`; `query-sort-by-name`
/// works after it; the `fragment-*` and `percent-*` ones cover it all.
/// Recorded from 2.6.12 (Tests/HAProxyRulesTests/URINormalizerTests.swift).
public enum URINormalizer: Sendable, Equatable {
    /// `fragment-encode`: every `#` becomes `%23`.
    case fragmentEncode
    /// `fragment-strip`: the path is cut at its first `#`, query included.
    case fragmentStrip
    /// `path-merge-slashes`: each run of `/` becomes one.
    case pathMergeSlashes
    /// `path-strip-dot`: `.` segments are removed (RFC 3986 6.2.2.3).
    case pathStripDot
    /// `path-strip-dotdot [full]`: each `..` segment removes itself and the
    /// segment before it; one with nothing before it stays (as `../`), or
    /// is removed too with `full`.
    case pathStripDotDot(full: Bool)
    /// `percent-decode-unreserved [strict]`: `%XX` escapes of letters,
    /// digits, `-`, `.`, `_` and `~` are decoded (RFC 3986 6.2.2.2).
    case percentDecodeUnreserved(strict: Bool)
    /// `percent-to-uppercase [strict]`: the hex digits of `%xx` escapes are
    /// uppercased (RFC 3986 6.2.2.1).
    case percentToUppercase(strict: Bool)
    /// `query-sort-by-name`: the `&`-separated parameters sorted by name
    /// (the bytes before `=`), stably.
    case querySortByName

    /// What a normalizer made of a target.
    public enum Outcome: Equatable, Sendable {
        /// Nothing to change (or no path to work on).
        case unchanged
        /// The whole new target.
        case rewritten([UInt8])
        /// A `strict` normalizer met a `%` that does not start a valid
        /// escape: 2.6 answers 400 and closes.
        case invalid
    }

    /// The names 2.6 accepts, in its order, with the optional word each takes.
    static let keywords: [(name: String, option: String?)] = [
        ("fragment-encode", nil), ("fragment-strip", nil), ("path-merge-slashes", nil), ("path-strip-dot", nil),
        ("path-strip-dotdot", "full"), ("percent-decode-unreserved", "strict"), ("percent-to-uppercase", "strict"),
        ("query-sort-by-name", nil),
    ]

    /// The normalizer `name` with its optional word, or nil for an unknown name.
    public init?(name: String, option: Bool) {
        switch name {
        case "fragment-encode": self = .fragmentEncode
        case "fragment-strip": self = .fragmentStrip
        case "path-merge-slashes": self = .pathMergeSlashes
        case "path-strip-dot": self = .pathStripDot
        case "path-strip-dotdot": self = .pathStripDotDot(full: option)
        case "percent-decode-unreserved": self = .percentDecodeUnreserved(strict: option)
        case "percent-to-uppercase": self = .percentToUppercase(strict: option)
        case "query-sort-by-name": self = .querySortByName
        default: return nil
        }
    }

    /// The optional word `name` takes (`full`, `strict`), if any.
    public static func option(of name: String) -> String? {
        keywords.first { $0.name == name }?.option
    }

    /// Applies the normalizer to the request target `uri`.
    public func normalize(_ uri: [UInt8]) -> Outcome {
        guard let start = Self.pathStart(uri) else { return .unchanged }
        let path = uri[start...]
        let new: [UInt8]?
        switch self {
        case .fragmentEncode:
            new = Self.encodeFragments(path)
        case .fragmentStrip:
            new = path.firstIndex(of: UInt8(ascii: "#")).map { Array(path[..<$0]) }
        case .pathMergeSlashes, .pathStripDot, .pathStripDotDot:
            let end = path.firstIndex(of: UInt8(ascii: "?")) ?? path.endIndex
            let segments = path[..<end]
            let rewritten: [UInt8]
            switch self {
            case .pathMergeSlashes: rewritten = Self.mergeSlashes(segments)
            case .pathStripDot: rewritten = Self.stripDot(segments)
            case .pathStripDotDot(let full): rewritten = Self.stripDotDot(segments, full: full)
            default: return .unchanged
            }
            new = rewritten.elementsEqual(segments) ? nil : rewritten + path[end...]
        case .percentDecodeUnreserved(let strict), .percentToUppercase(let strict):
            let decode = if case .percentDecodeUnreserved = self { true } else { false }
            guard let rewritten = Self.rewriteEscapes(path, decode: decode, strict: strict) else { return .invalid }
            new = rewritten.elementsEqual(path) ? nil : rewritten
        case .querySortByName:
            guard let q = path.firstIndex(of: UInt8(ascii: "?")) else { return .unchanged }
            let query = path[(q + 1)...]
            let sorted = Self.sortQuery(query)
            new = sorted.elementsEqual(query) ? nil : Array(path[...q]) + sorted
        }
        guard let new else { return .unchanged }
        return .rewritten(Array(uri[..<start]) + new)
    }

    // MARK: The path

    /// Where the path starts in `uri`, or nil when it has none.
    static func pathStart(_ uri: [UInt8]) -> Int? {
        guard let first = uri.first else { return nil }
        if first == UInt8(ascii: "/") { return 0 }
        guard uri.count > 3 else { return nil }
        for i in 0..<(uri.count - 2)
        where uri[i] == UInt8(ascii: ":") && uri[i + 1] == UInt8(ascii: "/") && uri[i + 2] == UInt8(ascii: "/") {
            return uri[(i + 3)...].firstIndex(of: UInt8(ascii: "/"))
        }
        return nil
    }

    // MARK: Normalizers

    static func encodeFragments(_ path: ArraySlice<UInt8>) -> [UInt8]? {
        guard path.contains(UInt8(ascii: "#")) else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(path.count + 8)
        for c in path {
            if c == UInt8(ascii: "#") { out += [UInt8(ascii: "%"), UInt8(ascii: "2"), UInt8(ascii: "3")] } else { out.append(c) }
        }
        return out
    }

    static func mergeSlashes(_ path: ArraySlice<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(path.count)
        for c in path where !(c == UInt8(ascii: "/") && out.last == UInt8(ascii: "/")) { out.append(c) }
        return out
    }

    /// The segments after the path's leading `/`, each with whether a `/`
    /// follows it (only the last one may have none).
    static func segments(_ path: ArraySlice<UInt8>) -> [(name: ArraySlice<UInt8>, slash: Bool)] {
        var out: [(ArraySlice<UInt8>, Bool)] = []
        var start = path.startIndex + 1
        while start <= path.endIndex {
            if let slash = path[start...].firstIndex(of: UInt8(ascii: "/")) {
                out.append((path[start..<slash], true))
                start = slash + 1
            } else {
                out.append((path[start...], false))
                break
            }
        }
        return out
    }

    static func join(_ segments: [(name: ArraySlice<UInt8>, slash: Bool)]) -> [UInt8] {
        var out: [UInt8] = [UInt8(ascii: "/")]
        for segment in segments {
            out += segment.name
            if segment.slash { out.append(UInt8(ascii: "/")) }
        }
        return out
    }

    static let dot: [UInt8] = [UInt8(ascii: ".")]
    static let dotDot: [UInt8] = [UInt8(ascii: "."), UInt8(ascii: ".")]

    /// Recorded: `/a/.` gives `/a/`, `/.` gives `/`, `/./..` gives `/..`.
    static func stripDot(_ path: ArraySlice<UInt8>) -> [UInt8] {
        join(segments(path).filter { !$0.name.elementsEqual(dot) })
    }

    /// Recorded: `/a/b/..` gives `/a/`; `/..` gives `/../` (a `..` that
    /// stays always ends with `/`, and is never removed by a later `..`);
    /// `/./..` and `//..` give `/` (the `..` takes any segment before it,
    /// `.` or empty too).
    static func stripDotDot(_ path: ArraySlice<UInt8>, full: Bool) -> [UInt8] {
        var kept: [(name: ArraySlice<UInt8>, slash: Bool, isParent: Bool)] = []
        for segment in segments(path) {
            guard segment.name.elementsEqual(dotDot) else {
                kept.append((segment.name, segment.slash, false))
                continue
            }
            if let last = kept.last, !last.isParent {
                kept.removeLast()
            } else if !full {
                kept.append((segment.name, true, true))
            }
        }
        return join(kept.map { ($0.name, $0.slash) })
    }

    static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    static func isUnreserved(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
             UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    /// Each `%XX` decoded (when it is an unreserved character) or
    /// uppercased; a `%` without two hex digits after it is kept as is and
    /// the scan goes on after it (`/%%36%36` decodes to `/%66`), or makes
    /// the whole path invalid (nil) when `strict`.
    static func rewriteEscapes(_ path: ArraySlice<UInt8>, decode: Bool, strict: Bool) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(path.count)
        var i = path.startIndex
        while i < path.endIndex {
            let c = path[i]
            guard c == UInt8(ascii: "%") else {
                out.append(c)
                i += 1
                continue
            }
            guard i + 2 < path.endIndex, let high = hexValue(path[i + 1]), let low = hexValue(path[i + 2]) else {
                if strict { return nil }
                out.append(c)
                i += 1
                continue
            }
            let value = high << 4 | low
            if decode {
                if isUnreserved(value) { out.append(value) } else { out += path[i...(i + 2)] }
            } else {
                out += [c, uppercase(path[i + 1]), uppercase(path[i + 2])]
            }
            i += 3
        }
        return out
    }

    static func uppercase(_ c: UInt8) -> UInt8 {
        c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z") ? c - 0x20 : c
    }

    /// Recorded: the parameters are what lies between `&`s, a last empty
    /// one left out (`a&` gives `a`, `&` gives nothing, `&a` stays);
    /// names compare bytewise, a shorter one first.
    static func sortQuery(_ query: ArraySlice<UInt8>) -> [UInt8] {
        var parameters: [ArraySlice<UInt8>] = []
        var start = query.startIndex
        while start < query.endIndex {
            let end = query[start...].firstIndex(of: UInt8(ascii: "&")) ?? query.endIndex
            parameters.append(query[start..<end])
            start = end + 1
        }
        func name(_ p: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
            p[..<(p.firstIndex(of: UInt8(ascii: "=")) ?? p.endIndex)]
        }
        // Stable: ties keep their order through the original index.
        let sorted = parameters.enumerated().sorted { a, b in
            let (x, y) = (name(a.element), name(b.element))
            if x.elementsEqual(y) { return a.offset < b.offset }
            return x.lexicographicallyPrecedes(y)
        }
        var out: [UInt8] = []
        out.reserveCapacity(query.count)
        for (i, p) in sorted.enumerated() {
            if i > 0 { out.append(UInt8(ascii: "&")) }
            out += p.element
        }
        return out
    }
}

/// How an ACL compares a sample with its patterns (manual 7.1.1, `-m`).
public enum PatternMatchMethod: String, Sendable, CaseIterable {
    case found, bool, int, ip, bin, len, str, sub, reg, beg, end, dir, dom

    /// The method a fetch's output type gets without `-m` (manual 7.1.1).
    public static func defaultMethod(for type: SampleType) -> PatternMatchMethod {
        switch type {
        case .bool: return .bool
        case .int: return .int
        case .ipv4, .ipv6, .address: return .ip
        case .binary: return .bin
        case .string, .any: return .str
        }
    }

    /// A small number per method, for cheap hashing.
    var code: UInt8 {
        switch self {
        case .found: return 0
        case .bool: return 1
        case .int: return 2
        case .ip: return 3
        case .bin: return 4
        case .len: return 5
        case .str: return 6
        case .sub: return 7
        case .reg: return 8
        case .beg: return 9
        case .end: return 10
        case .dir: return 11
        case .dom: return 12
        }
    }

    /// Whether the method compares text (and so takes `-i`).
    var isTextual: Bool {
        switch self {
        case .str, .sub, .reg, .beg, .end, .dir, .dom: return true
        default: return false
        }
    }
}

/// An ACL's or a map's parsed patterns for one match method, with lookups
/// that do not scan when 2.6 does not: exact strings in a hash set, IP
/// networks by prefix length. Patterns are case-folded once with `-i`.
///
/// A class: lookups borrow the compiled patterns instead of copying their
/// tables; it is filled while being compiled and only read afterwards.
public final class PatternSet: @unchecked Sendable {
    public let method: PatternMatchMethod
    public let ignoreCase: Bool
    /// Exact strings (`str`), case-folded when `ignoreCase`, with the
    /// index of their line (maps return the value of that line), in an
    /// open-addressing table looked up over the sample's bytes in place.
    private var exact = ExactTable()
    /// Strings for `sub`, `beg`, `end`, `dir`, `dom`, `bin`, in order.
    private var strings: [(bytes: [UInt8], index: Int)] = []
    private var regexes: [(regex: Regex, index: Int)] = []
    private var ranges: [(range: ClosedRange<Int64>, index: Int)] = []
    private var networks: [(network: PatternNetwork, index: Int)] = []
    public private(set) var count = 0

    public init(method: PatternMatchMethod, ignoreCase: Bool) {
        self.method = method
        self.ignoreCase = ignoreCase && method.isTextual
    }

    /// The message for a pattern that does not parse, as 2.6 words it.
    public struct PatternError: Error, Sendable {
        public var message: String
    }

    /// Adds one pattern (`index`: its position among all the patterns,
    /// which the first-match lookups of maps follow).
    public func add(_ text: String, index: Int? = nil) throws {
        let position = index ?? count
        count += 1
        let bytes = Array(text.utf8)
        switch method {
        case .found, .bool:
            return
        case .str:
            exact.insert(ignoreCase ? Self.folded(bytes) : bytes, position: position)
        case .sub, .beg, .end, .dir, .dom:
            strings.append((ignoreCase ? Self.folded(bytes) : bytes, position))
        case .bin:
            guard let raw = Self.hexBytes(bytes) else {
                throw PatternError(message: "'\(text)' is not a valid hexadecimal binary string")
            }
            strings.append((raw, position))
        case .reg:
            do {
                regexes.append((try Regex(text, caseInsensitive: ignoreCase), position))
            } catch let error as Regex.CompileError {
                throw PatternError(message: error.message)
            }
        case .int, .len:
            ranges.append((try Self.range(text), position))
        case .ip:
            guard let network = PatternNetwork(text) else {
                throw PatternError(message: "'\(text)' is not a valid IPv4 or IPv6 address")
            }
            networks.append((network, position))
        }
    }

    /// `a`, `a:b`, `:b`, `a:` as a closed range. Recorded: `-` separates
    /// a range like `:` (`1-2`, and `-5` is "up to 5"), at the first of them.
    static func range(_ text: String) throws -> ClosedRange<Int64> {
        func number(_ s: Substring) throws -> Int64 {
            guard let v = Int64(s) else { throw PatternError(message: "'\(text)' is not a number") }
            return v
        }
        guard let colon = text.firstIndex(where: { $0 == ":" || $0 == "-" }) else {
            let v = try number(Substring(text))
            return v...v
        }
        let low = text[..<colon].isEmpty ? Int64.min : try number(text[..<colon])
        let high = text[text.index(after: colon)...].isEmpty ? Int64.max : try number(text[text.index(after: colon)...])
        guard low <= high else { throw PatternError(message: "'\(text)' is not a valid integer range") }
        return low...high
    }

    static func folded(_ bytes: [UInt8]) -> [UInt8] {
        bytes.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
    }

    static func hexBytes(_ text: [UInt8]) -> [UInt8]? {
        guard text.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        var i = 0
        while i < text.count {
            guard let h = hexValue(text[i]), let l = hexValue(text[i + 1]) else { return nil }
            out.append(h << 4 | l)
            i += 2
        }
        return out
    }

    static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x41...0x46: return c - 0x37
        case 0x61...0x66: return c - 0x57
        default: return nil
        }
    }

    // MARK: Matching

    /// For `map_regm`: the first regex (in order) that matches `subject`,
    /// with the value of its line (`template(index)`) expanded with the
    /// match's groups.
    func firstRegexExpansion(
        _ subject: UnsafeRawBufferPointer, template: (Int) -> [UInt8]
    ) -> [UInt8]? {
        for (regex, index) in regexes {
            if let out = regex.expand(template(index), matching: subject) { return out }
        }
        return nil
    }

    /// Whether `sample` matches one of the patterns.
    public func matches(_ sample: Sample) -> Bool {
        firstMatch(sample) != nil
    }

    /// The index of the pattern `sample` matches: the first in order, the
    /// exact one for `str`, the longest prefix for `ip` and `beg` (as 2.6's
    /// maps return them); nil when none does.
    public func firstMatch(_ sample: Sample) -> Int? {
        switch method {
        case .found:
            return 0
        case .bool:
            switch sample {
            case .bool(let b): return b ? 0 : nil
            default: return (sample.intValue ?? 0) != 0 ? 0 : nil
            }
        case .int:
            guard let value = sample.intValue else { return nil }
            return ranges.first { $0.range.contains(value) }?.index
        case .len:
            guard let text = sample.stringBytes else { return nil }
            let n = Int64(text.count)
            return ranges.first { $0.range.contains(n) }?.index
        case .ip:
            let address: [UInt8]
            switch sample {
            case .ipv4(let a): address = a.networkBytes
            case .ipv6(let a): address = a.networkBytes
            default:
                guard let text = sample.stringBytes else { return nil }
                if let a = IPv4Address(text: text) {
                    address = a.networkBytes
                } else if let a = IPv6Address(text: text) {
                    address = a.networkBytes
                } else {
                    return nil
                }
            }
            var best: (length: Int, index: Int)?
            for (network, index) in networks where network.contains(address) {
                if best == nil || network.prefixLength > best!.length { best = (network.prefixLength, index) }
            }
            return best?.index
        case .bin:
            guard case .binary(let raw) = sample.cast(to: .binary) ?? sample else { return nil }
            return strings.first { $0.bytes == raw }?.index
        case .str, .sub, .reg, .beg, .end, .dir, .dom:
            guard let text = sample.stringBytes else { return nil }
            return text.withUnsafeBytes { textMatch($0) }
        }
    }

    /// `firstMatch` for a string sample given as its bytes, which ACLs
    /// lend from the message without building a sample; the methods that
    /// do not compare text read them as a string sample.
    public func firstMatch(bytes text: UnsafeRawBufferPointer) -> Int? {
        switch method {
        case .found:
            return 0
        case .len:
            let n = Int64(text.count)
            return ranges.first { $0.range.contains(n) }?.index
        case .str, .sub, .reg, .beg, .end, .dir, .dom:
            return textMatch(text)
        default:
            return firstMatch(.string(Array(text)))
        }
    }

    /// Text against the patterns, without copying it: with `ignoreCase`
    /// its bytes are folded as they are compared with the folded patterns
    /// (a regex folds case itself).
    private func textMatch(_ text: UnsafeRawBufferPointer) -> Int? {
        let fold = ignoreCase
        switch method {
        case .str:
            return exact.find(text, fold: fold)
        case .reg:
            return regexes.first { $0.regex.matches(text) }?.index
        case .beg:
            var best: (length: Int, index: Int)?
            for (pattern, index) in strings where Self.hasPrefix(text, pattern, fold: fold) {
                if best == nil || pattern.count > best!.length { best = (pattern.count, index) }
            }
            return best?.index
        case .end:
            return strings.first { Self.hasSuffix(text, $0.bytes, fold: fold) }?.index
        case .sub:
            return strings.first { Self.contains(text, $0.bytes, fold: fold) }?.index
        case .dir, .dom:
            let copy = fold ? Self.folded(Array(text)) : Array(text)
            let delimiters = method == .dir ? Self.directoryDelimiters : Self.domainDelimiters
            return strings.first { Self.containsWord(copy, $0.bytes, delimiters: delimiters) }?.index
        default:
            return nil
        }
    }

    /// Word delimiters of `dir` (`/`, `?`) and `dom` (also `.`, `:`).
    static let directoryDelimiters: Set<UInt8> = [0x2F, 0x3F]
    static let domainDelimiters: Set<UInt8> = [0x2F, 0x3F, 0x2E, 0x3A]

    /// Whether `text` at `offset` holds `p` (`text` folded on the fly
    /// with `fold`; `p` is already folded). The caller checks the length.
    @inline(__always)
    static func equal(_ text: UnsafeRawBufferPointer, at offset: Int, _ p: UnsafeBufferPointer<UInt8>, fold: Bool) -> Bool {
        if fold {
            for i in 0..<p.count where lowercase(text[offset + i]) != p[i] { return false }
        } else {
            for i in 0..<p.count where text[offset + i] != p[i] { return false }
        }
        return true
    }

    @inline(__always)
    static func lowercase(_ c: UInt8) -> UInt8 { c >= 0x41 && c <= 0x5A ? c | 0x20 : c }

    static func hasPrefix(_ text: UnsafeRawBufferPointer, _ p: [UInt8], fold: Bool) -> Bool {
        text.count >= p.count && p.withUnsafeBufferPointer { equal(text, at: 0, $0, fold: fold) }
    }

    static func hasSuffix(_ text: UnsafeRawBufferPointer, _ p: [UInt8], fold: Bool) -> Bool {
        text.count >= p.count && p.withUnsafeBufferPointer { equal(text, at: text.count - $0.count, $0, fold: fold) }
    }

    static func contains(_ text: UnsafeRawBufferPointer, _ p: [UInt8], fold: Bool) -> Bool {
        if p.isEmpty { return true }
        guard text.count >= p.count else { return false }
        return p.withUnsafeBufferPointer { q in
            let first = q[0]
            for i in 0...(text.count - q.count) {
                let c = fold ? lowercase(text[i]) : text[i]
                if c == first && equal(text, at: i, q, fold: fold) { return true }
            }
            return false
        }
    }

    /// `p` found in `text` with a delimiter (or the text's start or end)
    /// on each side; delimiters at the pattern's own ends are ignored.
    static func containsWord(_ text: [UInt8], _ pattern: [UInt8], delimiters: Set<UInt8>) -> Bool {
        var p = pattern[...]
        while let f = p.first, delimiters.contains(f) { p = p.dropFirst() }
        while let l = p.last, delimiters.contains(l) { p = p.dropLast() }
        guard !p.isEmpty, text.count >= p.count else { return false }
        for i in 0...(text.count - p.count) where text[i..<(i + p.count)].elementsEqual(p) {
            let before = i == 0 || delimiters.contains(text[i - 1])
            let after = i + p.count == text.count || delimiters.contains(text[i + p.count])
            if before && after { return true }
        }
        return false
    }
}

/// An IP pattern: an address and the number of leading bits that count
/// (`10.0.0.0/8`, `10.0.0.0/255.0.0.0`, `::1`, `2001:db8::/32`). An IPv4
/// pattern matches IPv4-mapped IPv6 addresses too.
struct PatternNetwork: Sendable {
    let bytes: [UInt8]
    let prefixLength: Int

    init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        if let v4 = IPv4Address(text: Array(parts[0].utf8)) {
            bytes = v4.networkBytes
            guard parts.count == 2 else {
                prefixLength = 32
                return
            }
            if let n = Int(parts[1]), (0...32).contains(n) {
                prefixLength = n
            } else if let mask = IPv4Address(text: Array(parts[1].utf8)) {
                let n = mask.value.nonzeroBitCount
                guard mask.value == (n == 0 ? 0 : ~UInt32(0) << (32 - n)) else { return nil }
                prefixLength = n
            } else {
                return nil
            }
        } else if let v6 = IPv6Address(text: Array(parts[0].utf8)) {
            bytes = v6.networkBytes
            guard parts.count == 2 else {
                prefixLength = 128
                return
            }
            guard let n = Int(parts[1]), (0...128).contains(n) else { return nil }
            prefixLength = n
        } else {
            return nil
        }
    }

    func contains(_ address: [UInt8]) -> Bool {
        var address = address
        var prefix = prefixLength
        if bytes.count == 4 && address.count == 16 {
            // An IPv4-mapped IPv6 address against an IPv4 network.
            guard address[0..<10].allSatisfy({ $0 == 0 }), address[10] == 0xFF, address[11] == 0xFF else { return false }
            address = Array(address[12...])
        } else if bytes.count == 16 && address.count == 4 {
            address = [UInt8](repeating: 0, count: 10) + [0xFF, 0xFF] + address
        }
        guard address.count == bytes.count else { return false }
        var i = 0
        while prefix > 0 {
            let take = min(8, prefix)
            let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - take))
            if address[i] & mask != bytes[i] & mask { return false }
            prefix -= take
            i += 1
        }
        return true
    }
}

/// The exact patterns of a `str` set: keys (case-folded when the set
/// ignores case) with their positions, in an open-addressing table hashed
/// with FNV-1a, so that a lookup reads the sample's bytes where they are
/// (folding them as it goes) instead of building a key. The first of two
/// equal patterns wins.
struct ExactTable {
    private var keys: [[UInt8]] = []
    private var positions: [Int] = []
    /// Index into `keys` plus one per slot; 0 is empty. A power of two,
    /// at most half full.
    private var slots: [Int32] = []

    @inline(__always)
    private static func hash(_ p: UnsafeRawBufferPointer, fold: Bool) -> Int {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        if fold {
            for b in p { h = (h ^ UInt64(PatternSet.lowercase(b))) &* 0x100_0000_01b3 }
        } else {
            for b in p { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        }
        return Int(truncatingIfNeeded: h ^ (h >> 32))
    }

    /// The position of the pattern equal to `text` (folded with `fold`).
    func find(_ text: UnsafeRawBufferPointer, fold: Bool) -> Int? {
        guard !slots.isEmpty else { return nil }
        let mask = slots.count - 1
        var slot = Self.hash(text, fold: fold) & mask
        while true {
            let entry = Int(slots[slot]) - 1
            if entry < 0 { return nil }
            let key = keys[entry]
            if key.count == text.count, key.withUnsafeBufferPointer({ PatternSet.equal(text, at: 0, $0, fold: fold) }) {
                return positions[entry]
            }
            slot = (slot + 1) & mask
        }
    }

    mutating func insert(_ key: [UInt8], position: Int) {
        if key.withUnsafeBytes({ find($0, fold: false) }) != nil { return }
        keys.append(key)
        positions.append(position)
        if keys.count * 2 > slots.count {
            slots = [Int32](repeating: 0, count: max(16, slots.count * 2))
            for i in keys.indices { place(i) }
        } else {
            place(keys.count - 1)
        }
    }

    private mutating func place(_ entry: Int) {
        let mask = slots.count - 1
        var slot = keys[entry].withUnsafeBytes { Self.hash($0, fold: false) } & mask
        while slots[slot] != 0 { slot = (slot + 1) & mask }
        slots[slot] = Int32(entry + 1)
    }
}

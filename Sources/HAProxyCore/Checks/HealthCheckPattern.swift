import HAProxyConfig

/// An `expect` rule of `http-check` or `tcp-check`, with its regular
/// expression compiled once per checker.
struct HealthCheckPattern {
    enum Matcher {
        case status([ClosedRange<Int>])
        case statusRegex(Regex<AnyRegexOutput>)
        case bytes([UInt8])
        case regex(Regex<AnyRegexOutput>)
    }

    let matcher: Matcher
    let negated: Bool
    let source: HealthCheckConfig.Expect

    /// - Throws: the regular expression's syntax error.
    init(_ expect: HealthCheckConfig.Expect) throws {
        source = expect
        negated = expect.negated
        switch expect.matcher {
        case .status(let ranges): matcher = .status(ranges)
        case .statusRegex(let re): matcher = .statusRegex(try Regex(re))
        case .string(let s): matcher = .bytes(Array(s.utf8))
        case .stringRegex(let re): matcher = .regex(try Regex(re))
        case .binary(let b): matcher = .bytes(b)
        }
    }

    /// Whether the rule looks at a status code (the others look at content).
    var isStatusRule: Bool {
        switch matcher {
        case .status, .statusRegex: return true
        case .bytes, .regex: return false
        }
    }

    /// Matches a status code (false for content rules), before negation.
    func matches(status: Int) -> Bool {
        switch matcher {
        case .status(let ranges): return ranges.contains { $0.contains(status) }
        case .statusRegex(let re): return String(status).contains(re)
        case .bytes, .regex: return false
        }
    }

    /// Matches received content (false for status rules), before negation.
    func matches<C: Collection>(content: C) -> Bool where C.Element == UInt8 {
        switch matcher {
        case .bytes(let needle): return HealthCheckPattern.contains(Array(content), needle)
        case .regex(let re): return String(decoding: content, as: UTF8.self).contains(re)
        case .status, .statusRegex: return false
        }
    }

    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        if needle.isEmpty { return true }
        if haystack.count < needle.count { return false }
        let first = needle[0]
        var i = 0
        let last = haystack.count - needle.count
        while i <= last {
            if haystack[i] == first {
                var j = 1
                while j < needle.count && haystack[i + j] == needle[j] { j += 1 }
                if j == needle.count { return true }
            }
            i += 1
        }
        return false
    }
}

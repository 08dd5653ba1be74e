/// Time values (manual section 2.5): an integer followed by `us`, `ms`
/// (default), `s`, `m`, `h` or `d`, converted to milliseconds.
///
/// Like HAProxy 2.6, microseconds round up to the next millisecond, values
/// above 2147483647 ms overflow, and characters after a complete
/// `<number><unit>` are tolerated with a warning (`1m1s` means 1 minute).
public enum DurationParser {
    public static let maximumMilliseconds = 2_147_483_647

    public enum Failure: Error, Equatable {
        /// Nothing parsable at all (empty argument).
        case empty
        /// A character that is neither a digit nor a unit.
        case unexpectedCharacter(Character)
        case overflow
    }

    public struct Value: Equatable {
        public var milliseconds: Int
        /// Set when text followed the unit (HAProxy warns and ignores it).
        public var trailing: Character?
    }

    /// Parses `text` as a duration whose default unit is milliseconds (or
    /// seconds with `defaultUnit: 1000`).
    public static func parse(_ text: String, defaultUnitMs: Int = 1) -> Result<Value, Failure> {
        let chars = Array(text)
        guard !chars.isEmpty else { return .failure(.empty) }
        var i = 0
        var number = 0
        var overflow = false
        while i < chars.count, let d = chars[i].wholeNumberValue, chars[i].isASCII {
            let (m, o1) = number.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(d)
            if o1 || o2 || s > Int(UInt32.max) { overflow = true }
            number = overflow ? Int(UInt32.max) + 1 : s
            i += 1
        }
        if i == 0 { return .failure(.unexpectedCharacter(chars[0])) }
        let rest = String(chars[i...])
        var factor = Double(defaultUnitMs)
        var unitLength = 0
        if !rest.isEmpty {
            guard let unit = units.first(where: { rest.hasPrefix($0.name) }) else {
                return .failure(.unexpectedCharacter(chars[i]))
            }
            factor = unit.ms
            unitLength = unit.name.count
        }
        var ms = Double(number) * factor
        if factor < 1 { ms = ms.rounded(.up) }
        if overflow || ms > Double(maximumMilliseconds) { return .failure(.overflow) }
        let trailingIndex = i + unitLength
        let trailing: Character? = trailingIndex < chars.count ? chars[trailingIndex] : nil
        return .success(Value(milliseconds: Int(ms), trailing: trailing))
    }

    private static let units: [(name: String, ms: Double)] = [
        ("us", 0.001), ("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000),
    ]

    /// HAProxy's wording for a failure in `keyword` (e.g. `timeout client`).
    public static func message(_ failure: Failure, argument: String, keyword: String) -> String {
        switch failure {
        case .empty: return "'\(keyword)' expects an integer value (in milliseconds)"
        case .unexpectedCharacter(let c): return "unexpected character '\(c)' in '\(keyword)'"
        case .overflow:
            return "timer overflow in argument '\(argument)' to '\(keyword)' (maximum value is 2147483647 ms or ~24.8 days)"
        }
    }

    /// The warning HAProxy prints for text after a complete value.
    public static func trailingWarning(_ c: Character, argument: String) -> String {
        "unexpected character '\(c)' after the timer value '\(argument)', only (us=microseconds,ms=milliseconds,s=seconds,m=minutes,h=hours,d=days) are supported. This will be reported as an error in next versions."
    }
}

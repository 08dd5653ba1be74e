/// Size values: an integer optionally followed by `k`, `m` or `g` (either
/// case), multiples of 1024, as HAProxy's `parse_size_err`.
public enum SizeParser {
    public enum Failure: Error, Equatable {
        case empty
        case unexpectedCharacter(Character)
        case overflow
    }

    public static func parse(_ text: String) -> Result<UInt64, Failure> {
        let chars = Array(text)
        guard !chars.isEmpty else { return .failure(.empty) }
        var i = 0
        var value: UInt64 = 0
        while i < chars.count, chars[i].isASCII, let d = chars[i].wholeNumberValue {
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(UInt64(d))
            if o1 || o2 || s > UInt64(UInt32.max) { return .failure(.overflow) }
            value = s
            i += 1
        }
        if i == 0 { return .failure(.unexpectedCharacter(chars[0])) }
        guard i < chars.count else { return .success(value) }
        let factor: UInt64
        switch chars[i] {
        case "k", "K": factor = 1024
        case "m", "M": factor = 1024 * 1024
        case "g", "G": factor = 1024 * 1024 * 1024
        default: return .failure(.unexpectedCharacter(chars[i]))
        }
        if i + 1 < chars.count { return .failure(.unexpectedCharacter(chars[i + 1])) }
        let (r, o) = value.multipliedReportingOverflow(by: factor)
        if o || r > UInt64(UInt32.max) { return .failure(.overflow) }
        return .success(r)
    }
}

/// "did you mean 'X' maybe ?": the closest known keyword to a misspelt one.
///
/// HAProxy compares words by their character-bigram fingerprints (letters
/// folded to lower case, digits as one class, everything else as a
/// separator, begin and end marks) and proposes the closest candidate only
/// when the distance is below twice the length of both words.
public enum KeywordSuggestion {
    public static func bestMatch(for word: String, among candidates: [String]) -> String? {
        let fp = fingerprint(word)
        var best: (String, Int)?
        for candidate in candidates.sorted() {
            let d = distance(fp, fingerprint(candidate))
            if best == nil || d < best!.1 { best = (candidate, d) }
        }
        guard let (match, d) = best else { return nil }
        if d >= 2 * word.utf8.count || d >= 2 * match.utf8.count { return nil }
        return match
    }

    static func fingerprint(_ word: String) -> [Int: Int] {
        var fp: [Int: Int] = [:]
        var from = 28
        for c in word.utf8 {
            let to: Int
            switch c {
            case UInt8(ascii: "a")...UInt8(ascii: "z"): to = Int(c - UInt8(ascii: "a")) + 1
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): to = Int(c - UInt8(ascii: "A")) + 1
            case UInt8(ascii: "0")...UInt8(ascii: "9"): to = 27
            default: to = 28
            }
            fp[32 * from + to, default: 0] += 1
            from = to
        }
        fp[32 * from + 28, default: 0] += 1
        return fp
    }

    static func distance(_ a: [Int: Int], _ b: [Int: Int]) -> Int {
        var d = 0
        for key in Set(a.keys).union(b.keys) { d += abs(a[key, default: 0] - b[key, default: 0]) }
        return d
    }
}

/// "did you mean 'X' maybe ?": the closest known keyword to a misspelt one.
///
/// HAProxy compares words by their character-bigram fingerprints (letters
/// folded to lower case, digits as one class, everything else as a
/// separator, begin and end marks) and proposes the closest candidate only
/// when the distance is below twice the length of both words.
public enum KeywordSuggestion {
    public static func bestMatch(for word: String, among candidates: [String]) -> String? {
        let fp = WordFingerprint(word)
        var best: (String, Int)?
        for candidate in candidates.sorted() {
            let d = fp.distance(to: WordFingerprint(candidate))
            if best == nil || d < best!.1 { best = (candidate, d) }
        }
        guard let (match, d) = best else { return nil }
        if d >= 2 * word.utf8.count || d >= 2 * match.utf8.count { return nil }
        return match
    }
}

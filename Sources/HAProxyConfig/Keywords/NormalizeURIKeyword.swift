import HAProxyRules

/// `http-request normalize-uri <normalizer> [full | strict]` (manual 4.2),
/// one of the directives 2.6 tags as experimental: refused unless
/// `expose-experimental-directives` came first.
extension KeywordRegistry {
    /// The actions that need `expose-experimental-directives` before them.
    static let experimentalActions: Set<String> = ["normalize-uri"]

    /// The normalizer and its optional word, leaving `words` at the
    /// condition (a second option word is for the condition check to
    /// report, as in 2.6).
    static func parseNormalizer(
        _ words: inout ArraySlice<String>, _ error: (String) -> KeywordError
    ) throws -> URINormalizer {
        // Recorded: `normalize-uri if TRUE` names an unknown normalizer 'if'.
        guard let name = words.first else { throw error("missing argument <normalizer>") }
        words.removeFirst()
        var option = false
        if let word = words.first, word != "if", word != "unless", let expected = URINormalizer.option(of: name) {
            guard word == expected else { throw error("unknown argument '\(word)' for '\(name)' normalizer") }
            option = true
            words.removeFirst()
        }
        guard let normalizer = URINormalizer(name: name, option: option) else {
            throw error("unknown normalizer '\(name)'")
        }
        return normalizer
    }
}

import HAProxyConfig

/// Every runtime API command, found by its leading words, and the `help`
/// listings built from them (manual 9.3, "help [<command>]").
struct CLICommandRegistry {
    /// Commands in `help` order: sorted by usage, then `help`, `prompt`, `quit`.
    let keywords: [CLIKeyword]

    init(_ groups: [[CLIKeyword]], trailing: [CLIKeyword]) {
        let sorted = groups.joined().sorted { ($0.usage ?? "") < ($1.usage ?? "") }
        keywords = sorted + trailing
    }

    /// The command whose words are the longest prefix of `args`.
    func match(_ args: [String]) -> CLIKeyword? {
        var best: CLIKeyword?
        for keyword in keywords where keyword.words.count <= args.count {
            if zip(keyword.words, args).allSatisfy({ $0 == $1 }),
                keyword.words.count > (best?.words.count ?? 0)
            {
                best = keyword
            }
        }
        return best
    }

    private var trailing: [CLIKeyword] { keywords.filter { ["help", "prompt", "quit"].contains($0.words.first ?? "") && $0.words.count == 1 } }
    private var main: [CLIKeyword] { keywords.filter { k in !trailing.contains { $0.words == k.words } } }

    /// `help` with no argument.
    func fullHelp() -> String {
        "The following commands are valid at this level:\n" + keywords.compactMap(\.helpLine).joined()
    }

    /// The answer to an unknown command, or to `help WORDS`: the commands
    /// starting with those words, else the closest ones, else all of them.
    func unknownCommand(_ args: [String], forHelp: Bool) -> String {
        let words = args.filter { !$0.isEmpty }
        guard !words.isEmpty else {
            return "Unknown command. Please enter one of the following commands only:\n"
                + keywords.compactMap(\.helpLine).joined()
        }
        var matches = main.filter { k in
            k.usage != nil && words.count <= k.words.count && zip(words, k.words).allSatisfy { $0 == $1 }
        }
        if matches.isEmpty {
            matches = closest(words, count: 5)
        }
        let header = forHelp
            ? "The following commands are valid at this level:\n"
            : "Unknown command, but maybe one of the following ones is a better match:\n"
        return header + (matches + trailing).compactMap(\.helpLine).joined()
    }

    /// The `count` commands whose words look most like `words`, compared by
    /// their character-bigram fingerprints, in `help` order.
    private func closest(_ words: [String], count: Int) -> [CLIKeyword] {
        let typed = WordFingerprint(words.joined(separator: " "))
        let scored = main.enumerated().compactMap { i, k -> (Int, Int)? in
            guard k.usage != nil else { return nil }
            return (typed.distance(to: WordFingerprint(k.words.joined(separator: " "))), i)
        }
        let best = scored.sorted { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }.prefix(count)
        return best.map(\.1).sorted().map { main[$0] }
    }
}

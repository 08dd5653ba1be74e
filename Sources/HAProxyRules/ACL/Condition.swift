/// A rule's `if`/`unless` condition (manual 7.2): ACL names and anonymous
/// ACLs, ANDed when listed, `||` between groups, `!` negating one.
public struct Condition: Sendable {
    struct Operand: Sendable {
        var terms: [ACLTerm]
        var negated: Bool
    }
    let isUnless: Bool
    let groups: [[Operand]]

    public func evaluate(_ context: some SampleContext) -> Bool {
        // Recorded: `if` with no term is false, `unless` with none is true.
        var result = false
        for group in groups {
            var all = true
            for operand in group {
                let hit = operand.terms.contains { $0.matches(context) }
                if hit == operand.negated {
                    all = false
                    break
                }
            }
            if all {
                result = true
                break
            }
        }
        return result != isUnless
    }

    /// Parses `if|unless TERMS...`, resolving names in `acls` then in the
    /// predefined ACLs.
    public static func parse(_ words: ArraySlice<String>, acls: ACLTable) throws -> Condition {
        let isUnless = words.first == "unless"
        var groups: [[Operand]] = []
        var current: [Operand] = []
        var rest = words.dropFirst()
        var negate = false
        while var word = rest.first {
            rest = rest.dropFirst()
            // `!{ ... }` and `!name`: negations written against the term.
            while word.count > 1, word.hasPrefix("!") {
                negate.toggle()
                word.removeFirst()
            }
            switch word {
            case "||", "OR":
                if !current.isEmpty { groups.append(current) }
                current = []
            case "!":
                negate.toggle()
            case "{":
                guard let close = rest.firstIndex(of: "}") else {
                    throw ACLParseError(message: "missing closing '}' in condition")
                }
                let term = try ACLTerm.parse(rest[rest.startIndex..<close])
                current.append(Operand(terms: [term], negated: negate))
                negate = false
                rest = rest[(close + 1)...]
            default:
                var name = Substring(word)
                while name.first == "!" {
                    negate.toggle()
                    name = name.dropFirst()
                }
                guard let terms = acls.terms(named: String(name)) else {
                    throw ACLParseError(message: "no such ACL : '\(name)'")
                }
                current.append(Operand(terms: terms, negated: negate))
                negate = false
            }
        }
        if !current.isEmpty { groups.append(current) }
        return Condition(isUnless: isUnless, groups: groups)
    }
}

/// A rule's `if`/`unless` condition (manual 7.2): ACL names and anonymous
/// ACLs, ANDed when listed, `||` between groups, `!` negating one.
public struct Condition: Sendable {
    struct Operand: Sendable {
        var terms: [ACLTerm]
        var negated: Bool
    }
    let isUnless: Bool
    let groups: [[Operand]]
    /// The `{ ... }` tests written in the condition itself, in order.
    public let anonymousTerms: [ACLTerm]

    public func evaluate(_ context: some SampleContext) -> Bool {
        var result = groups.isEmpty
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
        var anonymous: [ACLTerm] = []
        while let written = rest.first {
            rest = rest.dropFirst()
            // Leading `!`s negate what follows, `!{ ... }` included.
            var word = Substring(written)
            if word != "||" {
                while word.first == "!" {
                    negate.toggle()
                    word = word.dropFirst()
                }
                if word.isEmpty { continue }
            }
            switch word {
            case "||":
                if !current.isEmpty { groups.append(current) }
                current = []
            case "{":
                guard let close = rest.firstIndex(of: "}") else {
                    throw ACLParseError(message: "missing closing '}' in condition")
                }
                let term = try ACLTerm.parse(rest[rest.startIndex..<close])
                anonymous.append(term)
                current.append(Operand(terms: [term], negated: negate))
                negate = false
                rest = rest[(close + 1)...]
            default:
                let name = word
                guard let terms = acls.terms(named: String(name)) else {
                    throw ACLParseError(message: "no such ACL : '\(name)'")
                }
                current.append(Operand(terms: terms, negated: negate))
                negate = false
            }
        }
        if !current.isEmpty { groups.append(current) }
        return Condition(isUnless: isUnless, groups: groups, anonymousTerms: anonymous)
    }
}

/// A rule's `if`/`unless` condition (manual 7.2): ACL names and anonymous
/// ACLs, ANDed when listed, `||` between groups, `!` negating one.
/// A class, so that rules hold and evaluate it without copying it.
public final class Condition: Sendable {
    struct Operand: Sendable {
        var terms: [ACLTerm]
        var negated: Bool
        /// The ACL's name; nil for an anonymous `{ ... }` one.
        var name: String? = nil
    }
    let isUnless: Bool
    let groups: [[Operand]]
    /// The `{ ... }` tests written in the condition itself, in order.
    public let anonymousTerms: [ACLTerm]

    /// The operands in evaluation order, flattened so that evaluating
    /// copies nothing: operand `i` tests `flatTerms[start..<end]`.
    private struct Step {
        var start: Int32
        var end: Int32
        var negated: Bool
        /// The last operand of its group.
        var closesGroup: Bool
    }
    private let steps: [Step]
    private let flatTerms: [ACLTerm]
    /// `flatTerms` without their reference counts: the condition holds
    /// them there, and evaluating calls them without retaining each.
    private let termRefs: [Unmanaged<ACLTerm>]

    init(isUnless: Bool, groups: [[Operand]], anonymousTerms: [ACLTerm]) {
        self.isUnless = isUnless
        self.groups = groups
        self.anonymousTerms = anonymousTerms
        var steps: [Step] = []
        var flat: [ACLTerm] = []
        // `parse` makes no empty group.
        for group in groups {
            for (i, operand) in group.enumerated() {
                let start = Int32(flat.count)
                flat.append(contentsOf: operand.terms)
                steps.append(Step(
                    start: start, end: Int32(flat.count), negated: operand.negated, closesGroup: i == group.count - 1))
            }
        }
        self.steps = steps
        flatTerms = flat
        termRefs = flat.map { Unmanaged.passUnretained($0) }
    }

    public func evaluate(_ context: some SampleContext) -> Bool {
        // Recorded: `if` with no term is false, `unless` with none is true.
        // Groups are ORed, operands of a group ANDed, each in order and
        // only until the answer is known (fetches may count).
        var groupHolds = true
        for step in steps {
            if groupHolds {
                var hit = false
                var t = Int(step.start)
                while t < Int(step.end) {
                    if termRefs[t]._withUnsafeGuaranteedRef({ $0.matches(context) }) {
                        hit = true
                        break
                    }
                    t += 1
                }
                if hit == step.negated { groupHolds = false }
            }
            if step.closesGroup {
                if groupHolds { return !isUnless }
                groupHolds = true
            }
        }
        return isUnless
    }

    /// The condition's value during content inspection (manual 7.1: an
    /// ACL on contents still arriving neither matches nor fails yet):
    /// `.miss` when its answer rests on a fetch whose data may still
    /// change. `||` takes a match over a miss over a failure, the implicit
    /// AND a failure over a miss over a match; `!` and `unless` keep a miss.
    public func test(_ context: some SampleContext) -> ConditionResult {
        guard let pending = context.pendingContent else {
            return evaluate(context) ? .pass : .fail
        }
        var result: ConditionResult = .fail
        for group in groups {
            var all: ConditionResult = .pass
            for operand in group {
                var value: ConditionResult = .fail
                for term in operand.terms {
                    let before = pending.notes
                    if term.matches(context) {
                        value = .pass
                        break
                    }
                    if pending.notes != before { value = .miss }
                }
                if operand.negated { value = value.negated }
                if value == .fail {
                    all = .fail
                    break
                }
                if value == .miss { all = .miss }
            }
            if all == .pass {
                result = .pass
                break
            }
            if all == .miss { result = .miss }
        }
        return isUnless ? result.negated : result
    }

    /// Operands none of whose fetches can find data at `stage` (a warning
    /// in 2.6: `acl 'x' will never match in ...`), and those only some
    /// of whose fetches cannot: the ACL's name (nil when anonymous), the
    /// first offending fetch, and whether every fetch of it is concerned.
    public func unusableOperands(at stage: SampleStage) -> [(name: String?, fetch: String, all: Bool)] {
        var out: [(name: String?, fetch: String, all: Bool)] = []
        for group in groups {
            for operand in group {
                let bad = operand.terms.filter { $0.expression.missingSource(at: stage) != nil }
                guard let first = bad.first else { continue }
                out.append((operand.name, first.expression.fetchName, bad.count == operand.terms.count))
            }
        }
        return out
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
            // 2.6 takes `or` in any case.
            case "||", _ where word.lowercased() == "or":
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
                current.append(Operand(terms: terms, negated: negate, name: String(name)))
                negate = false
            }
        }
        if !current.isEmpty { groups.append(current) }
        return Condition(isUnless: isUnless, groups: groups, anonymousTerms: anonymous)
    }
}

/// A condition's three-valued result during content inspection.
public enum ConditionResult: Sendable, Equatable {
    case pass, fail
    /// Not decided yet: more contents may change the answer.
    case miss

    var negated: ConditionResult {
        switch self {
        case .pass: return .fail
        case .fail: return .pass
        case .miss: return .miss
        }
    }
}

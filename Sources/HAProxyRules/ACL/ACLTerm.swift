/// One ACL test (manual 7.1): a sample expression and the patterns its
/// values are matched against — an `acl` line, or an anonymous `{ ... }`.
/// A multi-valued fetch (a repeated header) matches when any value does.
///
/// A class: conditions hold and evaluate terms without copying them.
public final class ACLTerm: @unchecked Sendable {
    let expression: SampleExpression
    /// The inline patterns, editable at run time as `show acl` lists them.
    let patterns: PatternReference
    let match: PatternReference.Expression
    /// `-f FILE` references, matched after the inline patterns, each with
    /// the case folding in force where `-f` was given.
    let files: [(reference: PatternReference, match: PatternReference.Expression)]

    /// `http_auth_group(L) G1 G2...`: the values are group names the
    /// authenticated user must belong to (one is enough), not strings.
    public internal(set) var groupMatch: GroupMatch?

    init(
        expression: SampleExpression, patterns: PatternReference, match: PatternReference.Expression,
        files: [(reference: PatternReference, match: PatternReference.Expression)]
    ) {
        self.expression = expression
        self.patterns = patterns
        self.match = match
        self.files = files
        if Self.matchesBytes(match.method), files.allSatisfy({ Self.matchesBytes($0.match.method) }) {
            forEachBytes = expression.forEachBytes
        } else {
            forEachBytes = nil
        }
        matchesInPlace = forEachBytes != nil
    }

    /// `forEachBytes` is set.
    private let matchesInPlace: Bool

    /// The expression's values as bytes lent in place, when it is a
    /// string fetch without converters and every match method compares
    /// text (see `SampleExpression.forEachBytes`).
    private let forEachBytes: (@Sendable (any SampleContext, (UnsafeRawBufferPointer) -> Bool) -> Void)?

    /// What an `http_auth_group` ACL checks, for the configuration's
    /// post-parse check (`invalid group`, `no groups specified`).
    public struct GroupMatch: Sendable {
        public var userlist: String
        /// The groups; nil when a match method or a converter turned the
        /// values into plain patterns (2.6 then reports `no groups
        /// specified`).
        public var groups: [String]?
    }

    /// The fetch keyword and its `userlist` argument, when the
    /// expression names one (`http_auth(L)`).
    /// The stick tables the term's fetch names (see
    /// `SampleExpression.stickTableReferences`).
    public func stickTableReferences(defaultTable: String) -> [SampleExpression.StickTableReference] {
        expression.stickTableReferences(defaultTable: defaultTable)
    }

    /// The fetch's name (`src` in `src,table_conn_cnt(t)`).
    public var fetchName: String { expression.fetchName }

    public var userlistArgument: (fetch: String, userlist: String)? {
        guard case .userlist(let name)? = expression.fetchArguments.first else { return nil }
        return (expression.fetchName, name)
    }

    public func matches(_ context: some SampleContext) -> Bool {
        if let groupMatch, let groups = groupMatch.groups {
            guard case .string(let user)? = expression.evaluate(context),
                  let list = context.userlist(named: groupMatch.userlist)
            else { return false }
            return list.isMember(String(decoding: user, as: UTF8.self), ofAnyOf: groups)
        }
        if matchesInPlace {
            // A string fetch without converters: its values are matched
            // where they are, no sample is built. (Called through the
            // optional in place: binding it would retain its context.)
            var hit = false
            forEachBytes?(context) { bytes in
                hit = match.method == .found || patterns.matches(bytes: bytes, match)
                    || files.contains(where: { $0.reference.matches(bytes: bytes, $0.match) })
                return hit
            }
            return hit
        }
        if match.method == .found {
            var found = false
            expression.forEachValue(context) { _ in
                found = true
                return true
            }
            return found
        }
        var hit = false
        expression.forEachValue(context) { sample in
            if patterns.matches(sample, match) || files.contains(where: { $0.reference.matches(sample, $0.match) }) {
                hit = true
            }
            return hit
        }
        return hit
    }
}

extension ACLTerm {
    /// The match methods that compare a string's bytes (or only need one).
    static func matchesBytes(_ method: PatternMatchMethod) -> Bool {
        switch method {
        case .found, .len, .str, .sub, .reg, .beg, .end, .dir, .dom: return true
        case .bool, .int, .ip, .bin: return false
        }
    }

    /// Parses `CRITERION [flags] [operator] VALUES`.
    static func parse(_ words: ArraySlice<String>) throws -> ACLTerm {
        guard let criterion = words.first, !criterion.isEmpty else {
            throw ACLParseError(message: "missing fetch method in ACL expression ''")
        }
        // `path_beg` is `path` matched with `-m beg` (manual 7.3.6's
        // derived ACL names); a fetch of that name wins.
        let name = String(criterion.prefix { $0 != "(" && $0 != "," })
        var text = criterion
        var derived: PatternMatchMethod?
        if SampleFetchRegistry.keyword(named: name) == nil, let underscore = name.lastIndex(of: "_") {
            let base = String(name[..<underscore])
            let suffix = String(name[name.index(after: underscore)...])
            if let method = PatternMatchMethod(rawValue: suffix), SampleFetchRegistry.keyword(named: base) != nil {
                derived = method
                text = base + criterion.dropFirst(name.count)
            }
        }
        let expression: SampleExpression
        do {
            expression = try SampleExpression.parse(text)
        } catch let error as SampleParseError {
            throw ACLParseError(message: "\(error.message) in ACL expression '\(criterion)'")
        }
        var method = derived
        var ignoreCase = false
        var files: [(path: String, ignoreCase: Bool)] = []
        var rest = words.dropFirst()
        flags: while let flag = rest.first, flag.hasPrefix("-") {
            switch flag {
            case "-i":
                ignoreCase = true
                rest = rest.dropFirst()
            case "-n":
                rest = rest.dropFirst()
            case "-f", "-m", "-u", "-M":
                guard rest.count > 1 else { throw ACLParseError(message: "missing argument after '\(flag)'") }
                let value = rest[rest.startIndex + 1]
                if flag == "-f" { files.append((value, ignoreCase)) }
                if flag == "-m" {
                    guard let m = PatternMatchMethod(rawValue: value) else {
                        throw ACLParseError(message: "unknown matching method '\(value)' when parsing ACL expression")
                    }
                    method = m
                }
                rest = rest.dropFirst(2)
            case "--":
                rest = rest.dropFirst()
                break flags
            default:
                // A negative number is a value, not a flag.
                if Int64(flag) != nil { break flags }
                throw ACLParseError(message: "'\(flag)' is not a valid ACL option. Please use '--' before any pattern beginning with a '-'")
            }
        }
        let chosen = method ?? PatternMatchMethod.defaultMethod(for: expression.outputType)
        // An operator applies to the values after it, up to the next one;
        // 2.6 stores `gt 3` as the range `4:`, as `show acl` prints it.
        var texts: [String] = []
        var op: String?
        for word in rest {
            if chosen == .int || chosen == .len, ["eq", "ge", "gt", "le", "lt"].contains(word) {
                op = word
            } else {
                texts.append(try op.map { try Self.range($0, word) } ?? word)
            }
        }
        let location = PatternReferences.location
        var references: [(reference: PatternReference, match: PatternReference.Expression)] = []
        for file in files {
            do {
                let reference = try PatternReferences.reference(path: file.path, kind: .acl)
                let match = PatternReference.Expression(method: chosen, ignoreCase: file.ignoreCase)
                try reference.register(match, usedAt: location)
                references.append((reference, match))
            } catch let error as PatternSet.PatternError {
                throw ACLParseError(message: error.message)
            }
        }
        let inline = PatternReferences.inline(fetch: name)
        let match = PatternReference.Expression(method: chosen, ignoreCase: ignoreCase)
        do {
            try inline.register(match, usedAt: nil)
            for text in texts { try inline.add(key: text, value: nil) }
        } catch let error as PatternReference.EditError {
            throw ACLParseError(message: error.message)
        } catch let error as PatternSet.PatternError {
            throw ACLParseError(message: error.message)
        }
        let term = ACLTerm(expression: expression, patterns: inline, match: match, files: references)
        if expression.fetchName == "http_auth_group", case .userlist(let list)? = expression.fetchArguments.first {
            // Group names, unless a match method, a converter or a file
            // turned the values into plain patterns (`no groups specified`).
            let plain = method != nil || !expression.converters.isEmpty || !files.isEmpty
            term.groupMatch = GroupMatch(userlist: list, groups: plain ? nil : texts)
        }
        return term
    }

    /// The range pattern for `OP VALUE` (`gt 3` is `4:`, `le 7` is `:7`).
    static func range(_ op: String, _ text: String) throws -> String {
        guard let value = Int64(text) else { throw ACLParseError(message: "'\(text)' is not a number") }
        switch op {
        case "eq": return "\(value)"
        case "ge": return "\(value):"
        case "gt": return "\(value == .max ? value : value + 1):"
        case "le": return ":\(value)"
        default: return ":\(value == .min ? value : value - 1)"
        }
    }
}

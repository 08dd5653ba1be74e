/// A proxy's named ACLs: several `acl` lines with one name are ORed.
public struct ACLTable: Sendable {
    var named: [String: [ACLTerm]] = [:]

    public init() {}

    public var names: Set<String> { Set(named.keys) }

    /// Adds an `acl NAME CRITERION [flags] [operator] VALUES` line (`words`
    /// after `acl`).
    /// - Returns: the line's test.
    @discardableResult
    public mutating func add(_ words: [String]) throws -> ACLTerm {
        guard let name = words.first else { throw ACLParseError(message: "'acl' expects an ACL name.", isLineError: true) }
        if let bad = name.first(where: { !($0.isLetter || $0.isNumber || "._-:".contains($0)) }) {
            throw ACLParseError(message: "character '\(bad)' is not permitted in acl name '\(name)'.", isLineError: true)
        }
        if name.lowercased() == "or" {
            throw ACLParseError(
                message: "acl name '\(name)' will never match. 'or' is used to express a logical disjunction within a condition.",
                isLineError: true)
        }
        let term: ACLTerm
        do {
            term = try ACLTerm.parse(words.dropFirst())
        } catch let error as ACLParseError {
            throw ACLParseError(message: "error detected while parsing ACL '\(name)' : \(error.message).", isLineError: true)
        }
        named[name, default: []].append(term)
        return term
    }

    func terms(named name: String) -> [ACLTerm]? {
        named[name] ?? PredefinedACLs.terms(named: name)
    }
}

/// An ACL line or condition that does not parse. `message` is 2.6's text;
/// `isLineError` when it is a whole line's message (the configuration
/// parser then adds only the file and line).
public struct ACLParseError: Error, Sendable {
    public var message: String
    public var isLineError = false
    public init(message: String, isLineError: Bool = false) {
        self.message = message
        self.isLineError = isLineError
    }
}

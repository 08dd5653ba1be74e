/// A rule's `if`/`unless` condition (manual 7.2). Placeholder until ACLs
/// land: only the predefined TRUE and FALSE are known.
public struct Condition: Sendable {
    var negated: Bool
    var value: Bool

    public func evaluate(_ context: some SampleContext) -> Bool { value != negated }

    public static func parse(_ words: ArraySlice<String>, acls: ACLTable) throws -> Condition {
        let negated = words.first == "unless"
        var value = true
        for word in words.dropFirst() {
            switch word {
            case "TRUE": break
            case "FALSE": value = false
            default: throw ACLParseError(message: "no such ACL : '\(word)'")
            }
        }
        return Condition(negated: negated, value: value)
    }
}

/// The ACLs of a proxy, by name. Placeholder until ACLs land.
public struct ACLTable: Sendable {
    public init() {}
}

public struct ACLParseError: Error, Sendable {
    public var message: String
    public init(message: String) { self.message = message }
}

import HAProxyRules

/// The `set-var(NAME[,cond...])`, `set-var-fmt(NAME)`, `unset-var(NAME)`
/// action word, split for the HTTP and TCP rule parsers.
struct VariableActionHead {
    /// `set-var`, `set-var-fmt` or `unset-var`.
    let verb: String
    let name: VariableName
    /// The words after the name inside the parentheses (`set-var`'s conditions).
    let options: [String]

    /// Nil when the closing parenthesis is missing (each rule set words
    /// that error its own way); a bad name throws `error(message)`.
    static func parse(_ action: String, error: (String) -> Error) throws -> VariableActionHead? {
        let open = action.firstIndex(of: "(")!
        guard action.hasSuffix(")") else { return nil }
        let inside = action[action.index(after: open)..<action.index(before: action.endIndex)]
        let parts = inside.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        do {
            return VariableActionHead(
                verb: String(action[..<open]), name: try VariableName.parse(parts[0]), options: Array(parts.dropFirst()))
        } catch let e as SampleArgumentError {
            throw error(e.message)
        } catch let e as SampleParseError {
            throw error(e.message)
        }
    }
}

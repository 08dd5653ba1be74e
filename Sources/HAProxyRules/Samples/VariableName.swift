/// A variable's name with its scope (manual 7.3, `set-var`): `txn.user`
/// is `VariableName(scope: .txn, name: "user")`.
public struct VariableName: Sendable, Hashable {
    public enum Scope: String, Sendable, CaseIterable {
        case proc, sess, txn, req, res
        /// Health checks' variables (`tcp-check set-var(check.x)`).
        case check
    }
    public var scope: Scope
    public var name: String
    public init(scope: Scope, name: String) {
        self.scope = scope
        self.name = name
    }
}

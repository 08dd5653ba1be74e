/// A stream's variables (manual 2.8 and `set-var`): the `sess`, `txn`,
/// `req` and `res` scopes in one store. The runtime keeps one per
/// session and clears `txn`/`req`/`res` between transactions; `proc`
/// variables live in `ProcessVariables`, shared by every stream.
public struct Variables: Sendable {
    private var storage: [VariableName: Sample] = [:]

    public init() {}

    public func get(_ name: VariableName) -> Sample? { storage[name] }

    public mutating func set(_ name: VariableName, _ value: Sample) { storage[name] = value }

    public mutating func unset(_ name: VariableName) { storage[name] = nil }

    /// Drops every variable of `scope` (`txn` at the end of a transaction).
    public mutating func clear(_ scope: VariableName.Scope) {
        guard !storage.isEmpty else { return }
        storage = storage.filter { $0.key.scope != scope }
    }

    public var isEmpty: Bool { storage.isEmpty }
}

/// A stream's variables (`txn.*`, `req.*`, `res.*`, `sess.*`), shared by
/// the rule sets of a stream; `proc.*` ones go to the process-wide store.
public final class StreamVariables {
    public var values = Variables()
    public init() {}

    public func get(_ name: VariableName) -> Sample? {
        name.scope == .proc ? ProcessVariables.shared.get(name) : values.get(name)
    }

    /// Sets `name`, or unsets it when `value` is nil.
    public func set(_ name: VariableName, _ value: Sample?) {
        if name.scope == .proc {
            if let value { ProcessVariables.shared.set(name, value) } else { ProcessVariables.shared.unset(name) }
            return
        }
        if let value { values.set(name, value) } else { values.unset(name) }
    }
}

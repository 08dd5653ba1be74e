import HAProxyTables

/// A stream's variables (`txn.*`, `req.*`, `res.*`, `sess.*`), shared by
/// the rule sets of a stream; `proc.*` ones go to the process-wide store.
public final class StreamVariables {
    public var values = Variables()
    /// The stream's stick counters, created by its first `track-sc*`.
    public private(set) var trackedCounters: StickCounters?
    public init() {}

    /// Gives these variables their own counters (a log line's snapshot).
    public func adopt(_ counters: StickCounters) { trackedCounters = counters }

    /// The stick counters, created on first use.
    public var stickCounters: StickCounters {
        if let trackedCounters { return trackedCounters }
        let counters = StickCounters()
        trackedCounters = counters
        return counters
    }

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

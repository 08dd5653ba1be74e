import HAProxyTables

/// The stick counter actions of `tcp-request` and `http-request` rules
/// (manual 4.2): `track-sc0..2 <key> [table <t>]`, `sc-inc-gpc0(N)`,
/// `sc-inc-gpc1(N)`, `sc-set-gpt0(N) <value>`.
public enum StickCounterAction: Sendable {
    /// `sessionLevel`: set by `tcp-request connection|session`, the tracker
    /// lasts as long as the connection; otherwise as long as the stream.
    /// `countsRequest`: an `http-request` rule counts the current request.
    case track(slot: Int, key: SampleExpression, table: String, sessionLevel: Bool, countsRequest: Bool)
    case incrementGPC(slot: Int, counter: StickDataType)
    case setGPT0(slot: Int, value: SampleExpression)

    /// Runs the action on the stream's counters.
    public func perform(on context: some SampleContext) {
        guard let counters = context.stickCounters else { return }
        switch self {
        case .track(let slot, let expression, let tableName, let sessionLevel, let countsRequest):
            guard counters.tracker(slot) == nil, let table = StickTableRegistry.table(named: tableName),
                  let sample = expression.evaluate(context),
                  let key = StickKey(sample, for: table.definition.keyType) else { return }
            counters.track(slot: slot, key: key, in: table, sessionLevel: sessionLevel, countsRequest: countsRequest)
        case .incrementGPC(let slot, let counter):
            guard let tracker = counters.tracker(slot) else { return }
            tracker.table.update(tracker.entry) { $0.add(counter) }
        case .setGPT0(let slot, let expression):
            guard let tracker = counters.tracker(slot), let value = expression.evaluate(context)?.intValue else { return }
            tracker.table.update(tracker.entry) { access in
                if access.value(.gpt0) != nil { access.set(.gpt0, UInt64(UInt32(truncatingIfNeeded: value))) }
            }
        }
    }
}

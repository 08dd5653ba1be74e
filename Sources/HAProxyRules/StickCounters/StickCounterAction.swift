import HAProxyTables

/// The stick counter actions of `tcp-request` and `http-request` rules
/// (manual 4.2): `track-sc0..2 <key> [table <t>]`, `sc-inc-gpc0(N)`,
/// `sc-inc-gpc1(N)`, `sc-set-gpt0(N) <value>`, and on the arrays
/// `sc-inc-gpc(I,N)`, `sc-set-gpt(I,N) <value>`.
public enum StickCounterAction: Sendable {
    /// `sessionLevel`: set by `tcp-request connection|session`, the tracker
    /// lasts as long as the connection; otherwise as long as the stream.
    /// `countsRequest`: an `http-request` rule counts the current request.
    case track(slot: Int, key: SampleExpression, table: String, sessionLevel: Bool, countsRequest: Bool)
    case incrementGPC(slot: Int, counter: StickDataType)
    case setGPT0(slot: Int, value: SampleExpression)
    /// `sc-inc-gpc(I,N)`: element I of `gpc` and of `gpc_rate`.
    case incrementGPCElement(slot: Int, index: Int)
    /// `sc-set-gpt(I,N)`: element I of `gpt`.
    case setGPT(slot: Int, index: Int, value: SampleExpression)

    /// Runs the action on the stream's counters.
    public func perform(on context: some SampleContext) {
        guard let counters = context.stickCounters else { return }
        switch self {
        case .track(let slot, let expression, let tableName, let sessionLevel, let countsRequest):
            guard !counters.isTracking(slot), let table = StickTableRegistry.table(named: tableName),
                  let sample = expression.evaluate(context),
                  let key = StickKey(sample, for: table.definition.keyType) else { return }
            counters.track(slot: slot, key: key, in: table, sessionLevel: sessionLevel, countsRequest: countsRequest)
        case .incrementGPC(let slot, let counter):
            guard let tracker = counters.tracker(slot) else { return }
            tracker.update { access in
                _ = StickCounterFetches.increment(
                    access.resolve(counter), counter.rate.flatMap { access.resolve($0) }, access)
            }
        case .incrementGPCElement(let slot, let index):
            guard let tracker = counters.tracker(slot) else { return }
            tracker.update { access in
                _ = StickCounterFetches.increment(
                    StickCounterFetches.element(.gpc, index, access), StickCounterFetches.element(.gpcRate, index, access),
                    access)
            }
        case .setGPT0(let slot, let expression):
            setTag(slot, expression, context, counters) { $0.resolve(.gpt0) }
        case .setGPT(let slot, let index, let expression):
            setTag(slot, expression, context, counters) { $0.stores(.gpt, at: index) ? (.gpt, index) : nil }
        }
    }

    /// Sets a general purpose tag to the expression's value cast to an
    /// integer (cut to 32 bits); nothing happens without one.
    private func setTag(
        _ slot: Int, _ expression: SampleExpression, _ context: some SampleContext, _ counters: StickCounters,
        _ target: (StickTable) -> (type: StickDataType, index: Int)?
    ) {
        guard let tracker = counters.tracker(slot), let (type, index) = target(tracker.table),
              let value = expression.evaluate(context)?.intValue else { return }
        tracker.update { $0.set(type, at: index, UInt64(UInt32(truncatingIfNeeded: value))) }
    }
}

import HAProxyTables

/// The stick counter fetches (manual 7.3.3): `sc_*(N[,table])`,
/// `sc0_*`..`sc2_*([table])` on the stream's tracked entries, `src_*([table])`
/// on the client address's entry, the array forms `sc_get_gpc(I,N[,table])`,
/// `src_get_gpc(I,table)`..., and `table_avl`, `table_cnt`.
///
/// As in 2.6: a counter not tracked, or a data type its table does not
/// store, yields no value; `src_*` on an address without an entry yields 0.
/// The legacy general purpose types (`gpc0`, `gpc1`, `gpt0` and their
/// rates) use the arrays' first elements in a table storing the arrays
/// instead; the array forms use the arrays only.
enum StickCounterFetches {
    /// What a fetch reads or does on an entry.
    enum Operation {
        case read(StickDataType)
        /// `kbytes_in`/`kbytes_out`: a byte count in kilobytes.
        case kilobytes(StickDataType)
        /// `inc_gpc0`, `inc_gpc1`: the counter and its rate.
        case increment(StickDataType)
        case clear(StickDataType)
        case trackers
        /// `table_trackers`: 2.6 counts the lookup's own reference too.
        case lookupTrackers
        /// `get_gpt(I)`, `get_gpc(I)`, `gpc_rate(I)`: an array's element.
        case readElement(StickDataType, Int)
        /// `inc_gpc(I)`: element I of `gpc` and of `gpc_rate`.
        case incrementElement(Int)
        /// `clr_gpc(I)`: element I of `gpc`.
        case clearElement(Int)

        /// Whether the operation writes to the entry (the others only read).
        var changesEntry: Bool {
            switch self {
            case .increment, .clear, .incrementElement, .clearElement: return true
            default: return false
            }
        }

        /// Whether the operation creates the entry it does not find.
        var creates: Bool {
            switch self {
            case .increment, .clear, .incrementElement, .clearElement: return true
            default: return false
            }
        }
    }

    static let operations: [(String, Operation)] = [
        ("get_gpt0", .read(.gpt0)), ("get_gpc0", .read(.gpc0)), ("get_gpc1", .read(.gpc1)),
        ("gpc0_rate", .read(.gpc0Rate)), ("gpc1_rate", .read(.gpc1Rate)),
        ("inc_gpc0", .increment(.gpc0)), ("inc_gpc1", .increment(.gpc1)),
        ("clr_gpc0", .clear(.gpc0)), ("clr_gpc1", .clear(.gpc1)),
        ("conn_cnt", .read(.connCount)), ("conn_cur", .read(.connCurrent)), ("conn_rate", .read(.connRate)),
        ("sess_cnt", .read(.sessionCount)), ("sess_rate", .read(.sessionRate)),
        ("http_req_cnt", .read(.httpRequestCount)), ("http_req_rate", .read(.httpRequestRate)),
        ("http_err_cnt", .read(.httpErrorCount)), ("http_err_rate", .read(.httpErrorRate)),
        ("http_fail_cnt", .read(.httpFailCount)), ("http_fail_rate", .read(.httpFailRate)),
        ("bytes_in_rate", .read(.bytesInRate)), ("bytes_out_rate", .read(.bytesOutRate)),
        ("kbytes_in", .kilobytes(.bytesInCount)), ("kbytes_out", .kilobytes(.bytesOutCount)),
    ]

    /// The array operations, by the suffix of their names and the element.
    static let elementOperations: [(String, @Sendable (Int) -> Operation)] = [
        ("get_gpt", { .readElement(.gpt, $0) }), ("get_gpc", { .readElement(.gpc, $0) }),
        ("gpc_rate", { .readElement(.gpcRate, $0) }), ("inc_gpc", { .incrementElement($0) }),
        ("clr_gpc", { .clearElement($0) }),
    ]

    static let keywords: [SampleFetchKeyword] = {
        var list: [SampleFetchKeyword] = []
        for (suffix, operation) in operations + [("trackers", .trackers)] {
            list.append(SampleFetchKeyword("sc_\(suffix)", [.int, .string], mandatory: 1, .int, .internalState) { args in
                // 2.6 accepts any number; past 2 nothing is tracked.
                let slot = Int(args.int(at: 0) ?? 0)
                let table = args.text(at: 1)
                return SampleFetch { tracked(slot, table, $0, operation) }
            })
            for slot in 0..<StickCounters.slots {
                list.append(SampleFetchKeyword("sc\(slot)_\(suffix)", [.string], .int, .internalState) { args in
                    let table = args.text(at: 0)
                    return SampleFetch { tracked(slot, table, $0, operation) }
                })
            }
        }
        for (suffix, operation) in operations {
            list.append(SampleFetchKeyword("src_\(suffix)", [.string], .int, .layer4) { args in
                let table = args.text(at: 0)
                return SampleFetch { source(table, $0, operation) }
            })
        }
        for (suffix, operation) in elementOperations {
            // `sc_get_gpc(<idx>,<ctr>[,<table>])`, `src_get_gpc(<idx>,<table>)`.
            list.append(SampleFetchKeyword("sc_\(suffix)", [.int, .int, .string], mandatory: 2, .int, .internalState) { args in
                let element = Int(clamping: args.int(at: 0) ?? 0)
                let slot = Int(clamping: args.int(at: 1) ?? 0)
                let table = args.text(at: 2)
                return SampleFetch { tracked(slot, table, $0, operation(element)) }
            })
            list.append(SampleFetchKeyword("src_\(suffix)", [.int, .string], mandatory: 2, .int, .layer4) { args in
                let element = Int(clamping: args.int(at: 0) ?? 0)
                let table = args.text(at: 1)
                return SampleFetch { source(table, $0, operation(element)) }
            })
        }
        list.append(SampleFetchKeyword("src_updt_conn_cnt", [.string], .int, .layer4) { args in
            let table = args.text(at: 0)
            return SampleFetch { source(table, $0, .increment(.connCount)) }
        })
        list.append(SampleFetchKeyword("sc_tracked", [.int, .string], mandatory: 1, .bool, .internalState) { args in
            let slot = Int(args.int(at: 0) ?? 0)
            return SampleFetch { .bool($0.stickCounters?.tracker(slot) != nil) }
        })
        for slot in 0..<StickCounters.slots {
            list.append(SampleFetchKeyword("sc\(slot)_tracked", [.string], .bool, .internalState) { _ in
                SampleFetch { .bool($0.stickCounters?.tracker(slot) != nil) }
            })
        }
        list.append(SampleFetchKeyword("table_avl", [.string], .int, .internalState) { args in
            let name = args.text(at: 0)
            return SampleFetch { context in
                guard let table = StickTableRegistry.table(named: name ?? context.ruleProxyName) else { return nil }
                return .int(Int64(max(0, table.definition.size - table.count())))
            }
        })
        list.append(SampleFetchKeyword("table_cnt", [.string], .int, .internalState) { args in
            let name = args.text(at: 0)
            return SampleFetch { context in
                guard let table = StickTableRegistry.table(named: name ?? context.ruleProxyName) else { return nil }
                return .int(Int64(table.count()))
            }
        })
        return list
    }()

    /// `sc*_`: the tracked entry, or with `tableName` the entry of the
    /// tracked key in that table.
    static func tracked(_ slot: Int, _ tableName: String?, _ context: some SampleContext, _ operation: Operation) -> Sample? {
        guard let tracker = context.stickCounters?.tracker(slot) else { return nil }
        if let tableName, tableName != tracker.table.name {
            guard let table = StickTableRegistry.table(named: tableName) else { return nil }
            return table.withEntry(tracker.entry.key, create: operation.creates) { apply(operation, $0) } ?? .int(0)
        }
        if operation.changesEntry { return tracker.update { apply(operation, $0) } }
        return tracker.read { apply(operation, $0) }
    }

    /// `src_*`: the entry of the client's address.
    static func source(_ tableName: String?, _ context: some SampleContext, _ operation: Operation) -> Sample? {
        guard let table = StickTableRegistry.table(named: tableName ?? context.ruleProxyName),
              let address = context.source, let key = StickKey(address.sample, for: table.definition.keyType)
        else { return nil }
        return table.withEntry(key, create: operation.creates) { apply(operation, $0) } ?? .int(0)
    }

    /// Increments a general purpose counter and its rate, each where
    /// stored: the result is the counter's new value, else the events of
    /// the rate's current period, else 0 (2.6's answers).
    static func increment(
        _ counter: (type: StickDataType, index: Int)?, _ rate: (type: StickDataType, index: Int)?,
        _ entry: StickEntryAccess
    ) -> UInt64 {
        var result: UInt64 = 0
        if let rate {
            entry.addExactly(rate.type, at: rate.index)
            result = entry.currentPeriodCount(rate.type, at: rate.index) ?? 0
        }
        if let counter {
            entry.addExactly(counter.type, at: counter.index)
            result = entry.value(counter.type, at: counter.index) ?? 0
        }
        return result
    }

    /// Element `index` of `type` when the entry's table stores it.
    static func element(_ type: StickDataType, _ index: Int, _ entry: StickEntryAccess) -> (type: StickDataType, index: Int)? {
        entry.stores(type, at: index) ? (type, index) : nil
    }

    static func apply(_ operation: Operation, _ entry: StickEntryAccess) -> Sample? {
        switch operation {
        case .read(let type):
            guard let (type, index) = entry.resolve(type) else { return nil }
            return entry.value(type, at: index).map { .int(Int64(truncatingIfNeeded: $0)) }
        case .kilobytes(let type):
            return entry.value(type).map { .int(Int64(truncatingIfNeeded: $0 >> 10)) }
        case .increment(let type):
            let result = increment(entry.resolve(type), type.rate.flatMap { entry.resolve($0) }, entry)
            entry.touch()
            return .int(Int64(result))
        case .incrementElement(let index):
            let result = increment(element(.gpc, index, entry), element(.gpcRate, index, entry), entry)
            entry.touch()
            return .int(Int64(result))
        case .clear(let type):
            guard let (type, index) = entry.resolve(type) else { return nil }
            return clear(type, index, entry)
        case .clearElement(let index):
            return clear(.gpc, index, entry)
        case .readElement(let type, let index):
            return entry.value(type, at: index).map { .int(Int64(truncatingIfNeeded: $0)) }
        case .trackers:
            return .int(Int64(entry.useCount))
        case .lookupTrackers:
            return .int(Int64(entry.useCount) + 1)
        }
    }

    private static func clear(_ type: StickDataType, _ index: Int, _ entry: StickEntryAccess) -> Sample? {
        guard let old = entry.value(type, at: index) else { return nil }
        entry.set(type, at: index, 0)
        return .int(Int64(truncatingIfNeeded: old))
    }
}

extension SampleExpression {
    /// A stick table the expression names, for the check once the
    /// configuration is read (2.6: `unable to find table 'T' referenced in
    /// arg N of ...`).
    public struct StickTableReference: Sendable {
        public var table: String
        public var argument: Int
        /// The fetch, or the converter, that names it.
        public var keyword: String
        /// Set for a converter (`conversion keyword 'K' for ...`).
        public var isConverter: Bool
        /// The name is a frontend's, not a table's (`fe_req_rate(F)`:
        /// 2.6 says `unable to find frontend 'F' referenced in ...`).
        public var isFrontend = false
    }

    /// The stick tables the expression names: for `src_*`, `table_avl` and
    /// `table_cnt` without one, `defaultTable`.
    public func stickTableReferences(defaultTable: String) -> [StickTableReference] {
        var list: [StickTableReference] = []
        let name = fetchName
        func text(_ arguments: [SampleArgument], _ index: Int) -> String? {
            guard index < arguments.count, case .string(let bytes) = arguments[index] else { return nil }
            return String(decoding: bytes, as: UTF8.self)
        }
        if let keyword = StickCounterFetches.keywords.first(where: { $0.name == name }),
           let index = keyword.arguments.lastIndex(of: .string)
        {
            // The tracked counters' fetches name a table only when given one;
            // `src_*`, `table_avl` and `table_cnt` default to the proxy's.
            let tracked = name.hasPrefix("sc")
            if let table = text(fetchArguments, index) ?? (tracked ? nil : defaultTable) {
                list.append(StickTableReference(table: table, argument: index + 1, keyword: name, isConverter: false))
            }
        }
        if name == "fe_req_rate" || name == "fe_sess_rate", let frontend = text(fetchArguments, 0) {
            list.append(StickTableReference(
                table: frontend, argument: 1, keyword: name, isConverter: false, isFrontend: true))
        }
        for (converter, arguments) in converters {
            guard let keyword = StickTableConverters.keywords.first(where: { $0.name == converter }),
                  let index = keyword.arguments.firstIndex(of: .string) else { continue }
            list.append(StickTableReference(
                table: text(arguments, index) ?? "", argument: index + 1, keyword: converter, isConverter: true))
        }
        return list
    }
}

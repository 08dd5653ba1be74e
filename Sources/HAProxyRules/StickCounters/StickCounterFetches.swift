import HAProxyTables

/// The stick counter fetches (manual 7.3.3): `sc_*(N[,table])`,
/// `sc0_*`..`sc2_*([table])` on the stream's tracked entries, `src_*([table])`
/// on the client address's entry, and `table_avl`, `table_cnt`.
///
/// As in 2.6: a counter not tracked, or a data type its table does not
/// store, yields no value; `src_*` on an address without an entry yields 0.
enum StickCounterFetches {
    /// What a fetch reads or does on an entry.
    enum Operation {
        case read(StickDataType)
        /// `kbytes_in`/`kbytes_out`: a byte count in kilobytes.
        case kilobytes(StickDataType)
        case increment(StickDataType)
        case clear(StickDataType)
        case trackers
        /// `table_trackers`: 2.6 counts the lookup's own reference too.
        case lookupTrackers
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
            let create: Bool
            if case .increment = operation { create = true } else { create = false }
            return table.withEntry(tracker.entry.key, create: create) { apply(operation, $0) } ?? absent(operation, table)
        }
        return tracker.table.update(tracker.entry) { apply(operation, $0) }
    }

    /// `src_*`: the entry of the client's address.
    static func source(_ tableName: String?, _ context: some SampleContext, _ operation: Operation) -> Sample? {
        guard let table = StickTableRegistry.table(named: tableName ?? context.ruleProxyName),
              let address = context.source, let key = StickKey(address.sample, for: table.definition.keyType)
        else { return nil }
        let create: Bool
        if case .increment = operation { create = true } else { create = false }
        return table.withEntry(key, create: create) { apply(operation, $0) } ?? absent(operation, table)
    }

    /// An address without an entry: 0 when the table stores the data.
    static func absent(_ operation: Operation, _ table: StickTable) -> Sample? {
        switch operation {
        case .read(let type), .kilobytes(let type), .increment(let type), .clear(let type):
            return table.stores(type) ? .int(0) : nil
        case .trackers, .lookupTrackers:
            return .int(0)
        }
    }

    static func apply(_ operation: Operation, _ entry: StickEntryAccess) -> Sample? {
        switch operation {
        case .read(let type):
            return entry.value(type).map { .int(Int64(truncatingIfNeeded: $0)) }
        case .kilobytes(let type):
            return entry.value(type).map { .int(Int64(truncatingIfNeeded: $0 >> 10)) }
        case .increment(let type):
            let hasRate = type.rate.map { entry.value($0) != nil } ?? false
            guard entry.value(type) != nil || hasRate else { return nil }
            entry.add(type)
            entry.touch()
            return .int(Int64(truncatingIfNeeded: entry.value(type) ?? 0))
        case .clear(let type):
            guard let old = entry.value(type) else { return nil }
            entry.set(type, 0)
            return .int(Int64(truncatingIfNeeded: old))
        case .trackers:
            return .int(Int64(entry.entry.useCount))
        case .lookupTrackers:
            return .int(Int64(entry.entry.useCount) + 1)
        }
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
        if name.hasPrefix("sc_"), SampleFetchRegistry.keyword(named: name)?.arguments == [.int, .string],
           let table = text(fetchArguments, 1)
        {
            list.append(StickTableReference(table: table, argument: 2, keyword: name, isConverter: false))
        } else if name.count > 4, name.hasPrefix("sc"), name.dropFirst(3).hasPrefix("_"), name != "sc_tracked",
                  let table = text(fetchArguments, 0)
        {
            list.append(StickTableReference(table: table, argument: 1, keyword: name, isConverter: false))
        } else if name.hasPrefix("src_") && name != "src_port" || name == "table_avl" || name == "table_cnt" {
            if StickCounterFetches.keywords.contains(where: { $0.name == name }) {
                list.append(StickTableReference(
                    table: text(fetchArguments, 0) ?? defaultTable, argument: 1, keyword: name, isConverter: false))
            }
        }
        for (converter, arguments) in converters
        where StickTableConverters.keywords.contains(where: { $0.name == converter }) {
            list.append(StickTableReference(
                table: text(arguments, 0) ?? "", argument: 1, keyword: converter, isConverter: true))
        }
        return list
    }
}

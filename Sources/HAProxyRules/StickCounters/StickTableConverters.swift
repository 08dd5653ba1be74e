import HAProxyTables

/// The stick table converters (manual 7.3.1): `in_table(<table>)` and
/// `table_<data>(<table>)` look the input sample up as a key of the table.
/// As in 2.6: a key without an entry gives 0 (false for `in_table`), a data
/// type the table does not store gives no value.
enum StickTableConverters {
    static let keywords: [SampleConverterKeyword] = {
        var list: [SampleConverterKeyword] = []
        let reads = StickCounterFetches.operations.filter {
            if case .read = $0.1 { return true }
            if case .kilobytes = $0.1 { return true }
            return false
        }
        var named: [(String, StickCounterFetches.Operation)] = reads.map { name, operation in
            (name.hasPrefix("get_") ? String(name.dropFirst(4)) : name, operation)
        }
        named += [("server_id", .read(.serverID)), ("trackers", .lookupTrackers)]
        for (suffix, operation) in named {
            list.append(SampleConverterKeyword("table_\(suffix)", [.string], mandatory: 1, .any, .int) { args in
                let name = args.text(at: 0) ?? ""
                return SampleConversion { sample, _ in
                    guard let table = StickTableRegistry.table(named: name),
                          let key = StickKey(sample, for: table.definition.keyType) else { return nil }
                    return table.withEntry(key, create: false) { StickCounterFetches.apply(operation, $0) }
                        ?? StickCounterFetches.absent(operation, table)
                }
            })
        }
        list.append(SampleConverterKeyword("in_table", [.string], mandatory: 1, .any, .bool) { args in
            let name = args.text(at: 0) ?? ""
            return SampleConversion { sample, _ in
                guard let table = StickTableRegistry.table(named: name),
                      let key = StickKey(sample, for: table.definition.keyType) else { return nil }
                return .bool(table.withEntry(key, create: false) { _ in true } ?? false)
            }
        })
        list.append(SampleConverterKeyword("table_expire", [.string, .int], mandatory: 1, .any, .int) { args in
            let name = args.text(at: 0) ?? ""
            let fallback = args.int(at: 1)
            return SampleConversion { sample, _ in
                guard let table = StickTableRegistry.table(named: name),
                      let key = StickKey(sample, for: table.definition.keyType) else { return nil }
                if let left = table.withEntry(key, create: false, { $0.expiresIn }) { return .int(Int64(left)) }
                return fallback.map { .int($0) }
            }
        })
        return list
    }()
}

import HAProxyTables

/// The stick table converters (manual 7.3.1): `in_table(<table>)`,
/// `table_<data>(<table>)` and `table_<array>(<idx>,<table>)` look the
/// input sample up as a key of the table; `table_expire` and `table_idle`
/// give an entry's time left and time since its last update.
/// As in 2.6: a key without an entry gives 0 (false for `in_table`, the
/// default value or nothing for `table_expire` and `table_idle`), a data
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
                    return table.withEntry(key, create: false) { StickCounterFetches.apply(operation, $0) } ?? .int(0)
                }
            })
        }
        for (suffix, type) in [("gpt", StickDataType.gpt), ("gpc", .gpc), ("gpc_rate", .gpcRate)] {
            list.append(SampleConverterKeyword("table_\(suffix)", [.int, .string], mandatory: 2, .any, .int) { args in
                let index = Int(clamping: args.int(at: 0) ?? 0)
                let name = args.text(at: 1) ?? ""
                return SampleConversion { sample, _ in
                    guard let table = StickTableRegistry.table(named: name),
                          let key = StickKey(sample, for: table.definition.keyType) else { return nil }
                    return table.withEntry(key, create: false) {
                        StickCounterFetches.apply(.readElement(type, index), $0)
                    } ?? .int(0)
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
        for (suffix, idle) in [("expire", false), ("idle", true)] {
            list.append(SampleConverterKeyword("table_\(suffix)", [.string, .int], mandatory: 1, .any, .int) { args in
                let name = args.text(at: 0) ?? ""
                let fallback = args.int(at: 1)
                return SampleConversion { sample, _ in
                    guard let table = StickTableRegistry.table(named: name),
                          let key = StickKey(sample, for: table.definition.keyType) else { return nil }
                    let found = table.withEntry(key, create: false) { entry -> UInt64 in
                        // Idle: the time since the last update, which set the expiry to `expire` from then.
                        guard idle else { return entry.expiresIn }
                        guard let expire = table.definition.expire else { return 0 }
                        return UInt64(expire) - min(UInt64(expire), entry.expiresIn)
                    }
                    if let found { return .int(Int64(found)) }
                    return fallback.map { .int($0) }
                }
            })
        }
        return list
    }()
}

import HAProxyTables

/// Stick-table commands (management.txt 9.3): `show table`, `set table`
/// and `clear table`, with 2.6's answers and error texts. As in 2.6, a
/// user-level session sees the summary lines only, and changes nothing
/// (`Permission denied` for a key, silence for the rest).
enum TableCommands {
    static let keywords: [CLIKeyword] = [
        CLIKeyword(["show", "table"], usage: "show table <table> [<filter>]*",
                   help: "report table usage stats or dump this table's contents (filter: data/key)") { request in
            show(request)
        },
        CLIKeyword(["clear", "table"], usage: "clear table <table> [<filter>]*",
                   help: "remove an entry from a table (filter: data/key)") { request in
            clear(request)
        },
        CLIKeyword(["set", "table"], usage: "set table <table> key <k> [data.* <v>]*",
                   help: "update or create a table entry's data") { request in
            set(request)
        },
    ]

    /// A `data.<type> <op> <value>` filter.
    struct Filter {
        var type: StickDataType
        var op: String
        var value: Int64

        func matches(_ entry: StickEntryAccess) -> Bool {
            guard let raw = entry.value(type) else { return false }
            let v = type.isSigned ? Int64(Int32(bitPattern: UInt32(truncatingIfNeeded: raw))) : Int64(bitPattern: raw)
            switch op {
            case "eq": return v == value
            case "ne": return v != value
            case "le": return v <= value
            case "ge": return v >= value
            case "lt": return v < value
            default: return v > value
            }
        }
    }

    /// An answer that ends the command (2.6's error text).
    struct Refusal: Error {
        var message: String
        init(_ message: String) { self.message = message }
    }

    /// What follows the table's name: a key, or up to four data filters.
    enum Selection {
        case all
        case key(StickKey?)
        case filters([Filter])
    }

    private static func selection(_ args: ArraySlice<String>, _ table: StickTable) -> Result<Selection, Refusal> {
        guard let first = args.first else { return .success(.all) }
        if first == "key" {
            guard args.count > 1, !args[args.startIndex + 1].isEmpty else { return .failure(Refusal("Key value expected\n")) }
            return .success(.key(StickKey.parse(args[args.startIndex + 1], as: table.definition.keyType)))
        }
        var filters: [Filter] = []
        var words = args
        while let word = words.first, word.hasPrefix("data.") {
            let n = filters.count + 1
            guard let type = StickDataType(name: String(word.dropFirst(5))) else {
                return .failure(Refusal("Filter entry #\(n): Unknown data type\n"))
            }
            guard table.stores(type) else { return .failure(Refusal("Filter entry #\(n): Data type not stored in this table\n")) }
            let op = words.dropFirst().first ?? ""
            guard ["eq", "ne", "le", "ge", "lt", "gt"].contains(op) else {
                return .failure(Refusal("Filter entry #\(n): Require and operator among \"eq\", \"ne\", \"le\", \"ge\", \"lt\", \"gt\"\n"))
            }
            guard let value = Int64(words.dropFirst(2).first ?? "") else {
                return .failure(Refusal("Filter entry #\(n): Require a valid integer value to compare against\n"))
            }
            filters.append(Filter(type: type, op: op, value: value))
            words = words.dropFirst(3)
        }
        guard words.isEmpty else {
            return .failure(Refusal("Optional argument only supports \"data.<store_data_type>\" <operator> <value> and key <key>\n"))
        }
        return .success(.filters(filters))
    }

    static func show(_ request: CLIRequest) -> String {
        guard !request[2].isEmpty else { return StickTableRegistry.all.map { $0.summaryLine() }.joined() }
        guard let table = StickTableRegistry.table(named: request[2]) else { return "No such table\n" }
        let now = StickTable.now
        switch selection(request.args.dropFirst(3), table) {
        case .failure(let refusal):
            return refusal.message
        case .success(.key(let key)):
            guard request.allows(.operator) else { return CLIMessage.permissionDenied }
            guard let key, let line = table.withEntry(key, create: false, now: now, { $0.dumpLine() }) else { return "" }
            return table.summaryLine(now: now) + line
        case .success(let selection):
            var out = table.summaryLine(now: now)
            guard request.allows(.operator) else { return out + "# contents not dumped due to insufficient privileges\n" }
            let filters: [Filter]
            if case .filters(let f) = selection { filters = f } else { filters = [] }
            table.forEachEntry(now: now) { entry in
                if filters.allSatisfy({ $0.matches(entry) }) { out += entry.dumpLine() }
            }
            return out
        }
    }

    static func clear(_ request: CLIRequest) -> String {
        guard !request[2].isEmpty else {
            return "Required arguments: <table> \"data.<store_data_type>\" <operator> <value> or <table> key <key>\n"
        }
        guard let table = StickTableRegistry.table(named: request[2]) else { return "No such table\n" }
        switch selection(request.args.dropFirst(3), table) {
        case .failure(let refusal):
            return refusal.message
        case .success(.key(let key)):
            guard request.allows(.operator) else { return CLIMessage.permissionDenied }
            guard let key else { return "" }
            table.removeEntries { $0.key == key }
        case .success where !request.allows(.operator):
            return ""
        case .success(.filters(let filters)):
            table.removeEntries { entry in filters.allSatisfy { $0.matches(entry) } }
        case .success(.all):
            table.removeEntries { _ in true }
        }
        return ""
    }

    static func set(_ request: CLIRequest) -> String {
        guard !request[2].isEmpty else { return "" }
        guard let table = StickTableRegistry.table(named: request[2]) else { return "No such table\n" }
        guard request[3] == "key" else {
            return request[3].isEmpty ? "" : "Optional argument only supports \"data.<store_data_type>\" <operator> <value> and key <key>\n"
        }
        guard !request[4].isEmpty else { return "Key value expected\n" }
        guard request.allows(.operator) else { return CLIMessage.permissionDenied }
        guard let key = StickKey.parse(request[4], as: table.definition.keyType) else { return "" }
        // As 2.6: the entry is made first, then each pair is applied in
        // turn until one is refused.
        return table.withEntry(key, create: true) { entry -> String in
            entry.touch()
            var i = 5
            while i < request.args.count {
                let word = request[i]
                guard word.hasPrefix("data."), let type = StickDataType(name: String(word.dropFirst(5))) else {
                    return "Unknown data type\n"
                }
                guard table.stores(type) else { return "Data type not stored in this table\n" }
                guard let value = Int64(request[i + 1]) else { return "Require a valid integer value to store\n" }
                entry.set(type, UInt64(bitPattern: value))
                i += 2
            }
            return ""
        } ?? ""
    }
}

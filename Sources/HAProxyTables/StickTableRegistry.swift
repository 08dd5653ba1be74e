/// The process's stick tables by name (a table is named after its proxy).
/// Filled once when the runtime starts, before any stream runs, then only
/// read: lookups take no lock.
public enum StickTableRegistry {
    nonisolated(unsafe) private static var tables: [String: StickTable] = [:]
    nonisolated(unsafe) private static var ordered: [StickTable] = []
    /// The names of `ordered`: a few tables are found by comparing names
    /// (each `track-sc*` looks its table up), more through `tables`.
    nonisolated(unsafe) private static var names: [String] = []

    /// Installs the tables of a configuration (at start-up only).
    public static func install(_ list: [StickTable]) {
        ordered = list
        names = list.map(\.name)
        tables = Dictionary(list.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    public static func table(named name: String) -> StickTable? {
        guard names.count <= 8 else { return tables[name] }
        for i in names.indices where names[i] == name { return ordered[i] }
        return nil
    }

    /// Every table, in the order `show table` lists them.
    public static var all: [StickTable] { ordered }
}

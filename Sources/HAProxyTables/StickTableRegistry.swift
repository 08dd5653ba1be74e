/// The process's stick tables by name (a table is named after its proxy).
/// Filled once when the runtime starts, before any stream runs, then only
/// read: lookups take no lock.
public enum StickTableRegistry {
    nonisolated(unsafe) private static var tables: [String: StickTable] = [:]
    nonisolated(unsafe) private static var ordered: [StickTable] = []

    /// Installs the tables of a configuration (at start-up only).
    public static func install(_ list: [StickTable]) {
        ordered = list
        tables = Dictionary(list.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    public static func table(named name: String) -> StickTable? { tables[name] }

    /// Every table, in the order `show table` lists them.
    public static var all: [StickTable] { ordered }
}

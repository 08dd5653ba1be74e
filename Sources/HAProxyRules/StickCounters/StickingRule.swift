import HAProxyTables

/// `stick on|match|store-request <pattern> [table <t>] [{if|unless} <cond>]`
/// (manual 4.2): server persistence through a stick table's `server_id`.
public struct StickingRule: Sendable {
    public enum Kind: Sendable, Equatable {
        /// `stick match`: a request whose key has a server goes to it.
        case match
        /// `stick store-request`: the key remembers the server used.
        case store
        /// `stick on`: both.
        case matchAndStore
        /// `stick store-response`: the key, read from the response,
        /// remembers the server that sent it.
        case storeResponse
    }

    public var kind: Kind
    public var pattern: SampleExpression
    public var table: String
    public var condition: Condition?

    public init(kind: Kind, pattern: SampleExpression, table: String, condition: Condition?) {
        self.kind = kind
        self.pattern = pattern
        self.table = table
        self.condition = condition
    }
}

/// Runs the sticking rules of a backend (2.6's `process_sticking_rules`
/// and `process_store_rules`).
public enum Sticking {
    /// The server an entry names: by `server_key` (its name) when the
    /// entry has one, as 2.6 looks it up, else by `server_id`.
    public enum Target: Equatable {
        case name(String)
        case id(Int)
    }

    /// The server the first matching rule finds: rules are tried in order
    /// until one whose key has an entry naming a server for which `usable`
    /// says yes (a server down or unknown lets the load balancer choose).
    public static func matchedServer(
        _ rules: [StickingRule], on context: some SampleContext, usable: (Target) -> Bool
    ) -> Target? {
        for rule in rules where rule.kind == .match || rule.kind == .matchAndStore {
            if let condition = rule.condition, !condition.evaluate(context) { continue }
            guard let table = StickTableRegistry.table(named: rule.table), table.stores(.serverID),
                  let sample = rule.pattern.evaluate(context),
                  let key = StickKey(sample, for: table.definition.keyType),
                  let target = table.withEntry(key, create: false, { entry -> Target? in
                      if let name = entry.serverKey, !name.isEmpty { return .name(name) }
                      let id = Int(Int32(bitPattern: UInt32(truncatingIfNeeded: entry.value(.serverID) ?? 0)))
                      return id > 0 ? .id(id) : nil
                  }) ?? nil
            else { continue }
            if usable(target) { return target }
        }
        return nil
    }

    /// Stores `serverID` under the key of every storing rule whose
    /// condition passes (one store per table, the first rule's key):
    /// `stick on` and `store-request` rules, or with `response` the
    /// `store-response` ones.
    public static func store(
        _ rules: [StickingRule], serverID: Int, serverName: String, on context: some SampleContext, response: Bool = false
    ) {
        var done: [String] = []
        for rule in rules where !done.contains(rule.table) {
            guard response ? rule.kind == .storeResponse : rule.kind == .store || rule.kind == .matchAndStore else { continue }
            if let condition = rule.condition, !condition.evaluate(context) { continue }
            guard let table = StickTableRegistry.table(named: rule.table), let sample = rule.pattern.evaluate(context),
                  let key = StickKey(sample, for: table.definition.keyType) else { continue }
            done.append(rule.table)
            _ = table.withEntry(key, create: true) { entry in
                entry.set(.serverID, UInt64(UInt32(bitPattern: Int32(truncatingIfNeeded: serverID))))
                entry.serverKey = serverName
            }
        }
    }
}

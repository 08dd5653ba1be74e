import HAProxyRules

/// `cookie NAME [rewrite | insert | prefix] [indirect] [nocache] [postonly]
/// [preserve] [httponly] [secure] [domain D]* [attr A]*` (manual 4.2): the
/// cookie that keeps a client on the server it first reached.
public struct CookiePersistence: Sendable, Equatable {
    /// `passive` is the mode without any of the three words: as 2.6, the
    /// request's cookie still selects the server, but no cookie is
    /// inserted, rewritten or removed, and the log's `%tsc` shows `--`
    /// for it.
    public enum Mode: String, Sendable, Equatable { case rewrite, insert, prefix, passive }
    public var name: String
    public var mode: Mode = .passive
    public var indirect = false
    public var nocache = false
    public var postonly = false
    public var preserve = false
    public var httponly = false
    public var secure = false
    public var domains: [String] = []
    public var attributes: [String] = []
    /// `maxidle`, `maxlife`: seconds after which an inserted cookie's
    /// dates make it ignored (its value then carries `|date[|date]`).
    public var maxIdle: Int?
    public var maxLife: Int?
    /// `dynamic`: servers without a `cookie` value get one computed from
    /// `dynamic-cookie-key` and their address.
    public var dynamic = false

    public init(name: String) { self.name = name }
}

/// `use-server NAME [{if | unless} COND]` (manual 4.2): the server a
/// request goes to, named or computed by a log-format expression.
public struct UseServerRule: Sendable {
    public enum Target: Sendable {
        case name(String)
        case format(SampleFormat)
    }
    public var target: Target
    public var condition: Condition?

    public init(target: Target, condition: Condition?) {
        self.target = target
        self.condition = condition
    }
}

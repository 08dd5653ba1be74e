import HAProxyRules

/// A `use_backend` rule (manual 4.2): the backend named, or named by a
/// log-format expression evaluated per request, when the condition holds.
public struct SwitchingRule: Sendable {
    public enum Target: Sendable {
        case name(String)
        /// `use_backend %[req.hdr(host),lower,map(hosts.map,default)]`.
        case format(SampleFormat)
    }
    public var target: Target
    public var condition: Condition?
    public var location: SourceLocation

    public init(target: Target, condition: Condition?, location: SourceLocation) {
        self.target = target
        self.condition = condition
        self.location = location
    }
}

/// A header a rule or an error page writes: name and value, fixed at parse time.
public struct HeaderPair: Sendable, Equatable {
    public var name: String
    public var value: String
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

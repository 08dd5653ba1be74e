import HAProxyConfig

/// The protocol versions a context allows, resolved from `ssl-min-ver`,
/// `ssl-max-ver` and `no-*` as 2.6 resolves them (manual 5.1): the bounds
/// win over `no-*` (which are then ignored, with a warning); without a
/// minimum the default is TLSv1.2, unless the maximum is lower (then
/// TLSv1.0, with a warning).
public struct TLSVersionPolicy: Equatable, Sendable {
    public var minimum: TLSVersion
    public var maximum: TLSVersion
    /// Versions inside the bounds that are turned off (`no-tlsv11`).
    public var disabled: Set<TLSVersion>
    /// `no-*` were given along with a bound and are ignored.
    public var ignoredDisabled = false
    /// The maximum is below the default minimum and no minimum was given.
    public var loweredMinimum = false

    /// nil when no version is left.
    public static func resolve(_ range: TLSVersionRange) -> TLSVersionPolicy? {
        var ignored = false
        var lowered = false
        var disabled = range.disabled
        if (range.minimum != nil || range.maximum != nil) && !disabled.isEmpty {
            ignored = true
            disabled = []
        }
        let maximum = range.maximum ?? TLSVersion.allCases.last(where: { !disabled.contains($0) }) ?? .tlsv13
        var minimum: TLSVersion
        if let m = range.minimum {
            minimum = m
        } else if maximum < TLSVersion.defaultMinimum {
            minimum = .tlsv10
            lowered = true
        } else {
            minimum = TLSVersion.defaultMinimum
        }
        while disabled.contains(minimum) && minimum < maximum { minimum = TLSVersion(rawValue: minimum.rawValue + 1)! }
        guard minimum <= maximum, !(minimum == maximum && disabled.contains(minimum)) else { return nil }
        return TLSVersionPolicy(
            minimum: minimum, maximum: maximum, disabled: disabled.filter { $0 > minimum && $0 < maximum },
            ignoredDisabled: ignored, loweredMinimum: lowered)
    }
}

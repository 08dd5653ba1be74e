import HAProxyTables

extension StickKey {
    /// The key of `sample` in a table of `type`, cast as 2.6 casts a
    /// sample to a table's key type; nil when it cannot be.
    public init?(_ sample: Sample, for type: StickKeyType) {
        switch type {
        case .ip:
            guard case .ipv4(let a)? = sample.cast(to: .ipv4) else { return nil }
            self = .ipv4(a.value)
        case .ipv6:
            guard case .ipv6(let a)? = sample.cast(to: .ipv6) else { return nil }
            self = .ipv6(high: a.high, low: a.low)
        case .integer:
            guard let v = sample.intValue else { return nil }
            self = .integer(Int32(truncatingIfNeeded: v))
        case .string(let length):
            guard let bytes = sample.stringBytes else { return nil }
            self = .string(bytes, length: length)
        case .binary(let length):
            guard case .binary(let bytes)? = sample.cast(to: .binary) else { return nil }
            self = .binary(bytes, length: length)
        }
    }
}

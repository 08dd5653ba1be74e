/// One sample's value as HAProxy 2.6's exporter prints it.
enum PrometheusValue {
    /// A count or a gauge, printed in decimal.
    case int(Int)
    case uint(UInt64)
    /// A duration kept in milliseconds, printed in seconds with six
    /// decimals (`0.250000`), as the exporter prints its `*_seconds` times.
    case milliseconds(Int)
    /// What the exporter prints for a field the object has no value for
    /// (a server's `maxconn` when none is set, a check counter without
    /// checks).
    case nan

    /// A `StatField` of `show info` as a number; text fields have none.
    init(_ field: StatField.Value) {
        switch field {
        case .u32(let v), .s32(let v): self = .int(v)
        case .u64(let v): self = .uint(v)
        case .str: self = .nan
        }
    }
}

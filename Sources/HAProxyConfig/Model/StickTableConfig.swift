import HAProxyTables

/// A proxy's `stick-table` line and where it was written.
public struct StickTableConfig: Sendable {
    public var definition: StickTableDefinition
    public var location: SourceLocation
}

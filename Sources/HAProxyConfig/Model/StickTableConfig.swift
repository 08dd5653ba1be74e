import HAProxyTables

/// A proxy's `stick-table` line (or a `table` line of a `peers` section)
/// and where it was written.
public struct StickTableConfig: Sendable {
    public var definition: StickTableDefinition
    public var location: SourceLocation
    /// `peers <section>`: the `peers` section the table is shared with.
    public var peers: String?

    public init(definition: StickTableDefinition, location: SourceLocation, peers: String? = nil) {
        self.definition = definition
        self.location = location
        self.peers = peers
    }
}

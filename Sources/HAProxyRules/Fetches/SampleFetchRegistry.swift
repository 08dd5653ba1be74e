/// The sample fetch keywords by name, built from each family's table
/// (internal states, layer 4, layer 7, payload); expressions look their
/// fetch up here when they are parsed, never when they run. Other parts
/// (stick tables, TLS) add theirs with `register` at start-up.
public enum SampleFetchRegistry {
    private static let table = KeywordTable<SampleFetchKeyword>([
        InternalStateFetches.keywords, ConnectionFetches.keywords,
        HTTPRequestFetches.keywords, HTTPResponseFetches.keywords, PayloadFetches.keywords,
        AuthenticationFetches.keywords, TLSFetches.keywords, StickCounterFetches.keywords,
        LocalAddressFetches.keywords,
    ], name: \.name)

    public static func keyword(named name: String) -> SampleFetchKeyword? { table[name] }

    /// Every fetch name, sorted (for suggestions and documentation).
    public static var names: [String] { table.names }

    /// Adds (or replaces) fetches.
    public static func register(_ keywords: [SampleFetchKeyword]) { table.register(keywords, name: \.name) }
}

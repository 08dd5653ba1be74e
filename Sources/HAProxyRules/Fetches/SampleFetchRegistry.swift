/// The sample fetch keywords by name, built once from each family's table
/// (internal states, layer 4, layer 7, payload); expressions look their
/// fetch up here when they are parsed, never when they run.
public enum SampleFetchRegistry {
    public static let keywords: [String: SampleFetchKeyword] = {
        var table: [String: SampleFetchKeyword] = [:]
        for family in [
            InternalStateFetches.keywords, ConnectionFetches.keywords,
            HTTPRequestFetches.keywords, HTTPResponseFetches.keywords, PayloadFetches.keywords,
        ] {
            for keyword in family { table[keyword.name] = keyword }
        }
        return table
    }()

    public static func keyword(named name: String) -> SampleFetchKeyword? { keywords[name] }
}

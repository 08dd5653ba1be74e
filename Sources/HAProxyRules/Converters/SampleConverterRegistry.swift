/// The converter keywords by name, built once from each family's table.
public enum SampleConverterRegistry {
    public static let keywords: [String: SampleConverterKeyword] = {
        var table: [String: SampleConverterKeyword] = [:]
        for family in [
            StringConverters.keywords, ArithmeticConverters.keywords, EncodingConverters.keywords,
            HashConverters.keywords, AddressConverters.keywords, TimeConverters.keywords,
            VariableConverters.keywords,
        ] {
            for keyword in family { table[keyword.name] = keyword }
        }
        return table
    }()

    public static func keyword(named name: String) -> SampleConverterKeyword? { keywords[name] }
}

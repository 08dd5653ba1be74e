/// The converter keywords by name, built from each family's table; other
/// parts of the rules (maps, stick tables) add theirs with `register`
/// at start-up, before any configuration is parsed.
public enum SampleConverterRegistry {
    private static let table = KeywordTable<SampleConverterKeyword>([
        StringConverters.keywords, ArithmeticConverters.keywords, EncodingConverters.keywords,
        HashConverters.keywords, AddressConverters.keywords, TimeConverters.keywords,
        VariableConverters.keywords, PatternConverters.keywords, StickTableConverters.keywords,
    ], name: \.name)

    /// 2.6 converters this build refuses by name, with the reason shown
    /// in the error: `converter 'aes_gcm_dec' is not supported by this
    /// build (it needs OpenSSL)`. (The OpenSSL digests register from
    /// HAProxyTLS.)
    public static let unsupported: [String: String] = {
        var list: [String: String] = [:]
        for name in ["aes_gcm_dec", "jwt_verify"] { list[name] = "it needs OpenSSL" }
        for name in ["jwt_header_query", "jwt_payload_query", "json_query", "protobuf", "ungrpc", "mqtt_field_value",
                     "mqtt_is_valid", "fix_is_valid", "fix_tag_value", "debug", "capture-req", "capture-res", "srv_queue",
                     "51d.single", "da-csv-conv", "language"]
        {
            list[name] = "it is not implemented"
        }
        return list
    }()

    public static func keyword(named name: String) -> SampleConverterKeyword? { table[name] }

    /// Every converter name, sorted.
    public static var names: [String] { table.names }

    /// Adds (or replaces) converters, e.g. the map and table ones.
    public static func register(_ keywords: [SampleConverterKeyword]) { table.register(keywords, name: \.name) }
}

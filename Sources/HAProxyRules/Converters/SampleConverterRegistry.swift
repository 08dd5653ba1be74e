#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The converter keywords by name, built from each family's table; other
/// parts of the rules (maps, stick tables) add theirs with `register`
/// at start-up, before any configuration is parsed.
public enum SampleConverterRegistry {
    private nonisolated(unsafe) static var table: [String: SampleConverterKeyword] = {
        var table: [String: SampleConverterKeyword] = [:]
        for family in [
            StringConverters.keywords, ArithmeticConverters.keywords, EncodingConverters.keywords,
            HashConverters.keywords, AddressConverters.keywords, TimeConverters.keywords,
            VariableConverters.keywords, PatternConverters.keywords,
        ] {
            for keyword in family { table[keyword.name] = keyword }
        }
        return table
    }()
    private static let lock: UnsafeMutablePointer<pthread_rwlock_t> = {
        let lock = UnsafeMutablePointer<pthread_rwlock_t>.allocate(capacity: 1)
        pthread_rwlock_init(lock, nil)
        return lock
    }()

    /// 2.6 converters this build refuses by name, with the reason shown
    /// in the error: `converter 'sha1' is not supported by this build
    /// (it needs OpenSSL)`.
    public static let unsupported: [String: String] = {
        var list: [String: String] = [:]
        for name in ["digest", "hmac", "sha1", "sha2", "aes_gcm_dec", "jwt_verify"] { list[name] = "it needs OpenSSL" }
        for name in ["jwt_header_query", "jwt_payload_query", "json_query", "protobuf", "ungrpc", "mqtt_field_value",
                     "mqtt_is_valid", "fix_is_valid", "fix_tag_value", "debug", "capture-req", "capture-res", "srv_queue",
                     "51d.single", "da-csv-conv", "language"]
        {
            list[name] = "it is not implemented"
        }
        for name in ["in_table"] { list[name] = "stick tables are not implemented yet" }
        for name in ["map_regm", "map_regm_str", "map_regm_int", "map_regm_ip"] {
            list[name] = "back-references in map values are not implemented"
        }
        return list
    }()

    public static func keyword(named name: String) -> SampleConverterKeyword? {
        pthread_rwlock_rdlock(lock)
        defer { pthread_rwlock_unlock(lock) }
        return table[name]
    }

    /// Every converter name, sorted.
    public static var names: [String] {
        pthread_rwlock_rdlock(lock)
        defer { pthread_rwlock_unlock(lock) }
        return table.keys.sorted()
    }

    /// Adds (or replaces) converters, e.g. the map and table ones.
    public static func register(_ keywords: [SampleConverterKeyword]) {
        pthread_rwlock_wrlock(lock)
        defer { pthread_rwlock_unlock(lock) }
        for keyword in keywords { table[keyword.name] = keyword }
    }
}

/// `compression algo|type|offload` (manual 4.2): HTTP response compression.
extension KeywordRegistry {
    static let compressionKeywords: [ConfigKeyword] = [
        ConfigKeyword("compression", .proxies, parseCompression)
    ]

    /// Each line adds to the proxy's lists; 2.6's messages, its
    /// doubled `parsing [...]` prefix for a bare `algo` included.
    static func parseCompression(_ args: [String], _ ctx: inout ParseContext) throws {
        let what = args.count > 1 ? args[1] : ""
        var config = ctx.proxy?.compression ?? CompressionConfig()
        switch what {
        case "algo":
            guard args.count > 2 else {
                throw KeywordError("parsing [\(ctx.location)] : 'compression' expects <algorithm>.")
            }
            for name in args.dropFirst(2) {
                guard let algorithm = CompressionAlgorithm(rawValue: name) else {
                    throw KeywordError("'compression' : '\(name)' is not a supported algorithm.")
                }
                config.algorithms.append(algorithm)
            }
        case "type":
            guard args.count > 2 else { throw KeywordError("'compression' expects <type>.") }
            config.types.append(contentsOf: args.dropFirst(2))
        case "offload":
            if ctx.proxy?.isDefaults ?? false {
                ctx.warning("'compression' : 'offload' ignored in 'defaults' section.")
                return
            }
            config.offload = true
        default:
            throw KeywordError("'compression' expects 'algo', 'type' or 'offload'")
        }
        ctx.withProxy { $0.compression = config }
    }
}

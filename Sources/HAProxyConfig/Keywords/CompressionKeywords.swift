/// `compression algo|type|offload` (manual 4.2): HTTP response compression.
extension KeywordRegistry {
    static let compressionKeywords: [ConfigKeyword] = [
        ConfigKeyword("compression", .proxies, parseCompression)
    ]

    /// `tune.comp.maxlevel <1..9>` (global): read as C's `atoi`, as 2.6 does.
    static let compressionGlobalKeywords: [ConfigKeyword] = [
        ConfigKeyword("tune.comp.maxlevel", .global) { args, ctx in
            try ctx.checkMaxArguments(args, 1)
            let text = args.count > 1 ? args[1] : ""
            var digits = Substring(text.drop { $0 == " " || $0 == "\t" })
            let negative = digits.first == "-"
            if digits.first == "-" || digits.first == "+" { digits = digits.dropFirst() }
            let level = Int(digits.prefix { $0.isASCII && $0.isNumber }.prefix(9)) ?? 0
            guard !negative, level >= 1, level <= 9 else {
                throw KeywordError("'tune.comp.maxlevel' expects a numeric value between 1 and 9")
            }
            ctx.config.global.tuneCompMaxLevel = level
        }
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

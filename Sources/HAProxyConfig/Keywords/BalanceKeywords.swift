/// `balance` and `hash-type` (manual section 4.2).
///
/// Parsing lives here until the load-balancing module's
/// `BalanceConfig.parseBalance`/`parseHashType` land; then these handlers
/// call those and keep only the error reporting.
extension KeywordRegistry {
    static let balanceKeywords: [ConfigKeyword] = [
        ConfigKeyword("balance", .backendSide, capability: .backend) { args, ctx in
            let algorithm = try parseBalanceArguments(Array(args.dropFirst()))
            ctx.withProxy { $0.balance.algorithm = algorithm }
        },
        ConfigKeyword("hash-type", .backendSide, capability: .backend) { args, ctx in
            var balance = ctx.proxy?.balance ?? BalanceConfig()
            try parseHashTypeArguments(Array(args.dropFirst()), into: &balance)
            ctx.withProxy { $0.balance = balance }
        },
    ]

    private static func parseBalanceArguments(_ args: [String]) throws -> BalanceAlgorithm {
        guard let name = args.first else {
            throw KeywordError("'balance' expects an argument.")
        }
        switch name {
        case "roundrobin": return .roundRobin
        case "static-rr": return .staticRoundRobin
        case "leastconn": return .leastConn
        case "first": return .first
        case "source": return .source
        case "random":
            return .random(draws: 2)
        case _ where name.hasPrefix("random("):
            let inner = name.dropFirst("random(".count).dropLast()
            guard name.hasSuffix(")"), let n = Int(inner), n > 0 else {
                throw KeywordError("'balance random(N)' expects a positive integer as N.")
            }
            return .random(draws: n)
        case "uri":
            var whole = false
            var length: Int?
            var depth: Int?
            var pathOnly = false
            var i = 1
            while i < args.count {
                switch args[i] {
                case "whole": whole = true
                case "path-only": pathOnly = true
                case "len", "depth":
                    guard i + 1 < args.count, let v = Int(args[i + 1]), v >= 0 else {
                        throw KeywordError("'balance uri \(args[i])' expects a positive integer.")
                    }
                    if args[i] == "len" { length = v } else { depth = v }
                    i += 1
                default:
                    throw KeywordError(
                        "balance uri only accepts parameters 'len', 'depth', 'path-only', and 'whole' (got '\(args[i])')."
                    )
                }
                i += 1
            }
            return .uri(whole: whole, length: length, depth: depth, pathOnly: pathOnly)
        case "url_param":
            guard args.count > 1 else { throw KeywordError("'balance url_param' requires an URL parameter name.") }
            var checkPost: Int?
            if args.count > 2 {
                guard args[2] == "check_post" else {
                    throw KeywordError("'balance url_param' only accepts check_post modifier.")
                }
                checkPost = args.count > 3 ? ParseContext.looseInteger(args[3]) : 48
            }
            return .urlParam(name: args[1], checkPost: checkPost)
        case _ where name.hasPrefix("hdr("):
            guard name.hasSuffix(")"), name.count > 5 else {
                throw KeywordError("'balance hdr' requires an http header field name.")
            }
            let header = String(name.dropFirst(4).dropLast())
            var domainOnly = false
            if args.count > 1 {
                guard args[1] == "use_domain_only", args.count == 2 else {
                    throw KeywordError("'balance hdr()' only accepts 'use_domain_only' modifier.")
                }
                domainOnly = true
            }
            return .header(name: header, useDomainOnly: domainOnly)
        case "rdp-cookie", "hash", "log-hash", "sticky":
            throw KeywordError("'balance \(name)' is not supported by this build.")
        default:
            if name.hasPrefix("rdp-cookie(") {
                throw KeywordError("'balance rdp-cookie' is not supported by this build.")
            }
            throw KeywordError(
                "balance only supports 'roundrobin', 'static-rr', 'leastconn', 'source', 'uri', 'url_param', 'hdr(name)' and 'rdp-cookie(name)' options."
            )
        }
    }

    private static func parseHashTypeArguments(_ args: [String], into balance: inout BalanceConfig) throws {
        guard let type = args.first else {
            throw KeywordError("'hash-type' only supports 'consistent' and 'map-based'.")
        }
        switch type {
        case "map-based": balance.hashType = .mapBased
        case "consistent": balance.hashType = .consistent
        case "avalanche":
            balance.hashType = .mapBased
            balance.avalanche = true
        default: throw KeywordError("'hash-type' only supports 'consistent' and 'map-based'.")
        }
        var i = 1
        if i < args.count {
            switch args[i] {
            case "sdbm": balance.hashFunction = .sdbm
            case "djb2": balance.hashFunction = .djb2
            case "wt6": balance.hashFunction = .wt6
            case "crc32": balance.hashFunction = .crc32
            default:
                throw KeywordError("'hash-type \(type)' : unknown hash function '\(args[i])'.")
            }
            i += 1
        }
        if i < args.count {
            guard args[i] == "avalanche" else {
                throw KeywordError("'hash-type \(type) \(args[i - 1])' : unknown hash modifier '\(args[i])'.")
            }
            balance.avalanche = true
        }
    }
}

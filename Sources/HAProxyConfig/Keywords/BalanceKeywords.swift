/// `balance` and `hash-type` (manual section 4.2). The grammar and its
/// error wording live with the model (`BalanceConfig+Parsing.swift`); this
/// file only registers the keywords.
extension KeywordRegistry {
    static let balanceKeywords: [ConfigKeyword] = [
        ConfigKeyword("balance", .backendSide, capability: .backend) { args, ctx in
            switch BalanceConfig.parseBalance(Array(args.dropFirst())) {
            case .success(let algorithm): ctx.withProxy { $0.balance.algorithm = algorithm }
            case .failure(let error): throw KeywordError(error.message)
            }
        },
        ConfigKeyword("hash-type", .backendSide, capability: .backend) { args, ctx in
            switch BalanceConfig.parseHashType(Array(args.dropFirst())) {
            case .success(let settings): ctx.withProxy { $0.balance.apply(settings) }
            case .failure(let error): throw KeywordError(error.message)
            }
        },
        // 2.6 takes it in any proxy section without a warning (a frontend
        // has no servers to bound), reads it like atoi and ignores what
        // follows it.
        ConfigKeyword("hash-balance-factor", .proxies) { args, ctx in
            guard args.count > 1, !args[1].isEmpty else {
                throw KeywordError("'hash-balance-factor' expects an integer argument.")
            }
            let factor = ParseContext.looseInteger(args[1])
            guard factor == 0 || factor > 100 else {
                throw KeywordError("'hash-balance-factor' must be 0 or greater than 100.")
            }
            ctx.withProxy { $0.balance.hashBalanceFactor = factor }
        },
    ]
}

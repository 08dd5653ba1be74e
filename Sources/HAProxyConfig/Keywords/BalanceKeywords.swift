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
    ]
}

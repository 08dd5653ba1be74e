/// `load-server-state-from-file` and `server-state-file-name` (manual
/// section 4.2): which state file a backend applies to its servers at start.
extension KeywordRegistry {
    static let serverStateKeywords: [ConfigKeyword] = [
        ConfigKeyword("load-server-state-from-file", .proxies, capability: .backend) { args, ctx in
            let value = args.count > 1 ? args[1] : ""
            guard let source = ServerStateSource(rawValue: value) else {
                throw KeywordError("'\(args[0])' expects 'global', 'local' or 'none'. Got '\(value)'")
            }
            ctx.withProxy { $0.loadServerState = source }
        },
        ConfigKeyword("server-state-file-name", .proxies, capability: .backend) { args, ctx in
            if args.count > 2 {
                throw KeywordError("'\(args[0])' cannot handle unexpected argument '\(args[2])'.")
            }
            let name = args.count > 1 && args[1] != "use-backend-name" ? args[1] : nil
            ctx.withProxy { $0.serverStateFileName = name }
        },
    ]
}

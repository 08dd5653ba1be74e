import HAProxyRules

/// Server persistence (manual 4.2): `cookie`, `force-persist`,
/// `ignore-persist` and `use-server`.
extension KeywordRegistry {
    static let persistenceKeywords: [ConfigKeyword] = [
        ConfigKeyword("cookie", .backendSide, capability: .backend, parseCookie),
        ConfigKeyword("dynamic-cookie-key", .backendSide, capability: .backend) { args, ctx in
            guard args.count > 1, !args[1].isEmpty else {
                throw KeywordError("'dynamic-cookie-key' expects <secret_key> as argument.")
            }
            ctx.withProxy { $0.dynamicCookieKey = args[1] }
        },
        ConfigKeyword("force-persist", [.frontend, .backend, .listen], capability: .backend) { args, ctx in
            let condition = try persistCondition("force-persist", args, &ctx)
            ctx.withProxy { $0.forcePersist.append(condition) }
        },
        ConfigKeyword("ignore-persist", [.frontend, .backend, .listen], capability: .backend) { args, ctx in
            let condition = try persistCondition("ignore-persist", args, &ctx)
            ctx.withProxy { $0.ignorePersist.append(condition) }
        },
        ConfigKeyword("use-server", [.backend, .listen], capability: .backend) { args, ctx in
            guard args.count > 1 else { throw KeywordError("'use-server' expects a server name.") }
            let target: UseServerRule.Target
            if args[1].contains("%[") {
                do {
                    target = .format(try SampleFormat.parse(args[1]))
                } catch let e as SampleParseError {
                    throw KeywordError("use-server: \(e.message).")
                }
            } else {
                target = .name(args[1])
            }
            guard args.count > 2, args[2] == "if" || args[2] == "unless" else {
                throw KeywordError("'use-server' requires either 'if' or 'unless' followed by a condition.")
            }
            let condition = try ctx.parseRuleCondition(
                ArraySlice(args.dropFirst(2)), keyword: "'use-server'", conditionContext: "switching rule")
            ctx.withProxy { $0.useServerRules.append(UseServerRule(target: target, condition: condition)) }
        },
    ]

    static func persistCondition(_ keyword: String, _ args: [String], _ ctx: inout ParseContext) throws -> Condition {
        guard args.count > 1, args[1] == "if" || args[1] == "unless",
              let condition = try ctx.parseRuleCondition(
                ArraySlice(args.dropFirst()), keyword: "'\(keyword)'", conditionContext: "a '\(keyword)' rule")
        else {
            throw KeywordError("'\(keyword)' requires either 'if' or 'unless' followed by a condition.")
        }
        return condition
    }

    static func parseCookie(_ args: [String], _ ctx: inout ParseContext) throws {
        guard args.count > 1, !args[1].isEmpty else { throw KeywordError("'cookie' expects <cookie_name> as argument.") }
        var cookie = CookiePersistence(name: args[1])
        var mode: CookiePersistence.Mode?
        var i = 2
        while i < args.count {
            let word = args[i]
            switch word {
            case "rewrite", "insert", "prefix":
                if let mode, mode.rawValue != word {
                    throw KeywordError("cookie 'rewrite', 'insert' and 'prefix' modes are incompatible.")
                }
                mode = CookiePersistence.Mode(rawValue: word)
            case "indirect": cookie.indirect = true
            case "nocache": cookie.nocache = true
            case "postonly": cookie.postonly = true
            case "preserve": cookie.preserve = true
            case "httponly": cookie.httponly = true
            case "secure": cookie.secure = true
            case "domain", "attr":
                guard i + 1 < args.count, !args[i + 1].isEmpty else {
                    let what = word == "domain" ? "<domain>" : "<value>"
                    throw KeywordError("'\(word)' expects \(what) as argument.", form: .parsingTight)
                }
                if word == "domain" { cookie.domains.append(args[i + 1]) } else { cookie.attributes.append(args[i + 1]) }
                i += 1
            case "maxidle", "maxlife":
                let what = word == "maxidle" ? "<idletime>" : "<lifetime>"
                guard i + 1 < args.count, case .success(let v) = DurationParser.parse(args[i + 1], defaultUnitMs: 1000) else {
                    throw KeywordError("'\(word)' expects \(what) in seconds as argument.", form: .parsingTight)
                }
                if word == "maxidle" { cookie.maxIdle = v.milliseconds / 1000 } else { cookie.maxLife = v.milliseconds / 1000 }
                i += 1
            case "dynamic":
                cookie.dynamic = true
            default:
                throw KeywordError(
                    "'cookie' supports 'rewrite', 'insert', 'prefix', 'indirect', 'nocache', 'postonly', 'domain', 'maxidle', 'dynamic', 'maxlife' and 'attr' options.")
            }
            i += 1
        }
        cookie.mode = mode ?? .passive
        ctx.withProxy { $0.cookie = cookie }
    }
}

/// Keywords of the `global` section (manual section 3).
extension KeywordRegistry {
    static let globalKeywords: [ConfigKeyword] = [
        flag("daemon") { $0.daemon = true },
        ConfigKeyword("master-worker", .global) { args, ctx in
            if args.count > 1 {
                guard args[1] == "no-exit-on-failure" else {
                    throw KeywordError("'master-worker' only supports 'no-exit-on-failure' option")
                }
                throw KeywordError("'master-worker no-exit-on-failure' is not supported by this build.")
            }
            try ctx.checkMaxArguments(args, 1)
            ctx.config.global.masterWorker = true
        },
        flag("quiet") { $0.quiet = true },
        flag("nosplice") { $0.noSplice = true },
        ConfigKeyword("h1-case-adjust", .global) { args, ctx in
            guard args.count >= 3 else { throw KeywordError("'h1-case-adjust' expects <from> and <to> as argument.") }
            guard args.count == 3 else {
                throw KeywordError("'h1-case-adjust' cannot handle unexpected argument '\(args[3])'.")
            }
            try ctx.config.global.addHeaderCaseAdjust(from: args[1], to: args[2])
        },
        ConfigKeyword("h1-case-adjust-file", .global) { args, ctx in
            guard args.count >= 2, !args[1].isEmpty else {
                throw KeywordError("'h1-case-adjust-file' expects <file> as argument.")
            }
            ctx.config.global.headerCaseAdjustFile = args[1]
        },
        flag("noreuseport") { $0.noReusePort = true },
        negatableFlag("set-dumpable", \.setDumpable),
        negatableFlag("strict-limits", \.strictLimits),
        // 2.6 takes any words after it without a word of complaint.
        ConfigKeyword("expose-experimental-directives", .global) { _, ctx in
            ctx.config.global.exposeExperimentalDirectives = true
        },
        ConfigKeyword("nbproc", .global) { _, _ in
            throw KeywordError(
                "nbproc is not supported any more since HAProxy 2.5. Threads will automatically be used on multi-processor machines if available."
            )
        },
        ConfigKeyword("maxconn", .global) { args, ctx in
            ctx.config.global.maxconn = try integerArgument(args, ctx)
        },
        ConfigKeyword("maxconnrate", .global) { args, ctx in try globalRateLimit(args, &ctx, \.maxConnRate) },
        ConfigKeyword("maxsessrate", .global) { args, ctx in try globalRateLimit(args, &ctx, \.maxSessRate) },
        ConfigKeyword("ulimit-n", .global) { args, ctx in
            ctx.config.global.ulimitN = try integerArgument(args, ctx)
        },
        ConfigKeyword("tune.bufsize", .global) { args, ctx in
            ctx.config.global.tuneBufsize = try integerArgument(args, ctx)
        },
        ConfigKeyword("tune.maxrewrite", .global) { args, ctx in
            ctx.config.global.tuneMaxrewrite = try integerArgument(args, ctx)
        },
        ConfigKeyword("nbthread", .global) { args, ctx in
            try ctx.checkMaxArguments(args, 1)
            let text = args.count > 1 ? args[1] : ""
            guard let n = Int(text) else {
                throw KeywordError("'nbthread' passed a missing or unparsable integer value in '\(text)'")
            }
            guard (1...64).contains(n) else { throw KeywordError("'nbthread' value must be between 1 and 64 (was \(n))") }
            ctx.config.global.nbthread = n
        },
        ConfigKeyword("pidfile", .global) { args, ctx in
            if ctx.config.global.pidfile != nil {
                ctx.diagnostics.alert(
                    "parsing [\(ctx.location)] : 'pidfile' already specified. Continuing.", at: ctx.location,
                    fatal: false)
                return
            }
            try ctx.checkMaxArguments(args, 1)
            guard args.count > 1 else { throw KeywordError("'pidfile' expects a file name as an argument.") }
            ctx.config.global.pidfile = args[1]
        },
        ConfigKeyword("chroot", .global) { args, ctx in
            try ctx.checkMaxArguments(args, 1)
            guard args.count > 1 else { throw KeywordError("'chroot' expects a directory as an argument.") }
            if ctx.config.global.chroot != nil {
                ctx.diagnostics.alert(
                    "parsing [\(ctx.location)] : 'chroot' already specified. Continuing.", at: ctx.location,
                    fatal: false)
                return
            }
            ctx.config.global.chroot = args[1]
        },
        // User and group names are resolved when the runtime is built (which
        // `-c` does too), so the parser itself works on hosts lacking them.
        ConfigKeyword("user", .global) { args, ctx in
            try ctx.checkMaxArguments(args, 1)
            guard args.count > 1, !args[1].isEmpty else { throw KeywordError("cannot find user id for '' (0:Success)") }
            ctx.config.global.user = args[1]
            ctx.config.global.userLocation = ctx.location
        },
        ConfigKeyword("group", .global) { args, ctx in
            try ctx.checkMaxArguments(args, 1)
            guard args.count > 1, !args[1].isEmpty else { throw KeywordError("cannot find group id for '' (0:Success)") }
            ctx.config.global.group = args[1]
            ctx.config.global.groupLocation = ctx.location
        },
        ConfigKeyword("uid", .global) { args, ctx in
            try ctx.checkMaxArguments(args, 1)
            let text = args.count > 1 ? args[1] : ""
            guard let v = UInt32(text) else {
                ctx.warning(
                    " uid: string '\(text)' is not a number.\n   | You might want to use the 'user' parameter to use a system user name."
                )
                return
            }
            ctx.config.global.uid = v
        },
        ConfigKeyword("gid", .global) { args, ctx in
            try ctx.checkMaxArguments(args, 1)
            let text = args.count > 1 ? args[1] : ""
            guard let v = UInt32(text) else {
                ctx.warning(
                    " gid: string '\(text)' is not a number.\n   | You might want to use the 'group' parameter to use a system group name."
                )
                return
            }
            ctx.config.global.gid = v
        },
        ConfigKeyword("hard-stop-after", .global) { args, ctx in
            ctx.config.global.hardStopAfterMs = try globalTime(args, &ctx)
        },
        ConfigKeyword("grace", .global) { args, ctx in
            ctx.config.global.graceMs = try globalTime(args, &ctx)
        },
        ConfigKeyword("node", .global) { args, ctx in
            try ctx.checkMaxArguments(args, 1)
            let name = args.count > 1 ? args[1] : ""
            guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) })
            else {
                throw KeywordError(
                    "'node' requires valid node name - non-empty string with digits(0-9), letters(A-Z, a-z), dot(.), hyphen(-) or underscode(_).",
                    form: .parsingTight)
            }
            ctx.config.global.node = name
        },
        ConfigKeyword("description", .global) { args, ctx in
            guard args.count > 1, !args[1].isEmpty else {
                throw KeywordError("'description' expects a string argument.", form: .parsingTight)
            }
            ctx.config.global.description = args.dropFirst().joined(separator: " ")
        },
        ConfigKeyword("server-state-file", .global) { args, ctx in
            guard args.count == 2 else { throw KeywordError("'server-state-file' expect one argument: a file path.") }
            ctx.config.global.serverStateFile = args[1]
        },
        ConfigKeyword("server-state-base", .global) { args, ctx in
            guard args.count == 2 else {
                throw KeywordError("'server-state-base' expects one argument: a directory path.")
            }
            ctx.config.global.serverStateBase = args[1]
        },
        ConfigKeyword("spread-checks", .global) { args, ctx in
            try ctx.checkMaxArguments(args, 1)
            let v = ParseContext.looseInteger(args.count > 1 ? args[1] : "")
            guard (0...50).contains(v) else {
                throw KeywordError("'spread-checks' needs a positive value in range 0..50.", form: .parsingTight)
            }
            ctx.config.global.spreadChecks = v
        },
        basePath("ca-base", \.caBase),
        basePath("crt-base", \.crtBase),
        ConfigKeyword("stats", .global, StatsSocketParser.parseGlobalStats),
        ConfigKeyword("setenv", .global) { args, ctx in try setEnvironment(args, &ctx, overwrite: true) },
        ConfigKeyword("presetenv", .global) { args, ctx in try setEnvironment(args, &ctx, overwrite: false) },
        ConfigKeyword("unsetenv", .global) { args, ctx in
            guard args.count > 1 else {
                throw KeywordError("'unsetenv' expects at least one variable name.", form: .parsingTight)
            }
            for name in args.dropFirst() { ctx.environment[name] = nil }
            ctx.config.global.environment = ctx.environment
        },
        ConfigKeyword("resetenv", .global) { args, ctx in
            let keep = Set(args.dropFirst())
            ctx.environment = ctx.environment.filter { keep.contains($0.key) }
            ctx.config.global.environment = ctx.environment
        },
    ]

    private static func flag(_ name: String, _ set: @escaping (inout GlobalConfig) -> Void) -> ConfigKeyword {
        ConfigKeyword(name, .global) { args, ctx in
            try ctx.checkMaxArguments(args, 0)
            set(&ctx.config.global)
        }
    }

    /// A flag that `no KW` clears (2.6 allows `no` on a few global keywords).
    private static func negatableFlag(_ name: String, _ path: WritableKeyPath<GlobalConfig, Bool>) -> ConfigKeyword {
        ConfigKeyword(name, .global) { args, ctx in
            try ctx.checkMaxArguments(args, 0)
            ctx.config.global[keyPath: path] = !ctx.negated
        }
    }

    private static func basePath(_ name: String, _ path: WritableKeyPath<GlobalConfig, String?>) -> ConfigKeyword {
        ConfigKeyword(name, .global) { args, ctx in
            try ctx.checkMaxArguments(args, 1)
            if ctx.config.global[keyPath: path] != nil { throw KeywordError("'\(name)' already specified.") }
            guard args.count > 1 else { throw KeywordError("'\(name)' expects a directory path as an argument.") }
            ctx.config.global[keyPath: path] = args[1]
        }
    }

    /// `KW N`: an integer read like `atol` (HAProxy does not reject `10x`).
    static func integerArgument(_ args: [String], _ ctx: ParseContext) throws -> Int {
        try ctx.checkMaxArguments(args, 1)
        guard args.count > 1, !args[1].isEmpty else { throw KeywordError("'\(args[0])' expects an integer argument.") }
        return ParseContext.looseInteger(args[1])
    }

    /// `maxconnrate N` / `maxsessrate N`: read like `atol` into HAProxy's
    /// unsigned limit; a second non-zero setting is refused without failing.
    private static func globalRateLimit(
        _ args: [String], _ ctx: inout ParseContext, _ path: WritableKeyPath<GlobalConfig, UInt32>
    ) throws {
        try ctx.checkMaxArguments(args, 1)
        if ctx.config.global[keyPath: path] != 0 {
            ctx.diagnostics.alert(
                "parsing [\(ctx.location)] : '\(args[0])' already specified. Continuing.", at: ctx.location,
                fatal: false)
            return
        }
        guard args.count > 1, !args[1].isEmpty else { throw KeywordError("'\(args[0])' expects an integer argument.") }
        ctx.config.global[keyPath: path] = UInt32(truncatingIfNeeded: ParseContext.looseInteger(args[1]))
    }

    /// `hard-stop-after`/`grace`: a time with HAProxy's global-section wording.
    private static func globalTime(_ args: [String], _ ctx: inout ParseContext) throws -> Int {
        guard args.count > 1, !args[1].isEmpty else {
            throw KeywordError("'\(args[0])' expects <time> as argument.\n")
        }
        switch DurationParser.parse(args[1]) {
        case .success(let v): return v.milliseconds
        case .failure(.unexpectedCharacter(let c)):
            throw KeywordError("unexpected character '\(c)' in argument to <\(args[0])>.\n")
        case .failure:
            throw KeywordError(
                "timer overflow in argument <\(args[1])> to <\(args[0])> (maximum value is 2147483647 ms or ~24.8 days)."
            )
        }
    }

    private static func setEnvironment(_ args: [String], _ ctx: inout ParseContext, overwrite: Bool) throws {
        guard args.count == 3 else {
            throw KeywordError("'\(args[0])' expects a name and a value.", form: .parsingTight)
        }
        if overwrite || ctx.environment[args[1]] == nil { ctx.environment[args[1]] = args[2] }
        ctx.config.global.environment = ctx.environment
    }
}

/// `log`, `log-tag`, `log-send-hostname`, `log-format`, `log-format-sd`,
/// `error-log-format` (manual sections 3.1 and 4.2).
extension KeywordRegistry {
    static let globalLogKeywords: [ConfigKeyword] = [
        ConfigKeyword("log", .global) { args, ctx in
            if ctx.negated {
                ctx.config.global.logs = []
                return
            }
            let target = try parseLogTarget(args, ctx.location, environment: ctx.environment)
            ctx.config.global.logs.append(target)
        },
        ConfigKeyword("log-tag", .global) { args, ctx in
            guard args.count > 1, !args[1].isEmpty else {
                throw KeywordError("'log-tag' expects a tag for use in syslog.")
            }
            try ctx.checkMaxArguments(args, 1)
            ctx.config.global.logTag = args[1]
        },
        ConfigKeyword("log-send-hostname", .global) { args, ctx in
            ctx.config.global.logSendHostname = .some(args.count > 1 ? args[1] : nil)
        },
    ]

    static let proxyLogKeywords: [ConfigKeyword] = [
        ConfigKeyword("log", .proxies) { args, ctx in
            if ctx.negated {
                try ctx.checkMaxArguments(args, 0, keyword: "no log")
                ctx.withProxy {
                    $0.logs = []
                    $0.noLog = true
                }
                return
            }
            if args.count > 1 && args[1] == "global" {
                try ctx.checkMaxArguments(args, 1, keyword: "log global")
                var target = LogTargetConfig(location: ctx.location)
                target.isGlobal = true
                target.target = "global"
                ctx.withProxy {
                    $0.logs.append(target)
                    $0.noLog = false
                }
                return
            }
            let target = try parseLogTarget(args, ctx.location, environment: ctx.environment)
            ctx.withProxy {
                $0.logs.append(target)
                $0.noLog = false
            }
        },
        ConfigKeyword("log-tag", .proxies) { args, ctx in
            guard args.count > 1, !args[1].isEmpty else {
                throw KeywordError("'log-tag' expects a tag for use in syslog.")
            }
            try ctx.checkMaxArguments(args, 1)
            ctx.withProxy { $0.logTag = args[1] }
        },
        ConfigKeyword("unique-id-format", .proxies) { args, ctx in
            guard args.count > 1 else { throw KeywordError("unique-id-format expects an argument.") }
            guard args.count == 2 else {
                throw KeywordError("unique-id-format expects only one argument, don't forget to escape spaces!")
            }
            let location = ctx.location
            ctx.withProxy {
                $0.uniqueIDFormat = args[1]
                $0.uniqueIDFormatLocation = location
            }
        },
        // 2.6 takes the first word and lets the others be.
        ConfigKeyword("unique-id-header", .proxies) { args, ctx in
            guard args.count > 1 else { throw KeywordError("unique-id-header expects an argument.") }
            ctx.withProxy { $0.uniqueIDHeader = args[1] }
        },
        logFormat("log-format", \.logFormat),
        logFormat("log-format-sd", \.logFormatSD),
        logFormat("error-log-format", \.errorLogFormat),
    ]

    static let logFacilities = [
        "kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron", "auth2", "ftp", "ntp",
        "audit", "alert", "cron2", "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7",
    ]
    static let logLevels = ["emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"]
    static let logFormats = ["local", "rfc3164", "rfc5424", "priority", "short", "timed", "iso", "raw"]

    /// `log TARGET [len N] [format F] [sample R:S] FACILITY [LEVEL [MINLEVEL]]`,
    /// and for `file@PATH` also `[rotate size S] [keep N] [compress lz4]`
    /// before or after the facility.
    /// Words after the facility and levels are refused, except for our
    /// `file@` targets which keep them in `extra` (e.g. rotation settings).
    static func parseLogTarget(
        _ args: [String], _ location: SourceLocation, environment: [String: String]
    ) throws -> LogTargetConfig {
        guard args.count >= 3 else { throw KeywordError("log : expects <address> and <facility>  as arguments") }
        var log = LogTargetConfig(location: location)
        let target = AddressParser.expandEnvironment(args[1], environment)
        log.target = target
        if let at = target.firstIndex(of: "@") {
            let prefix = String(target[..<at])
            guard ["udp", "udp4", "udp6", "unix", "fd", "file", "ipv4", "ipv6", "stdout", "stderr"].contains(prefix)
            else {
                if ["ring", "tcp", "tcp4", "tcp6"].contains(prefix) {
                    throw KeywordError("log : '\(prefix)@' targets are not supported by this build.")
                }
                throw KeywordError("log : invalid address: '\(target)'")
            }
        }
        var i = 2
        while i < args.count {
            switch args[i] {
            case "len":
                guard i + 1 < args.count, let n = Int(args[i + 1]), (80...65535).contains(n) else {
                    throw KeywordError(
                        "log : invalid log length '\(i + 1 < args.count ? args[i + 1] : "")', must be between 80 and 65535")
                }
                log.length = n
                i += 2
                continue
            case "format":
                guard i + 1 < args.count, logFormats.contains(args[i + 1]) else {
                    throw KeywordError("log : unknown log format '\(i + 1 < args.count ? args[i + 1] : "")'")
                }
                log.format = args[i + 1]
                i += 2
                continue
            case "sample":
                guard i + 1 < args.count, args[i + 1].contains(":") else {
                    throw KeywordError("log : missing sampling ratio in '\(i + 1 < args.count ? args[i + 1] : "")'")
                }
                log.sample = args[i + 1]
                i += 2
                continue
            case "rotate", "keep", "compress" where target.hasPrefix("file@"):
                // Our file@ options may come before the facility too:
                // `rotate size SIZE`, `keep N`, `compress lz4`.
                let width = args[i] == "rotate" ? 3 : 2
                guard i + width <= args.count else {
                    throw KeywordError("log : missing argument after '\(args[i])'")
                }
                log.extra += args[i..<(i + width)]
                i += width
                continue
            default:
                break
            }
            break
        }
        guard i < args.count else { throw KeywordError("log : expects <address> and <facility>  as arguments") }
        guard logFacilities.contains(args[i]) else { throw KeywordError("log : unknown log facility '\(args[i])'") }
        log.facility = args[i]
        i += 1
        // Optional maximum, then minimum level.
        let levels: [(WritableKeyPath<LogTargetConfig, String?>, String)] = [
            (\.maxLevel, "log level"), (\.minLevel, "minimum log level"),
        ]
        for (field, what) in levels where i < args.count {
            guard logLevels.contains(args[i]) else {
                if target.hasPrefix("file@") {
                    log.extra += args[i...]
                    return log
                }
                throw KeywordError("log : unknown optional \(what) '\(args[i])'")
            }
            log[keyPath: field] = args[i]
            i += 1
        }
        if i < args.count {
            guard target.hasPrefix("file@") else {
                throw KeywordError("log : cannot handle unexpected argument '\(args[i])'")
            }
            log.extra += args[i...]
        }
        return log
    }

    private static func logFormat(_ name: String, _ path: WritableKeyPath<ProxyConfig, String?>) -> ConfigKeyword {
        ConfigKeyword(name, .proxies) { args, ctx in
            guard args.count > 1 else { throw KeywordError("\(name) expects an argument.") }
            guard args.count == 2 else {
                throw KeywordError("\(name) expects only one argument, don't forget to escape spaces!")
            }
            let location = ctx.location
            ctx.withProxy {
                $0[keyPath: path] = args[1]
                if name == "log-format" { $0.logFormatLocation = location }
            }
        }
    }
}

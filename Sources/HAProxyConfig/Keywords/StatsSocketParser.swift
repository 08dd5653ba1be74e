/// `stats socket|timeout|maxconn` in the global section (manual 3.1):
/// `stats socket ADDR [mode M] [uid U] [gid G] [user U] [group G]
/// [level user|operator|admin] [expose-fd listeners] [maxconn N]`.
enum StatsSocketParser {
    static func parseGlobalStats(_ args: [String], _ ctx: inout ParseContext) throws {
        let sub = args.count > 1 ? args[1] : ""
        switch sub {
        case "socket":
            try parseSocket(args, &ctx)
        case "timeout":
            let text = args.count > 2 ? args[2] : ""
            switch DurationParser.parse(text) {
            case .success(let v) where v.milliseconds > 0: ctx.config.global.statsTimeoutMs = v.milliseconds
            case .success: throw KeywordError("'stats timeout' expects a positive value")
            case .failure(.unexpectedCharacter(let c)): throw KeywordError("'stats timeout' : unexpected character '\(c)'")
            case .failure(.empty): throw KeywordError("'stats timeout' : unexpected character ''")
            case .failure(.overflow):
                throw KeywordError(
                    "timer overflow in argument '\(text)' to 'stats timeout' (maximum value is 2147483647 ms or ~24.8 days)")
            }
        case "maxconn":
            let v = ParseContext.looseInteger(args.count > 2 ? args[2] : "")
            guard v > 0 else { throw KeywordError("'stats maxconn' expects a positive value") }
            ctx.config.global.statsMaxconn = v
        case "bind-process":
            try checkBindProcess(args.dropFirst(2))
        default:
            throw KeywordError("'stats' only supports 'socket', 'maxconn', 'bind-process' and 'timeout' (got '\(sub)')")
        }
    }

    /// `stats bind-process all | odd | even | <n>[-[<m>]] ...` (manual
    /// 3.1, deprecated in 2.6): this build runs a single process, process
    /// 1, which the socket is always bound to; 2.6 with one process
    /// accepts the values that name it and refuses the others with these
    /// messages (recorded against 2.6.12). Nothing to store.
    static func checkBindProcess(_ values: ArraySlice<String>) throws {
        for value in values where value != "all" && value != "odd" && value != "even" {
            guard let (low, high) = processRange(value) else {
                throw KeywordError("'stats bind-process' : '\(value)' is not a valid number/range.")
            }
            guard low >= 1, low <= high, high <= 1 else {
                throw KeywordError(
                    "'stats bind-process' : '\(value)' is not a valid number/range. It supports numbers from 1 to 1.\n")
            }
        }
    }

    /// `<n>`, `<n>-<m>`, `<n>-` (to the last process, 1 here), `-<m>` (from
    /// 0); nil when `value` is not made of digits around at most one dash.
    private static func processRange(_ value: String) -> (Int, Int)? {
        let parts = value.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        let digits = { (text: Substring) in text.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") } }
        guard parts.allSatisfy(digits) else { return nil }
        let low = parts[0].isEmpty ? 0 : Int(parts[0]) ?? Int.max
        guard parts.count == 2 else { return (low, low) }
        return (low, parts[1].isEmpty ? 1 : Int(parts[1]) ?? Int.max)
    }

    private static func parseSocket(_ args: [String], _ ctx: inout ParseContext) throws {
        guard args.count > 2 else {
            throw KeywordError("'stats socket' in global section expects an address or a path to a UNIX socket")
        }
        let addresses: [ListenAddress]
        do {
            addresses = try AddressParser.listen(args[2], environment: ctx.environment)
        } catch let error as KeywordError {
            throw KeywordError("'stats socket' : \(error.message)")
        }
        var socket = StatsSocketConfig(address: addresses[0], location: ctx.location)
        var i = 3
        func value(_ name: String) throws -> String {
            guard i + 1 < args.count else {
                if name == "mode" {
                    throw KeywordError("'stats socket' : ''mode' : missing or invalid mode '' (octal integer expected)'")
                }
                throw KeywordError("'stats socket' : ''\(name)' : missing value'")
            }
            i += 1
            return args[i]
        }
        while i < args.count {
            let option = args[i]
            switch option {
            case "mode":
                let v = try value(option)
                guard let m = UInt32(v, radix: 8) else {
                    throw KeywordError(
                        "'stats socket' : ''mode' : missing or invalid mode '\(v)' (octal integer expected)'")
                }
                socket.unixMode = m
            case "uid", "user": socket.unixUser = try value(option)
            case "gid", "group": socket.unixGroup = try value(option)
            case "level":
                let v = try value(option)
                guard let level = StatsSocketConfig.Level(rawValue: v) else {
                    throw KeywordError(
                        "'stats socket' : ''level' only supports 'user', 'operator', and 'admin' (got '\(v)')'")
                }
                socket.level = level
            case "expose-fd":
                let v = try value(option)
                guard v == "listeners" else {
                    throw KeywordError("'stats socket' : ''expose-fd' only supports 'listeners' (got '\(v)')'")
                }
                socket.exposeFdListeners = true
            case "maxconn":
                socket.maxconn = ParseContext.looseInteger(try value(option))
            case "process", "thread":
                throw KeywordError("'stats socket' : '\(option)' option is not supported by this build.")
            default:
                if BindKeywordSupport.knownUnsupported.contains(option) || HAProxy26Keywords.bindOptions.contains(option) {
                    throw KeywordError("'stats socket' : '\(option)' option is not supported by this build.")
                }
                var message = "'stats socket' : unknown keyword '\(option)'."
                if let best = KeywordSuggestion.bestMatch(
                    for: option, among: Array(KeywordRegistry.shared.bind.keys) + BindKeywordSupport.knownUnsupported)
                {
                    message += " Did you mean '\(best)' maybe ?"
                }
                throw KeywordError(message)
            }
            i += 1
        }
        for address in addresses {
            var s = socket
            s.address = address
            ctx.config.global.statsSockets.append(s)
        }
    }
}

/// `clitcpka-cnt`, `clitcpka-idle`, `clitcpka-intvl` and their `srvtcpka-`
/// counterparts (manual 4.2): the keep-alive probes' count, idle time and
/// interval on one side, in seconds unless a unit is given.
extension KeywordRegistry {
    static let tcpKeepAliveKeywords: [ConfigKeyword] = [
        count("clitcpka-cnt", \.clientKeepAliveTimers, side: .frontend),
        time("clitcpka-idle", \.clientKeepAliveTimers.idleMs, side: .frontend),
        time("clitcpka-intvl", \.clientKeepAliveTimers.intervalMs, side: .frontend),
        count("srvtcpka-cnt", \.serverKeepAliveTimers, side: .backend),
        time("srvtcpka-idle", \.serverKeepAliveTimers.idleMs, side: .backend),
        time("srvtcpka-intvl", \.serverKeepAliveTimers.intervalMs, side: .backend),
    ]

    /// 2.6 checks the side itself, with its own wording (no quotes, no
    /// final dot) rather than the usual "'X' ignored because ...".
    static func onSide(
        _ name: String, _ side: ProxyCapabilities, _ ctx: inout ParseContext
    ) -> Bool {
        guard let proxy = ctx.proxy, !proxy.isDefaults, !proxy.capabilities.contains(side) else { return true }
        let missing = side == .frontend ? "frontend" : "backend"
        ctx.warning("\(name) will be ignored because \(proxy.sectionName) '\(proxy.name)' has no \(missing) capability")
        return false
    }

    private static func count(
        _ name: String, _ timers: WritableKeyPath<ProxyConfig, TCPKeepAliveTimers>, side: ProxyCapabilities
    ) -> ConfigKeyword {
        ConfigKeyword(name, .proxies) { args, ctx in
            guard onSide(name, side, &ctx) else { return }
            guard args.count > 1, !args[1].isEmpty else { throw KeywordError("'\(name)' expects an integer value") }
            if let bad = args[1].first(where: { !("0"..."9").contains($0) }) {
                throw KeywordError("'\(name)' : unexpected character '\(bad)' in integer value '\(args[1])'")
            }
            let value = Int(args[1]) ?? Int(Int32.max)
            ctx.withProxy { $0[keyPath: timers].count = value }
        }
    }

    private static func time(
        _ name: String, _ path: WritableKeyPath<ProxyConfig, Int?>, side: ProxyCapabilities
    ) -> ConfigKeyword {
        ConfigKeyword(name, .proxies) { args, ctx in
            guard onSide(name, side, &ctx) else { return }
            guard args.count > 1, !args[1].isEmpty else { throw KeywordError("'\(name)' expects an integer value") }
            switch DurationParser.parse(args[1], defaultUnitMs: 1000) {
            case .success(let value):
                ctx.withProxy { $0[keyPath: path] = value.milliseconds }
            case .failure(.unexpectedCharacter(let c)):
                throw KeywordError("unexpected character '\(c)' in argument to <\(name)>.\n")
            case .failure:
                throw KeywordError(
                    "timer overflow in argument '\(args[1])' to '\(name)' (maximum value is 2147483647 ms or ~24.8 days)")
            }
        }
    }
}

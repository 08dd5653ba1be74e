import Glibc
import HAProxyBase

/// The `resolvers` section and its lines (manual 5.3.2). The servers that
/// name a section are checked against it once the whole file is read.
extension KeywordRegistry {
    static let resolversKeywords: [ConfigKeyword] = [
        ConfigKeyword("nameserver", .resolvers, parseNameserver),
        ConfigKeyword("parse-resolv-conf", .resolvers) { _, ctx in
            try withResolvers(&ctx) { section, ctx in
                let text = SystemFile.text(atPath: "/etc/resolv.conf") ?? ""
                for address in resolvConfNameservers(text) where !section.nameservers.contains(where: { $0.name == address }) {
                    section.nameservers.append(
                        ResolversConfig.Nameserver(name: address, host: address, port: 53, location: ctx.location))
                }
            }
        },
        ConfigKeyword("accepted_payload_size", .resolvers) { args, ctx in
            let text = args.count > 1 ? args[1] : ""
            let value = ParseContext.looseInteger(text)
            guard (12...65535).contains(value) else {
                throw KeywordError("'accepted_payload_size' must be between 12 and 65535 inclusive (was \(text)).")
            }
            try withResolvers(&ctx) { section, _ in section.acceptedPayloadSize = value }
        },
        ConfigKeyword("resolve_retries", .resolvers) { args, ctx in
            guard args.count > 1, !args[1].isEmpty else {
                throw KeywordError("'resolve_retries' expects <nb> as argument.")
            }
            let value = ParseContext.looseInteger(args[1])
            try withResolvers(&ctx) { section, _ in section.resolveRetries = value }
        },
        ConfigKeyword("hold", .resolvers, parseResolversHold),
        ConfigKeyword("timeout", .resolvers, parseResolversTimeout),
    ]

    /// An IPv4 (4 bytes) or IPv6 (16 bytes) literal, nil for anything else.
    static func ipAddressBytes(_ text: String) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: 16)
        if inet_pton(AF_INET, text, &buffer) == 1 { return Array(buffer[0..<4]) }
        if inet_pton(AF_INET6, text, &buffer) == 1 { return buffer }
        return nil
    }

    /// The `nameserver` lines of resolv.conf, in order.
    static func resolvConfNameservers(_ text: String) -> [String] {
        ResolversConfig.resolvConfNameservers(text)
    }

    private static func withResolvers(
        _ ctx: inout ParseContext, _ body: (inout ResolversConfig, inout ParseContext) throws -> Void
    ) throws {
        guard let index = ctx.resolversIndex else { return }
        var section = ctx.config.resolvers[index]
        try body(&section, &ctx)
        ctx.config.resolvers[index] = section
    }

    /// `nameserver <name> <ip>:<port>`; `tcp@` nameservers are refused.
    static func parseNameserver(_ args: [String], _ ctx: inout ParseContext) throws {
        guard args.count >= 3, !args[1].isEmpty, !args[2].isEmpty else {
            throw KeywordError("'nameserver' expects <name> and <addr>[:<port>] as arguments.")
        }
        let name = args[1]
        var text = AddressParser.expandEnvironment(args[2], ctx.environment)
        var isTCP = false
        if let at = text.firstIndex(of: "@") {
            let prefix = text[..<at]
            switch prefix {
            case "udp", "udp4", "udp6", "ipv4", "ipv6": break
            case "tcp", "tcp4", "tcp6": isTCP = true
            default:
                throw KeywordError(
                    "'nameserver \(name)' : '\(prefix)@' nameservers are not supported by this build in '\(args[2])'; use udp@ or tcp@.")
            }
            text = String(text[text.index(after: at)...])
        }
        let (host, portText) = try AddressParser.splitHostPort(text, original: args[2])
        guard let portText else { throw KeywordError("'nameserver \(name)' : missing port specification in '\(args[2])'") }
        guard ipAddressBytes(host) != nil else {
            throw KeywordError("'nameserver \(name)' : invalid address: '\(host)' in '\(args[2])'")
        }
        guard let port = Int(portText), (1...65535).contains(port) else {
            throw KeywordError("'nameserver \(name)' : invalid port '\(portText)'")
        }
        try withResolvers(&ctx) { section, ctx in
            if let other = section.nameservers.first(where: { $0.name == name }) {
                ctx.diagnostics.alert(
                    "Parsing [\(ctx.location)]: nameserver '\(name)' has same name as another nameserver (declared at \(other.location)).",
                    at: ctx.location)
                return
            }
            section.nameservers.append(
                ResolversConfig.Nameserver(name: name, host: host, port: port, location: ctx.location, isTCP: isTCP))
        }
    }

    /// `hold <event> <time>`.
    static func parseResolversHold(_ args: [String], _ ctx: inout ParseContext) throws {
        guard args.count >= 3, !args[1].isEmpty, !args[2].isEmpty else {
            ctx.alert("'hold' expects an <event> and a <time> as arguments.")
            throw KeywordError("<event> can be either 'valid', 'nx', 'refused', 'timeout', or 'other'", form: .raw)
        }
        let ms = try resolversTime(args[2], keyword: "hold")
        try withResolvers(&ctx) { section, _ in
            switch args[1] {
            case "nx": section.holdNXMs = ms
            case "other": section.holdOtherMs = ms
            case "refused": section.holdRefusedMs = ms
            case "timeout": section.holdTimeoutMs = ms
            case "valid": section.holdValidMs = ms
            case "obsolete": section.holdObsoleteMs = ms
            default:
                throw KeywordError(
                    "'hold' unknown <event>: '\(args[1])', expects either 'nx', 'timeout', 'valid', 'obsolete' or 'other'.")
            }
        }
    }

    /// `timeout resolve|retry <time>`.
    static func parseResolversTimeout(_ args: [String], _ ctx: inout ParseContext) throws {
        let which = args.count > 1 ? args[1] : ""
        guard which == "resolve" || which == "retry" else {
            throw KeywordError("'timeout' expects 'retry' or 'resolve' and <time> as arguments got '\(which)'.")
        }
        guard args.count > 2, !args[2].isEmpty else {
            throw KeywordError("'timeout \(which)' expects <time> as argument.")
        }
        let ms = try resolversTime(args[2], keyword: "timeout \(which)")
        try withResolvers(&ctx) { section, _ in
            if which == "resolve" { section.timeoutResolveMs = ms } else { section.timeoutRetryMs = ms }
        }
    }

    private static func resolversTime(_ text: String, keyword: String) throws -> Int {
        switch DurationParser.parse(text) {
        case .success(let v): return v.milliseconds
        case .failure(.unexpectedCharacter(let c)):
            throw KeywordError("unexpected character '\(c)' in argument to <\(keyword)>.", form: .parsingTight)
        case .failure(.empty):
            throw KeywordError("'\(keyword)' expects <time> as argument.")
        case .failure(.overflow):
            throw KeywordError("timer overflow in argument <\(text)> to <\(keyword)>, maximum value is 2147483647 ms (~24.8 days).", form: .parsingTight)
        }
    }
}

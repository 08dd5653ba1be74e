/// `http-check ...` and `tcp-check ...` (manual section 4.2).
extension KeywordRegistry {
    static let checkKeywords: [ConfigKeyword] = [
        ConfigKeyword("http-check", .backendSide, capability: .backend, parseHTTPCheck),
        ConfigKeyword("tcp-check", .backendSide, capability: .backend, parseTCPCheck),
    ]

    static func parseHTTPCheck(_ args: [String], _ ctx: inout ParseContext) throws {
        let action = args.count > 1 ? args[1] : ""
        var check = ctx.proxy?.healthCheck ?? HealthCheckConfig()
        switch action {
        case "disable-on-404", "send-state":
            if args.count > 2 { throw KeywordError("'http-check' cannot handle unexpected argument '\(args[2])'.") }
            if action == "send-state" { check.sendState = true } else { check.disableOn404 = true }
        case "comment":
            guard args.count > 2 else { throw KeywordError("'http-check comment' expects a string as argument.") }
        case "connect":
            var i = 2
            while i < args.count {
                switch args[i] {
                case "default":
                    i += 1
                default:
                    throw KeywordError("'http-check connect' : '\(args[i])' option is not supported by this build.")
                }
            }
        case "send":
            var i = 2
            while i < args.count {
                let option = args[i]
                if !["meth", "uri", "ver", "body", "hdr"].contains(option) {
                    if ["comment", "uri-lf", "body-lf"].contains(option) {
                        throw KeywordError("'http-check send' : '\(option)' is not supported by this build.")
                    }
                    throw KeywordError(
                        "'http-check send' : expects 'comment', 'meth', 'uri', 'uri-lf', 'ver', 'hdr', 'body' or 'body-lf' but got '\(option)' as argument..")
                }
                guard i + 1 < args.count else {
                    throw KeywordError("'http-check send' : '\(option)' expects a value.")
                }
                switch option {
                case "meth": check.httpMethod = args[i + 1]
                case "uri": check.httpURI = args[i + 1]
                case "ver": check.httpVersion = args[i + 1]
                case "body": check.httpBody = args[i + 1]
                case "hdr":
                    guard i + 2 < args.count else {
                        throw KeywordError("'http-check send' : 'hdr' expects <name> and <value> as arguments.")
                    }
                    check.httpHeaders.append((name: args[i + 1], value: args[i + 2]))
                    i += 1
                case "comment", "uri-lf", "body-lf":
                    throw KeywordError("'http-check send' : '\(option)' is not supported by this build.")
                default:
                    throw KeywordError(
                        "'http-check send' : expects 'comment', 'meth', 'uri', 'uri-lf', 'ver', 'hdr', 'body' or 'body-lf' but got '\(option)' as argument..")
                }
                i += 2
            }
            check.kind = .http
        case "expect":
            check.httpExpect.append(try parseExpect(Array(args.dropFirst(2)), keyword: "http-check expect", http: true))
        default:
            if ["set-var-fmt", "set-var", "unset-var"].contains(where: { action.hasPrefix($0 + "(") }) {
                throw KeywordError("'http-check \(action)' is not supported by this build.")
            }
            throw KeywordError(
                "'http-check' only supports 'disable-on-404', 'send-state', 'comment', 'connect', 'send', 'expect', 'set-var-fmt(*)', 'set-var(*)', 'unset-var(*)'. but got '\(action)'"
            )
        }
        ctx.withProxy { $0.healthCheck = check }
    }

    static func parseTCPCheck(_ args: [String], _ ctx: inout ParseContext) throws {
        let action = args.count > 1 ? args[1] : ""
        let rule: HealthCheckConfig.TCPCheckRule
        switch action {
        case "comment":
            guard args.count > 2 else { throw KeywordError("'tcp-check comment' expects a string as argument.") }
            rule = .comment(args[2])
        case "connect":
            var port: Int?
            var sendProxy = false
            var i = 2
            while i < args.count {
                switch args[i] {
                case "port":
                    guard i + 1 < args.count, let p = Int(args[i + 1]), (1...65535).contains(p) else {
                        throw KeywordError("'tcp-check connect' : invalid port '\(i + 1 < args.count ? args[i + 1] : "")'.")
                    }
                    port = p
                    i += 2
                case "send-proxy":
                    sendProxy = true
                    i += 1
                case "default":
                    i += 1
                default:
                    throw KeywordError("'tcp-check connect' : '\(args[i])' option is not supported by this build.")
                }
            }
            rule = .connect(port: port, sendProxy: sendProxy)
        case "send":
            guard args.count == 3 else { throw KeywordError("'tcp-check send' expects a <data> as argument.") }
            rule = .send(bytes: Array(args[2].utf8))
        case "send-binary":
            guard args.count == 3 else {
                throw KeywordError("'tcp-check send-binary' expects a <hexa-string> as argument.")
            }
            guard args[2].utf8.count % 2 == 0 else {
                throw KeywordError(
                    "'tcp-check send-binary' : '\(args[2])' invalid binary string (an even number of hex digit is expected).\n.")
            }
            guard let bytes = hexBytes(args[2]) else {
                throw KeywordError("'tcp-check send-binary' : invalid binary string (an hex digit is expected (found '\(firstNonHex(args[2]))')).")
            }
            rule = .send(bytes: bytes)
        case "expect":
            rule = .expect(try parseExpect(Array(args.dropFirst(2)), keyword: "tcp-check expect", http: false))
        default:
            if ["set-var-fmt", "set-var", "unset-var"].contains(where: { action.hasPrefix($0 + "(") })
                || ["send-lf", "send-binary-lf"].contains(action)
            {
                throw KeywordError("'tcp-check \(action)' is not supported by this build.")
            }
            throw KeywordError(
                "'tcp-check' only supports 'comment', 'connect', 'send', 'send-binary', 'expect', 'set-var-fmt(*)', 'set-var(*)', 'unset-var(*)'. but got '\(action)'"
            )
        }
        // The rules take effect with `option tcp-check` only (see PostParseChecker).
        ctx.withProxy { $0.healthCheck.tcpRules.append(rule) }
    }

    /// `[!] status|rstatus|string|rstring|binary PATTERN`.
    static func parseExpect(_ words: [String], keyword: String, http: Bool) throws -> HealthCheckConfig.Expect {
        var rest = words[...]
        var negated = false
        if rest.first == "!" {
            negated = true
            rest = rest.dropFirst()
        }
        guard let kind = rest.first else {
            throw KeywordError("'\(keyword)' expects a matching pattern.")
        }
        let known =
            http
            ? ["status", "rstatus", "string", "rstring", "string-lf", "hdr", "fhdr", "min-recv", "comment"]
            : ["binary", "rbinary", "string", "rstring", "string-lf", "binary-lf", "min-recv", "comment"]
        if !known.contains(kind) {
            if http {
                throw KeywordError(
                    "'\(keyword)' : 'only supports min-recv, [!]string', '[!]rstring', '[!]string-lf', '[!]status', '[!]rstatus', [!]hdr, [!]fhdr or comment but got '\(kind)' as argument..")
            }
            throw KeywordError(
                "'\(keyword)' : 'only supports min-recv, '[!]binary', '[!]string', '[!]rstring', '[!]string-lf', '[!]rbinary' or '[!]binary-lf' but got '\(kind)' as argument.")
        }
        if kind == "min-recv" || kind == "comment" {
            throw KeywordError("'\(keyword)' : '\(kind)' is not supported by this build.")
        }
        guard rest.count >= 2 else { throw KeywordError("'\(keyword) \(kind)' expects <pattern> as an argument.") }
        if rest.count > 2 {
            throw KeywordError("'\(keyword)' : option '\(rest[rest.startIndex + 2])' is not supported by this build.")
        }
        let pattern = rest[rest.startIndex + 1]
        let matcher: HealthCheckConfig.Expect.Matcher
        switch (kind, http) {
        case ("status", true):
            var ranges: [ClosedRange<Int>] = []
            for part in pattern.split(separator: ",") {
                let bounds = part.split(separator: "-").map { Int($0) }
                if bounds.count == 1, let v = bounds[0] {
                    ranges.append(v...v)
                } else if bounds.count == 2, let lo = bounds[0], let hi = bounds[1], lo <= hi {
                    ranges.append(lo...hi)
                } else {
                    throw KeywordError("'\(keyword) status' : invalid status code range '\(part)'.")
                }
            }
            matcher = .status(ranges)
        case ("rstatus", true): matcher = .statusRegex(pattern)
        case ("string", _): matcher = .string(pattern)
        case ("rstring", _): matcher = .stringRegex(pattern)
        case ("binary", false):
            guard pattern.utf8.count % 2 == 0 else {
                throw KeywordError(
                    "'\(keyword)' : invalid binary string (an even number of hex digit is expected).")
            }
            guard let bytes = hexBytes(pattern) else {
                throw KeywordError(
                    "'\(keyword)' : invalid binary string (an hex digit is expected (found '\(firstNonHex(pattern))')).")
            }
            matcher = .binary(bytes)
        case ("rbinary", false), ("string-lf", _), ("binary-lf", false), ("hdr", true), ("fhdr", true):
            throw KeywordError("'\(keyword)' : '\(kind)' is not supported by this build.")
        default:
            if http {
                throw KeywordError(
                    "'\(keyword)' : 'only supports min-recv, [!]string', '[!]rstring', '[!]string-lf', '[!]status', '[!]rstatus', [!]hdr, [!]fhdr or comment but got '\(kind)' as argument..")
            }
            throw KeywordError(
                "'\(keyword)' : 'only supports min-recv, '[!]binary', '[!]string', '[!]rstring', '[!]string-lf', '[!]rbinary' or '[!]binary-lf' but got '\(kind)' as argument.")
        }
        return HealthCheckConfig.Expect(matcher: matcher, negated: negated)
    }

    static func firstNonHex(_ text: String) -> Character {
        text.first { !$0.isHexDigit } ?? " "
    }

    static func hexBytes(_ text: String) -> [UInt8]? {
        let chars = Array(text.utf8)
        guard chars.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        var i = 0
        while i < chars.count {
            guard let v = UInt8(String(decoding: chars[i...(i + 1)], as: UTF8.self), radix: 16) else { return nil }
            out.append(v)
            i += 2
        }
        return out
    }
}

import Foundation

/// `http-request` rules (manual section 4.2): `return` and `deny` without
/// conditions so far; anything else is refused with an ALERT.
extension KeywordRegistry {
    static let httpRuleKeywords: [ConfigKeyword] = [
        ConfigKeyword("http-request", [.frontend, .backend, .listen], parseHTTPRequest)
    ]

    static func parseHTTPRequest(_ args: [String], _ ctx: inout ParseContext) throws {
        let action = args.count > 1 ? args[1] : ""
        var words = Array(args.dropFirst(2))
        if let index = words.firstIndex(where: { $0 == "if" || $0 == "unless" }) {
            throw KeywordError(
                "'http-request \(action)' with an '\(words[index])' condition is not supported by this build yet (ACLs are not implemented).")
        }
        switch action {
        case "deny":
            var status = 403
            if words.first == "deny_status" {
                guard words.count > 1, let s = Int(words[1]), (200...599).contains(s) else {
                    throw KeywordError("'http-request deny' : expects a valid status code after 'deny_status'.")
                }
                status = s
                words.removeFirst(2)
            }
            if let extra = words.first {
                throw KeywordError("'http-request deny' : '\(extra)' option is not supported by this build.")
            }
            ctx.withProxy { $0.httpRequestRules.append(.deny(status: status)) }
        case "return":
            let response = try parseReturn(words, &ctx)
            ctx.withProxy { $0.httpRequestRules.append(.returnResponse(response)) }
        case "":
            throw KeywordError("'http-request' expects an action.")
        default:
            throw KeywordError("'http-request \(action)' is not supported by this build.")
        }
    }

    /// `return [status N] [content-type T] [default-errorfiles | errorfile F |
    /// string S | lf-string S | file F] [hdr N V]*`.
    private static func parseReturn(_ words: [String], _ ctx: inout ParseContext) throws
        -> HTTPRequestRule.ReturnResponse
    {
        var response = HTTPRequestRule.ReturnResponse()
        var payloadSeen = false
        var useDefaultErrorfiles = false
        var i = 0
        func value() throws -> String {
            guard i + 1 < words.count else {
                throw KeywordError("'http-request return' : '\(words[i])' expects an argument.")
            }
            return words[i + 1]
        }
        func payload() throws {
            if payloadSeen {
                throw KeywordError(
                    "'http-request return' : '\(words[i])' : 'default-errorfiles', 'errorfile', 'string', 'lf-string', 'file' and 'lf-file' are mutually exclusive.")
            }
            payloadSeen = true
        }
        while i < words.count {
            switch words[i] {
            case "status":
                guard let s = Int(try value()), (200...599).contains(s) else {
                    throw KeywordError("'http-request return' : status code must be between 200 and 599.")
                }
                response.status = s
                i += 2
            case "content-type":
                response.contentType = try value()
                i += 2
            case "default-errorfiles":
                try payload()
                useDefaultErrorfiles = true
                i += 1
            case "errorfile":
                try payload()
                let path = try value()
                guard let data = FileManager.default.contents(atPath: path) else {
                    throw KeywordError("'http-request return' : error opening file '\(path)'.")
                }
                response.rawResponse = Array(data)
                i += 2
            case "string":
                try payload()
                response.body = Array(try value().utf8)
                i += 2
            case "lf-string":
                try payload()
                let text = try value()
                if text.contains("%") {
                    throw KeywordError("'http-request return' : 'lf-string' with log-format variables is not supported by this build.")
                }
                response.body = Array(text.utf8)
                i += 2
            case "file":
                try payload()
                let path = try value()
                guard let data = FileManager.default.contents(atPath: path) else {
                    throw KeywordError("'http-request return' : error opening file '\(path)'.")
                }
                response.body = Array(data)
                i += 2
            case "hdr":
                guard i + 2 < words.count else {
                    throw KeywordError("'http-request return' : 'hdr' expects <name> and <value> as arguments.")
                }
                response.headers.append(HeaderPair(name: words[i + 1], value: words[i + 2]))
                i += 3
            default:
                throw KeywordError("'http-request return' : '\(words[i])' option is not supported by this build.")
            }
        }
        if response.body != nil && response.contentType == nil {
            throw KeywordError("'http-request return' : a content type is required when a payload is defined.")
        }
        if useDefaultErrorfiles, let file = ctx.proxy?.errorFiles[response.status] {
            response.rawResponse = file.bytes
        }
        return response
    }
}

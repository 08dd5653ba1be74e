import HAProxyBase
import HAProxyRules

/// The response options of `http-request return` and of `deny`/`tarpit`
/// with a payload (manual 4.2 `return`): `[status N] [content-type T]
/// [default-errorfiles | errorfile F | errorfiles NAME | string S |
/// lf-string S | file F | lf-file F] [hdr N V]*`.
enum HTTPReturnParser {
    /// Status codes `deny_status` accepts (those HAProxy has error pages for).
    static let denyStatuses: Set<Int> = [200, 400, 401, 403, 404, 405, 407, 408, 410, 413, 425, 429, 500, 501, 502, 503, 504]

    /// What each option's missing argument is called in 2.6's message.
    static let argumentNames: [String: String] = [
        "status": "<status_code>", "content-type": "<ctype>", "errorfile": "<fmt>", "errorfiles": "<name>",
        "file": "<file>", "lf-file": "<file>", "string": "<str>", "lf-string": "<fmt>",
    ]

    /// Parses the options at the front of `words`, leaving the condition;
    /// nil when there are none (see `dropIgnoredOptions` for what 2.6
    /// ignores with a warning).
    static func parse(
        _ words: inout ArraySlice<String>, proxy: ProxyConfig, defaultStatus: Int,
        format: (String) throws -> SampleFormat, _ error: (String) -> KeywordError
    ) throws -> HTTPReturn? {
        var response = HTTPReturn()
        response.status = defaultStatus
        var payload: String?
        var sawOption = false
        func value(_ option: String) throws -> String {
            guard words.count > 1 else {
                throw error("'\(option)' expects \(argumentNames[option] ?? "<arg>") as argument")
            }
            return words[words.startIndex + 1]
        }
        func setPayload(_ option: String) throws {
            if let payload { throw error("unexpected '\(option)' argument, '\(payload)' already defined") }
            payload = option
        }
        loop: while let option = words.first {
            switch option {
            case "status":
                let text = try value(option)
                let s = ParseContext.looseInteger(text)
                guard (200...599).contains(s) else { throw error("Unexpected status code '\(s)'") }
                response.status = s
                words.removeFirst(2)
            case "content-type":
                response.contentType = try value(option)
                words.removeFirst(2)
            case "default-errorfiles":
                try setPayload(option)
                response.payload = .proxyErrorPage
                words.removeFirst()
            case "errorfile", "file":
                try setPayload(option)
                let path = try value(option)
                guard let data = SystemFile.contents(atPath: path) else {
                    throw error("error opening file '\(path)'\(option == "errorfile" ? "." : "")")
                }
                response.payload = option == "errorfile" ? .rawResponse(data) : .bytes(data)
                words.removeFirst(2)
            case "errorfiles":
                try setPayload(option)
                response.payload = .httpErrorsSection(try value(option))
                words.removeFirst(2)
            case "string":
                try setPayload(option)
                response.payload = .bytes(Array(try value(option).utf8))
                words.removeFirst(2)
            case "lf-string":
                try setPayload(option)
                let parsed = try format(try value(option))
                response.payload = parsed.isConstant ? .bytes(constantBytes(parsed)) : .format(parsed)
                words.removeFirst(2)
            case "lf-file":
                try setPayload(option)
                let path = try value(option)
                guard let data = SystemFile.contents(atPath: path) else { throw error("error opening file '\(path)'") }
                response.payload = .format(try format(String(decoding: data, as: UTF8.self)))
                words.removeFirst(2)
            case "hdr":
                guard words.count > 2 else { throw error("'hdr' expects <name> and <value> as arguments") }
                let name = words[words.startIndex + 1]
                response.headers.append((Array(name.utf8), try format(words[words.startIndex + 2])))
                words.removeFirst(3)
            default:
                break loop
            }
            sawOption = true
        }
        guard sawOption else { return nil }
        if response.contentType == nil, payload == "lf-string" || payload == "lf-file" {
            throw error("a content type must be defined with a log-format payload")
        }
        switch response.payload {
        case .bytes(let b):
            if response.contentType == nil && !b.isEmpty {
                throw error("a content type must be defined when non-empty payload is configured")
            }
        case .format:
            if response.contentType == nil {
                throw error("a content type must be defined with a log-format payload")
            }
        default:
            break
        }
        return response
    }

    /// Drops the options a reply ignores and returns 2.6's warnings about
    /// them: a whole response (errorfile, errorfiles, default-errorfiles)
    /// takes neither a content type nor headers, and a reply without a
    /// payload no content type (2.6 spells it "erorrfile").
    static func dropIgnoredOptions(_ response: inout HTTPReturn) -> [String] {
        var warnings: [String] = []
        switch response.payload {
        case .rawResponse, .proxyErrorPage, .httpErrorsSection:
            if let type = response.contentType {
                warnings.append("content-type '\(type)' ignored by the http reply when used with an erorrfile.")
                response.contentType = nil
            }
            if !response.headers.isEmpty {
                warnings.append("hdr parameters ignored by the http reply when used with an erorrfile.")
                response.headers = []
            }
        case .none:
            if let type = response.contentType {
                warnings.append(
                    "content-type '\(type)' ignored by the http reply because neither errorfile nor payload defined.")
                response.contentType = nil
            }
        default:
            break
        }
        return warnings
    }

    /// The same for a compiled `deny` or `return` rule, reported at the rule's line.
    static func dropIgnoredOptions(_ action: inout HTTPAction, _ ctx: inout ParseContext) {
        var warnings: [String] = []
        switch action {
        case .deny(let status, var response?):
            warnings = dropIgnoredOptions(&response)
            action = .deny(status: status, response: response)
        case .returnResponse(var response):
            warnings = dropIgnoredOptions(&response)
            action = .returnResponse(response)
        case .tarpit(let status, var response?):
            warnings = dropIgnoredOptions(&response)
            action = .tarpit(status: status, response: response)
        default:
            return
        }
        for warning in warnings { ctx.warning(warning) }
    }

    static func constantBytes(_ format: SampleFormat) -> [UInt8] {
        var out: [UInt8] = []
        for case .literal(let bytes) in format.parts { out += bytes }
        return out
    }
}

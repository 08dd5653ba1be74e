import HAProxyBase
import HAProxyRules

/// The response options of `http-request return` and of `deny`/`tarpit`
/// with a payload (manual 4.2 `return`): `[status N] [content-type T]
/// [default-errorfiles | errorfile F | errorfiles NAME | string S |
/// lf-string S | file F | lf-file F] [hdr N V]*`.
enum HTTPReturnParser {
    /// Status codes `deny_status` accepts (those HAProxy has error pages for).
    static let denyStatuses: Set<Int> = [200, 400, 401, 403, 404, 405, 407, 408, 410, 413, 425, 429, 500, 501, 502, 503, 504]

    /// Parses the options at the front of `words`, leaving the condition;
    /// nil when there are none.
    static func parse(
        _ words: inout ArraySlice<String>, proxy: ProxyConfig, defaultStatus: Int,
        format: (String) throws -> SampleFormat, _ error: (String) -> KeywordError
    ) throws -> HTTPReturn? {
        var response = HTTPReturn()
        response.status = defaultStatus
        var payload: String?
        var useDefaultErrorfiles = false
        var sawOption = false
        func value(_ option: String) throws -> String {
            guard words.count > 1 else { throw error("'\(option)' expects an argument") }
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
                guard let s = Int(text), (200...599).contains(s) else { throw error("Unexpected status code '\(text)'") }
                response.status = s
                words.removeFirst(2)
            case "content-type":
                response.contentType = try value(option)
                words.removeFirst(2)
            case "default-errorfiles":
                try setPayload(option)
                useDefaultErrorfiles = true
                words.removeFirst()
            case "errorfile", "file":
                try setPayload(option)
                let path = try value(option)
                guard let data = SystemFile.contents(atPath: path) else { throw error("error opening file '\(path)'.") }
                response.payload = option == "errorfile" ? .rawResponse(data) : .bytes(data)
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
                guard let data = SystemFile.contents(atPath: path) else { throw error("error opening file '\(path)'.") }
                response.payload = .format(try format(String(decoding: data, as: UTF8.self)))
                words.removeFirst(2)
            case "errorfiles":
                throw KeywordError("'\(option)' in a return or deny rule is not supported by this build (http-errors sections are not implemented).")
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
        if response.contentType == nil {
            switch response.payload {
            case .bytes(let b) where !b.isEmpty:
                throw error("a content type must be defined when non-empty payload is configured")
            case .format:
                throw error("a content type must be defined when non-empty payload is configured")
            default:
                break
            }
        }
        if useDefaultErrorfiles, let file = proxy.errorFiles[response.status] {
            response.payload = .rawResponse(file.bytes)
        }
        return response
    }

    static func constantBytes(_ format: SampleFormat) -> [UInt8] {
        var out: [UInt8] = []
        for case .literal(let bytes) in format.parts { out += bytes }
        return out
    }
}

import HAProxyRules

extension PostParseChecker {
    /// What 2.6 checks once every section is read about the logging side
    /// of a frontend: the `%[...]` samples of its `log-format` (only what
    /// is still known when the line is written: no header nor buffer
    /// contents), and the capture slots its `capture ... id N` rules name.
    static func checkLogRules(_ config: Configuration, diagnostics: inout Diagnostics) {
        for proxy in config.proxies where !proxy.disabled && proxy.capabilities.contains(.frontend) {
            if let format = proxy.logFormat, let message = logFormatError(format) {
                let at = proxy.logFormatLocation.map { "Parsing [\($0)]: " } ?? ""
                diagnostics.alert("\(at)failed to parse log-format : \(message).", at: proxy.logFormatLocation)
            }
            let sets: [(String, [HTTPRule])] = [
                ("http-request", proxy.httpRequestRules), ("http-response", proxy.httpResponseRules),
                ("http-response", proxy.httpAfterResponseRules),  // 2.6 names them so
            ]
            for (keyword, rules) in sets {
                for rule in rules {
                    guard case .capture(let capture) = rule.action else { continue }
                    let slots = capture.response ? proxy.captureResponseHeaders.count : proxy.captureRequestHeaders.count
                    if capture.slot >= slots {
                        diagnostics.alert(
                            "Proxy '\(proxy.name)': unable to find capture id '\(capture.slot)' referenced by \(keyword) capture rule.")
                    }
                }
            }
        }
    }

    /// 2.6's message for a log-format whose samples do not parse or need
    /// data gone when the line is written (`sample fetch <path] ...> may
    /// not be reliably used here because it needs 'HTTP request headers'
    /// which is not available here`); nil when it is fine.
    static func logFormatError(_ format: String) -> String? {
        let parsed: SampleFormat
        do {
            parsed = try SampleFormat.parse(format)
        } catch let error as SampleParseError {
            return error.message
        } catch {
            return "\(error)"
        }
        let starts = sampleStarts(format)
        var index = 0
        for part in parsed.parts {
            guard case .sample(let expression, _) = part else { continue }
            defer { index += 1 }
            if let source = expression.missingSource(at: .logLine) {
                let bytes = Array(format.utf8)
                let rest = index < starts.count ? String(decoding: bytes[starts[index]...], as: UTF8.self) : expression.fetchName
                return "sample fetch <\(rest)> may not be reliably used here because it needs '\(source.name)' which is not available here"
            }
        }
        return nil
    }

    /// Byte offsets where each `%[...]` expression of a format starts.
    private static func sampleStarts(_ format: String) -> [Int] {
        let bytes = Array(format.utf8)
        var starts: [Int] = []
        var i = 0
        while i < bytes.count {
            guard bytes[i] == UInt8(ascii: "%"), i + 1 < bytes.count else { i += 1; continue }
            i += 1
            if bytes[i] == UInt8(ascii: "%") { i += 1; continue }
            if bytes[i] == UInt8(ascii: "{"), let close = bytes[i...].firstIndex(of: UInt8(ascii: "}")) { i = close + 1 }
            if i < bytes.count, bytes[i] == UInt8(ascii: "[") {
                starts.append(i + 1)
                i = bytes[i...].firstIndex(of: UInt8(ascii: "]")) ?? bytes.count
            }
        }
        return starts
    }
}

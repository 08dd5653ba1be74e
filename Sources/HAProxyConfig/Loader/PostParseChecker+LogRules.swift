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
            if let format = proxy.uniqueIDFormat {
                do {
                    _ = try SampleFormat.parse(format)
                } catch let error as SampleParseError {
                    let at = proxy.uniqueIDFormatLocation.map { "Parsing [\($0)]: " } ?? ""
                    diagnostics.alert("\(at)failed to parse unique-id : \(error.message).", at: proxy.uniqueIDFormatLocation)
                } catch {
                    diagnostics.alert("failed to parse unique-id : \(error).", at: proxy.uniqueIDFormatLocation)
                }
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
        return parsed.unavailableSampleMessage(in: format, at: .logLine)
    }
}

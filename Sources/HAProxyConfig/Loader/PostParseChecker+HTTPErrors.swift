import HAProxyRules

/// `errorfiles NAME` references, checked once every `http-errors` section
/// is known (2.6 resolves them after parsing, so a section may come after
/// the proxies that use it). Recorded order: each proxy's rule replies
/// with the proxy's other checks, then every proxy's error-page lines.
extension PostParseChecker {
    /// Replaces the `errorfiles NAME` payloads of a proxy's rules with the
    /// section's page (an empty reply when it has none for the status).
    static func resolveRuleReplies(
        _ proxy: inout ProxyConfig, sections: [HTTPErrorsSection], diagnostics: inout Diagnostics
    ) {
        let name = proxy.name
        let location = proxy.location
        func resolve(_ reply: inout HTTPReturn) {
            guard case .httpErrorsSection(let sectionName) = reply.payload else { return }
            reply.payload = .none
            guard let section = sections.first(where: { $0.name == sectionName }) else {
                diagnostics.alert(
                    "Proxy '\(name)': unknown http-errors section '\(sectionName)' referenced by an http reply .",
                    at: location)
                return
            }
            if let file = section.files[reply.status] {
                reply.payload = .rawResponse(file.bytes)
            } else {
                diagnostics.warning(
                    "Proxy '\(name)': status '\(reply.status)' referenced by an http reply not declared in http-errors section '\(sectionName)'.",
                    at: location)
            }
        }
        func resolveRules(_ rules: inout [HTTPRule]) {
            for r in rules.indices {
                switch rules[r].action {
                case .deny(let status, var response?):
                    resolve(&response)
                    rules[r] = rules[r].with(action: .deny(status: status, response: response))
                case .returnResponse(var response):
                    resolve(&response)
                    rules[r] = rules[r].with(action: .returnResponse(response))
                case .tarpit(let status, var response?):
                    resolve(&response)
                    rules[r] = rules[r].with(action: .tarpit(status: status, response: response))
                default:
                    break
                }
            }
        }
        resolveRules(&proxy.httpRequestRules)
        resolveRules(&proxy.httpResponseRules)
        resolveRules(&proxy.httpAfterResponseRules)
    }

    /// Reports `errorfiles` (and `http-error ... errorfiles`) lines naming
    /// an unknown section or a status the section does not declare.
    static func checkErrorPageSections(_ config: Configuration, diagnostics: inout Diagnostics) {
        for proxy in config.proxies where !proxy.disabled {
            for case .section(let sectionName, let codes, let location) in proxy.errorPageDirectives {
                guard let section = config.httpErrors.first(where: { $0.name == sectionName }) else {
                    diagnostics.alert(
                        "proxy '\(proxy.name)': unknown http-errors section '\(sectionName)' (at \(location)).", at: location)
                    continue
                }
                for code in codes where section.files[code] == nil {
                    diagnostics.warning(
                        "config: proxy '\(proxy.name)' : status '\(code)' not declared in http-errors section '\(sectionName)' (at \(location)).",
                        at: location)
                }
            }
        }
    }
}

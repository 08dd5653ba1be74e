/// `resolvers` sections once the file is read: the sections servers name
/// exist, and a section without nameservers is worth a warning.
extension PostParseChecker {
    static func checkResolvers(_ config: Configuration, diagnostics: inout Diagnostics) {
        for proxy in config.proxies where !proxy.disabled {
            for server in proxy.servers {
                guard let name = server.options.resolvers else { continue }
                if !config.resolvers.contains(where: { $0.name == name }) {
                    diagnostics.alert(
                        "\(proxy.sectionName) '\(proxy.name)', server '\(server.name)': unable to find required resolvers '\(name)'")
                }
            }
        }
        for section in config.resolvers where section.nameservers.isEmpty {
            diagnostics.warning(
                "resolvers '\(section.name)' [\(section.location)] has no nameservers configured!", at: section.location)
        }
    }
}

import HAProxyBase

/// `resolvers` sections once the file is read: the sections servers name
/// exist, and a section without nameservers is worth a warning.
extension PostParseChecker {
    static func checkResolvers(_ config: Configuration, diagnostics: inout Diagnostics) {
        // 2.6 adds a section `default` with /etc/resolv.conf's nameservers
        // when the file names none (and resolv.conf names some).
        var implicitDefault: Bool?
        for proxy in config.proxies where !proxy.disabled {
            for server in proxy.servers {
                guard let name = server.options.resolvers else { continue }
                if name == "default" && !config.resolvers.contains(where: { $0.name == name }) {
                    if implicitDefault == nil {
                        let text = SystemFile.text(atPath: "/etc/resolv.conf") ?? ""
                        implicitDefault = ResolversConfig.implicitDefault(resolvConf: text) != nil
                    }
                    if implicitDefault == true { continue }
                }
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

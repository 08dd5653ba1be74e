import HAProxyRules

/// Section headers: `global`, `defaults [NAME] [from DEFAULTS]`,
/// `frontend|backend|listen NAME [from DEFAULTS]`, and the sections this
/// build refuses.
extension ConfigParser {
    static let proxySectionKeywords: [String: ProxyCapabilities] = [
        "frontend": .frontend, "backend": .backend, "listen": .listen, "defaults": [],
    ]

    /// Opens a section when `words` is a section header. Returns nil when
    /// it is not a header, false when parsing must stop.
    func openSectionIfHeader(_ words: [String], context: inout ParseContext) -> Bool? {
        let keyword = words[0]
        if keyword == "global" {
            closeSection(&context)
            context.section = .global
            if words.count > 1 {
                context.alert("'global' cannot handle unexpected argument '\(words[1])'.")
            }
            return true
        }
        if keyword == "http-errors" {
            closeSection(&context)
            return KeywordRegistry.openHTTPErrorsSection(words, &context)
        }
        if keyword == "userlist" {
            openUserlist(words, context: &context)
            return true
        }
        if keyword == "resolvers" {
            openResolvers(words, context: &context)
            return true
        }
        if keyword == "peers" {
            openPeers(words, context: &context)
            return true
        }
        if KeywordRegistry.unsupportedSections.contains(keyword) {
            closeSection(&context)
            context.section = .unsupported(keyword)
            context.alert(
                "'\(keyword)' sections are not supported by this build; remove the section or the features using it.")
            return true
        }
        guard let capabilities = Self.proxySectionKeywords[keyword] else { return nil }
        closeSection(&context)
        let isDefaults = keyword == "defaults"
        let loc = context.location

        var name = ""
        var fromName: String?
        var rest = Array(words.dropFirst())
        if !rest.isEmpty && rest[0] != "from" {
            name = rest.removeFirst()
        } else if !isDefaults {
            context.alert("'\(keyword)' expects an <id> argument")
            context.diagnostics.markAborted()
            return false
        }
        if rest.first == "from" {
            guard rest.count >= 2 else {
                context.alert("'\(keyword)' expects a defaults section name after 'from'.")
                context.diagnostics.markAborted()
                return false
            }
            fromName = rest[1]
            if rest.count > 2 {
                context.alert("'\(keyword)' cannot handle unexpected argument '\(rest[2])'.")
            }
            rest.removeFirst(2)
        }
        if !rest.isEmpty {
            context.alert("please use the 'bind' keyword for listening addresses.")
            context.section = .broken
            return true
        }
        if let bad = name.first(where: { !($0.isASCII && ($0.isLetter || $0.isNumber)) && !"-_.:".contains($0) }) {
            context.alert("character '\(bad)' is not permitted in '\(keyword)' name '\(name)'.")
        }

        var base: ProxyConfig?
        if let fromName {
            guard let named = context.namedDefaults[fromName] else {
                let kind = isDefaults ? "defaults" : keyword
                context.alert("defaults section '\(fromName)' not found for \(kind) '\(name)'.")
                context.diagnostics.markAborted()
                return false
            }
            base = named
            if context.implicitlyUsedDefaults.contains(fromName) {
                ambiguousDefaults(named, &context)
            }
            context.explicitlyReferencedDefaults.insert(fromName)
        } else if !isDefaults {
            base = context.defaultsInForce
            if let used = base, !used.name.isEmpty {
                if context.explicitlyReferencedDefaults.contains(used.name) {
                    ambiguousDefaults(used, &context)
                }
                context.implicitlyUsedDefaults.insert(used.name)
            }
        }
        // A defaults section without `from` starts from scratch.
        if !isDefaults, let base, !base.name.isEmpty {
            var probe = ProxyConfig(name: name, capabilities: capabilities, location: loc)
            probe.isDefaults = false
            if let message = KeywordRegistry.checkInheritedTCPRules(probe, from: base) {
                context.diagnostics.alert("parsing [\(loc)]: \(message)", at: loc)
            }
            // Recorded from 2.6: rules of a named defaults section serve
            // either frontends or backends, not both.
            if KeywordRegistry.definesRules(base), capabilities != .listen {
                let users = context.rulesDefaultsUsers[base.name, default: []]
                if !users.isEmpty && !users.contains(capabilities) {
                    context.diagnostics.alert(
                        "parsing [\(loc)]: frontends and backends cannot inherit from the same defaults section if it defines TCP/HTTP rules (defaults section at \(base.location)).",
                        at: loc)
                }
                context.rulesDefaultsUsers[base.name] = users.union(capabilities)
            }
        }

        if !isDefaults {
            let sectionLabel = keyword == "listen" ? "proxy" : keyword
            if let clash = context.declaredProxies.last(where: {
                $0.name == name && !$0.capabilities.isDisjoint(with: capabilities)
            }) {
                context.diagnostics.alert(
                    "Parsing [\(loc)]: \(sectionLabel) '\(name)' has the same name as \(clash.section) '\(name)' declared at \(clash.location).",
                    at: loc)
            }
            context.declaredProxies.append(
                (name: name, section: sectionLabel, capabilities: capabilities, location: loc))
        }

        var proxy = base ?? ProxyConfig(name: name, capabilities: capabilities, location: loc)
        proxy.name = name
        proxy.capabilities = isDefaults ? .listen : capabilities
        proxy.isDefaults = isDefaults
        proxy.location = loc
        proxy.id = nil
        proxy.description = nil
        proxy.disabled = false
        proxy.binds = []
        proxy.servers = []
        proxy.switchingRules = []
        proxy.fromDefaults = fromName ?? base.flatMap { $0.name.isEmpty ? nil : $0.name }
        // Recorded: a frontend does not take `timeout connect` from its
        // defaults (its own one only stands in for `timeout tarpit`).
        if !isDefaults && !capabilities.contains(.backend) { proxy.timeouts.connect = nil }
        context.proxy = proxy
        context.section = .proxy
        return true
    }

    /// `userlist <name>`: a second section of a known name adds to the
    /// first one (2.6 warns and goes on with it).
    private func openUserlist(_ words: [String], context: inout ParseContext) {
        closeSection(&context)
        context.section = .userlist
        guard words.count > 1, !words[1].isEmpty else {
            context.diagnostics.alert(
                "parsing [\(context.location)]: 'userlist' expects <name> as arguments.", at: context.location)
            return
        }
        let name = words[1]
        if words.count > 2 {
            context.alert("'userlist' cannot handle unexpected argument '\(words[2])'.")
        }
        if let bad = KeywordRegistry.invalidNameCharacter(name) {
            context.diagnostics.alert(
                "parsing [\(context.location)]: character '\(bad)' is not permitted in 'userlist' name '\(name)'.",
                at: context.location)
        }
        if let existing = context.config.userlists.firstIndex(where: { $0.name == name }) {
            context.diagnostics.warning(
                "parsing [\(context.location)]: ignoring duplicated userlist '\(name)'.", at: context.location)
            context.userlistIndex = existing
            return
        }
        context.userlistIndex = context.config.userlists.count
        context.config.userlists.append(Userlist(name: name))
    }

    /// The name of a `resolvers` or `peers` section being opened, nil
    /// when it is refused (missing, bad character, or `clash` finds the
    /// message for a name already taken).
    func uniqueSectionName(
        _ words: [String], kind: String, context: inout ParseContext, clash: (String) -> String?
    ) -> String? {
        closeSection(&context)
        guard words.count > 1, !words[1].isEmpty else {
            context.alert("missing name for \(kind) section.")
            return nil
        }
        let name = words[1]
        if let bad = KeywordRegistry.invalidNameCharacter(name) {
            context.alert("character '\(bad)' is not permitted in '\(kind)' name '\(name)'.")
            return nil
        }
        if let message = clash(name) {
            context.diagnostics.alert("Parsing [\(context.location)]: \(message)", at: context.location)
            return nil
        }
        return name
    }

    /// `resolvers <name>`: names are unique among resolvers sections.
    private func openResolvers(_ words: [String], context: inout ParseContext) {
        let existing = context.config.resolvers
        let name = uniqueSectionName(words, kind: "resolvers", context: &context) { name in
            existing.first { $0.name == name }.map {
                "resolvers '\(name)' has same name as another resolvers (declared at \($0.location))."
            }
        }
        context.section = .resolvers
        guard let name else { return }
        context.resolversIndex = context.config.resolvers.count
        context.config.resolvers.append(ResolversConfig(name: name, location: context.location))
    }

    /// HAProxy's non-fatal ALERT when a named defaults section is both
    /// referenced with `from` and used implicitly.
    private func ambiguousDefaults(_ defaults: ProxyConfig, _ context: inout ParseContext) {
        context.diagnostics.alert(
            "parsing [\(context.location)] : defaults section '\(defaults.name)' (declared at \(defaults.location)) is explicitly referenced by another proxy and implicitly used here. To avoid any ambiguity don't mix both usage. Add a last defaults section not explicitly used or always use explicit references.",
            at: context.location, fatal: false)
    }

    /// Ends the section in progress: a proxy joins the configuration, a
    /// defaults section becomes the one in force.
    func closeSection(_ context: inout ParseContext) {
        defer {
            context.section = .none
            context.proxy = nil
            context.userlistIndex = nil
            context.resolversIndex = nil
            context.peersIndex = nil
        }
        guard case .proxy = context.section, let proxy = context.proxy else { return }
        if proxy.isDefaults {
            context.defaultsInForce = proxy
            if !proxy.name.isEmpty {
                context.namedDefaults[proxy.name] = proxy
                context.config.defaults.append(proxy)
            }
        } else {
            context.config.proxies.append(proxy)
        }
    }
}

import HAProxyRules

/// Checks that need the whole configuration, run after parsing succeeded
/// (HAProxy's `check_config_validity`): backend references, mode
/// compatibility, listeners, server names and timeouts.
enum PostParseChecker {
    static func check(
        _ config: inout Configuration, diagnostics: inout Diagnostics,
        httpLogLocations: [SourceLocation: SourceLocation] = [:]
    ) {
        // 2.6 places threads in their groups first and stops there when
        // one is left out.
        let unassigned = config.global.threadGroups.unassignedCount(nbthread: config.global.nbthread)
        if unassigned > 0 {
            diagnostics.alert(
                "Remaining unassigned threads found (\(unassigned)) because all groups are in use. Please increase 'thread-groups', reduce 'nbthreads' or remove or extend 'thread-group' enumerations."
            )
            return
        }
        if let problem = config.global.loadHeaderCaseAdjustFile() {
            diagnostics.alert(problem)
            return
        }
        // 2.6 checks the userlists first and stops at the first
        // inconsistency, looking at the last declared list first.
        for list in config.userlists.reversed() {
            if let message = list.firstInconsistency {
                diagnostics.alert(message)
                return
            }
        }
        checkPeers(&config, &diagnostics)
        for proxy in config.proxies where !proxy.disabled {
            // 2.6 turns `stats auth` into rules of its own: both cannot be.
            if let page = proxy.statsPage, !page.rules.isEmpty, !page.accounts.isEmpty || page.realm != nil {
                diagnostics.alert(
                    "proxy '\(proxy.name)': stats 'auth'/'realm' and 'http-request' can't be used at the same time.")
            }
        }
        for index in config.proxies.indices where !config.proxies[index].disabled && config.proxies[index].mode == .tcp {
            let proxy = config.proxies[index]
            if proxy.monitorURI != nil && proxy.capabilities.contains(.frontend) {
                diagnostics.warning(
                    "monitor-uri will be ignored for proxy '\(proxy.name)' (needs 'mode http').", at: proxy.location)
            }
            if proxy.options.httpLog != .none && proxy.logFormat == nil {
                let where_ = httpLogLocations[proxy.location].map { "parsing [\($0)] : " } ?? ""
                diagnostics.warning(
                    "\(where_)'option \(proxy.options.httpLog == .https ? "httpslog" : "httplog")' not usable with proxy '\(proxy.name)' (needs 'mode http'). Falling back to 'option tcplog'.",
                    at: proxy.location)
                config.proxies[index].options.httpLog = .none
                config.proxies[index].options.tcpLog = true
            }
        }
        firstPass(&config, diagnostics: &diagnostics)
        checkLogRules(config, diagnostics: &diagnostics)
        let globalHasLogs = !config.global.logs.isEmpty
        for index in config.proxies.indices where !config.proxies[index].disabled {
            resolveRuleReplies(&config.proxies[index], sections: config.httpErrors, diagnostics: &diagnostics)
            let proxy = config.proxies[index]
            let splice = proxy.options
            if proxy.mode == .http && (splice.spliceAuto || splice.spliceRequest || splice.spliceResponse) {
                diagnostics.warning(
                    "proxy '\(proxy.name)': 'option splice-*' splices 'mode tcp' streams only in this build; HTTP bodies are copied.",
                    at: proxy.location)
            }
            let hasFormat = proxy.logFormat != nil || proxy.options.httpLog != .none || proxy.options.tcpLog
            let hasAddress = proxy.logs.contains { !$0.isGlobal || globalHasLogs }
            if hasFormat && !hasAddress {
                diagnostics.warning(
                    "log format ignored for proxy '\(proxy.name)' since it has no log address.", at: proxy.location)
            }
            guard proxy.mode == .tcp else { continue }
            if proxy.statsPage != nil {
                diagnostics.warning(
                    "'stats' statement ignored for proxy '\(proxy.name)' as it requires HTTP mode.", at: proxy.location)
            }
            if !proxy.httpRequestRules.isEmpty || !proxy.redirectRules.isEmpty {
                diagnostics.warning(
                    "'http-request' rules ignored for proxy '\(proxy.name)' as they require HTTP mode.", at: proxy.location)
            }
            if proxy.options.forwardFor != nil {
                diagnostics.warning(
                    "'option forwardfor' ignored for proxy '\(proxy.name)' as it requires HTTP mode.", at: proxy.location)
            }
            if proxy.options.originalTo != nil {
                diagnostics.warning(
                    "'option originalto' ignored for proxy '\(proxy.name)' as it requires HTTP mode.", at: proxy.location)
            }
        }
        checkErrorPageSections(config, diagnostics: &diagnostics)
        checkResolvers(config, diagnostics: &diagnostics)
        checkTracking(config, diagnostics: &diagnostics)
    }

    /// The userlists a proxy's fetches name (2.6's argument resolution:
    /// one ALERT per proxy, listing every failure when there are several),
    /// then the groups of its `http_auth_group` ACLs.
    private static func checkUserlistReferences(_ proxy: ProxyConfig, _ config: Configuration, _ diagnostics: inout Diagnostics) {
        var failures: [String] = []
        var resolved: [(UserlistReference, Userlist)] = []
        for reference in proxy.userlistReferences {
            let what = "in arg 1 of \(reference.origin) in proxy '\(proxy.name)'."
            if reference.userlist.isEmpty {
                failures.append("parsing [\(reference.location)]: missing userlist name \(what)")
            } else if let list = config.userlist(named: reference.userlist) {
                resolved.append((reference, list))
            } else {
                failures.append(
                    "parsing [\(reference.location)]: unable to find userlist '\(reference.userlist)' referenced \(what)")
            }
        }
        if failures.count == 1 {
            diagnostics.alert(failures[0])
        } else if failures.count > 1 {
            diagnostics.alert(
                "multiple argument resolution errors:" + failures.map { "\n        " + $0 }.joined())
        }
        for (reference, list) in resolved {
            guard let (acl, groups) = reference.groupCheck else { continue }
            let prefix = "proxy \(proxy.name): acl \(acl) http_auth_group():"
            guard let groups else {
                diagnostics.alert("\(prefix) no groups specified.")
                continue
            }
            for group in groups where !list.hasGroup(group) {
                diagnostics.alert("\(prefix) invalid group '\(group)'.")
            }
        }
    }

    /// Per proxy, in HAProxy's order: listeners, backend references and
    /// modes, userlist references, timeouts, server names.
    private static func firstPass(_ config: inout Configuration, diagnostics: inout Diagnostics) {
        for proxy in config.proxies where !proxy.disabled {
            let label = proxy.sectionName == "listen" ? "proxy" : proxy.sectionName
            if proxy.capabilities.contains(.frontend) && proxy.binds.isEmpty {
                diagnostics.warning(
                    "\(label) '\(proxy.name)' has no 'bind' directive. Please declare it as a backend if this was intended.",
                    at: proxy.location)
            }
            if proxy.capabilities.contains(.frontend) {
                var targets: [(String, String)] = []
                if let name = proxy.defaultBackend { targets.append(("default_backend", name)) }
                for rule in proxy.switchingRules {
                    if case .name(let name) = rule.target { targets.append(("use_backend", name)) }
                }
                for (keyword, name) in targets {
                    guard let backend = config.proxy(named: name, capability: .backend) else {
                        diagnostics.alert(
                            "Proxy '\(proxy.name)': unable to find required \(keyword): '\(name)'.", at: proxy.location)
                        continue
                    }
                    if proxy.mode == .http && backend.mode == .tcp {
                        let role = keyword == "default_backend" ? "as its default backend" : "in a 'use_backend' rule"
                        diagnostics.alert(
                            "http frontend '\(proxy.name)' (\(proxy.location)) tries to use incompatible tcp backend '\(backend.name)' (\(backend.location)) \(role) (see 'mode').",
                            at: proxy.location)
                    }
                }
            }
            checkUserlistReferences(proxy, config, &diagnostics)
            for reference in proxy.stickTableReferences where reference.isFrontend {
                let name = reference.table
                guard !config.proxies.contains(where: { $0.name == name && $0.capabilities.contains(.frontend) })
                else { continue }
                diagnostics.alert(
                    "parsing [\(reference.location)]: unable to find frontend '\(name)' referenced in "
                        + "\(reference.origin) in proxy '\(proxy.name)'.")
            }
            for reference in proxy.stickTableReferences
            where !reference.isFrontend
                && !config.proxies.contains(where: { $0.name == reference.table && $0.stickTable != nil })
                && !config.peers.contains(where: { $0.tables.contains { $0.definition.name == reference.table } }) {
                diagnostics.alert(
                    "parsing [\(reference.location)]: unable to find table '\(reference.table)' referenced in \(reference.origin) in proxy '\(proxy.name)'.")
            }
            let missingFrontendTimeout = proxy.capabilities.contains(.frontend) && (proxy.timeouts.client ?? 0) == 0
            let missingBackendTimeout =
                proxy.capabilities.contains(.backend) && !proxy.servers.isEmpty
                && ((proxy.timeouts.connect ?? 0) == 0 || (proxy.timeouts.server ?? 0) == 0)
            if missingFrontendTimeout || missingBackendTimeout {
                diagnostics.warning(
                    """
                    missing timeouts for \(label) '\(proxy.name)'.
                       | While not properly invalid, you will certainly encounter various problems
                       | with such a configuration. To fix this, please ensure that all following
                       | timeouts are set to a non-zero value: 'client', 'connect', 'server'.
                    """, at: proxy.location)
            }
            if !proxy.healthCheck.tcpRules.isEmpty && proxy.healthCheck.kind != .tcpCheck {
                diagnostics.warning(
                    "\(label) '\(proxy.name)' uses tcp-check rules without 'option tcp-check', so the rules are ignored.",
                    at: proxy.location)
            }
            var seen: [String: SourceLocation] = [:]
            for server in proxy.servers {
                if let first = seen[server.name] {
                    diagnostics.alert(
                        "parsing [\(server.location)] : \(proxy.sectionName) '\(proxy.name)', another server named '\(server.name)' was already defined at line \(first.line), please use distinct names.",
                        at: server.location)
                } else {
                    seen[server.name] = server.location
                }
            }
        }
    }
}

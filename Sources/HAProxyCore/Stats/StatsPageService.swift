#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import HAProxyConfig
import HAProxyHTTP

/// The statistics page as a service of the HTTP stream: the options the
/// URI carries after the `stats uri` prefix (`;up`, `;norefresh`, `;csv`,
/// `;json`, `;no-maint`, `;st=`, `;scope=` or `?scope=`), the admin form's
/// POST (answered by a 303 to the page with the result in `;st=`), and the
/// page, CSV or JSON built from the same rows as `show stat`.
enum StatsPageService {
    /// What the URI asks for.
    struct Options: Equatable {
        enum Format: Equatable { case html, csv, json }
        var format = Format.html
        var upOnly = false
        var noMaint = false
        var noRefresh = false
        var status: String?
        var scope = ""

        /// Reads the options in the part of the target after the prefix.
        init(_ rest: Substring) {
            for part in rest.split(whereSeparator: { $0 == ";" || $0 == "?" || $0 == "&" }) {
                switch part {
                case "up": upOnly = true
                case "no-maint": noMaint = true
                case "norefresh": noRefresh = true
                case "csv": format = .csv
                case "json": format = .json
                default:
                    if part.hasPrefix("st=") { status = String(part.dropFirst(3)) }
                    if part.hasPrefix("scope=") { scope = String(StatsAdminForm.decode(part.dropFirst(6)).prefix(20)) }
                }
            }
        }

        init() {}
    }

    static func respond(_ call: HTTPServiceCall, page: HTTPStatsPagePolicy, admin: Bool, runtime: ProxyRuntime) -> HTTPServiceResponse {
        let config = page.config
        let rest = call.target.hasPrefix(config.uri) ? call.target.dropFirst(config.uri.count) : Substring(call.target)
        let options = Options(rest)
        if call.method == .post {
            let status = admin ? StatsAdminForm(call.body).apply(runtime) : "DENY"
            var location = config.uri + (options.upOnly ? ";up" : "") + ";st=" + status
            if options.noRefresh { location += ";norefresh" }
            return HTTPServiceResponse(status: 303, headers: [
                ("cache-control", "no-cache"), ("content-type", "text/plain"), ("location", location),
            ])
        }
        var headers: [(name: String, value: String)] = [("cache-control", "no-cache")]
        let rows = visibleRows(runtime, page: page, options: options)
        let body: [UInt8]
        switch options.format {
        case .csv:
            headers.append(("content-type", "text/plain"))
            body = ShowStat.csvBytes(rows)
        case .json:
            headers.append(("content-type", "application/json"))
            body = Array(ShowStat.json(rows).utf8)
        case .html:
            headers.append(("content-type", "text/html"))
            body = StatsPageHTML.render(model(rows, runtime: runtime, page: page, admin: admin, options: options))
        }
        if config.refreshSeconds > 0 && !options.noRefresh {
            headers.append(("refresh", String(config.refreshSeconds)))
        }
        // 2.6 streams the page: chunked, with no content-length.
        return HTTPServiceResponse(status: 200, headers: headers, body: body, chunked: true)
    }

    /// The `show stat` rows the page shows: `stats scope` (`.` is the
    /// page's own proxy) and the scope typed in the page narrow them.
    static func visibleRows(_ runtime: ProxyRuntime, page: HTTPStatsPagePolicy, options: Options) -> [ShowStat.Row] {
        let scopes = Set(page.config.scopes.map { $0 == "." ? page.proxyName : $0 })
        let legends = page.config.showLegends
        return ShowStat.rows(runtime, upOnly: false, noMaint: options.noMaint, legends: legends).filter { row in
            let name = row[.pxname]
            if !scopes.isEmpty && !scopes.contains(name) { return false }
            if !options.scope.isEmpty && !name.contains(options.scope) { return false }
            if options.upOnly && options.format != .html && row.type == 2 {
                let status = row[.status]
                return status != "DOWN" && status != "MAINT"
            }
            return true
        }
    }

    /// The page's model: the process section from `show info`'s fields,
    /// the rows grouped by proxy, what the CSV lacks taken from the servers.
    static func model(_ rows: [ShowStat.Row], runtime: ProxyRuntime, page: HTTPStatsPagePolicy, admin: Bool,
                      options: Options) -> StatsPageModel {
        let config = page.config
        var model = StatsPageModel()
        let info = Dictionary(ShowInfo.fields(runtime, settings: CLIRuntimeSettings()).map { ($0.name, $0.value.text) },
                              uniquingKeysWith: { first, _ in first })
        var process = StatsPageModel.Process()
        if !config.hideVersion {
            process.version = BuildInfo.version
            process.releaseDate = BuildInfo.releaseDate
        }
        process.pid = Int(getpid())
        process.nbthread = Int(info["Nbthread"] ?? "") ?? 1
        process.uptime = info["Uptime"] ?? ""
        process.ulimitN = Int(info["Ulimit-n"] ?? "") ?? 0
        process.maxsock = Int(info["Maxsock"] ?? "") ?? 0
        process.maxconn = Int(info["Maxconn"] ?? "") ?? 0
        process.currentConnections = Int(info["CurrConns"] ?? "") ?? 0
        process.connectionRate = Int(info["ConnRate"] ?? "") ?? 0
        process.bitRate = Double(Int(info["BytesOutRate"] ?? "") ?? 0) * 8
        process.runningTasks = Int(info["Run_queue"] ?? "") ?? 0
        process.tasks = Int(info["Tasks"] ?? "") ?? 0
        process.idlePercent = Int(info["Idle_pct"] ?? "") ?? 100
        if let node = config.showNode { process.node = node.isEmpty ? info["node"] ?? "" : node }
        if let description = config.showDescription {
            process.description = description.isEmpty ? runtime.configuration.global.description ?? "" : description
        }
        model.process = process
        model.uri = config.uri
        model.refreshSeconds = config.refreshSeconds
        model.upOnly = options.upOnly
        model.noRefresh = options.noRefresh
        model.scope = options.scope
        model.admin = admin
        model.showLegends = config.showLegends
        model.actionStatus = options.status
        let proxies = Dictionary(runtime.configuration.proxies.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        for row in rows {
            let name = row[.pxname]
            if model.proxies.last?.name != name {
                let proxy = proxies[name]
                let capabilities = proxy?.capabilities ?? .listen
                let capability = capabilities == .listen ? "proxy" : capabilities.contains(.frontend) ? "frontend" : "backend"
                model.proxies.append(StatsPageModel.Proxy(
                    name: name, id: row.proxyID, capability: capability, mode: proxy?.mode.rawValue ?? "tcp", lines: []))
            }
            model.proxies[model.proxies.count - 1].lines.append(line(row, runtime: runtime))
        }
        return model
    }

    private static func line(_ row: ShowStat.Row, runtime: ProxyRuntime) -> StatsPageModel.Line {
        var line = StatsPageModel.Line(row: row)
        guard row.type == 2, let backend = runtime.backend(named: row[.pxname]),
              let server = backend.servers.first(where: { $0.lb.id == row.serverID }) else { return line }
        let options = server.config.options
        line.isBackup = server.isBackup
        // A tracking server shows its state as a checked one does (2.6).
        line.checked = options.check || options.track != nil
        if options.check {
            line.health = (Int(row[.check_health]) ?? 0, options.rise, options.fall)
            if let result = backend.lock.withLock({ server.lastCheck }) {
                line.lastCheck = checkCell(result)
            }
        }
        // A server its agent put down shows the agent's result, as in 2.6.
        if options.agentCheck, let result = backend.lock.withLock({ server.agentDown && !server.agentDisabled ? server.lastAgentCheck : nil }) {
            line.lastCheck = checkCell(result)
        }
        return line
    }

    /// The "LastChk" cell as 2.6 writes it: ` L7OK/0 in 0ms` (the code when
    /// the result carries one) and its tip, `Layer7 check passed: info`
    /// (without the infos 2.6 leaves out of `last_chk`).
    static func checkCell(_ result: HealthCheckResult) -> (text: String, description: String) {
        var text = " " + result.code.rawValue
        if result.code.carriesCode { text += "/\(result.statusCode)" }
        text += " in \(result.durationMs)ms"
        var description = result.code.reasonDescription
        if result.infoInStats, let info = result.info, !info.isEmpty { description += ": " + info }
        return (text, description)
    }
}

import HAProxyBase
/// The statistics page as HTML, in HAProxy 2.6's layout: the process
/// section with the legend and the display options, then one table per
/// proxy with the Queue / Session rate / Sessions / Bytes / Denied /
/// Errors / Warnings / Server columns, each server's line coloured by its
/// state. The page is self-contained (inline style, no script beyond the
/// admin form's "check all" box) and written as valid HTML5.
enum StatsPageHTML {
    static func render(_ model: StatsPageModel) -> [UInt8] {
        var out = TextBytes(capacity: 16384 + model.proxies.reduce(0) { $0 + 1024 + $1.lines.count * 1024 })
        head(model, &out)
        processSection(model, &out)
        if let status = model.actionStatus { actionMessage(status, model, &out) }
        for proxy in model.proxies { table(proxy, model, &out) }
        out += "</body></html>\n"
        return out.bytes
    }

    // MARK: Head

    private static func head(_ model: StatsPageModel, _ out: inout TextBytes) {
        let node = model.process.node.map { " on " + escape($0) } ?? ""
        out += "<!DOCTYPE html>\n<html lang=\"en\"><head><title>Statistics Report for HAProxy\(node)</title>\n"
        out += "<meta charset=\"utf-8\">\n<link rel=\"icon\" href=\"data:,\">\n<style>\n"
        out += style
        out += "</style></head>\n<body>"
        let version = model.process.version.map { " version \(escape($0)), released \(escape(model.process.releaseDate ?? ""))" } ?? ""
        out += "<h1><a href=\"http://www.haproxy.org/\" style=\"text-decoration: none;\">HAProxy\(version)</a></h1>\n"
        out += "<h2>Statistics Report for pid \(model.process.pid)\(node)"
        if let description = model.process.description, !description.isEmpty { out += ": " + escape(description) }
        out += "</h2>\n<hr class=\"hr\">\n"
    }

    private static func processSection(_ model: StatsPageModel, _ out: inout TextBytes) {
        let p = model.process
        out += "<h3>&gt; General process information</h3>\n"
        out += "<table class=\"info\"><tr><td class=\"left\">\n<p><b>pid = </b> \(p.pid) (process #1, nbproc = 1, nbthread = \(p.nbthread))<br>\n"
        out += "<b>uptime = </b> \(p.uptime)<br>\n"
        out += "<b>system limits:</b> memmax = unlimited; ulimit-n = \(p.ulimitN)<br>\n"
        out += "<b>maxsock = </b> \(p.maxsock); <b>maxconn = </b> \(p.maxconn); <b>maxpipes = </b> 0<br>\n"
        out += "current conns = \(p.currentConnections); current pipes = 0/0; conn rate = \(p.connectionRate)/sec; bit rate = \(bitRate(p.bitRate))<br>\n"
        out += "Running tasks: \(p.runningTasks)/\(p.tasks); idle = \(p.idlePercent) %</p>\n"
        out += "</td><td class=\"legend\">\n"
        out += legend
        out += "</td><td class=\"left top\"><b>Display option:</b><ul class=\"opts\">"
        out += "<li><form method=\"GET\" action=\"\(escape(model.uri))\">Scope : <input value=\"\(escape(model.scope))\" name=\"scope\" size=\"8\" maxlength=\"20\" tabindex=\"1\"></form></li>\n"
        let base = escape(model.uri)
        let refresh = model.noRefresh ? ";norefresh" : ""
        let up = model.upOnly ? ";up" : ""
        let scope = model.scope.isEmpty ? "" : ";scope=" + escape(model.scope)
        if model.upOnly {
            out += "<li><a href=\"\(base)\(refresh)\(scope)\">Show all servers</a></li>\n"
        } else {
            out += "<li><a href=\"\(base);up\(refresh)\(scope)\">Hide 'DOWN' servers</a></li>\n"
        }
        if model.refreshSeconds > 0 {
            if model.noRefresh {
                out += "<li><a href=\"\(base)\(up)\(scope)\">Enable refresh</a></li>\n"
            } else {
                out += "<li><a href=\"\(base)\(up);norefresh\(scope)\">Disable refresh</a></li>\n"
            }
        }
        out += "<li><a href=\"\(base)\(up)\(refresh)\(scope)\">Refresh now</a></li>\n"
        out += "<li><a href=\"\(base);csv;norefresh\(scope)\">CSV export</a></li>\n"
        out += "<li><a href=\"\(base);json;norefresh\(scope)\">JSON export</a></li>\n"
        out += "</ul></td><td class=\"left top\"><b>External resources:</b><ul class=\"opts\">\n"
        out += "<li><a href=\"http://www.haproxy.org/\">Primary site</a></li>\n"
        out += "<li><a href=\"http://www.haproxy.org/#down\">Updates (v2.6)</a></li>\n"
        out += "<li><a href=\"http://www.haproxy.org/#docs\">Online manual</a></li>\n"
        out += "</ul></td></tr></table>\n"
    }

    /// The result of an admin action, named by the redirect's `;st=`.
    private static func actionMessage(_ status: String, _ model: StatsPageModel, _ out: inout TextBytes) {
        let (cls, text): (String, String)
        switch status {
        case "DONE": (cls, text) = ("active_up", "Action processed successfully.")
        case "NONE": (cls, text) = ("active_going_down", "Nothing has changed.")
        case "PART":
            (cls, text) = ("active_going_down",
                           "Action partially processed.<br>Some server names are probably unknown or ambiguous (duplicated names in the backend).")
        case "ERRP":
            (cls, text) = ("active_down",
                           "Action not processed because of invalid parameters.<ul><li>The action is maybe unknown.</li><li>Invalid key parameter (empty or too long).</li><li>The backend name is probably unknown or ambiguous (duplicated names).</li><li>Some server names are probably unknown or ambiguous (duplicated names in the backend).</li></ul>")
        case "EXCD":
            (cls, text) = ("active_down",
                           "<b>Action not processed : the buffer couldn't store all the data.<br>You should retry with less servers at a time.</b>")
        case "DENY": (cls, text) = ("active_down", "<b>Action denied.</b>")
        default: (cls, text) = ("active_no_check", "Unexpected result.")
        }
        let back = escape(model.uri) + (model.upOnly ? ";up" : "") + (model.noRefresh ? ";norefresh" : "")
        out += "<div class=\"\(cls) message\"><a class=\"lfsb\" href=\"\(back)\" title=\"Remove this message\">[X]</a> \(text)</div>\n"
    }

    // MARK: Proxy tables

    private static let columnGroups = [("Queue", 3), ("Session rate", 3), ("Sessions", 6), ("Bytes", 2), ("Denied", 2),
                                       ("Errors", 3), ("Warnings", 2), ("Server", 9)]
    private static let columnNames = ["Cur", "Max", "Limit", "Cur", "Max", "Limit", "Cur", "Max", "Limit", "Total", "LbTot",
                                      "Last", "In", "Out", "Req", "Resp", "Req", "Conn", "Resp", "Retr", "Redis", "Status",
                                      "LastChk", "Wght", "Act", "Bck", "Chk", "Dwn", "Dwntme", "Thrtle"]

    private static func table(_ proxy: StatsPageModel.Proxy, _ model: StatsPageModel, _ out: inout TextBytes) {
        let form = model.admin && proxy.hasServers
        let name = escape(proxy.name)
        if form { out += "<form method=\"post\" action=\"\(escape(model.uri))\">" }
        out += "<table class=\"tbl\">\n<tr class=\"titre\"><th class=\"pxname\"><a id=\"\(name)\"></a>"
        if model.showLegends {
            out += "<span class=\"u\"><a class=\"px\" href=\"#\(fragment(proxy.name))\">\(name)</a><span class=\"tips\">cap: \(proxy.capability), mode: \(proxy.mode), id: \(proxy.id)</span></span>"
        } else {
            out += "<a class=\"px\" href=\"#\(fragment(proxy.name))\">\(name)</a>"
        }
        out += "</th><th class=\"empty\"></th></tr>\n</table>\n"
        out += "<table class=\"tbl\">\n<tr class=\"titre\">"
        if form {
            let boxes = "\(name)-checkbox"
            out += "<th rowspan=\"2\" class=\"cb\"><input type=\"checkbox\" title=\"all\" onclick=\"for (const c of document.getElementsByClassName('\(boxes)')) c.checked = this.checked\"></th>"
        } else if model.admin {
            out += "<th rowspan=\"2\"></th>"
        }
        out += "<th rowspan=\"2\"></th>"
        for (title, span) in columnGroups { out += "<th colspan=\"\(span)\">\(title)</th>" }
        out += "</tr>\n<tr class=\"titre\">"
        for title in columnNames { out += "<th>\(title)</th>" }
        out += "</tr>\n"
        for line in proxy.lines {
            if model.upOnly, line.row.type == 2, !isUp(line) { continue }
            out += "<tr class=\"\(rowClass(line))\">"
            if model.admin {
                if form && line.row.type == 2 {
                    out += "<td><input class=\"\(name)-checkbox\" type=\"checkbox\" name=\"s\" value=\"\(escape(line.row[.svname]))\" title=\"\(escape(line.row[.svname]))\"></td>"
                } else {
                    out += "<td></td>"
                }
            }
            switch line.row.type {
            case 0: frontendCells(line, proxy, model, &out)
            case 1: backendCells(line, proxy, &out)
            default: serverCells(line, proxy, model, &out)
            }
            out += "</tr>\n"
        }
        out += "</table>\n"
        if form {
            out += "<p>Choose the action to perform on the checked servers : <select name=\"action\" title=\"action\">"
            out += "<option value=\"\"></option>"
            for (value, label) in adminActions { out += "<option value=\"\(value)\">\(label)</option>" }
            out += "</select><input type=\"hidden\" name=\"b\" value=\"#\(proxy.id)\">&nbsp;<input type=\"submit\" value=\"Apply\"></p></form>\n"
        }
        out += "<div class=\"gap\"></div>\n"
    }

    /// The page's admin actions (`action=` of the form), as 2.6 lists them.
    static let adminActions: [(String, String)] = [
        ("ready", "Set state to READY"), ("drain", "Set state to DRAIN"), ("maint", "Set state to MAINT"),
        ("dhlth", "Health: disable checks"), ("ehlth", "Health: enable checks"), ("hrunn", "Health: force UP"),
        ("hnolb", "Health: force NOLB"), ("hdown", "Health: force DOWN"), ("dagent", "Agent: disable checks"),
        ("eagent", "Agent: enable checks"), ("arunn", "Agent: force UP"), ("adown", "Agent: force DOWN"),
        ("shutdown", "Kill Sessions"),
    ]

    /// A frontend's or a backend's bytes out, with the compression tip
    /// (in TCP too, as 2.6 shows it).
    private static func bytesOut(_ r: ShowStat.Row, _ out: inout TextBytes) {
        withTip(r[.bout], bytesOutTips(r), &out)
    }

    private static func td(_ value: String, _ out: inout TextBytes) {
        out += "<td>"
        out += grouped(value)
        out += "</td>"
    }

    /// A number as 2.6 writes it in the tables: every group of three
    /// digits but the last in a `rls` span, which the style spaces out
    /// (`<span class="rls">9</span>990`); other text escaped.
    static func grouped(_ value: String) -> String {
        let digits = value.utf8
        guard digits.count > 3, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return escape(value) }
        let bytes = Array(digits)
        var out = ""
        var start = 0
        var head = bytes.count % 3
        if head == 0 { head = 3 }
        while bytes.count - start > 3 {
            out += "<span class=\"rls\">"
            out += String(decoding: bytes[start..<start + head], as: UTF8.self)
            out += "</span>"
            start += head
            head = 3
        }
        return out + String(decoding: bytes[start...], as: UTF8.self)
    }

    private static func nameCell(_ label: String, anchor: String, tip: String?, _ out: inout TextBytes) {
        out += "<td class=\"ac\"><a id=\"\(escape(anchor))\"></a>"
        if let tip {
            out += "<span class=\"u\"><a class=\"lfsb\" href=\"#\(fragment(anchor))\">\(escape(label))</a><span class=\"tips\">\(escape(tip))</span></span></td>"
        } else {
            out += "<a class=\"lfsb\" href=\"#\(fragment(anchor))\">\(escape(label))</a></td>"
        }
    }

    private static func withTip(_ value: String, _ tips: [(String, String)], _ out: inout TextBytes) {
        out += "<td><span class=\"u\">"
        out += grouped(value)
        out += "<span class=\"tips\">"
        for (i, tip) in tips.enumerated() {
            if i > 0 { out += "<br>" }
            out += escape(tip.0)
            out += " "
            out += escape(tip.1)
        }
        out += "</span></span></td>"
    }

    private static func responseTips(_ r: ShowStat.Row) -> [(String, String)] {
        guard !r[.hrsp_1xx].isEmpty else { return [] }
        return [("Cum. HTTP requests:", r[.req_tot]), ("- HTTP 1xx responses:", r[.hrsp_1xx]),
                ("- HTTP 2xx responses:", r[.hrsp_2xx]), ("- HTTP 3xx responses:", r[.hrsp_3xx]),
                ("- HTTP 4xx responses:", r[.hrsp_4xx]), ("- HTTP 5xx responses:", r[.hrsp_5xx]),
                ("- other responses:", r[.hrsp_other])]
    }

    /// `part` of `whole` in percent, 0 without a whole (2.6's tips).
    private static func percent(_ part: String, of whole: Int) -> String {
        let value = Int(part) ?? 0
        return "\(part) (\(whole > 0 ? value * 100 / whole : 0)%)"
    }

    /// The responses of a frontend or a backend, the compressed share of
    /// the 2xx among them.
    private static func proxyResponseTips(_ r: ShowStat.Row) -> [(String, String)] {
        var tips = responseTips(r)
        guard !tips.isEmpty else { return [] }
        tips.insert(("\u{A0}\u{A0}Compressed 2xx:", percent(r[.comp_rsp], of: Int(r[.hrsp_2xx]) ?? 0)), at: 3)
        return tips
    }

    /// A server's responses, each with its share of them all.
    private static func serverResponseTips(_ r: ShowStat.Row) -> [(String, String)] {
        guard !r[.hrsp_1xx].isEmpty else { return [] }
        let classes: [StatColumn] = [.hrsp_1xx, .hrsp_2xx, .hrsp_3xx, .hrsp_4xx, .hrsp_5xx, .hrsp_other]
        let total = classes.reduce(0) { $0 + (Int(r[$1]) ?? 0) }
        return [("Cum. HTTP requests:", r[.req_tot])] + zip(responseTips(r).dropFirst(), classes).map {
            ($0.0, percent(r[$1], of: total))
        }
    }

    /// The cache and error counters of a frontend's or a backend's HTTP
    /// traffic.
    private static func httpCounterTips(_ r: ShowStat.Row) -> [(String, String)] {
        guard !r[.hrsp_1xx].isEmpty else { return [] }
        return [("Cache lookups:", r[.cache_lookups]),
                ("Cache hits:", percent(r[.cache_hits], of: Int(r[.cache_lookups]) ?? 0)),
                ("Failed hdr rewrites:", r[.wrew]), ("Internal errors:", r[.eint])]
    }

    /// The bytes out of a frontend or a backend: what compression
    /// took in, gave out, bypassed and saved.
    private static func bytesOutTips(_ r: ShowStat.Row) -> [(String, String)] {
        let compIn = Int(r[.comp_in]) ?? 0, compOut = Int(r[.comp_out]) ?? 0
        return [("Response bytes in:", r[.bout]), ("Compression in:", r[.comp_in]),
                ("Compression out:", percent(r[.comp_out], of: compIn)), ("Compression bypass:", r[.comp_byp]),
                ("Total bytes saved:", percent(String(compIn - compOut), of: Int(r[.bout]) ?? 0))]
    }

    /// A server's current sessions: its connections, in use and idle, and
    /// their limits.
    private static func serverConnectionTips(_ r: ShowStat.Row) -> [(String, String)] {
        [("Current active connections:", r[.scur]), ("Current used connections:", r[.used_conn_cur]),
         ("Current idle connections:", r[.srv_icur]), ("- unsafe:", r[.idle_conn_cur]),
         ("- safe:", r[.safe_conn_cur]), ("Estimated need of connections:", r[.need_conn_est]),
         ("Active connections limit:", r[.slim].isEmpty ? "-" : r[.slim]),
         ("Idle connections limit:", r[.src_ilim].isEmpty ? "-" : r[.src_ilim])]
    }

    /// A server's or a backend's response errors tooltip: the transfers
    /// each side cut.
    private static func abortTips(_ r: ShowStat.Row) -> [(String, String)] {
        [("Connection resets during transfers:", "\(r[.cli_abrt]) client, \(r[.srv_abrt]) server")]
    }

    /// A server's or a backend's session total tooltip: sessions, server
    /// connections made and reused, responses, and the longest and average
    /// times, as 2.6's page lists them.
    private static func backendSessionTips(_ r: ShowStat.Row, server: Bool, http: Bool) -> [(String, String)] {
        guard http else {
            // TCP: the sessions and the times but the response's.
            return [("Cum. sessions:", r[.stot]), ("Max / Avg over last 1024 success. conn.", ""),
                    ("- Queue time:", "\(r[.qtime_max]) / \(r[.qtime]) ms"),
                    ("- Connect time:", "\(r[.ctime_max]) / \(r[.ctime]) ms"),
                    ("- Total time:", "\(r[.ttime_max]) / \(r[.ttime]) ms")]
        }
        var tips = [("Cum. sessions:", r[.stot]), ("New connections:", r[.connect])]
        let reused = Int(r[.reuse]) ?? 0, made = Int(r[.connect]) ?? 0
        let share = reused + made > 0 ? reused * 100 / (reused + made) : 0
        tips.append(("Reused connections:", "\(reused) (\(share)%)"))
        if server {
            tips += serverResponseTips(r)
            if !r[.hrsp_1xx].isEmpty { tips += [("Failed hdr rewrites:", r[.wrew]), ("Internal error:", r[.eint])] }
        } else {
            tips += proxyResponseTips(r) + httpCounterTips(r)
        }
        tips.append(("Max / Avg over last 1024 success. conn.", ""))
        for (label, max, avg) in [("- Queue time:", StatColumn.qtime_max, StatColumn.qtime),
                                  ("- Connect time:", .ctime_max, .ctime),
                                  ("- Responses time:", .rtime_max, .rtime),
                                  ("- Total time:", .ttime_max, .ttime)] {
            tips.append((label, "\(r[max]) / \(r[avg]) ms"))
        }
        return tips
    }

    private static func frontendCells(_ line: StatsPageModel.Line, _ proxy: StatsPageModel.Proxy, _ model: StatsPageModel, _ out: inout TextBytes) {
        let r = line.row
        nameCell("Frontend", anchor: "\(proxy.name)/Frontend", tip: nil, &out)
        out += "<td colspan=\"3\"></td>"
        var rateTips = [("Current connection rate:", r[.conn_rate] + "/s"), ("Current session rate:", r[.rate] + "/s")]
        var maxTips = [("Max connection rate:", r[.conn_rate_max] + "/s"), ("Max session rate:", r[.rate_max] + "/s")]
        if !r[.req_rate].isEmpty && proxy.mode == "http" {
            rateTips.append(("Current request rate:", r[.req_rate] + "/s"))
            maxTips.append(("Max request rate:", r[.req_rate_max] + "/s"))
        }
        withTip(r[.rate], rateTips, &out)
        withTip(r[.rate_max], maxTips, &out)
        td(r[.rate_lim].isEmpty || r[.rate_lim] == "0" ? "-" : r[.rate_lim], &out)
        td(r[.scur], &out)
        td(r[.smax], &out)
        td(r[.slim], &out)
        var totalTips = [("Cum. connections:", r[.conn_tot]), ("Cum. sessions:", r[.stot])]
        totalTips += proxyResponseTips(r)
        if proxy.mode == "http" {
            totalTips.append(("Intercepted requests:", r[.intercepted]))
            totalTips += httpCounterTips(r)
        }
        withTip(r[.stot], totalTips, &out)
        out += "<td></td><td></td>"
        td(r[.bin], &out)
        bytesOut(r, &out)
        td(r[.dreq], &out)
        td(r[.dresp], &out)
        td(r[.ereq], &out)
        out += "<td></td><td></td><td></td><td></td>"
        out += "<td class=\"ac\">\(escape(r[.status]))</td><td class=\"ac\" colspan=\"8\"></td>"
    }

    private static func serverCells(_ line: StatsPageModel.Line, _ proxy: StatsPageModel.Proxy, _ model: StatsPageModel, _ out: inout TextBytes) {
        let r = line.row
        let tip = model.showLegends ? "\(r[.addr].contains("[") ? "IPv6" : "IPv4"): \(r[.addr]), id: \(r[.sid])" : nil
        nameCell(r[.svname], anchor: "\(proxy.name)/\(r[.svname])", tip: tip, &out)
        td(r[.qcur], &out)
        td(r[.qmax], &out)
        td(r[.qlimit].isEmpty ? "-" : r[.qlimit], &out)
        td(r[.rate], &out)
        td(r[.rate_max], &out)
        out += "<td></td>"
        withTip(r[.scur], serverConnectionTips(r), &out)
        td(r[.smax], &out)
        td(r[.slim].isEmpty ? "-" : r[.slim], &out)
        withTip(r[.stot], backendSessionTips(r, server: true, http: proxy.mode == "http"), &out)
        td(r[.lbtot], &out)
        td(lastSession(r[.lastsess]), &out)
        td(r[.bin], &out)
        td(r[.bout], &out)
        out += "<td></td>"
        td(r[.dresp], &out)
        out += "<td></td>"
        td(r[.econ], &out)
        withTip(r[.eresp], abortTips(r), &out)
        td(r[.wretr], &out)
        td(r[.wredis], &out)
        let lastChange = humanTime(Int(r[.lastchg]) ?? 0)
        if line.checked || r[.status].hasPrefix("MAINT") || r[.status].hasPrefix("DRAIN") || r[.status] == "DOWN (agent)" {
            out += "<td class=\"ac\">\(lastChange) \(escape(r[.status]))\(agentArrow(line))</td>"
        } else {
            out += "<td class=\"ac\"><i>no check</i></td>"
        }
        if let check = line.lastCheck {
            out += "<td class=\"ac\"><span class=\"u\">\(escape(check.text))<span class=\"tips\">\(escape(check.description))</span></span></td>"
        } else {
            out += "<td></td>"
        }
        out += "<td class=\"ac\">\(escape(r[.weight]))/\(escape(r[.uweight]))</td>"
        out += "<td class=\"ac\">\(line.isBackup ? "-" : "Y")</td><td class=\"ac\">\(line.isBackup ? "Y" : "-")</td>"
        if !r[.tracked].isEmpty {
            // The check columns of a tracking server link to the tracked one.
            let tracked = escape(r[.tracked])
            out += "<td class=\"ac\" colspan=\"3\"><a class=\"lfsb\" href=\"#\(fragment(r[.tracked]))\">via \(tracked)</a></td>"
        } else if line.checked {
            withTip(r[.chkfail], [("Failed Health Checks", "")], &out)
            td(r[.chkdown], &out)
            td(humanTime(Int(r[.downtime]) ?? 0), &out)
        } else {
            out += "<td colspan=\"3\"></td>"
        }
        // `slowstart`: a warming server's throttle, as 2.6 shows it.
        if let throttle = Int(r[.throttle]) {
            out += "<td class=\"ac\">\(throttle) %</td>"
        } else {
            out += "<td class=\"ac\">-</td>"
        }
    }

    private static func backendCells(_ line: StatsPageModel.Line, _ proxy: StatsPageModel.Proxy, _ out: inout TextBytes) {
        let r = line.row
        nameCell("Backend", anchor: "\(proxy.name)/Backend", tip: r[.algo].isEmpty ? nil : "balancing: \(r[.algo])", &out)
        td(r[.qcur], &out)
        td(r[.qmax], &out)
        out += "<td></td>"
        td(r[.rate], &out)
        td(r[.rate_max], &out)
        out += "<td></td>"
        td(r[.scur], &out)
        td(r[.smax], &out)
        td(r[.slim], &out)
        withTip(r[.stot], backendSessionTips(r, server: false, http: proxy.mode == "http"), &out)
        td(r[.lbtot], &out)
        td(lastSession(r[.lastsess]), &out)
        td(r[.bin], &out)
        bytesOut(r, &out)
        td(r[.dreq], &out)
        td(r[.dresp], &out)
        out += "<td></td>"
        td(r[.econ], &out)
        withTip(r[.eresp], abortTips(r), &out)
        td(r[.wretr], &out)
        td(r[.wredis], &out)
        out += "<td class=\"ac\">\(humanTime(Int(r[.lastchg]) ?? 0)) \(escape(r[.status]))</td><td class=\"ac\">&nbsp;</td>"
        out += "<td class=\"ac\">\(escape(r[.weight]))/\(escape(r[.uweight]))</td>"
        out += "<td class=\"ac\">\(escape(r[.act]))</td><td class=\"ac\">\(escape(r[.bck]))</td><td class=\"ac\">&nbsp;</td>"
        td(r[.chkdown], &out)
        td(humanTime(Int(r[.downtime]) ?? 0), &out)
        out += "<td></td>"
    }

    // MARK: States

    /// 2.6's arrow after an agent's status: ↓ for DRAIN (agent), ↑ for
    /// DOWN (agent) while the server's own check passes.
    private static func agentArrow(_ line: StatsPageModel.Line) -> String {
        switch line.row[.status] {
        case "DRAIN (agent)": return " &darr;"
        case "DOWN (agent)" where line.checked && (line.health?.current ?? 0) > 0: return " &uarr;"
        default: return ""
        }
    }

    /// The class (colour) of a line: 2.6's `active_*` and `backup_*`
    /// names, `maintain` for MAINT.
    static func rowClass(_ line: StatsPageModel.Line) -> String {
        switch line.row.type {
        case 0: return "frontend"
        case 1: return "backend"
        default: break
        }
        let side = line.isBackup ? "backup" : "active"
        let status = line.row[.status]
        if status.hasPrefix("MAINT") { return "maintain" }  // "MAINT (resolution)" too
        // 2.6 colours a server its agent drained as UP (its status says DRAIN (agent)).
        if status == "DRAIN (agent)" { return "\(side)_up" }
        if status.hasPrefix("DRAIN") { return "\(side)_draining" }
        if status == "DOWN (agent)" { return "active_down" }
        guard line.checked else { return "\(side)_no_check" }
        if status == "NOLB" { return "\(side)_nolb" }
        if let health = line.health {
            let top = health.rise + health.fall - 1
            if status == "UP" && health.current < top { return "\(side)_going_down" }
            if status == "DOWN" && health.current > 0 { return "\(side)_going_up" }
        }
        return status == "DOWN" ? "active_down" : "\(side)_up"
    }

    /// Whether `;up` keeps the line: servers UP (or not checked), not in MAINT.
    private static func isUp(_ line: StatsPageModel.Line) -> Bool {
        let status = line.row[.status]
        return !status.hasPrefix("DOWN") && !status.hasPrefix("MAINT")
    }

    /// 2.6's short durations: `42s`, `3m12s`, `5h02m`, `2d3h`.
    static func humanTime(_ seconds: Int) -> String {
        let s = max(0, seconds)
        if s < 60 { return "\(s)s" }
        if s < 3600 { return "\(s / 60)m\(String(s % 60).leftPadded(2))s" }
        if s < 86400 { return "\(s / 3600)h\(String((s / 60) % 60).leftPadded(2))m" }
        return "\(s / 86400)d\(( s / 3600) % 24)h"
    }

    private static func lastSession(_ text: String) -> String {
        guard let seconds = Int(text), seconds >= 0 else { return "?" }
        return humanTime(seconds)
    }

    private static func bitRate(_ bits: Double) -> String {
        let kbps = bits / 1000
        let whole = Int(kbps)
        let thousandths = Int((kbps - Double(whole)) * 1000)
        return "\(whole).\(String(thousandths).leftPadded(3)) kbps"
    }

    /// A link's fragment: bytes outside letters, digits and `-._~/`
    /// percent-encoded, so that any proxy name makes a valid URL.
    static func fragment(_ text: String) -> String {
        func kept(_ byte: UInt8) -> Bool {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                 UInt8(ascii: "~"), UInt8(ascii: "/"):
                return true
            default:
                return false
            }
        }
        guard !text.utf8.allSatisfy(kept) else { return text }
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count * 3)
        for byte in text.utf8 {
            if kept(byte) {
                out.append(byte)
            } else {
                out += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 15)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Text as HTML: `&`, `<`, `>`, quotes escaped. Most text has none
    /// of them and is returned as it is, after one pass over its bytes.
    static func escape(_ text: String) -> String {
        // Scanned as contiguous bytes: the generic UTF8View walk cost a
        // tenth of a 1000-server page.
        var probe = text
        let special = probe.withUTF8 { bytes in
            bytes.contains { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x27 }
        }
        guard special else { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count + 16)
        for c in text.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }
}

private extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}

import HAProxyBase
import HAProxyConfig
import NIOCore

/// `show stat [desc|json|no-maint|typed|up]*` (manual 9.1, 9.3): one CSV
/// line per frontend, server and backend, in HAProxy 2.6's column order.
/// `typed` and `json` print every non-empty field with its tags and type.
enum ShowStat {
    static let keywords: [CLIKeyword] = [
        CLIKeyword(["show", "stat"], usage: "show stat [desc|json|no-maint|typed|up]*",
                   help: "report counters for each proxy and server") { request in
            let words = Array(request.args.dropFirst(2))
            var options = Set<String>()
            var filter: (proxy: String, type: Int, server: Int)?
            if words.count >= 3, let type = Int(words[1]), let sid = Int(words[2]) {
                filter = (words[0], type, sid)
                options = Set(words.dropFirst(3))
            } else {
                options = Set(words)
            }
            let rows = Self.rows(request.runtime, upOnly: options.contains("up"),
                                 noMaint: options.contains("no-maint"), legends: request.allows(.operator),
                                 filter: filter)
            if options.contains("json") { return json(rows) }
            if options.contains("typed") { return typed(rows) }
            return csv(rows)
        },
    ]

    /// The CSV columns of HAProxy 2.6, in order (`StatColumn`).
    static let columns = StatColumn.allCases.map(\.name)

    static let header = "# " + columns.joined(separator: ",") + ",\n"

    private static let columnIndex: [String: Int] = Dictionary(
        uniqueKeysWithValues: columns.enumerated().map { ($1, $0) })

    /// The statistics module columns after `-`.
    private static let sslColumns: [StatColumn] = [.ssl_sess, .ssl_reused_sess, .ssl_failed_handshake]
    private static let h2h1Columns = Array(StatColumn.allCases[StatColumn.h2_headers_rcvd.rawValue...])
    private static let responseColumns: [StatColumn] = [.hrsp_1xx, .hrsp_2xx, .hrsp_3xx, .hrsp_4xx, .hrsp_5xx, .hrsp_other]

    /// One line: values by column, empty where the real one prints nothing.
    struct Row {
        /// 0 frontend, 1 backend, 2 server.
        var type: Int
        var proxyID: Int
        var serverID: Int
        var values: [String]
        /// `last_chk` of a checked server: typed and JSON output list it
        /// even when empty, as 2.6 does (the CSV cannot tell).
        var lastCheckShown = false

        init(type: Int, proxyID: Int, serverID: Int) {
            self.type = type
            self.proxyID = proxyID
            self.serverID = serverID
            values = Array(repeating: "", count: StatColumn.allCases.count)
            values[StatColumn.modules.rawValue] = "-"
        }

        subscript(_ column: StatColumn) -> String {
            get { values[column.rawValue] }
            set { values[column.rawValue] = newValue }
        }

        /// By the name in the CSV header (tests, and callers that read a
        /// column named at run time).
        subscript(_ name: String) -> String {
            get { values[ShowStat.columnIndex[name]!] }
            set { values[ShowStat.columnIndex[name]!] = newValue }
        }

        mutating func set(_ columns: [StatColumn], _ value: String) {
            for column in columns { self[column] = value }
        }
    }

    static func csv(_ rows: [Row]) -> String {
        String(decoding: csvBytes(rows), as: UTF8.self)
    }

    /// The CSV as bytes (the statistics page's `;csv`).
    static func csvBytes(_ rows: [Row]) -> [UInt8] {
        var out = TextBytes(capacity: header.utf8.count + rows.count * 400)
        out += header
        for row in rows {
            for value in row.values {
                out += value
                out.append(byte: UInt8(ascii: ","))
            }
            out.append(byte: UInt8(ascii: "\n"))
        }
        return out.bytes
    }

    /// The fields of a row the typed and json forms print: the non-empty
    /// ones, positions counted without the `-` separator.
    static func fields(_ row: Row) -> [StatField] {
        let object = row.type == 0 ? "F" : row.type == 1 ? "B" : "S"
        let dash = StatColumn.modules.rawValue
        var fields: [StatField] = []
        let lastCheck = row.lastCheckShown ? StatColumn.last_chk.rawValue : -1
        for (i, name) in columns.enumerated() where i != dash && (!row.values[i].isEmpty || i == lastCheck) {
            let text = row.values[i]
            let (tags, type) = fieldType(name, object: object)
            let value: StatField.Value
            switch type {
            case "u64": value = UInt64(text).map { .u64($0) } ?? .str(text)
            case "u32": value = Int(text).map { .u32($0) } ?? .str(text)
            case "s32": value = Int(text).map { .s32($0) } ?? .str(text)
            default: value = .str(text)
            }
            fields.append(StatField(i > dash ? i - 1 : i, name, tags, value))
        }
        return fields
    }

    private static func objectLetter(_ row: Row) -> String { row.type == 0 ? "F" : row.type == 1 ? "B" : "S" }

    /// `show stat typed`: `F.<iid>.<sid>.<pos>.<name>.1:<tags>:<type>:<value>`.
    static func typed(_ rows: [Row]) -> String {
        var out = ""
        for row in rows {
            let prefix = "\(objectLetter(row)).\(row.proxyID).\(row.serverID)."
            for f in fields(row) {
                out += "\(prefix)\(f.pos).\(f.name).1:\(f.tags):\(f.value.typeName):\(f.value.text)\n"
            }
        }
        return out
    }

    /// `show stat json`: one array of field objects per line of the CSV.
    static func json(_ rows: [Row]) -> String {
        let objects = rows.map { row -> String in
            let kind = row.type == 0 ? "Frontend" : row.type == 1 ? "Backend" : "Server"
            let head = "{\"objType\":\"\(kind)\",\"proxyId\":\(row.proxyID),\"id\":\(row.serverID),"
            return "[" + fields(row).map {
                head + "\"field\":{\"pos\":\($0.pos),\"name\":\"\($0.name)\"},\"processNum\":1,\"tags\":\($0.jsonTags),"
                    + "\"value\":{\"type\":\"\($0.value.typeName)\",\"value\":\($0.value.json)}}"
            }.joined(separator: ",") + "]"
        }
        return "[" + objects.joined(separator: ",") + "]\n"
    }

    // MARK: Rows

    /// - Parameter legends: the addresses, cookies and algorithms are
    ///   shown (an operator or admin socket, a page with `stats
    ///   show-legends`); otherwise those columns stay empty, as in 2.6.
    static func rows(_ runtime: ProxyRuntime, upOnly: Bool = false, noMaint: Bool = false, legends: Bool = true,
                     filter: (proxy: String, type: Int, server: Int)? = nil) -> [Row] {
        let ids = ProxyNumbering.ids(runtime.configuration)
        let globalMaxconn = runtime.configuration.global.maxconn ?? ShowInfo.derivedMaxconn(runtime)
        let now = RateClock.now
        var rows: [Row] = []
        for proxy in runtime.configuration.proxies where !proxy.disabled {
            let iid = ids[proxy.name] ?? 0
            if let filter, filter.proxy != "-1", filter.proxy != proxy.name, Int(filter.proxy) != iid { continue }
            let wants: (Int) -> Bool = { bit in
                guard let filter, filter.type != -1 else { return true }
                return filter.type & bit != 0
            }
            if proxy.capabilities.contains(.frontend), wants(1),
                let frontend = runtime.frontends.first(where: { $0.name == proxy.name })
            {
                rows.append(row(StatSnapshot(frontend: frontend, iid: iid, globalMaxconn: globalMaxconn, now: now)))
            }
            guard proxy.capabilities.contains(.backend), let backend = runtime.backend(named: proxy.name) else { continue }
            if wants(4) {
                for server in backend.servers {
                    if let filter, filter.server != -1, filter.server != server.lb.id { continue }
                    let snapshot = backend.lock.withLock { (server.isUp, server.isInMaintenance) }
                    if upOnly && !(snapshot.0 && !snapshot.1) { continue }
                    if noMaint && snapshot.1 { continue }
                    rows.append(row(StatSnapshot(server: server, backend: backend, iid: iid, now: now)))
                }
            }
            if wants(2) {
                let feeders = runtime.frontends.filter { $0.backend === backend }
                rows.append(row(StatSnapshot(backend: backend, iid: iid, feeders: feeders, globalMaxconn: globalMaxconn, now: now)))
            }
        }
        if !legends {
            for i in rows.indices { rows[i].set([.addr, .cookie, .algo], "") }
        }
        return rows
    }

    /// One CSV line for any object: every column is written here once,
    /// keyed by the object type where frontends, backends and servers
    /// differ. Columns without a counter in this build print 0 where
    /// HAProxy prints a value.
    static func row(_ s: StatSnapshot) -> Row {
        var row = Row(type: s.kind.rawValue, proxyID: s.proxyID, serverID: s.serverID)
        let fe = s.kind == .frontend, be = s.kind == .backend, sv = s.kind == .server
        let http = s.isHTTP
        func put<T: CustomStringConvertible>(_ column: StatColumn, _ value: T?) {
            if let value { row[column] = value.description }
        }
        func put<T: CustomStringConvertible>(_ columns: [StatColumn], _ value: T?) {
            guard let value else { return }
            let text = value.description
            for column in columns { row[column] = text }
        }
        put(.pxname, s.proxyName)
        put(.svname, s.serviceName)
        put(.qcur, s.queueCurrent)
        put(.qmax, s.queueMax)
        put(.scur, s.sessionsCurrent)
        put(.smax, s.sessionsMax)
        put(.slim, s.sessionLimit)
        put(.stot, s.sessionsTotal)
        put(.bin, s.bytesIn)
        put(.bout, s.bytesOut)
        put(.dreq, s.deniedRequests)
        put(.dresp, s.deniedResponses)
        put(.ereq, s.requestErrors)
        put(.econ, s.connectionErrors)
        put(.eresp, s.responseErrors)
        put(.wretr, s.retries)
        put(.wredis, s.redispatches)
        put(.status, s.status)
        put(.weight, s.weight)
        put(.throttle, s.throttle)
        put(.act, s.active)
        put(.bck, s.backup)
        put(.chkfail, s.check.map { _ in s.failedChecks })
        put(.chkdown, s.check?.downTransitions ?? (be ? s.backendDownTransitions : nil))
        put(.lastchg, s.lastChange)
        put(.downtime, s.downtime)
        put(.qlimit, s.queueLimit)
        put(.pid, 1)
        put(.iid, s.proxyID)
        put(.sid, s.serverID)
        put(.lbtot, s.loadBalanced)
        put(.tracked, s.tracked)
        put(.type, s.kind.rawValue)
        put(.rate, s.sessionRate)
        put(.rate_lim, s.sessionRateLimit)
        put(.rate_max, s.sessionRateMax)
        if let responses = s.responses {
            for (name, count) in zip(responseColumns, responses.byClass) { put(name, count) }
        }
        put(.req_rate, s.requestRate)
        put(.req_rate_max, s.requestRateMax)
        put(.req_tot, s.requestsTotal)
        put(.cli_abrt, s.aborts?.client)
        put(.srv_abrt, s.aborts?.server)
        if sv {
            put([.comp_in, .comp_out, .comp_byp, .comp_rsp], Int?.none)
        } else {
            put(.comp_in, s.compression.bytesIn)
            put(.comp_out, s.compression.bytesOut)
            put(.comp_byp, 0)
            put(.comp_rsp, s.compression.responses)
        }
        put(.lastsess, s.lastSession)
        if let times = s.times {
            put(.qtime, times.queue.value)
            put(.ctime, times.connect.value)
            put(.rtime, times.response.value)
            put(.ttime, times.total.value)
            put(.qtime_max, times.queueMax)
            put(.ctime_max, times.connectMax)
            put(.rtime_max, times.responseMax)
            put(.ttime_max, times.totalMax)
        }
        if s.check != nil && !s.checkSuspended {
            // Before its first result a check is "initializing", as in 2.6.
            let result = s.lastCheck
            put(.check_status, result?.code.rawValue ?? "INI")
            put(.check_code, result.flatMap { $0.code.carriesCode ? $0.statusCode : nil })
            put(.check_duration, result?.durationMs)
            put(.last_chk, result.flatMap { $0.infoInStats ? $0.info : nil })
            row.lastCheckShown = true
            put(.check_desc, result?.code.reasonDescription ?? "Initializing")
        }
        let shownCheck = s.checkSuspended ? nil : s.check
        put(.check_rise, shownCheck?.rise)
        put(.check_fall, shownCheck?.fall)
        put(.check_health, shownCheck?.health)
        if let health = s.agentHealth {
            // A reply without up/down word is 2.6's "CHECKED", "No status change".
            let result = s.lastAgentCheck
            let checked = result.map { $0.agentReply != nil && $0.agentReply?.status == nil } ?? false
            put(.agent_status, checked ? "CHECKED" : result?.code.rawValue ?? "INI")
            put(.agent_code, result.flatMap { !checked && $0.code.carriesCode ? $0.statusCode : nil })
            put(.agent_duration, result?.durationMs)
            put(.agent_desc, checked ? "No status change" : result?.code.reasonDescription ?? "Initializing")
            put(.last_agt, result?.info)
            put(.agent_rise, 1)
            put(.agent_fall, 1)
            put(.agent_health, health)
        }
        put(.addr, s.address)
        put(.cookie, s.cookie)
        put(.mode, s.mode.rawValue)
        put(.algo, s.algorithm)
        // Each accepted connection starts a session at once in this build.
        put(.conn_rate, fe ? s.sessionRate : nil)
        put(.conn_rate_max, fe ? s.sessionRateMax : nil)
        put(.conn_tot, fe ? s.connectionsTotal : nil)
        put(.intercepted, fe && http ? s.interceptedRequests : nil)
        put(.dcon, fe ? s.deniedConnections : nil)
        put(.dses, fe ? s.deniedSessions : nil)
        put(.wrew, 0)
        put(.connect, s.connections?.new)
        put(.reuse, s.connections?.reused)
        put([.cache_lookups, .cache_hits], !sv && http ? 0 : nil)
        let pool = s.serverConnections
        put(.srv_icur, pool.map { $0.unsafe + $0.safe })
        put(.src_ilim, s.idleLimit)
        put(.eint, 0)
        put(.idle_conn_cur, pool?.unsafe)
        put(.safe_conn_cur, pool?.safe)
        put(.used_conn_cur, pool?.used)
        put(.need_conn_est, pool?.needed)
        put(.uweight, s.userWeight)
        put([.agg_server_status, .agg_server_check_status, .agg_check_status], be ? 0 : nil)
        put(sslColumns, 0)
        put(h2h1Columns, sv ? nil : 0)
        return row
    }

    /// The server's status column: `no check` stands for UP without checks.
    static func statusText(_ server: Server, checked: Bool) -> String {
        let text = server.statusText
        if !checked && text == "UP" { return "no check" }
        return text
    }

    static func addressText(_ server: Server) -> String {
        if server.inResolutionMaintenance { return "" }
        let ip = server.address.ipAddress ?? server.config.host
        let port = server.config.port.map { _ in server.address.port ?? 0 } ?? server.servicePort
        let host = ip.contains(":") ? "[\(ip)]" : ip
        return port.map { "\(host):\($0)" } ?? host
    }

    /// Seconds since a `RateClock` time, -1 for none (`lastsess`).
    static func seconds(sinceMs then: UInt64?, now: UInt64) -> Int {
        guard let then else { return -1 }
        return now > then ? Int((now - then) / 1000) : 0
    }

    static func seconds(since deadline: NIODeadline) -> Int {
        let now = NIODeadline.now()
        guard now > deadline else { return 0 }
        return Int((now - deadline).nanoseconds / 1_000_000_000)
    }

    static func algorithmName(_ algorithm: BalanceAlgorithm) -> String {
        switch algorithm {
        case .roundRobin: return "roundrobin"
        case .staticRoundRobin: return "static-rr"
        case .leastConn: return "leastconn"
        case .first: return "first"
        case .source: return "source"
        case .uri: return "uri"
        case .urlParam: return "url_param"
        case .header: return "hdr"
        case .random: return "random"
        }
    }
}

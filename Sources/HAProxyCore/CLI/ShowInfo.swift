#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import HAProxyBase
import HAProxyConfig
import HAProxyIO

/// `show info [desc|json|typed|float]*` (manual 9.3): the process-wide
/// counters, one `Name: value` line each in HAProxy 2.6's field order.
enum ShowInfo {
    static let keywords: [CLIKeyword] = [
        CLIKeyword(["show", "info"], usage: "show info [desc|json|typed|float]*",
                   help: "report information about the running process") { request in
            let options = Set(request.args.dropFirst(2))
            let fields = Self.fields(request.runtime, settings: request.processor.settings)
            if options.contains("json") { return json(fields) }
            if options.contains("typed") { return typed(fields) }
            return fields.map { "\($0.name): \($0.value.text)\n" }.joined()
        },
        CLIKeyword(["show", "version"], usage: "show version", help: "show version of the current process") { _ in
            "\(BuildInfo.version)\n"
        },
    ]

    static func typed(_ fields: [StatField]) -> String {
        fields.map { "\($0.pos).\($0.name).1:\($0.tags):\($0.value.typeName):\($0.value.text)\n" }.joined()
    }

    static func json(_ fields: [StatField]) -> String {
        let items = fields.map {
            "{\"field\":{\"pos\":\($0.pos),\"name\":\"\($0.name)\"},\"processNum\":1,\"tags\":\($0.jsonTags),"
                + "\"value\":{\"type\":\"\($0.value.typeName)\",\"value\":\($0.value.json)}}"
        }
        return "[" + items.joined(separator: ",") + "]\n"
    }

    /// The open-files limit, as `Ulimit-n` and `Maxsock` report it.
    static var fileLimit: Int {
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        return Int(clamping: limit.rlim_cur)
    }

    /// The global maxconn when the configuration sets none: what the
    /// open-files limit allows once 2.6's reserve is set aside (26 file
    /// descriptors plus one per listening socket, stats sockets included),
    /// two descriptors per connection.
    /// The process's node name (`node`, else the host's name up to its
    /// first dot), as `show info` and `send-state` give it.
    static func nodeName(_ global: GlobalConfig) -> String {
        global.node ?? ProcessEnvironment.hostName.split(separator: ".").first.map(String.init) ?? ""
    }

    static func derivedMaxconn(_ runtime: ProxyRuntime) -> Int {
        let listeners = runtime.frontends.reduce(runtime.configuration.global.statsSockets.count) {
            $0 + $1.listenerCount
        }
        return max(1, (fileLimit - 26 - listeners) / 2)
    }

    /// Every field, in HAProxy 2.6 order (positions as `show info typed`).
    static func fields(_ runtime: ProxyRuntime, settings: CLIRuntimeSettings) -> [StatField] {
        let global = runtime.configuration.global
        let uptime = ProcessClock.uptimeSeconds
        let hardMaxconn = global.maxconn ?? derivedMaxconn(runtime)
        let maxconn = runtime.globalMaxconnLimit ?? hardMaxconn
        var cumConns = 0, cumReq = 0
        var bytesOut: UInt64 = 0, bytesOutRate: UInt64 = 0
        var listeners = 0
        let now = RateClock.now
        let rates = runtime.rates.snapshot(now: now)
        let tls = runtime.tlsStatistics.snapshot(now: now)
        for frontend in runtime.frontends {
            frontend.withCounters { frontend in
                cumConns += frontend.totalConnections
                cumReq += frontend.totalRequests
                bytesOut &+= frontend.bytesOut
                bytesOutRate += UInt64(frontend.bytesOutRate.rate(now: now)) * 32
            }
            listeners += frontend.listenerCount
        }
        listeners += global.statsSockets.count
        let current = runtime.connectionCount
        let node = nodeName(global)
        var fields: [StatField] = [
            StatField(0, "Name", "POS", .str("HAProxy")),
            StatField(1, "Version", "POS", .str(BuildInfo.version)),
            StatField(2, "Release_date", "POS", .str(BuildInfo.releaseDate)),
            StatField(3, "Nbthread", "CGS", .u32(max(1, global.nbthread))),
            StatField(4, "Nbproc", "CGS", .u32(1)),
            StatField(5, "Process_num", "KGP", .u32(1)),
            StatField(6, "Pid", "SGP", .u32(Int(getpid()))),
            StatField(7, "Uptime", "MDP", .str(ProcessClock.uptimeText(uptime))),
            StatField(8, "Uptime_sec", "MDP", .u32(uptime)),
            StatField(9, "Memmax_MB", "CLP", .u32(0)),
            StatField(10, "PoolAlloc_MB", "MGP", .u32(0)),
            StatField(11, "PoolUsed_MB", "MGP", .u32(0)),
            StatField(12, "PoolFailed", "MCP", .u32(0)),
            StatField(13, "Ulimit-n", "CLP", .u32(fileLimit)),
            StatField(14, "Maxsock", "CLP", .u32(fileLimit)),
            StatField(15, "Maxconn", "CLP", .u32(maxconn)),
            StatField(16, "Hard_maxconn", "CLP", .u32(hardMaxconn)),
            StatField(17, "CurrConns", "MGP", .u32(current)),
            StatField(18, "CumConns", "MCP", .u32(cumConns)),
            StatField(19, "CumReq", "MCP", .u32(cumReq)),
            StatField(20, "MaxSslConns", "MMP", .u32(tls.maxCurrent)),
            StatField(21, "CurrSslConns", "MGP", .u32(tls.current)),
            StatField(22, "CumSslConns", "MCP", .u32(tls.cumulative)),
            StatField(23, "Maxpipes", "CLP", .u32(0)),
            StatField(24, "PipesUsed", "MGP", .u32(IOSplice.inUse)),
            StatField(25, "PipesFree", "MGP", .u32(0)),
            StatField(26, "ConnRate", "MRP", .u32(Int(rates.connectionRate))),
            StatField(27, "ConnRateLimit", "CLP", .u32(Int(rates.connectionRateLimit))),
            StatField(28, "MaxConnRate", "MMP", .u32(Int(rates.connectionRateMax))),
            StatField(29, "SessRate", "MRP", .u32(Int(rates.sessionRate))),
            StatField(30, "SessRateLimit", "CLP", .u32(Int(rates.sessionRateLimit))),
            StatField(31, "MaxSessRate", "MRP", .u32(Int(rates.sessionRateMax))),
            StatField(32, "SslRate", "MRP", .u32(Int(tls.sessionRate))),
            StatField(33, "SslRateLimit", "CLP", .u32(settings.sslSessionRateLimit)),
            StatField(34, "MaxSslRate", "MMP", .u32(Int(tls.sessionRateMax))),
            StatField(35, "SslFrontendKeyRate", "MGP", .u32(Int(tls.frontendKeyRate))),
            StatField(36, "SslFrontendMaxKeyRate", "MMP", .u32(Int(tls.frontendKeyRateMax))),
            StatField(37, "SslFrontendSessionReuse_pct", "MGP", .u32(tls.frontendReusePercent)),
            StatField(38, "SslBackendKeyRate", "MRP", .u32(Int(tls.backendKeyRate))),
            StatField(39, "SslBackendMaxKeyRate", "MMP", .u32(Int(tls.backendKeyRateMax))),
            StatField(40, "SslCacheLookups", "MCP", .u32(0)),
            StatField(41, "SslCacheMisses", "MCP", .u32(0)),
            StatField(42, "CompressBpsIn", "MRP", .u32(Int(rates.compressionIn))),
            StatField(43, "CompressBpsOut", "MRP", .u32(Int(rates.compressionOut))),
            StatField(44, "CompressBpsRateLim", "CLP", .u32(settings.compressionRateLimit)),
            StatField(47, "Tasks", "MGP", .u32(current + listeners)),
            StatField(48, "Run_queue", "MGP", .u32(0)),
            StatField(49, "Idle_pct", "MaP", .u32(100)),
            StatField(50, "node", "COS", .str(node)),
        ]
        if let description = global.description {
            fields.append(StatField(51, "description", "COS", .str(description)))
        }
        fields += [
            StatField(52, "Stopping", "MGP", .u32(0)),
            StatField(53, "Jobs", "MGP", .u32(current + listeners)),
            StatField(54, "Unstoppable Jobs", "MGP", .u32(0)),
            StatField(55, "Listeners", "MGP", .u32(listeners)),
            StatField(56, "ActivePeers", "MGP", .u32(0)),
            StatField(57, "ConnectedPeers", "MGP", .u32(0)),
            StatField(58, "DroppedLogs", "MGP", .u32(runtime.logger?.dropped.current ?? 0)),
            StatField(59, "BusyPolling", "MGP", .u32(0)),
            StatField(60, "FailedResolutions", "MGP", .u32(0)),
            StatField(61, "TotalBytesOut", "MGP", .u64(bytesOut)),
            StatField(62, "TotalSplicdedBytesOut", "MGP", .u64(0)),
            StatField(63, "BytesOutRate", "MRP", .u64(bytesOutRate)),
            StatField(64, "DebugCommandsIssued", "MGP", .u32(0)),
            StatField(65, "CumRecvLogs", "MCP", .u32(0)),
            StatField(66, "Build info", "POS", .str(BuildInfo.version)),
            StatField(67, "Memmax_bytes", "CLP", .u32(0)),
            StatField(68, "PoolAlloc_bytes", "MGP", .u64(0)),
            StatField(69, "PoolUsed_bytes", "MGP", .u64(0)),
            StatField(70, "Start_time_sec", "MDP", .u32(Int(ProcessClock.startTime))),
            StatField(71, "Tainted", "SGP", .str("0")),
        ]
        return fields
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import HAProxyBase
import HAProxyConfig
import NIOCore

/// Process-wide commands (manual 9.3): `show sess`, `shutdown session`,
/// `show errors`, `show env`, `show activity`, `clear counters`,
/// `set maxconn global`, `set rate-limit`.
enum MiscCommands {
    static let keywords: [CLIKeyword] = [
        CLIKeyword(["show", "sess"], usage: "show sess [id]",
                   help: "report the list of current sessions or dump this exact session", level: .operator) { request in
            let streams = request.runtime.streams
            let arg = request[2]
            if arg.hasPrefix("0x") {
                guard let id = UInt(arg.dropFirst(2), radix: 16), let entry = streams.entry(id) else {
                    return "Session not found.\n"
                }
                return line(entry)
            }
            return streams.all.map(line).joined()
        },
        CLIKeyword(["shutdown", "session"], usage: "shutdown session [id]", help: "kill a specific session",
                   level: .admin) { request in
            let arg = request[2]
            guard !arg.isEmpty else { return "Session pointer expected (use 'show sess').\n" }
            let hex = arg.hasPrefix("0x") ? String(arg.dropFirst(2)) : arg
            guard let id = UInt(hex, radix: 16), let entry = request.runtime.streams.entry(id) else {
                return "No such session (use 'show sess').\n"
            }
            request.runtime.streams.shutdown(entry)
            return ""
        },
        CLIKeyword(["show", "errors"], usage: "show errors [<px>] [request|response]",
                   help: "report last request and/or response errors for each proxy", level: .operator) { request in
            let name = request[2]
            if !name.isEmpty, name != "-1", name != "request", name != "response",
                !request.runtime.configuration.proxies.contains(where: { $0.name == name })
            {
                return "No such proxy.\n"
            }
            // Invalid requests and responses are not captured yet: none to list.
            return "Total events captured on [\(errorsDate())] : 0\n"
        },
        CLIKeyword(["show", "env"], usage: "show env [var]", help: "dump environment variables known to the process",
                   level: .operator) { request in
            let environment = ProcessEnvironment.variables
            if !request[2].isEmpty {
                guard let value = environment[request[2]] else { return "Variable not found\n" }
                return "\(request[2])=\(value)\n"
            }
            var out = ""
            var p = environ
            while let entry = p.pointee {
                out += String(cString: entry) + "\n"
                p += 1
            }
            return out
        },
        CLIKeyword(["show", "activity"], usage: "show activity",
                   help: "show per-thread activity stats (for support/developers)") { request in
            let threads = max(1, request.runtime.configuration.global.nbthread)
            var now = timeval()
            gettimeofday(&now, nil)
            var out = "thread_id: 1 (1..\(threads))\n"
            out += "date_now: \(now.tv_sec).\(now.tv_usec.zeroPadded(6))\n"
            let accepted = request.runtime.frontends.reduce(0) { sum, frontend in
                sum + frontend.withCounters { $0.totalConnections }
            }
            // Loop internals are SwiftNIO's and not counted: zeros, except accepted connections.
            let names = [
                "ctxsw", "tasksw", "empty_rq", "long_rq", "loops", "wake_tasks", "wake_signal", "poll_io",
                "poll_exp", "poll_drop_fd", "poll_skip_fd", "conn_dead", "stream_calls", "pool_fail", "buf_wait",
                "cpust_ms_tot", "cpust_ms_1s", "cpust_ms_15s", "avg_loop_us", "accepted", "accq_pushed",
                "accq_full", "accq_ring", "fd_takeover",
            ]
            for name in names {
                let total = name == "accepted" ? accepted : 0
                let perThread = threads > 1 ? " [ " + Array(repeating: "0", count: threads).joined(separator: " ") + " ]" : ""
                out += "\(name): \(total)\(threads > 1 && name != "accepted" ? perThread : "")\n"
            }
            return out
        },
        CLIKeyword(["clear", "counters"], usage: "clear counters [all]",
                   help: "clear max statistics counters (or all counters)", level: .operator) { request in
            let all = request[2] == "all"
            if all && !request.allows(.admin) { return CLIMessage.permissionDenied }
            for frontend in request.runtime.frontends { frontend.clearCounters(all: all) }
            for backend in request.runtime.backends { backend.clearCounters(all: all) }
            request.runtime.rates.clearPeaks()
            request.runtime.tlsStatistics.clearPeaks()
            return ""
        },
        CLIKeyword(["set", "maxconn", "global"], usage: "set maxconn global <value>",
                   help: "change the per-process maxconn setting", level: .admin) { request in
            guard !request[3].isEmpty, let value = Int(request[3]) else { return "Expects an integer value.\n" }
            let hard = request.runtime.configuration.global.maxconn ?? ShowInfo.derivedMaxconn(request.runtime)
            guard value >= 0, value <= hard else { return "Value out of range.\n" }
            request.runtime.globalMaxconnLimit = value == 0 ? hard : value
            return ""
        },
        CLIKeyword(["set", "rate-limit"], usage: "set rate-limit <setting> <value>",
                   help: "change a rate limiting value", level: .admin) { request in
            let usage = """
                'set rate-limit' only supports :
                   - 'connections global' to set the per-process maximum connection rate
                   - 'sessions global' to set the per-process maximum session rate
                   - 'ssl-sessions global' to set the per-process maximum SSL session rate
                   - 'http-compression global' to set the per-process maximum compression speed in kB/s

                """
            let setting = request[2]
            guard ["connections", "sessions", "ssl-sessions", "http-compression"].contains(setting),
                request[3] == "global"
            else { return usage }
            guard !request[4].isEmpty else { return "Expects an integer value.\n" }
            // Read with atoi, as HAProxy: "12x" is 12, "abc" is 0 (no limit).
            let value = Int(atoi(request[4]))
            guard value >= 0 else { return "Value out of range.\n" }
            // The listeners ask the runtime's rates before each accept: a
            // new limit applies from the next one (or the next held read).
            switch setting {
            case "connections": request.runtime.rates.connectionRateLimit = UInt32(value)
            case "sessions": request.runtime.rates.sessionRateLimit = UInt32(value)
            case "ssl-sessions": request.processor.settings.sslSessionRateLimit = value
            default: request.processor.settings.compressionRateLimit = value * 1024
            }
            return ""
        },
    ]

    /// One `show sess` line, shortened to what this runtime knows.
    static func line(_ entry: ActiveStreams.Entry) -> String {
        let route = ActiveStreams.route(of: entry)
        let proto: String
        let source: String
        switch entry.clientAddress {
        case .v4(let a)?:
            proto = "tcpv4"
            source = "\(a.host):\(entry.clientAddress?.port ?? 0)"
        case .v6(let a)?:
            proto = "tcpv6"
            source = "\(a.host):\(entry.clientAddress?.port ?? 0)"
        case .unixDomainSocket?:
            proto = "unix_stream"
            source = "unix"
        case nil:
            proto = "?"
            source = "?"
        }
        let age = ShowStat.seconds(since: entry.accepted)
        let backend = route?.backend ?? "<NONE>"
        let server = route?.server?.name ?? "<none>"
        return "0x\(String(entry.id, radix: 16)): proto=\(proto) src=\(source) fe=\(entry.frontend.name) "
            + "be=\(backend) srv=\(server) ts=00 age=\(ageText(age)) calls=0 rate=0 cpu=0 lat=0\n"
    }

    /// `3s`, `2m5s`, `1h2m`, `3d4h` as HAProxy's human durations.
    static func ageText(_ seconds: Int) -> String {
        if seconds < 60 { return "\(seconds)s" }
        if seconds < 3600 { return "\(seconds / 60)m\(seconds % 60)s" }
        if seconds < 86400 { return "\(seconds / 3600)h\((seconds / 60) % 60)m" }
        return "\(seconds / 86400)d\((seconds / 3600) % 24)h"
    }

    /// `25/Nov/2026:18:30:42.915` (local time).
    static func errorsDate() -> String {
        var tv = timeval()
        gettimeofday(&tv, nil)
        var t = time_t(tv.tv_sec)
        var tm = tm()
        localtime_r(&t, &tm)
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        return "\(tm.tm_mday.zeroPadded(2))/\(months[Int(tm.tm_mon)])/\((tm.tm_year + 1900).zeroPadded(4))"
            + ":\(tm.tm_hour.zeroPadded(2)):\(tm.tm_min.zeroPadded(2)):\(tm.tm_sec.zeroPadded(2))"
            + ".\((tv.tv_usec / 1000).zeroPadded(3))"
    }
}

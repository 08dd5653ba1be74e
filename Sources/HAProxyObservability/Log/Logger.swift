#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import HAProxyConfig

/// The logging facade the runtime builds once from the configuration.
///
/// Construct it before `chroot` and before dropping privileges: it loads
/// the time zone and opens `file@` targets (and their directory handles)
/// then; syslog sockets connect lazily on the first line, hence by path
/// inside the chroot. One `ProxyLog` per frontend does the per-stream work.
public final class Logger: @unchecked Sendable {
    public let pid: Int
    /// `%H`: the host name the log lines give.
    public let hostname: String
    public let programName: String
    /// Lines that could not be sent (full socket buffer, dead receiver,
    /// full file queue): `show info`'s `DroppedLogs`.
    public let dropped = LogCounter()
    let emitter: LogEmitter
    let globalTargets: [ResolvedLogTarget]
    let globalTag: String
    private var sinks: [LogDestination: LogSink] = [:]
    /// By name, apart for the two sides: a frontend and a backend may
    /// have the same name, and each keeps its own format and targets.
    private var frontendLogs: [String: ProxyLog] = [:]
    private var backendLogs: [String: ProxyLog] = [:]

    /// Resolves every proxy's effective targets (global ones for
    /// `log global`, none after `no log` unless re-added) and opens sinks.
    /// - Parameters:
    ///   - hostname: `%H` and the `file` framing host; the system's by default.
    /// - Throws: `LogConfigError` for a target, format or file it refuses.
    public init(configuration: Configuration, pid: Int = Int(getpid()), programName: String = "haproxy",
                hostname: String? = nil) throws {
        LogClock.loadTimeZone()
        self.pid = pid
        self.programName = programName
        let host = hostname ?? Self.systemHostname()
        self.hostname = host
        let global = configuration.global
        var sendHostname: String?
        if let h = global.logSendHostname { sendHostname = h ?? host }
        emitter = LogEmitter(pid: pid, hostname: host, sendHostname: sendHostname)
        globalTag = global.logTag ?? programName
        var resolvedGlobal: [ResolvedLogTarget] = []
        for cfg in global.logs where !cfg.isGlobal {
            resolvedGlobal.append(try Self.resolve(cfg, sendHostname: sendHostname != nil, sinks: &sinks, dropped: dropped))
        }
        globalTargets = resolvedGlobal
        for proxy in configuration.proxies {
            var targets: [ResolvedLogTarget] = []
            for cfg in proxy.logs {
                if cfg.isGlobal {
                    targets.append(contentsOf: resolvedGlobal)
                } else {
                    targets.append(try Self.resolve(cfg, sendHostname: sendHostname != nil, sinks: &sinks, dropped: dropped))
                }
            }
            let log = try ProxyLog(config: proxy, targets: targets, tag: proxy.logTag ?? globalTag, emitter: emitter)
            if proxy.capabilities.contains(.frontend) { frontendLogs[proxy.name] = log }
            if proxy.capabilities.contains(.backend) { backendLogs[proxy.name] = log }
        }
    }

    private static func resolve(_ cfg: LogTargetConfig, sendHostname: Bool, sinks: inout [LogDestination: LogSink],
                                dropped: LogCounter) throws -> ResolvedLogTarget {
        let target: LogTarget
        do { target = try LogTarget(cfg, sendHostname: sendHostname) } catch let e as LogConfigError {
            throw LogConfigError("parsing [\(cfg.location)] : log: \(e.message)")
        }
        if let sink = sinks[target.destination] { return ResolvedLogTarget(target: target, sink: sink) }
        let sink: LogSink
        switch target.destination {
        case .udp(let host, let port): sink = try DatagramLogSink(.udp(host: host, port: port), dropped: dropped)
        case .unix(let path): sink = try DatagramLogSink(.unix(path: path), dropped: dropped)
        case .fd(let fd): sink = FDLogSink(fd: fd, dropped: dropped)
        case .file(let path): sink = try FileLogSink(path: path, options: target.file ?? FileLogOptions(), dropped: dropped)
        }
        sinks[target.destination] = sink
        return ResolvedLogTarget(target: target, sink: sink)
    }

    static func systemHostname() -> String {
        var buf = [CChar](repeating: 0, count: 256)
        guard gethostname(&buf, buf.count - 1) == 0 else { return "localhost" }
        return String(cString: buf)
    }

    /// The logger of the frontend (or listen section) `name`: the
    /// streams it accepts are logged with its format and targets.
    public func frontendLog(named name: String) -> ProxyLog? { frontendLogs[name] }

    /// Logs a finished stream with frontend `proxy`'s format and targets.
    public func log(_ record: LogRecord, for proxy: String) {
        frontendLogs[proxy]?.log(record)
    }

    /// An operational message (`Proxy fe stopped (...)`, `Server be/s1 is
    /// DOWN, ...`, `backend be has no server available!`): to `proxy`'s
    /// targets when given (as HAProxy's send_log does), else to the global
    /// ones. HAProxy also prints most of them on stderr, worded sometimes
    /// differently: see `stderrLine(_:_:)`.
    public func logOperational(_ level: SyslogLevel, _ message: String, proxy: String? = nil) {
        if let proxy, let p = backendLogs[proxy] ?? frontendLogs[proxy] {
            p.logOperational(level, message)
            return
        }
        guard !globalTargets.isEmpty else { return }
        emitter.emit(build: { _, out in LogBytes.append(message, to: &out) }, level: level,
                     tag: Array(globalTag.utf8), targets: globalTargets)
    }

    /// The stderr form HAProxy prints in the foreground:
    /// `[WARNING]  (1234) : Proxy fe stopped (...).` with a newline.
    public func stderrLine(_ level: SyslogLevel, _ message: String) -> String {
        let label: String
        switch level {
        case .emerg, .alert, .crit, .err: label = "[ALERT]"
        case .warning: label = "[WARNING]"
        default: label = "[NOTICE]"
        }
        return label + String(repeating: " ", count: 11 - label.count) + "(\(pid)) : \(message)\n"
    }

    /// Lines sent to a sink so far.
    public var sentLines: Int { emitter.sent.current }
    /// `DroppedLogs` of `show info`.
    public var droppedLines: Int { dropped.current }

    /// Waits until file targets have written what they queued.
    public func flush() {
        for sink in sinks.values { (sink as? FileLogSink)?.flush() }
    }

    /// Closes sockets and stops file writers after they drained.
    public func close() {
        for sink in sinks.values { sink.close() }
    }
}


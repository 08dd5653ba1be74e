import HAProxyConfig

/// Everything a frontend needs to log its streams: the compiled format,
/// the resolved targets, the tag and the options deciding what is logged.
/// The runtime keeps one per frontend (from `Logger.frontendLog(named:)`) and
/// calls `log(_:)` when a stream ends (or at accept with `option logasap`).
public final class ProxyLog: @unchecked Sendable {
    public let name: String
    /// The line format; nil: the legacy "Connect from" line is sent at
    /// accept time by `logConnection(_:)` (manual 8.2.1).
    public let format: LogFormat?
    public let errorFormat: LogFormat?
    public let structuredDataFormat: LogFormat?
    public let dontLogNull: Bool
    public let dontLogNormal: Bool
    public let separateErrors: Bool
    public let logASAP: Bool
    public let isHTTP: Bool
    let targets: [ResolvedLogTarget]
    let tag: [UInt8]
    let emitter: LogEmitter
    private let counterLock = LogLock()
    private var logCount = 0

    init(config: ProxyConfig, targets: [ResolvedLogTarget], tag: String, emitter: LogEmitter) throws {
        name = config.name
        isHTTP = config.mode == .http
        func compile(_ s: String, _ keyword: String) throws -> LogFormat {
            do { return try LogFormat(compiling: s) } catch let e as LogFormatError {
                throw LogConfigError("\(config.sectionName) '\(config.name)': '\(keyword)' : \(e.message)")
            }
        }
        if let custom = config.logFormat {
            format = try compile(custom, "log-format")
        } else if config.options.httpLog != .none && isHTTP {
            switch config.options.httpLog {
            case .clf: format = .clfLog
            case .https: format = .httpsLog
            default: format = .httpLog
            }
        } else if config.options.tcpLog || config.options.httpLog != .none {
            format = .tcpLog
        } else {
            format = nil
        }
        errorFormat = try config.errorLogFormat.map { try compile($0, "error-log-format") }
        structuredDataFormat = try config.logFormatSD.map { try compile($0, "log-format-sd") }
        dontLogNull = config.options.dontLogNull
        dontLogNormal = config.options.dontLogNormal
        separateErrors = config.options.logSeparateErrors
        logASAP = config.options.logASAP
        self.targets = targets
        self.tag = Array(tag.utf8)
        self.emitter = emitter
    }

    /// True when this proxy has somewhere to log to.
    public var isEnabled: Bool { !targets.isEmpty }
    /// True when the line is the legacy one, sent at accept time.
    public var logsAtAccept: Bool { format == nil }

    /// A stream is "not normal" (manual 8.3.3, 8.3.4): an error or timeout
    /// in its termination state (a response the proxy built itself, `L`,
    /// is normal), a retry, a redispatch or an HTTP 5xx.
    public static func isError(_ r: LogRecord) -> Bool {
        (r.termination.cause != .none && r.termination.cause != .local) || r.retries > 0 || r.redispatched || (r.status >= 500 && r.status <= 599)
    }

    /// `option dontlognull` and `option dontlog-normal` decisions.
    public func shouldLog(_ r: LogRecord) -> Bool {
        if !isEnabled { return false }
        if r.levelOverride == .silent { return false }
        if dontLogNull && r.bytesUploaded == 0 { return false }
        if dontLogNormal && !Self.isError(r) { return false }
        return true
    }

    /// The level of a traffic line: the one `set-log-level` chose, else
    /// info, or err for errors with `option log-separate-errors`.
    public func level(for r: LogRecord) -> SyslogLevel {
        if case .level(let severity)? = r.levelOverride, let level = SyslogLevel(rawValue: severity) { return level }
        return separateErrors && Self.isError(r) ? .err : .info
    }

    /// Whether the formats have `%[...]` samples that need the stream's
    /// context in the record.
    public var usesSampleContext: Bool {
        (format?.usesSampleContext ?? false) || (structuredDataFormat?.usesSampleContext ?? false)
    }

    private func nextLogCount() -> Int {
        counterLock.withLock {
            defer { logCount += 1 }
            return logCount
        }
    }

    /// Logs a finished stream with this proxy's format, when the options allow.
    public func log(_ record: LogRecord) {
        guard let format, shouldLog(record) else { return }
        var r = record
        r.logCounter = nextLogCount()
        r.isHTTP = r.isHTTP || isHTTP
        emitter.emit(format, sd: structuredDataFormat, r, level: level(for: r), tag: tag, targets: targets)
    }

    /// The legacy line at accept time, when no log format is set:
    /// `Connect from 10.0.1.2:33312 to 10.0.3.31:8012 (www/HTTP)`.
    public func logConnection(_ record: LogRecord) {
        guard format == nil, isEnabled else { return }
        _ = nextLogCount()
        let mode = isHTTP ? "HTTP" : "TCP"
        emitter.emit(build: { _, out in
            out.append(contentsOf: "Connect from ".utf8)
            record.clientAddress.appendText(to: &out)
            out.append(0x3A)
            LogBytes.appendDecimal(record.clientPort, to: &out)
            out.append(contentsOf: " to ".utf8)
            record.frontendAddress.appendText(to: &out)
            out.append(0x3A)
            LogBytes.appendDecimal(record.frontendPort, to: &out)
            out.append(contentsOf: " (".utf8)
            LogBytes.append(record.frontendName, to: &out)
            out.append(0x2F)
            LogBytes.append(mode, to: &out)
            out.append(0x29)
        }, level: .info, tag: tag, targets: targets)
    }

    /// A connection that failed before becoming a stream (manual 8.2.5):
    /// `127.0.0.1:56059 [03/Dec/2012:17:35:10.380] frt/f1: message`, or the
    /// `error-log-format` when set.
    public func logConnectionError(_ record: LogRecord, bindName: String, message: String) {
        guard isEnabled else { return }
        if dontLogNull && record.bytesUploaded == 0 { return }
        let lvl: SyslogLevel = separateErrors ? .err : .info
        if let errorFormat {
            emitter.emit(errorFormat, sd: nil, record, level: lvl, tag: tag, targets: targets)
            return
        }
        emitter.emit(build: { renderer, out in
            renderer.renderVariable(.clientIP, [], record, into: &out)
            out.append(0x3A)
            renderer.renderVariable(.clientPort, [], record, into: &out)
            out.append(contentsOf: " [".utf8)
            renderer.renderVariable(.acceptDate, [], record, into: &out)
            out.append(contentsOf: "] ".utf8)
            renderer.renderVariable(.frontendTransport, [], record, into: &out)
            out.append(0x2F)
            LogBytes.append(bindName, to: &out)
            out.append(contentsOf: ": ".utf8)
            LogBytes.append(message, to: &out)
        }, level: lvl, tag: tag, targets: targets)
    }

    /// An operational message about this proxy (`Proxy fe stopped...`,
    /// `Server be/s1 is DOWN...`), sent to this proxy's targets.
    public func logOperational(_ level: SyslogLevel, _ message: String) {
        guard isEnabled else { return }
        emitter.emit(build: { _, out in LogBytes.append(message, to: &out) }, level: level, tag: tag, targets: targets)
    }
}

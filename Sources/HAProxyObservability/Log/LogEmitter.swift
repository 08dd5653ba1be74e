/// A target with its sink and its own `sample` line counter.
final class ResolvedLogTarget: @unchecked Sendable {
    let target: LogTarget
    let sink: LogSink
    private let lock = LogLock()
    private var sampleCounter = 0

    init(target: LogTarget, sink: LogSink) {
        self.target = target
        self.sink = sink
    }

    /// Counts the line and says whether this target's sample takes it.
    func sampled() -> Bool {
        guard let sample = target.sample else { return true }
        return lock.withLock {
            defer { sampleCounter += 1 }
            return sample.accepts(sampleCounter)
        }
    }
}

/// Renders and frames lines into reused buffers, then hands them to the
/// sinks; one per `Logger`, serialised by a lock (uncontended with one
/// event loop, the default).
final class LogEmitter: @unchecked Sendable {
    private let lock = LogLock()
    private var renderer: LogFormatRenderer
    private var framer: SyslogFramer
    private var message: [UInt8] = []
    private var structuredData: [UInt8] = []
    private var line: [UInt8] = []
    let sent = LogCounter()

    init(pid: Int, hostname: String, sendHostname: String?) {
        renderer = LogFormatRenderer(pid: pid, hostname: hostname)
        framer = SyslogFramer(pid: pid, sendHostname: sendHostname, systemHostname: hostname)
        message.reserveCapacity(1024)
        line.reserveCapacity(1100)
    }

    /// Renders `format` for `record` and sends it to `targets` at `level`.
    func emit(_ format: LogFormat, sd: LogFormat?, _ record: LogRecord, level: SyslogLevel,
              tag: [UInt8], targets: [ResolvedLogTarget]) {
        lock.withLock {
            message.removeAll(keepingCapacity: true)
            renderer.render(format, record, into: &message)
            structuredData.removeAll(keepingCapacity: true)
            if let sd { renderer.render(sd, record, into: &structuredData) }
            sendLocked(level: level, tag: tag, targets: targets)
        }
    }

    /// Sends an already built message (operational messages, default line).
    func emit(build: (inout LogFormatRenderer, inout [UInt8]) -> Void, level: SyslogLevel,
              tag: [UInt8], targets: [ResolvedLogTarget]) {
        lock.withLock {
            message.removeAll(keepingCapacity: true)
            structuredData.removeAll(keepingCapacity: true)
            build(&renderer, &message)
            sendLocked(level: level, tag: tag, targets: targets)
        }
    }

    private func sendLocked(level: SyslogLevel, tag: [UInt8], targets: [ResolvedLogTarget]) {
        let now = LogClock.nowMicros()
        for t in targets {
            guard let lvl = t.target.effectiveLevel(level), t.sampled() else { continue }
            line.removeAll(keepingCapacity: true)
            message.withUnsafeBytes { msg in
                structuredData.withUnsafeBytes { sd in
                    framer.frame(msg, format: t.target.format, facility: t.target.facility, level: lvl, tag: tag,
                                 maxLength: t.target.maxLength, nowMicros: now,
                                 structuredData: sd.isEmpty ? nil : sd, into: &line)
                }
            }
            if line.withUnsafeBytes({ t.sink.send($0) }) { sent.increment() }
        }
    }
}

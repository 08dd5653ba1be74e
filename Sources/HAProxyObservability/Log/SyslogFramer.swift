/// Builds the syslog header of a line for one target's format and appends
/// the message, truncated to the target's `len`, then a newline.
///
/// Recorded from HAProxy 2.6: every format ends the datagram with `\n`;
/// `len` bounds header plus message, the newline comes on top; `rfc3164`
/// writes `localhost` as host name unless `log-send-hostname` is set;
/// `rfc5424` writes `-` for host name, message id and structured data.
public struct SyslogFramer {
    /// Tag (`log-tag`, default the program name) and PID.
    public var pid: Int
    /// Host name for `rfc3164`/`rfc5424`; nil: `localhost` and `-`.
    public var sendHostname: [UInt8]?
    /// System host name for `file` framing.
    public var systemHostname: [UInt8]
    var clock = LogClock()

    public init(pid: Int, sendHostname: String?, systemHostname: String) {
        self.pid = pid
        self.sendHostname = sendHostname.map { Array($0.utf8) }
        self.systemHostname = Array(systemHostname.utf8)
    }

    /// Appends the framed line to `out` (which the caller clears).
    /// - Parameters:
    ///   - message: the rendered log line, without newline.
    ///   - structuredData: rendered `log-format-sd`, for rfc5424 only.
    public mutating func frame(_ message: UnsafeRawBufferPointer, format: SyslogFormat, facility: SyslogFacility,
                               level: SyslogLevel, tag: [UInt8], maxLength: Int, nowMicros: Int64,
                               structuredData: UnsafeRawBufferPointer? = nil, into out: inout [UInt8]) {
        let start = out.count
        let pri = facility.rawValue * 8 + level.rawValue
        switch format {
        case .local, .rfc3164, .file:
            if format != .file { appendPRI(pri, to: &out) }
            clock.appendRFC3164Date(nowMicros, to: &out)
            out.append(0x20)
            if format == .rfc3164 {
                out.append(contentsOf: sendHostname ?? Array("localhost".utf8))
                out.append(0x20)
            } else if format == .file {
                out.append(contentsOf: sendHostname ?? systemHostname)
                out.append(0x20)
            }
            out.append(contentsOf: tag)
            out.append(0x5B)
            LogBytes.appendDecimal(pid, to: &out)
            out.append(contentsOf: "]: ".utf8)
        case .rfc5424:
            appendPRI(pri, to: &out)
            out.append(0x31)
            out.append(0x20)
            clock.appendISODate(nowMicros, to: &out)
            out.append(0x20)
            if let h = sendHostname { out.append(contentsOf: h) } else { out.append(0x2D) }
            out.append(0x20)
            out.append(contentsOf: tag)
            out.append(0x20)
            LogBytes.appendDecimal(pid, to: &out)
            out.append(contentsOf: " - ".utf8)
            if let sd = structuredData, !sd.isEmpty { out.append(contentsOf: sd) } else { out.append(0x2D) }
            out.append(0x20)
        case .priority:
            appendPRI(pri, to: &out)
        case .short:
            appendPRI(level.rawValue, to: &out)
        case .timed:
            appendPRI(level.rawValue, to: &out)
            clock.appendISODate(nowMicros, to: &out)
            out.append(0x20)
        case .iso:
            clock.appendISODate(nowMicros, to: &out)
            out.append(0x20)
        case .raw:
            break
        }
        let room = maxLength - (out.count - start)
        if room > 0 {
            out.append(contentsOf: message.count > room ? UnsafeRawBufferPointer(rebasing: message[0..<room]) : message)
        } else if room < 0 {
            out.removeLast(-room)
        }
        out.append(0x0A)
    }

    private func appendPRI(_ pri: Int, to out: inout [UInt8]) {
        out.append(0x3C)
        LogBytes.appendDecimal(pri, to: &out)
        out.append(0x3E)
    }
}

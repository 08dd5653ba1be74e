/// Syslog severities (RFC 5424 section 6.2.1), as the manual lists them
/// (section 8.1): a smaller value is more severe.
public enum SyslogLevel: Int, Sendable, Comparable, CaseIterable {
    case emerg = 0, alert, crit, err, warning, notice, info, debug

    public static let names = ["emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"]

    public init?(name: String) {
        guard let i = Self.names.firstIndex(of: name) else { return nil }
        self.init(rawValue: i)
    }

    public var name: String { Self.names[rawValue] }

    public static func < (a: SyslogLevel, b: SyslogLevel) -> Bool { a.rawValue < b.rawValue }
}

/// The 24 syslog facilities the `log` keyword accepts, in code order.
public enum SyslogFacility: Int, Sendable, CaseIterable {
    case kern = 0, user, mail, daemon, auth, syslog, lpr, news, uucp, cron, auth2, ftp, ntp, audit,
         alert, cron2, local0, local1, local2, local3, local4, local5, local6, local7

    public static let names = ["kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news",
                               "uucp", "cron", "auth2", "ftp", "ntp", "audit", "alert", "cron2",
                               "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7"]

    public init?(name: String) {
        guard let i = Self.names.firstIndex(of: name) else { return nil }
        self.init(rawValue: i)
    }

    public var name: String { Self.names[rawValue] }
}

/// How a line is framed for a target (`log ... format F`, manual section 4.2 `log`).
public enum SyslogFormat: String, Sendable, CaseIterable {
    /// `<PRI>Mmm dd hh:mm:ss tag[pid]: msg`, RFC 3164 without the host name (the default).
    case local
    /// `<PRI>Mmm dd hh:mm:ss host tag[pid]: msg`.
    case rfc3164
    /// `<PRI>1 ISO-DATE host tag pid - SD msg`.
    case rfc5424
    /// `<PRI>msg`.
    case priority
    /// `<LEVEL>msg`, what the systemd journal reads.
    case short
    /// `<LEVEL>ISO-DATE msg`.
    case timed
    /// `ISO-DATE msg`.
    case iso
    /// `msg`.
    case raw
    /// Our default for `file@` targets: the line rsyslog would have written,
    /// `Mmm dd hh:mm:ss host tag[pid]: msg`, which halog reads.
    case file
}

/// The level a `set-log-level` action gives the log line of its stream
/// (manual 4.2 `http-request set-log-level`): one of the 8 syslog levels,
/// or `silent`, which suppresses the line. The last rule that runs wins,
/// and an explicit level replaces the one `option log-separate-errors`
/// would choose.
public enum LogLevelOverride: Sendable, Equatable {
    case silent
    /// A syslog severity: 0 (`emerg`) to 7 (`debug`).
    case level(Int)

    /// The syslog level names, by severity.
    public static let levelNames = ["emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"]

    /// Parses a level as the action takes it (lower case only, as 2.6).
    public init?(name: String) {
        if name == "silent" {
            self = .silent
        } else if let severity = Self.levelNames.firstIndex(of: name) {
            self = .level(severity)
        } else {
            return nil
        }
    }
}

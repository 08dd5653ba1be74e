/// One message of a configuration run, as HAProxy prints it after
/// `[LEVEL]    (PID) : config : `.
public struct Diagnostic: Sendable, Equatable, CustomStringConvertible {
    public enum Level: String, Sendable, Equatable {
        case alert = "ALERT"
        case warning = "WARNING"
        case notice = "NOTICE"
        case diag = "DIAG"
    }

    public var level: Level
    /// The text after `config : `, possibly several lines (carets, `   | ` notes).
    public var message: String
    public var location: SourceLocation?

    public init(level: Level, message: String, location: SourceLocation? = nil) {
        self.level = level
        self.message = message
        self.location = location
    }

    /// The line(s) HAProxy writes to stderr for this message.
    public func formatted(pid: Int32) -> String {
        let tag = "[\(level.rawValue)]"
        let padded = tag + String(repeating: " ", count: max(1, 11 - tag.count))
        return "\(padded)(\(pid)) : config : \(message)"
    }

    public var description: String { formatted(pid: 0) }
}

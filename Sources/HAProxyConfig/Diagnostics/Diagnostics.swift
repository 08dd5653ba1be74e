/// Collects every message of a configuration run in order: parsing goes on
/// after an error so that all of them are reported, as HAProxy does.
public struct Diagnostics: Sendable {
    public private(set) var messages: [Diagnostic] = []
    /// Set by any ALERT that makes the configuration unusable.
    public private(set) var hasFatalErrors = false
    /// Set when parsing stopped early (HAProxy's ERR_ABORT: `.alert`, a
    /// broken `.if`, a section header without a name...). HAProxy then omits
    /// the final "Fatal errors found in configuration." line.
    public private(set) var aborted = false

    public init() {}

    public var alerts: [Diagnostic] { messages.filter { $0.level == .alert } }
    public var warnings: [Diagnostic] { messages.filter { $0.level == .warning } }
    public var hasWarnings: Bool { messages.contains { $0.level == .warning } }

    public mutating func alert(_ message: String, at location: SourceLocation? = nil, fatal: Bool = true) {
        messages.append(Diagnostic(level: .alert, message: message, location: location))
        if fatal { hasFatalErrors = true }
    }

    public mutating func warning(_ message: String, at location: SourceLocation? = nil) {
        messages.append(Diagnostic(level: .warning, message: message, location: location))
    }

    public mutating func notice(_ message: String, at location: SourceLocation? = nil) {
        messages.append(Diagnostic(level: .notice, message: message, location: location))
    }

    public mutating func diag(_ message: String, at location: SourceLocation? = nil) {
        messages.append(Diagnostic(level: .diag, message: message, location: location))
    }

    mutating func markAborted() {
        aborted = true
        hasFatalErrors = true
    }

    public mutating func append(contentsOf other: Diagnostics) {
        messages += other.messages
        hasFatalErrors = hasFatalErrors || other.hasFatalErrors
        aborted = aborted || other.aborted
    }

    /// Every message formatted as HAProxy prints it on stderr for process `pid`.
    /// `.diag` messages only appear in diagnostic mode (`-dD`).
    public func formatted(pid: Int32, includeDiag: Bool = false) -> [String] {
        messages.filter { includeDiag || $0.level != .diag }.map { $0.formatted(pid: pid) }
    }
}

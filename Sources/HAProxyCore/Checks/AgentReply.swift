/// One line an `agent-check` agent sent, read as HAProxy 2.6 reads it
/// (manual 5.2, `agent-check`): words separated by spaces, tabs or commas,
/// each a weight percentage (`75%`), `maxconn:N`, an administrative state
/// (`ready`, `drain`, `maint`) or an operational one (`up`, `down`, `fail`,
/// `stopped`), in any order and case. The last word of each kind wins.
///
/// Recorded from 2.6.12 (server weight 40):
/// - `50% 20%` sets weight 8; `300%` sets 120; `0%` sets 0.
/// - `75` and `-5%` are unknown words: "agent reports an error : 75".
/// - `75%x` keeps the weight: "agent warns : Trailing garbage in weight
///   string"; a later valid percentage in the same line clears the warning.
/// - `maxconn:abc`: "agent warns : maxconn string empty or preceded by
///   garbage"; `maxconn:12x`: "agent warns : Trailing garbage in maxconn
///   string"; `maxconn:0` removes the limit.
/// - `down#going away` is the unknown word `down#going`: a description
///   after `#` is not read.
/// - `foo up` and `up foo`: "via agent : up (foo)" (the first unknown word).
/// - `UP` passes with "via agent : UP"; `Drain` drains.
public struct AgentReply: Sendable, Equatable {
    public enum Status: Sendable, Equatable {
        case up
        /// `down`, `fail` or `stopped`.
        case down
    }

    public enum AdminState: Sendable, Equatable { case ready, drain, maint }

    /// Percentage of the configured weight, when a valid one was given.
    public var weightPercent: Int?
    /// `maxconn:N` (0 removes the limit).
    public var maxconn: Int?
    public var admin: AdminState?
    public var status: Status?
    /// The status word as the agent wrote it (`up`, `UP`, `stopped`...).
    public var statusWord: String?
    /// The first word that was not understood.
    public var unknownWord: String?
    /// The warning of the last weight or maxconn word, nil when it was valid.
    public var warning: String?

    public init() {}

    /// Reads the words of `line` (the bytes before the first CR or LF).
    public init(line: Substring) {
        self.init()
        let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "," })
        for word in words { read(word) }
    }

    private mutating func read(_ word: Substring) {
        let lower = word.lowercased()
        switch lower {
        case "up": status = .up; statusWord = String(word); return
        case "down", "fail", "stopped": status = .down; statusWord = String(word); return
        case "ready": admin = .ready; return
        case "drain": admin = .drain; return
        case "maint": admin = .maint; return
        default: break
        }
        if lower.hasPrefix("maxconn:") {
            let value = lower.dropFirst("maxconn:".count)
            let digits = value.prefix(while: { $0.isASCII && $0.isNumber })
            if digits.isEmpty {
                warning = "maxconn string empty or preceded by garbage"
            } else if digits.count != value.count {
                warning = "Trailing garbage in maxconn string"
            } else {
                maxconn = Int(digits) ?? Int.max
                warning = nil
            }
            return
        }
        if let first = word.first, first.isASCII, first.isNumber, word.contains("%") {
            let digits = word.prefix(while: { $0.isASCII && $0.isNumber })
            if word.dropFirst(digits.count) == "%" {
                weightPercent = Int(digits) ?? Int.max
                warning = nil
            } else {
                warning = "Trailing garbage in weight string"
            }
            return
        }
        if unknownWord == nil { unknownWord = String(word) }
    }

    /// The weight this reply gives a server configured with `configured`.
    public func weight(configured: Int) -> Int? {
        guard let weightPercent else { return nil }
        let (product, overflow) = configured.multipliedReportingOverflow(by: weightPercent)
        return overflow ? nil : product / 100
    }

    /// The check result it makes: L7OK for `up`, L7STS code 0 for a down
    /// word, otherwise none (2.6's "CHECKED", "No status change").
    public var result: CheckResultCode? {
        switch status {
        case .up: return .L7OK
        case .down: return .L7STS
        case nil: return nil
        }
    }

    /// `last_agt`: "via agent : down", "via agent : up (foo)", "agent
    /// reports an error : foo", "agent warns : ..." or nothing.
    public var info: String? {
        if let statusWord {
            return "via agent : \(statusWord)" + (unknownWord.map { " (\($0))" } ?? "")
        }
        if let unknownWord { return "agent reports an error : \(unknownWord)" }
        if let warning { return "agent warns : \(warning)" }
        return nil
    }
}

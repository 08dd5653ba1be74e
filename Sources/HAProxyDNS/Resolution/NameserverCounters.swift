/// What a nameserver was sent and answered, as `show resolvers` lists it
/// (management.txt 9.3).
public struct NameserverCounters: Sendable, Equatable {
    public var sent = 0
    public var sendErrors = 0
    public var valid = 0
    /// Valid answers that changed a server's address.
    public var update = 0
    public var cname = 0
    public var cnameError = 0
    /// NOERROR answers without an address of the asked family.
    public var anyError = 0
    public var nx = 0
    public var timeout = 0
    public var refused = 0
    public var other = 0
    public var invalid = 0
    public var tooBig = 0
    public var truncated = 0
    /// Answers to no query in flight (late, or another ID).
    public var outdated = 0

    public init() {}

    /// Counts an answer by how the resolution read it.
    public mutating func count(_ verdict: Resolution.AnswerVerdict) {
        switch verdict {
        case .outdated: outdated += 1
        case .truncated: truncated += 1
        case .counted(let status, let isTruncated):
            if isTruncated { truncated += 1 }
            switch status {
            case .valid: valid += 1
            case .nx: nx += 1
            case .refused: refused += 1
            case .other, .none: other += 1
            case .invalid: invalid += 1
            case .noAnswer: anyError += 1
            case .timeout: timeout += 1
            }
        }
    }

    /// The nameserver's block of `show resolvers`, in 2.6's layout.
    public func render(name: String, into out: inout String) {
        out += " nameserver \(name):\n"
        let rows: [(String, Int)] = [
            ("sent", sent), ("snd_error", sendErrors), ("valid", valid), ("update", update), ("cname", cname),
            ("cname_error", cnameError), ("any_err", anyError), ("nx", nx), ("timeout", timeout),
            ("refused", refused), ("other", other), ("invalid", invalid), ("too_big", tooBig),
            ("truncated", truncated), ("outdated", outdated),
        ]
        for (label, value) in rows {
            let head = "  \(label):"
            out += head + String(repeating: " ", count: max(1, 15 - head.count)) + "\(value)\n"
        }
    }
}

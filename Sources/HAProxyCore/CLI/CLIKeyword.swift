import HAProxyConfig

/// One runtime API command: the words that select it, the level it needs,
/// its line in `help`, and its handler.
///
/// HAProxy registers its CLI keywords per module (`cli_register_kw` in
/// cli.c); each command group here declares a `[CLIKeyword]` table the
/// registry collects.
struct CLIKeyword {
    /// Leading words that select the command, e.g. `["show", "stat"]`.
    let words: [String]
    /// Left column of `help` (e.g. `show stat [desc|json|no-maint|typed|up]*`);
    /// nil hides the command from `help`.
    let usage: String?
    /// Right column of `help`.
    let help: String
    /// Lowest level allowed to run it; lower levels get "Permission denied".
    let level: StatsSocketConfig.Level
    let handler: (inout CLIRequest) -> String

    init(
        _ words: [String], usage: String?, help: String, level: StatsSocketConfig.Level = .user,
        handler: @escaping (inout CLIRequest) -> String
    ) {
        self.words = words
        self.usage = usage
        self.help = help
        self.level = level
        self.handler = handler
    }

    /// The `help` line: usage padded to 40 columns, then the description.
    var helpLine: String? {
        guard let usage else { return nil }
        let pad = usage.count < 40 ? String(repeating: " ", count: 40 - usage.count) : ""
        return "  \(usage)\(pad): \(help)\n"
    }
}

/// One command being run: its words and the session it runs in.
struct CLIRequest {
    /// Every word of the command, the keyword words included.
    let args: [String]
    let processor: CLICommandProcessor
    var session: CLISession
    /// Some answers of the real one end without the usual empty line
    /// (errors printed by the weight parser, `add|del server`).
    var omitsEmptyLine = false
    /// The lines after a command line ending with `<<`, up to the empty
    /// line that ends them, each with its newline.
    var payload: String?

    var runtime: ProxyRuntime { processor.runtime }

    /// The word at `index`, or "" past the end (HAProxy's empty `args[i]`).
    subscript(_ index: Int) -> String { index < args.count ? args[index] : "" }

    func allows(_ level: StatsSocketConfig.Level) -> Bool { session.level.allows(level) }
}

extension StatsSocketConfig.Level {
    var rank: Int {
        switch self {
        case .user: return 0
        case .operator: return 1
        case .admin: return 2
        }
    }

    /// Whether a session at this level may run a command needing `needed`.
    func allows(_ needed: StatsSocketConfig.Level) -> Bool { rank >= needed.rank }
}

/// Common answers, worded as HAProxy's.
enum CLIMessage {
    static let permissionDenied = "Permission denied\n"
    static let requireBackendServer = "Require 'backend/server'.\n"
    static let noSuchBackend = "No such backend.\n"
    static let noSuchServer = "No such server.\n"
    static let noSuchFrontend = "No such frontend.\n"
}

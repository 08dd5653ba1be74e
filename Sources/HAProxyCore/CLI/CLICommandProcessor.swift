#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import HAProxyConfig
import NIOConcurrencyHelpers

/// Executes one runtime API command line (stats socket, master CLI `@N`
/// routing) and returns the complete answer text.
///
/// Thread-safe: it only reads runtime objects through their locks, and
/// state changes go through `Backend`'s locked methods. Commands are found
/// in a keyword table (`CLICommandRegistry`) that each command group
/// contributes to, as HAProxy's `cli_register_kw`.
public final class CLICommandProcessor {
    unowned let runtime: ProxyRuntime
    let registry: CLICommandRegistry
    /// Settings changed at run time that the configuration does not hold.
    let settings = CLIRuntimeSettings()

    init(runtime: ProxyRuntime) {
        self.runtime = runtime
        self.registry = CLICommandRegistry(
            [
                ShowInfo.keywords, ShowStat.keywords, ShowServersState.keywords, ServerCommands.keywords, ServerCommands.agentKeywords, ResolverCommands.keywords,
                FrontendCommands.keywords, MiscCommands.keywords, SessionCommands.keywords,
                TableCommands.keywords, PeersCommands.keywords, SocketTransferCommands.keywords, PatternCommands.keywords, TLSCommands.keywords,
            ],
            trailing: SessionCommands.trailing)
    }

    /// Runs `line` at access `level`; the answer ends with an empty line as
    /// the real one's (non-interactive mode).
    public func execute(_ line: String, level: StatsSocketConfig.Level) -> String {
        var session = CLISession(level: level)
        return execute(line, session: &session)
    }

    /// Runs every `;`-separated command of `line` in `session`, which the
    /// commands may change (level, prompt, quit, timeout). Each answer ends
    /// with an empty line.
    ///
    /// A `line` ending with `<<` followed by a newline carries a payload:
    /// the text after that newline goes to the line's last command.
    public func execute(_ line: String, session: inout CLISession) -> String {
        var out = ""
        var commandLine = line
        var payload: String?
        if let newline = line.firstIndex(of: "\n"), Self.startsPayload(String(line[..<newline])) {
            commandLine = String(line[..<newline].dropLast(2))
            payload = String(line[line.index(after: newline)...])
        }
        let commands = Self.commands(in: commandLine)
        for (index, args) in commands.enumerated() {
            var request = CLIRequest(args: args, processor: self, session: session)
            if index == commands.count - 1 { request.payload = payload }
            out += run(&request)
            session = request.session
            if session.wantsClose { break }
        }
        return out
    }

    private func run(_ request: inout CLIRequest) -> String {
        guard let keyword = registry.match(request.args) else {
            return registry.unknownCommand(request.args, forHelp: false) + "\n"
        }
        guard request.allows(keyword.level) else {
            return CLIMessage.permissionDenied + "\n"
        }
        let answer = keyword.handler(&request)
        if request.session.wantsClose || request.omitsEmptyLine { return answer }
        return answer + "\n"
    }

    /// Whether a command line announces a payload: it ends with `<<`.
    static func startsPayload(_ line: String) -> Bool {
        line.utf8.count >= 2 && line.hasSuffix("<<")
    }

    /// Splits a line into commands (`;`, unless escaped) and their words
    /// (blanks, unless escaped with a backslash).
    static func commands(in line: String) -> [[String]] {
        var commands: [[String]] = []
        var words: [String] = []
        var word = ""
        var inWord = false
        var escaped = false
        func endWord() {
            if inWord { words.append(word) }
            word = ""
            inWord = false
        }
        for c in line {
            if escaped {
                word.append(c)
                inWord = true
                escaped = false
                continue
            }
            switch c {
            case "\\":
                escaped = true
            case " ", "\t", "\r", "\n":
                endWord()
            case ";":
                endWord()
                commands.append(words)
                words = []
            default:
                word.append(c)
                inWord = true
            }
        }
        endWord()
        commands.append(words)
        let nonEmpty = commands.filter { !$0.isEmpty }
        return nonEmpty.isEmpty ? [[]] : nonEmpty
    }
}

/// Run-time settings the CLI changes that this build only reports in
/// `show info` (no TLS, no compression yet), kept under a lock.
final class CLIRuntimeSettings {
    private let lock = NIOLock()
    private var _sslSessionRateLimit = 0
    private var _compressionRateLimit = 0

    /// `set rate-limit ssl-sessions global` (`SslRateLimit`).
    var sslSessionRateLimit: Int {
        get { lock.withLock { _sslSessionRateLimit } }
        set { lock.withLock { _sslSessionRateLimit = newValue } }
    }

    /// `set rate-limit http-compression global`, in bytes per second (`CompressBpsRateLim`).
    var compressionRateLimit: Int {
        get { lock.withLock { _compressionRateLimit } }
        set { lock.withLock { _compressionRateLimit = newValue } }
    }
}

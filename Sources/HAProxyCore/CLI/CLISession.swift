import HAProxyConfig

/// The state of one runtime API connection that outlives a command: its
/// level (lowered by `operator`/`user`), interactive mode (`prompt`), idle
/// timeout (`set timeout cli`) and whether it asked to close (`quit`).
public struct CLISession: Sendable {
    public var level: StatsSocketConfig.Level
    /// `prompt` mode: the connection stays open and shows `> `.
    public var interactive = false
    /// Set by `quit`: close once the answer is written.
    public var wantsClose = false
    /// Idle timeout in milliseconds (`stats timeout`, `set timeout cli`).
    public var timeoutMs: Int

    public init(level: StatsSocketConfig.Level, timeoutMs: Int = 10_000) {
        self.level = level
        self.timeoutMs = timeoutMs
    }
}

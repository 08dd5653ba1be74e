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
    /// The connection's own socket, on a stats socket with `expose-fd
    /// listeners` only: `_getsocks` sends the listeners over it.
    var transferFD: CInt?

    public init(level: StatsSocketConfig.Level, timeoutMs: Int = 10_000) {
        self.level = level
        self.timeoutMs = timeoutMs
    }
}

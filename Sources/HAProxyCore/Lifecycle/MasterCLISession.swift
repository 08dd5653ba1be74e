#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import HAProxyConfig

/// One connection to the master CLI: its input buffer, interactive mode
/// (`prompt`) and access level.
final class MasterCLISession {
    let fd: CInt
    var level: StatsSocketConfig.Level
    var interactive = false
    var input: [UInt8] = []
    /// A command line ending with `<<` and the payload lines read so far.
    var payload: String?

    init(fd: CInt, level: StatsSocketConfig.Level) {
        self.fd = fd
        self.level = level
    }

    /// Takes the next complete line out of the buffer.
    func nextLine() -> String? {
        guard let nl = input.firstIndex(of: UInt8(ascii: "\n")) else { return nil }
        var line = String(decoding: input[..<nl], as: UTF8.self)
        input.removeSubrange(...nl)
        if line.hasSuffix("\r") { line.removeLast() }
        return line
    }

    func send(_ text: String) {
        _ = WorkerCLIChannel.writeAll(fd, Array(text.utf8))
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import HAProxyBase
import HAProxyConfig
import HAProxyCore

/// Messages on stderr in HAProxy's layout (`[ALERT]    (PID) : ...`), with
/// the two NOTICE lines the real one prints before the first message.
final class Console {
    let quiet: Bool
    private var prefaced = false

    init(quiet: Bool) {
        self.quiet = quiet
    }

    private func write(_ text: String) {
        guard !quiet else { return }
        Console.standardError(text)
    }

    /// Writes `text` to standard error at once (no buffering: messages
    /// appear in order with those of the other processes).
    static func standardError(_ text: String) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let n = bytes.withUnsafeBytes { Glibc.write(STDERR_FILENO, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return }
            bytes = bytes.dropFirst(n)
        }
    }

    private func preface() {
        guard !prefaced else { return }
        prefaced = true
        let pid = getpid()
        write("[NOTICE]   (\(pid)) : haproxy version is \(BuildInfo.version)\n")
        write("[NOTICE]   (\(pid)) : path to executable is \(Console.executablePath)\n")
    }

    static var executablePath: String {
        SystemFile.symbolicLinkDestination("/proc/self/exe") ?? CommandLine.arguments[0]
    }

    func report(_ diagnostics: Diagnostics, includeDiag: Bool) {
        let lines = diagnostics.formatted(pid: getpid(), includeDiag: includeDiag)
        guard !lines.isEmpty else { return }
        preface()
        for line in lines { write(line + "\n") }
    }

    func alert(_ message: String) {
        preface()
        write("[ALERT]    (\(getpid())) : \(message)\n")
    }

    func warning(_ message: String) {
        preface()
        write("[WARNING]  (\(getpid())) : \(message)\n")
    }

    /// In a worker forked by the master: the master already said who we are.
    func enterWorker() {
        prefaced = true
    }

    /// NOTICE lines do not trigger the version preface, as the real one's.
    func notice(_ message: String) {
        write("[NOTICE]   (\(getpid())) : \(message)\n")
    }

    func plain(_ message: String) {
        write(message + "\n")
    }
}

import Foundation
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
        FileHandle.standardError.write(Data(text.utf8))
    }

    private func preface() {
        guard !prefaced else { return }
        prefaced = true
        let pid = getpid()
        write("[NOTICE]   (\(pid)) : haproxy version is \(BuildInfo.version)\n")
        write("[NOTICE]   (\(pid)) : path to executable is \(Console.executablePath)\n")
    }

    static var executablePath: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
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

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import HAProxyConfig

/// Before re-executing itself, the master saves the servers' state so that
/// the next generation loads it (`load-server-state-from-file`): it asks the
/// current worker for `show servers state` over its channel and writes the
/// global `server-state-file`, and for each backend with `local` the
/// backend's own file. Each file is written to a temporary name beside it
/// and renamed, so a reader never sees half a file.
extension MasterProcess {
    /// The files to write: path and the `show servers state` command.
    static func serverStateTargets(_ configuration: Configuration) -> [(path: String, command: String)] {
        var targets: [(path: String, command: String)] = []
        let global = configuration.global
        if let path = ServerStateFile.globalPath(global) {
            targets.append((path, "show servers state"))
        }
        for proxy in configuration.proxies
        where proxy.capabilities.contains(.backend) && !proxy.disabled && proxy.loadServerState == .local {
            let path = ServerStateFile.localPath(proxy, global: global)
            if !targets.contains(where: { $0.path == path }) {
                targets.append((path, "show servers state \(proxy.name)"))
            }
        }
        return targets
    }

    func saveServerState() {
        guard let configuration else { return }
        let targets = Self.serverStateTargets(configuration)
        guard !targets.isEmpty else { return }
        guard let worker = workers.first(where: { !$0.leaving && $0.cliFD >= 0 }) else { return }
        for target in targets {
            guard let answer = WorkerCLIChannel.request(fd: worker.cliFD, command: target.command, level: .admin),
                  answer.hasPrefix("1\n") else {
                report(.warning, "Failed to save the servers state to '\(target.path)': no answer from the worker (\(worker.pid)).")
                continue
            }
            // The CLI ends an answer with an empty line; the file does not need it.
            var text = answer
            while text.hasSuffix("\n\n") { text.removeLast() }
            if let reason = Self.writeAtomically(text, to: target.path) {
                report(.warning, "Failed to save the servers state to '\(target.path)': \(reason).")
            }
        }
    }

    /// Writes `text` to `path` through a temporary file renamed over it;
    /// returns the reason of a failure.
    static func writeAtomically(_ text: String, to path: String) -> String? {
        let temporary = path + ".tmp.\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return String(cString: strerror(errno)) }
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                let reason = String(cString: strerror(errno))
                close(fd)
                unlink(temporary)
                return reason
            }
            offset += n
        }
        _ = fsync(fd)
        close(fd)
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            return reason
        }
        return nil
    }
}

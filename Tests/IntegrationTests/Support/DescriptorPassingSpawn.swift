import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A child process started with `posix_spawn` that inherits chosen
/// descriptors at chosen numbers, as a service manager or a shell
/// (`3<>...`) hands sockets over. Foundation's `Process` closes every
/// descriptor above 2 in the child, so it cannot pass `fd@N` sockets.
final class DescriptorPassingProcess {
    let pid: pid_t
    private var status: Int32?

    /// Starts `executable` in `directory`; `descriptors` maps a descriptor
    /// of this process to the number it gets in the child; stdout and
    /// stderr go to `log`.
    init(executable: String, arguments: [String], descriptors: [CInt: CInt], directory: String, log: String) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for (source, target) in descriptors {
            precondition(source != target, "dup2 onto itself would keep close-on-exec")
            posix_spawn_file_actions_adddup2(&actions, source, target)
        }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)

        // env(1) changes directory then executes in place (same pid): glibc's
        // posix_spawn_file_actions_addchdir_np is not visible from Swift.
        let argv = ["/usr/bin/env", "-C", directory, executable] + arguments
        var cArguments: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { for p in cArguments { free(p) } }
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "NOTIFY_SOCKET")
        var cEnvironment: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for p in cEnvironment { free(p) } }

        var child: pid_t = 0
        let rc = posix_spawn(&child, argv[0], &actions, nil, &cArguments, &cEnvironment)
        guard rc == 0 else { throw HarnessError("posix_spawn \(executable): \(String(cString: strerror(rc)))") }
        pid = child
    }

    /// Waits (bounded) for the end; the wait status, or nil if still running.
    @discardableResult
    func waitForExit(timeout: TimeInterval = 10) -> Int32? {
        if let status { return status }
        let deadline = Date().addingTimeInterval(timeout)
        repeat {
            var raw: Int32 = 0
            if waitpid(pid, &raw, WNOHANG) == pid {
                status = raw
                return raw
            }
            usleep(10_000)
        } while Date() < deadline
        return nil
    }

    /// SIGKILL and reap, if still running.
    func kill() {
        guard status == nil else { return }
        Glibc.kill(pid, SIGKILL)
        waitForExit(timeout: 5)
    }
}

/// A UNIX stream socket bound at `path` and listening, close-on-exec in
/// this process; its descriptor, to pass to a child.
func listeningUnixSocket(at path: String) throws -> CInt {
    unlink(path)
    let fd = socket(AF_UNIX, CInt(SOCK_STREAM.rawValue) | CInt(SOCK_CLOEXEC.rawValue), 0)
    guard fd >= 0 else { throw HarnessError("socket(): \(String(cString: strerror(errno)))") }
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    let bytes = Array(path.utf8)
    guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
        close(fd)
        throw HarnessError("socket path too long: \(path)")
    }
    withUnsafeMutableBytes(of: &address.sun_path) { p in
        for (i, b) in bytes.enumerated() { p[i] = b }
    }
    let rc = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
    }
    guard rc == 0, listen(fd, 16) == 0 else {
        let reason = String(cString: strerror(errno))
        close(fd)
        throw HarnessError("bind/listen \(path): \(reason)")
    }
    return fd
}

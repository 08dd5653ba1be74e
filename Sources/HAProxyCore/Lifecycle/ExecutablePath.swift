import Foundation

/// Where the running binary lives, by path, so that a reload executes
/// whatever file is at that path now (an upgraded package takes over on the
/// next reload). `/proc/self/exe` is only the last resort: after an upgrade
/// it names the old, deleted inode.
public enum ExecutablePath {
    /// Resolves `argv0` against the current directory, or through `PATH`
    /// when it has no slash.
    public static func resolve(argv0: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if argv0.contains("/") {
            if argv0.hasPrefix("/") { return (argv0 as NSString).standardizingPath }
            let cwd = FileManager.default.currentDirectoryPath
            return ((cwd as NSString).appendingPathComponent(argv0) as NSString).standardizingPath
        }
        for dir in (environment["PATH"] ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin").split(separator: ":") {
            let candidate = (String(dir) as NSString).appendingPathComponent(argv0)
            if access(candidate, X_OK) == 0 {
                return resolve(argv0: candidate, environment: environment)
            }
        }
        var link = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? argv0
        if link.hasSuffix(" (deleted)") { link.removeLast(" (deleted)".count) }
        return link
    }
}

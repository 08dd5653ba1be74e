#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import HAProxyBase

/// Where the running binary lives, by path, so that a reload executes
/// whatever file is at that path now (an upgraded package takes over on the
/// next reload). `/proc/self/exe` is only the last resort: after an upgrade
/// it names the old, deleted inode.
public enum ExecutablePath {
    /// Resolves `argv0` against the current directory, or through `PATH`
    /// when it has no slash.
    public static func resolve(argv0: String, environment: [String: String] = ProcessEnvironment.variables) -> String {
        if argv0.contains("/") {
            if argv0.hasPrefix("/") { return normalized(argv0) }
            let cwd = SystemFile.currentDirectory
            return normalized(cwd + "/" + argv0)
        }
        for dir in (environment["PATH"] ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin").split(separator: ":") {
            let candidate = dir.hasSuffix("/") ? String(dir) + argv0 : String(dir) + "/" + argv0
            if access(candidate, X_OK) == 0 {
                return resolve(argv0: candidate, environment: environment)
            }
        }
        var link = SystemFile.symbolicLinkDestination("/proc/self/exe") ?? argv0
        if link.hasSuffix(" (deleted)") { link.removeLast(" (deleted)".count) }
        return link
    }

    /// An absolute path without `.`, `..` and repeated slashes, resolved by
    /// name only (as `realpath` would, but keeping symbolic links).
    static func normalized(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/") {
            switch part {
            case ".": continue
            case "..": _ = parts.popLast()
            default: parts.append(part)
            }
        }
        return "/" + parts.joined(separator: "/")
    }
}

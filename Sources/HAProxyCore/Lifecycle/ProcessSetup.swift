#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CEpoll
import HAProxyBase

/// Process-level steps of start-up: pidfile, daemonizing, chroot and the
/// privilege drop (manual 3.1: `daemon`, `pidfile`, `chroot`, `user`, `group`).
public enum ProcessSetup {
    /// Writes `pids`, one per line, to `path`.
    public static func writePidfile(_ path: String, pids: [Int32]) throws {
        let text = pids.map { "\($0)\n" }.joined()
        guard SystemFile.write(Array(text.utf8), toPath: path) else {
            throw RuntimeError("[haproxy.main()] Cannot create pidfile \(path)")
        }
    }

    /// Detaches from the terminal: stdin/stdout/stderr to /dev/null, new session.
    public static func detachStdio() {
        let null = open("/dev/null", O_RDWR)
        if null >= 0 {
            dup2(null, 0)
            dup2(null, 1)
            dup2(null, 2)
            if null > 2 { close(null) }
        }
        setsid()
    }

    /// Changes root to `chroot` and drops to `user`/`group` (names or ids).
    /// Privileges are dropped for good: as root, setuid() changes the real,
    /// effective and saved ids together.
    public static func confine(chroot dir: String?, user: String?, group: String?, uid: UInt32?, gid: UInt32?) throws {
        var targetUID = uid
        var targetGID = gid
        if let user {
            guard let pw = getpwnam(user) else {
                throw RuntimeError("[haproxy.main()] Cannot find user '\(user)'.")
            }
            targetUID = pw.pointee.pw_uid
            if targetGID == nil && group == nil { targetGID = pw.pointee.pw_gid }
        }
        if let group {
            guard let gr = getgrnam(group) else {
                throw RuntimeError("[haproxy.main()] Cannot find group '\(group)'.")
            }
            targetGID = gr.pointee.gr_gid
        }
        if let dir {
            guard chroot(dir) == 0, chdir("/") == 0 else {
                throw RuntimeError("[haproxy.main()] Cannot chroot(\(dir)).")
            }
        }
        if let gid = targetGID {
            var groups = [gid_t(gid)]
            guard setgroups(1, &groups) == 0, setgid(gid) == 0 else {
                throw RuntimeError("[haproxy.main()] Cannot set gid \(gid).")
            }
        }
        if let uid = targetUID {
            guard setuid(uid) == 0 else {
                throw RuntimeError("[haproxy.main()] Cannot set uid \(uid).")
            }
        }
    }

    /// Raises the open-files limit (`ulimit-n`, or enough for `maxconn`).
    /// - Returns: nil when done, or the limit in force when it stays lower.
    public static func raiseFileLimit(to wanted: Int) -> Int? {
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        let target = rlim_t(wanted)
        guard limit.rlim_cur < target else { return nil }
        let before = limit
        limit.rlim_cur = target
        if limit.rlim_max < target { limit.rlim_max = target }
        if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 { return nil }
        // The hard limit may not be raised (not root, or above
        // fs.nr_open): take as much as it allows.
        var capped = before
        capped.rlim_cur = before.rlim_max
        setrlimit(Int32(RLIMIT_NOFILE.rawValue), &capped)
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &capped)
        return capped.rlim_cur >= target ? nil : Int(capped.rlim_cur)
    }

    /// `set-dumpable`, before the privilege drop: core and file size
    /// limits raised as far as allowed (unlimited for root), so that a
    /// crash leaves a whole core file.
    public static func raiseCoreLimits() {
        for resource in [RLIMIT_CORE, RLIMIT_FSIZE] {
            var limit = rlimit()
            getrlimit(Int32(resource.rawValue), &limit)
            var unlimited = rlimit(rlim_cur: rlim_t.max, rlim_max: rlim_t.max)  // RLIM_INFINITY
            if setrlimit(Int32(resource.rawValue), &unlimited) != 0 {
                limit.rlim_cur = limit.rlim_max
                setrlimit(Int32(resource.rawValue), &limit)
            }
        }
    }

    /// `set-dumpable`, after the privilege drop (which clears it): the
    /// process may dump core again, and its /proc files belong to its user.
    public static func makeDumpable() {
        cepoll_set_dumpable()
    }
}

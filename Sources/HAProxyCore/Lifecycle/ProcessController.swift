#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOConcurrencyHelpers
import NIOCore
import HAProxyConfig
import HAProxyObservability

/// Runs a built runtime as a process: binds, daemonizes or stays in the
/// foreground, confines itself, starts the event loops and answers signals.
public final class ProcessController {
    public struct Settings {
        public var foreground = true
        public var daemon = false
        public var pidfile: String?
        public var softStopPids: [Int32] = []
        public var hardStopPids: [Int32] = []
        /// `-x <unix_socket>`: take the listening sockets of the process
        /// serving that stats socket instead of binding new ones.
        public var socketTransfer: String?
        public init() {}
    }

    public enum Level { case alert, warning, notice }

    let settings: Settings
    let configuration: Configuration
    public let runtime: ProxyRuntime
    let report: (Level, String) -> Void
    private let signals = SignalHandling()
    /// Set by the TERM/INT handlers on the signal queue, read by the main
    /// thread once the runtime stopped: a signal may still come as it
    /// returns (the runtime stopped on its own), hence the lock.
    private let exitStatus = NIOLockedValueBox<Int32>(0)
    private var softStopping = false

    public init(settings: Settings, configuration: Configuration, runtime: ProxyRuntime,
                report: @escaping (Level, String) -> Void) {
        self.settings = settings
        self.configuration = configuration
        self.runtime = runtime
        self.report = report
    }

    /// Steps every serving process takes first: the log targets (opened
    /// before any chroot). Nil after an ALERT.
    private func prepareProcess() -> Logger? {
        do {
            let logger = try Logger(configuration: configuration)
            runtime.logger = logger
            return logger
        } catch {
            report(.alert, "config : \(error)")
            return nil
        }
    }

    /// The open-files limit `ulimit-n` or `maxconn` asks for, raised once
    /// the configuration is loaded, before any listener or worker (a
    /// master's reload that cannot have it fails as a bad configuration
    /// does, the old workers going on). When it cannot be had, 2.6's
    /// `strict-limits` (its default) refuses to start; `no strict-limits`
    /// goes on with a warning. With neither keyword the limit is raised as
    /// far as it goes, silently (2.6 then sizes its maxconn from the limit).
    public func raiseFileLimit() -> Bool {
        let global = configuration.global
        let wanted = global.ulimitN ?? max(1024, (global.maxconn ?? 1000) * 2 + 64)
        guard let limit = ProcessSetup.raiseFileLimit(to: wanted), global.ulimitN != nil || global.maxconn != nil
        else { return true }
        let failure = "[haproxy.main()] Cannot raise FD limit to \(wanted), limit is \(limit)."
        if global.strictLimits {
            report(.alert, failure)
            return false
        }
        report(.warning, failure)
        if global.ulimitN == nil, let maxconn = global.maxconn {
            report(.alert, "[haproxy.main()] FD limit (\(limit)) too low for maxconn=\(maxconn)/maxsock=\(wanted). Please raise 'ulimit-n' to \(wanted) or more to avoid any trouble.")
        }
        return true
    }

    /// Runs until stopped; returns the process exit status.
    public func run() -> Int32 {
        guard let logger = prepareProcess() else { return 1 }
        var inherited: [String: CInt] = [:]
        // Taking over the old processes' sockets (-x): as the real one, ask
        // them to stop accepting first (SIGTTOU) and to resume (SIGTTIN) if
        // this start fails; connections wait in the shared backlogs meanwhile.
        let oldPids = settings.socketTransfer == nil ? [] : settings.softStopPids + settings.hardStopPids
        for pid in oldPids { kill(pid, SIGTTOU) }
        let resumeOldProcesses = { for pid in oldPids { kill(pid, SIGTTIN) } }
        if let path = settings.socketTransfer, path != "/dev/null" {
            switch SocketTransfer.receive(from: path) {
            case .success(let sockets):
                inherited = sockets
            case .failure(let failure):
                report(.warning, failure.message)
                report(.alert, "Failed to get the sockets from the old process!")
                resumeOldProcesses()
                return 1
            }
        }
        var oldProcessesStopped = false
        do {
            do {
                try runtime.bind(inheriting: inherited)
            } catch where configuration.global.noReusePort && oldPids.isEmpty
                && !(settings.softStopPids + settings.hardStopPids).isEmpty
            {
                // Without SO_REUSEPORT the old processes of -sf/-st hold the
                // addresses: as 2.6, still take over, once they let go.
                runtime.unbind()
                stopOldProcesses()
                oldProcessesStopped = true
                try bindAgain()
            }
            let used = Set(runtime.listenerDescriptors.map(\.fd))
            for fd in inherited.values where !used.contains(fd) { close(fd) }
        } catch {
            report(.alert, "\(error)")
            report(.alert, "[haproxy.main()] Some protocols failed to start their listeners! Exiting.")
            resumeOldProcesses()
            return 1
        }
        if !oldProcessesStopped { stopOldProcesses() }

        if settings.daemon {
            let child = fork()
            if child < 0 {
                report(.alert, "[haproxy.main()] Cannot fork.")
                return 1
            }
            if child > 0 {
                if let pidfile = settings.pidfile {
                    try? ProcessSetup.writePidfile(pidfile, pids: [child])
                }
                return 0
            }
            ProcessSetup.detachStdio()
        } else if let pidfile = settings.pidfile {
            do {
                try ProcessSetup.writePidfile(pidfile, pids: [getpid()])
            } catch {
                report(.alert, "\(error)")
                return 1
            }
        }
        guard startConfined(logger: logger) else { return 1 }
        installSignals()
        runtime.wait()
        logger.flush()
        return exitStatus.withLockedValue { $0 }
    }

    /// A worker of master-worker mode, right after the fork: the sockets are
    /// already bound by the master. Tells the master it serves through
    /// `readyFD` and answers the master CLI on `masterFD`.
    public func runWorker(readyFD: CInt, masterFD: CInt) -> Int32 {
        guard let logger = prepareProcess() else { return 1 }
        guard startConfined(logger: logger, beforeStart: { WorkerCLIChannel.awaitStart(fd: masterFD) }) else { return 1 }
        installSignals()
        var byte = UInt8(ascii: "R")
        _ = write(readyFD, &byte, 1)
        close(readyFD)
        let runtime = self.runtime
        WorkerCLIChannel.serve(fd: masterFD, execute: { line, level in
            runtime.cli.execute(line, level: level)
        }, pauseListeners: {
            runtime.pauseListenersAndWait()
        }, masterGone: { [self] in
            signals.async { self.softStop() }
        })
        runtime.wait()
        logger.flush()
        return exitStatus.withLockedValue { $0 }
    }

    /// `-sf` and `-st`: the old processes finish (soft stop) or stop now.
    private func stopOldProcesses() {
        for pid in settings.softStopPids { kill(pid, SIGUSR1) }
        for pid in settings.hardStopPids { kill(pid, SIGTERM) }
    }

    /// Binds every listener again until the stopping old processes have
    /// closed theirs (they do at once on USR1/TERM); gives up after 5 s.
    private func bindAgain() throws {
        var waited = 0
        while true {
            do {
                try runtime.bind()
                return
            } catch {
                runtime.unbind()
                guard waited < 5_000 else { throw error }
                usleep(10_000)
                waited += 10
            }
        }
    }

    /// Chroot and privilege drop, then the event loops.
    private func startConfined(logger: Logger, beforeStart: () -> Bool = { true }) -> Bool {
        let global = configuration.global
        if global.setDumpable { ProcessSetup.raiseCoreLimits() }
        do {
            try ProcessSetup.confine(
                chroot: global.chroot, user: global.user, group: global.group, uid: global.uid, gid: global.gid)
        } catch {
            report(.alert, "\(error)")
            return false
        }
        if global.setDumpable { ProcessSetup.makeDumpable() }
        runtime.onMessage = { [report] level, text in
            switch level {
            case .alert: report(.alert, text)
            case .warning: report(.warning, text)
            default: break
            }
        }
        guard beforeStart() else { return false }
        do {
            try runtime.start()
        } catch {
            report(.alert, "[haproxy.main()] Cannot start listeners: \(error)")
            return false
        }
        return true
    }

    /// Soft stop, bounded by `hard-stop-after` when set.
    private func softStop() {
        guard !softStopping else { return }
        softStopping = true
        runtime.softStop()
        if let ms = configuration.global.hardStopAfterMs {
            signals.async(after: .milliseconds(ms)) { [self] in
                runtime.hardStop()
            }
        }
    }

    private func installSignals() {
        signals.on(SIGUSR1) { [self] in
            softStop()
        }
        signals.on(SIGTERM) { [self] in
            exitStatus.withLockedValue { $0 = 128 + SIGTERM }
            runtime.hardStop()
        }
        signals.on(SIGINT) { [self] in
            exitStatus.withLockedValue { $0 = 128 + SIGINT }
            runtime.hardStop()
        }
        signals.on(SIGHUP) { [self] in
            runtime.dumpServerStates()
        }
        signals.on(SIGTTOU) { [self] in
            runtime.pauseListenersAndWait()
        }
        signals.on(SIGTTIN) { [self] in
            runtime.setListenersPaused(false)
        }
    }
}

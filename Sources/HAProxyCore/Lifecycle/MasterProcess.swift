#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import HAProxyBase
import HAProxyConfig

/// The master of master-worker mode (`-W`, `-Ws`, `master-worker`;
/// management.txt 4.1): holds the listening sockets, forks the worker that
/// serves on them, watches it, and reloads by executing its own binary again
/// with the sockets and the list of workers in the environment.
///
/// The master never starts an event loop nor any thread (a process that
/// forks must stay single-threaded): one `poll` loop over the signal pipe,
/// the master CLI sockets and the workers' readiness pipes.
public final class MasterProcess {
    public struct Settings {
        /// Absolute path of the binary to execute on reload.
        public var executable: String
        /// argv[0] as given, then the arguments to pass again.
        public var argv0: String
        public var arguments: [String]
        public var pidfile: String?
        public var daemon = false
        public var systemdNotify = false
        public var masterSockets: [String] = []
        public var softStopPids: [Int32] = []
        public var hardStopPids: [Int32] = []
        /// Runs in a worker right after the fork.
        public var inWorker: () -> Void = {}

        public init(executable: String, argv0: String, arguments: [String]) {
            self.executable = executable
            self.argv0 = argv0
            self.arguments = arguments
        }
    }

    static let watchedSignals: [Int32] = [SIGTERM, SIGINT, SIGUSR1, SIGUSR2, SIGHUP, SIGCHLD, SIGTTOU, SIGTTIN]

    let settings: Settings
    let report: (ProcessController.Level, String) -> Void
    let notifier: SystemdNotifier
    let environment = ProcessEnvironment.variables
    /// True in a master started by a reload.
    public let reexecuted: Bool

    var master = MasterRecord()
    var workers: [WorkerRecord] = []
    /// Listening sockets of the proxies, kept open for the next generation.
    var listeners: [(key: String, fd: CInt)] = []
    var cliListeners: [MasterCLIListener] = []
    var sessions: [MasterCLISession] = []
    /// Read ends of the readiness pipes of workers not ready yet, by pid.
    var readiness: [Int32: CInt] = [:]
    var signalPipe: SignalPipe!
    var stopping = false
    var exitCode: Int32 = -1
    var finished: Int32?
    var reloadRequested = false
    /// The configuration the current worker runs (where state files go).
    var configuration: Configuration?

    public init(settings: Settings, report: @escaping (ProcessController.Level, String) -> Void) {
        self.settings = settings
        self.report = report
        self.notifier = settings.systemdNotify ? SystemdNotifier() : SystemdNotifier(environment: [:])
        reexecuted = ProcessEnvironment.variables[MasterHandover.reexecVariable] == "1"
    }

    /// Inherited state: processes and sockets of the previous generation.
    private func adoptHandover() -> [String: CInt] {
        guard reexecuted else { return [:] }
        if let text = environment[MasterHandover.processesVariable] {
            (master, workers) = MasterHandover.decodeProcesses(text)
        }
        for w in workers where w.cliFD >= 0 { _ = fcntl(w.cliFD, F_SETFD, FD_CLOEXEC) }
        let inherited = MasterHandover.decodeListeners(environment[MasterHandover.listenersVariable] ?? "")
        for fd in inherited.values { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        for name in [MasterHandover.reexecVariable, MasterHandover.processesVariable, MasterHandover.listenersVariable] {
            unsetenv(name)
        }
        return inherited
    }

    private func setUp() throws {
        signal(SIGPIPE, SIG_IGN)
        signalPipe = try SignalPipe()
        signalPipe.watch(Self.watchedSignals)
    }

    private func openCLIListeners(inherited: inout [String: CInt]) throws {
        for argument in settings.masterSockets {
            var listener = try MasterCLIListener(argument: argument)
            try listener.open(inherited: inherited.removeValue(forKey: listener.handoverKey))
            cliListeners.append(listener)
        }
    }

    /// Starts the master with a valid configuration: binds (or adopts), forks
    /// the first worker of this generation, then serves until the end.
    public func run(controller: ProcessController) -> Int32 {
        do { try setUp() } catch {
            report(.alert, "\(error)")
            return 1
        }
        var inherited = adoptHandover()
        let runtime = controller.runtime
        configuration = runtime.configuration
        do {
            try runtime.bind(inheriting: inherited)
        } catch {
            report(.alert, "\(error)")
            report(.alert, "[haproxy.main()] Some protocols failed to start their listeners! Exiting.")
            if reexecuted {
                // Keep what we inherited, as a failed reload.
                for listener in runtime.listenerDescriptors where !inherited.values.contains(listener.fd) {
                    close(listener.fd)
                }
                return waitAfterFailedReload(inherited: inherited)
            }
            return 1
        }
        listeners = runtime.listenerDescriptors
        let adopted = Set(listeners.map(\.fd))
        for (key, fd) in inherited where !adopted.contains(fd) && !key.hasPrefix("master-cli:") {
            close(fd)
            inherited.removeValue(forKey: key)
        }
        do {
            try openCLIListeners(inherited: &inherited)
        } catch {
            report(.alert, "\(error)")
            return 1
        }
        for (key, fd) in inherited where key.hasPrefix("master-cli:") { close(fd) }

        if settings.daemon && !reexecuted {
            let child = fork()
            if child < 0 {
                report(.alert, "[haproxy.main()] Cannot fork.")
                return 1
            }
            if child > 0 { exit(0) }
            ProcessSetup.detachStdio()
        }
        if let pidfile = settings.pidfile {
            do { try ProcessSetup.writePidfile(pidfile, pids: [getpid()]) } catch {
                report(.alert, "\(error)")
                if !reexecuted { return 1 }
            }
        }
        for i in workers.indices { workers[i].leaving = true }
        guard forkWorker(controller) else {
            if reexecuted { return waitAfterFailedReload(inherited: [:]) }
            return 1
        }
        report(.notice, "Loading success.")
        return loop()
    }

    /// A re-executed master whose configuration does not load: the old
    /// workers keep serving on the inherited sockets, and a later reload
    /// may succeed. (`inherited` nil: take the sockets from the environment.)
    public func waitAfterFailedReload(inherited: [String: CInt]? = nil) -> Int32 {
        if signalPipe == nil {
            do { try setUp() } catch {
                report(.alert, "\(error)")
                return 1
            }
        }
        var sockets = inherited ?? adoptHandover()
        listeners = sockets.filter { !$0.key.hasPrefix("master-cli:") }.map { (key: $0.key, fd: $0.value) }
        if cliListeners.isEmpty {
            do { try openCLIListeners(inherited: &sockets) } catch { report(.alert, "\(error)") }
        }
        master.failedReloads += 1
        report(.warning, "Loading failure!")
        // Workers left waiting for a successor that never came.
        for i in workers.indices where workers[i].leaving && !workers[i].stopSent {
            kill(workers[i].pid, SIGUSR1)
            workers[i].stopSent = true
        }
        notifier.ready()
        reap()
        if workers.isEmpty && finished == nil {
            report(.warning, "All workers exited. Exiting... (1)")
            return 1
        }
        return loop()
    }

    // MARK: Workers

    /// Forks a worker serving `controller`'s runtime on the master's sockets.
    func forkWorker(_ controller: ProcessController) -> Bool {
        var pair: [CInt] = [-1, -1]
        var ready: [CInt] = [-1, -1]
        guard socketpair(AF_UNIX, CInt(SOCK_STREAM.rawValue) | CInt(SOCK_CLOEXEC.rawValue), 0, &pair) == 0,
              makePipe(&ready) else {
            report(.alert, "[haproxy.main()] Cannot create the worker's channels (\(String(cString: strerror(errno)))).")
            return false
        }
        let pid = fork()
        if pid < 0 {
            report(.alert, "[haproxy.main()] Cannot fork.")
            return false
        }
        if pid == 0 {
            // The worker handles its signals like a standalone process:
            // blocked first, so one sent before its handlers exist waits.
            SignalHandling.blockHandledSignals()
            signalPipe.release(restoring: Self.watchedSignals)
            close(pair[0])
            close(ready[0])
            for l in cliListeners { l.close(unlinkingPath: false) }
            for s in sessions { close(s.fd) }
            for w in workers where w.cliFD >= 0 { close(w.cliFD) }
            for fd in readiness.values { close(fd) }
            settings.inWorker()
            exit(controller.runWorker(readyFD: ready[1], masterFD: pair[1]))
        }
        close(pair[1])
        close(ready[1])
        workers.insert(WorkerRecord(pid: pid, cliFD: pair[0], timestamp: Int(time(nil)), version: BuildInfo.version), at: 0)
        readiness[pid] = ready[0]
        report(.notice, "New worker (\(pid)) forked")
        // Older workers stop accepting before the new one starts; new
        // connections wait meanwhile in the listening sockets' backlog.
        for w in workers where w.leaving && !w.stopSent && w.cliFD >= 0 {
            _ = WorkerCLIChannel.request(fd: w.cliFD, command: WorkerCLIChannel.pauseCommand, level: .admin)
        }
        _ = WorkerCLIChannel.writeAll(pair[0], Array("start\n".utf8))
        return true
    }

    /// The new worker listens: the old ones may finish and leave.
    func workerReady(_ pid: Int32) {
        for i in workers.indices where workers[i].leaving && !workers[i].stopSent {
            kill(workers[i].pid, SIGUSR1)
            workers[i].stopSent = true
        }
        if !reexecuted {
            for old in settings.softStopPids { kill(old, SIGUSR1) }
            for old in settings.hardStopPids { kill(old, SIGTERM) }
        }
        notifier.ready(status: "Ready.")
    }

    /// Collects exited workers and logs them as the real master does.
    func reap() {
        while true {
            var status: CInt = 0
            let pid = waitpid(-1, &status, WNOHANG)
            if pid <= 0 { break }
            guard let index = workers.firstIndex(where: { $0.pid == pid }) else { continue }
            let worker = workers.remove(at: index)
            if worker.cliFD >= 0 { close(worker.cliFD) }
            if let fd = readiness.removeValue(forKey: pid) { close(fd) }
            let signaled = (status & 0x7f) != 0
            let code: Int32 = signaled ? 128 + (status & 0x7f) : (status >> 8) & 0xff
            let reason = code < 128 ? "Exit" : String(cString: strsignal(code - 128))
            if worker.leaving {
                report(.warning, "Former worker (\(pid)) exited with code \(code) (\(reason))")
            } else {
                report(code < 128 ? .warning : .alert, "Current worker (\(pid)) exited with code \(code) (\(reason))")
                if code != 0 && code != 130 && code != 143 {
                    report(.alert, "exit-on-failure: killing every processes with SIGTERM")
                    for w in workers { kill(w.pid, SIGTERM) }
                }
                if exitCode < 0 && code != 0 && code != 143 { exitCode = code }
            }
        }
        if workers.isEmpty {
            let status = max(exitCode, 0)
            report(.warning, "All workers exited. Exiting... (\(status))")
            finished = status
        }
    }

    // MARK: Signals and reload

    func handle(signal signo: Int32) {
        switch signo {
        case SIGCHLD:
            reap()
        case SIGUSR2, SIGHUP:
            reloadRequested = true
        case SIGTERM, SIGINT, SIGUSR1:
            if !stopping {
                stopping = true
                report(.warning, "Exiting Master process...")
                notifier.stopping()
            }
            for w in workers { kill(w.pid, signo) }
        case SIGTTOU, SIGTTIN:
            for w in workers where !w.leaving { kill(w.pid, signo) }
        default:
            break
        }
    }

    /// Executes the binary again by its path with the same arguments, the
    /// listening sockets and the workers' channels left open across exec.
    func reexec() {
        report(.notice, "Reloading HAProxy")
        notifier.reloading()
        saveServerState()
        var handedOver = listeners
        handedOver += cliListeners.map { (key: $0.handoverKey, fd: $0.fd) }
        let channels = workers.map(\.cliFD).filter { $0 >= 0 }
        for fd in handedOver.map(\.fd) + channels { _ = fcntl(fd, F_SETFD, 0) }
        var next = master
        next.reloads += 1
        let records = workers.map { w -> WorkerRecord in
            var w = w
            w.reloads += 1
            return w
        }
        setenv(MasterHandover.reexecVariable, "1", 1)
        setenv(MasterHandover.processesVariable, MasterHandover.encodeProcesses(master: next, workers: records), 1)
        setenv(MasterHandover.listenersVariable, MasterHandover.encodeListeners(handedOver), 1)
        for s in sessions { close(s.fd) }
        sessions.removeAll()
        // Signals arriving meanwhile stay pending for the next image.
        var all = sigset_t()
        sigfillset(&all)
        var previous = sigset_t()
        sigprocmask(SIG_BLOCK, &all, &previous)
        let argv = [settings.argv0] + Self.argumentsForReexec(settings.arguments)
        var cArgs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) }
        cArgs.append(nil)
        execv(settings.executable, cArgs)
        let reason = String(cString: strerror(errno))
        sigprocmask(SIG_SETMASK, &previous, nil)
        for p in cArgs { free(p) }
        report(.alert, "Failed to reexecute the master process [\(getpid())]: \(reason)")
        for fd in handedOver.map(\.fd) + channels { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        for name in [MasterHandover.reexecVariable, MasterHandover.processesVariable, MasterHandover.listenersVariable] {
            unsetenv(name)
        }
        master.failedReloads += 1
        notifier.ready()
    }

    /// The command line without `-sf`/`-st` pid lists and `-x`, which only
    /// concerned the first start.
    static func argumentsForReexec(_ args: [String]) -> [String] {
        var out: [String] = []
        var i = 0
        while i < args.count {
            let a = args[i]
            if a == "-sf" || a == "-st" {
                i += 1
                while i < args.count, Int32(args[i]) != nil { i += 1 }
                continue
            }
            if a == "-x" {
                i += 2
                continue
            }
            if a == "--" {
                out += args[i...]
                break
            }
            out.append(a)
            i += 1
        }
        return out
    }

    // MARK: Loop

    func loop() -> Int32 {
        reap()
        while finished == nil {
            if reloadRequested {
                reloadRequested = false
                if !stopping { reexec() }
                continue
            }
            var fds: [pollfd] = [pollfd(fd: signalPipe.readEnd, events: Int16(POLLIN), revents: 0)]
            for l in cliListeners { fds.append(pollfd(fd: l.fd, events: Int16(POLLIN), revents: 0)) }
            let current = sessions
            for s in current { fds.append(pollfd(fd: s.fd, events: Int16(POLLIN), revents: 0)) }
            let pending = Array(readiness)
            for (_, fd) in pending { fds.append(pollfd(fd: fd, events: Int16(POLLIN), revents: 0)) }
            let rc = poll(&fds, nfds_t(fds.count), 1000)
            if rc < 0 {
                if errno == EINTR { continue }
                report(.alert, "poll() failed: \(String(cString: strerror(errno)))")
                break
            }
            var index = 0
            if fds[index].revents != 0 {
                for signo in signalPipe.drain() { handle(signal: signo) }
            }
            index += 1
            for l in cliListeners {
                if fds[index].revents != 0 { acceptSession(on: l) }
                index += 1
            }
            for s in current {
                if fds[index].revents != 0 && sessions.contains(where: { $0 === s }) { serve(s) }
                index += 1
            }
            for (pid, fd) in pending {
                // Skip a pipe closed meanwhile by reap(): its number may be reused.
                if fds[index].revents != 0 && readiness[pid] == fd {
                    var byte: UInt8 = 0
                    let n = read(fd, &byte, 1)
                    close(fd)
                    readiness.removeValue(forKey: pid)
                    if n == 1 { workerReady(pid) }
                }
                index += 1
            }
        }
        for l in cliListeners { l.close(unlinkingPath: true) }
        return finished ?? 1
    }
}

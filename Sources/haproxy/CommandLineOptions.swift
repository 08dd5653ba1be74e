/// The command line of haproxy 2.6 (management.txt section 3).
struct CommandLineOptions {
    enum Action { case run, version, buildOptions, check, checkCondition(String), usage(String?) }

    var action: Action = .run
    var files: [String] = []
    var quiet = false
    var verbose = false
    /// -d: debug mode, foreground.
    var debug = false
    /// -db: foreground.
    var foreground = false
    /// -D: daemon.
    var daemon = false
    /// -W / -Ws.
    var masterWorker = false
    var systemdNotify = false
    var pidfile: String?
    var changeDirectory: String?
    var maxconn: Int?
    var memoryLimitMB: Int?
    var defaultProxyMaxconn: Int?
    var localPeer: String?
    var softStopPids: [Int32] = []
    var hardStopPids: [Int32] = []
    var socketTransfer: String?
    var masterSockets: [String] = []
    var failOnWarning = false
    /// -dS: never splice (the global `nosplice`).
    var noSplice = false
    var noReusePort = false
    var diagnosticMode = false

    /// Parses argv (without the program name). Unknown flags give `.usage`.
    static func parse(_ args: [String]) -> CommandLineOptions {
        var o = CommandLineOptions()
        var i = 0
        func value() -> String? {
            i += 1
            return i < args.count ? args[i] : nil
        }
        func pids(into list: inout [Int32]) {
            while i + 1 < args.count, let pid = Int32(args[i + 1]) {
                list.append(pid)
                i += 1
            }
        }
        var checkRequested = false
        while i < args.count {
            let a = args[i]
            switch a {
            case "-v":
                if o.action.isRun { o.action = .version }
            case "-vv": o.action = .buildOptions
            case "-V": o.verbose = true
            case "-q": o.quiet = true
            case "-c": checkRequested = true
            case "-cc":
                guard let expr = value() else { return usage("option -cc requires an argument") }
                o.action = .checkCondition(expr)
            case "-d": o.debug = true
            case "-db": o.foreground = true
            case "-D": o.daemon = true
            case "-W": o.masterWorker = true
            case "-Ws":
                o.masterWorker = true
                o.systemdNotify = true
            case "-dW": o.failOnWarning = true
            case "-dD": o.diagnosticMode = true
            case "-dS": o.noSplice = true
            case "-dR": o.noReusePort = true
            case "-de", "-dp", "-dG", "-dL", "-dr", "-dV", "-dF", "-dZ", "-dI", "-dt":
                break  // accepted: polling/resolution toggles with no effect here
            case "-f":
                guard let f = value() else { return usage("option -f requires an argument") }
                o.files.append(f)
            case "-p":
                guard let p = value() else { return usage("option -p requires an argument") }
                o.pidfile = p
            case "-C":
                guard let d = value() else { return usage("option -C requires an argument") }
                o.changeDirectory = d
            case "-n", "-m", "-N":
                guard let v = value(), let n = Int(v) else { return usage("option \(a) requires a number") }
                if a == "-n" { o.maxconn = n } else if a == "-m" { o.memoryLimitMB = n } else { o.defaultProxyMaxconn = n }
            case "-L":
                guard let v = value() else { return usage("option -L requires an argument") }
                o.localPeer = v
            case "-sf": pids(into: &o.softStopPids)
            case "-st": pids(into: &o.hardStopPids)
            case "-x":
                guard let v = value() else { return usage("option -x requires an argument") }
                o.socketTransfer = v
            case "-S":
                guard let v = value() else { return usage("option -S requires an argument") }
                o.masterSockets.append(v)
            case "--":
                o.files += args[(i + 1)...]
                i = args.count
                continue
            default:
                if a.hasPrefix("-dM") || a.hasPrefix("-dK") { break }
                return usage(nil)
            }
            i += 1
        }
        if checkRequested, o.action.isRun { o.action = .check }
        return o
    }

    private static func usage(_ reason: String?) -> CommandLineOptions {
        var o = CommandLineOptions()
        o.action = .usage(reason)
        return o
    }

    static let usageText = """
        Usage : haproxy [-f <cfgfile|cfgdir>]* [ -vdVD ] [ -n <maxconn> ] [ -N <maxpconn> ]
                [ -p <pidfile> ] [ -m <max megs> ] [ -C <dir> ] [-- <cfgfile>*]
                -v displays version ; -vv shows known build options.
                -d enters debug mode ; -db only disables background mode.
                -dM[<byte>,help,...] debug memory (accepted, no effect)
                -V enters verbose mode (disables quiet mode)
                -D goes daemon ; -C changes to <dir> before loading files.
                -W master-worker mode.
                -Ws master-worker mode with systemd notify support.
                -q quiet mode : don't display messages
                -c check mode : only check config files and exit
                -cc check condition : evaluate a condition and exit
                -n sets the maximum total # of connections (uses ulimit -n)
                -m limits the usable amount of memory (in MB)
                -N sets the default, per-proxy maximum # of connections (0)
                -L set local peer name (default to hostname)
                -p writes pids of all children to this file
                -de disables epoll() usage even when available
                -dp disables poll() usage even when available
                -dS disables splice usage (broken on old kernels)
                -dG disables getaddrinfo() usage
                -dR disables SO_REUSEPORT usage
                -dL dumps loaded object files after config checks
                -dK{class[,...]} dump registered keywords (use 'help' for list)
                -dr ignores server address resolution failures
                -dV disables SSL verify on servers side
                -dW fails if any warning is emitted
                -dD diagnostic mode : warn about suspicious configuration statements
                -sf/-st [pid ]* finishes/terminates old pids.
                -x <unix_socket> get listening sockets from a unix socket
                -S <bind>[,<bind options>...] new master CLI

        """
}

extension CommandLineOptions.Action {
    var isRun: Bool {
        if case .run = self { return true }
        return false
    }
}

import HAProxyRules
/// The `global` section (several `global` sections are merged into one).
public struct GlobalConfig: Sendable {
    /// `set-var` / `set-var-fmt` lines: `proc.*` variables and their values,
    /// in order (a later line for a name wins).
    public var processVariables: [(VariableName, Sample)] = []
    public var daemon = false
    public var masterWorker = false
    public var maxconn: Int?
    /// `maxconnrate`: new connections per second for the whole process; 0 for none.
    public var maxConnRate: UInt32 = 0
    /// `maxsessrate`: new sessions per second for the whole process; 0 for none.
    public var maxSessRate: UInt32 = 0
    /// Number of event loops; 1 by default (the real 2.6 uses the CPU count).
    public var nbthread = 1
    /// `cpu-map`: the CPUs each thread (event loop) is bound to.
    public var cpuMap = CPUMap()
    /// `thread-groups` / `thread-group`.
    public var threadGroups = ThreadGroupAssignment()
    /// `nosplice` (or `-dS`): never splice, whatever `option splice-*` says.
    public var noSplice = false
    /// `h1-case-adjust FROM TO`: the spelling of header names sent to
    /// HTTP/1 peers under `option h1-case-adjust-bogus-client|server`,
    /// keyed by their lowercase name, in declaration order (the entries
    /// of `h1-case-adjust-file` are added after parsing).
    public var headerCaseAdjust: [(name: String, spelling: String)] = []
    /// `h1-case-adjust-file FILE`, read after parsing as 2.6 does.
    public var headerCaseAdjustFile: String?
    /// `noreuseport` (or `-dR`): listeners without SO_REUSEPORT, so no other
    /// socket binds the same address while they listen.
    public var noReusePort = false
    /// `set-dumpable`: core dumps re-enabled (PR_SET_DUMPABLE after the
    /// privilege drop, core and file size limits raised to their maximum).
    public var setDumpable = false
    /// `strict-limits` (2.6's default) / `no strict-limits`: the process
    /// refuses to start when it cannot raise its open-files limit.
    public var strictLimits = true
    public var pidfile: String?
    public var chroot: String?
    public var user: String?
    public var group: String?
    /// Where `user` / `group` were set, for the "cannot find user id" ALERT.
    public var userLocation: SourceLocation?
    public var groupLocation: SourceLocation?
    public var uid: UInt32?
    public var gid: UInt32?
    /// `unix-bind`: defaults for the UNIX sockets of the `bind` lines that
    /// follow it (not for `stats socket`).
    public var unixBind = UnixBindDefaults()
    public var ulimitN: Int?
    public var hardStopAfterMs: Int?
    public var graceMs: Int?
    public var node: String?
    public var description: String?
    public var logTag: String?
    public var logSendHostname: String??
    public var logs: [LogTargetConfig] = []
    public var statsSockets: [StatsSocketConfig] = []
    public var statsTimeoutMs: Int?
    public var statsMaxconn: Int?
    public var serverStateFile: String?
    public var serverStateBase: String?
    public var tuneBufsize = 16384
    public var tuneMaxrewrite = 1024
    /// `tune.comp.maxlevel`: the level each compressed response is
    /// encoded with (1 to 9; 1 by default).
    public var tuneCompMaxLevel = 1
    public var spreadChecks = 0
    /// `expose-experimental-directives`: lines after it may use the
    /// directives 2.6 tags as experimental (`http-request normalize-uri`).
    public var exposeExperimentalDirectives = false
    /// `quiet`: no NOTICE/WARNING output at start.
    public var quiet = false
    public var caBase: String?
    public var crtBase: String?
    /// `ssl-default-*`, `ssl-server-verify`, `tune.ssl.default-dh-param`.
    public var tls = TLSGlobalConfig()
    /// The environment as left by `setenv`/`presetenv`/`unsetenv`/`resetenv`,
    /// which the runtime applies to the process.
    public var environment: [String: String] = [:]
    /// Keywords accepted for compatibility that change nothing yet (e.g.
    /// `ssl-default-bind-ciphers` before TLS exists), with where they were.
    public var acceptedWithoutEffect: [(keyword: String, location: SourceLocation)] = []

    public init() {}
}

/// `stats socket PATH|ADDR [mode M] [uid U] [gid G] [user U] [group G] [level L] [expose-fd listeners]`.
public struct StatsSocketConfig: Sendable, Equatable {
    public enum Level: String, Sendable { case user, `operator`, admin }
    public var address: ListenAddress
    public var level: Level = .`operator`
    public var exposeFdListeners = false
    /// UNIX socket permissions and ownership (`mode`, `uid`/`user`, `gid`/`group`).
    public var unixMode: UInt32?
    public var unixUser: String?
    public var unixGroup: String?
    /// `maxconn N` on the socket.
    public var maxconn: Int?
    public var location: SourceLocation

    public init(address: ListenAddress, location: SourceLocation) {
        self.address = address
        self.location = location
    }
}

/// A `log` line: kept as parsed; the logging module interprets it.
public struct LogTargetConfig: Sendable, Equatable {
    /// `log global`: use the global section's targets.
    public var isGlobal = false
    /// Target as written: `/dev/log`, `127.0.0.1:514`, `stdout`, `file@PATH`...
    public var target: String = ""
    public var length: Int?
    public var format: String?
    public var sample: String?
    public var facility: String = "local0"
    public var maxLevel: String?
    public var minLevel: String?
    /// Arguments after the facility that the logging module interprets (e.g. `rotate`).
    public var extra: [String] = []
    public var location: SourceLocation

    public init(location: SourceLocation) { self.location = location }
}

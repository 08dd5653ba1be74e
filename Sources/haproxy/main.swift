#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import HAProxyBase
import HAProxyConfig
import HAProxyCore
import HAProxyTLS
import HalogCore

/// Entry point: the command line of haproxy 2.6, configuration loading,
/// then the runtime in the foreground, as a daemon, or under a master.
///
/// The package installs /usr/sbin/halog as a link to this binary, so that
/// the statically linked Swift runtime is shipped once: called by that
/// name, it is the log analyzer.
if CommandLine.arguments.first?.split(separator: "/").last == "halog" {
    exit(Halog.run(arguments: Array(CommandLine.arguments.dropFirst()),
                   stdout: OutputBuffer(fd: 1), stderr: OutputBuffer(fd: 2)))
}
SignalHandling.blockHandledSignals()
// Services and the OpenSSL converters first: their names are valid in the
// configuration once registered.
HTTPServices.registerBuiltIns()
DigestConverters.register()
let options = CommandLineOptions.parse(Array(CommandLine.arguments.dropFirst()))
let console = Console(quiet: options.quiet && !options.verbose)
/// The OpenSSL the binary runs on, for `openssl_version_*()` and `ssllib_name_startswith()`.
let sslLibrary = ConditionEvaluator.SSLLibrary(name: TLSLibrary.runningVersion, versionNumber: TLSLibrary.versionNumber)

switch options.action {
case .version:
    print(BuildInfo.versionText, terminator: "")
    exit(0)
case .buildOptions:
    print(BuildInfo.buildText, terminator: "")
    exit(0)
case .usage(let reason):
    if let reason { Console.standardError("[ALERT]    (\(getpid())) : \(reason)\n") }
    Console.standardError(BuildInfo.versionText + CommandLineOptions.usageText)
    exit(1)
case .checkCondition(let expression):
    let evaluator = ConditionEvaluator(
        environment: ProcessEnvironment.variables,
        features: BuildInfo.enabledFeatures, version: BuildInfo.conditionVersion, sslLibrary: sslLibrary)
    switch evaluator.evaluateCommandLine(expression) {
    case .success(let value): exit(value ? 0 : 1)
    case .failure(let error):
        console.alert("config : " + ConditionEvaluator.commandLineFailureMessage(error))
        exit(2)
    }
case .check, .run:
    break
}

if let dir = options.changeDirectory, chdir(dir) != 0 {
    console.alert("Cannot chdir to '\(dir)' : \(String(cString: strerror(errno))).")
    exit(1)
}
guard !options.files.isEmpty else {
    Console.standardError(BuildInfo.versionText + CommandLineOptions.usageText)
    exit(1)
}

/// A master started by a reload (master-worker mode) whose configuration
/// fails: the old workers keep serving, and the master waits for the next
/// reload instead of exiting.
let reexecutedMaster = ProcessEnvironment.variables[MasterHandover.reexecVariable] == "1"
    && options.action.isRun

func masterSettings() -> MasterProcess.Settings {
    var settings = MasterProcess.Settings(
        executable: ExecutablePath.resolve(argv0: CommandLine.arguments[0]),
        argv0: CommandLine.arguments[0], arguments: Array(CommandLine.arguments.dropFirst()))
    settings.systemdNotify = options.systemdNotify
    settings.masterSockets = options.masterSockets
    settings.softStopPids = options.softStopPids
    settings.hardStopPids = options.hardStopPids
    settings.inWorker = { console.enterWorker() }
    return settings
}

func failStartup() -> Never {
    if reexecutedMaster {
        exit(MasterProcess(settings: masterSettings(), report: report).waitAfterFailedReload())
    }
    exit(1)
}

func report(_ level: ProcessController.Level, _ text: String) {
    switch level {
    case .alert: console.alert(text)
    case .warning: console.warning(text)
    case .notice: console.notice(text)
    }
}

let (loaded, diagnostics) = ConfigLoader.load(
    paths: options.files, environment: ProcessEnvironment.variables,
    features: BuildInfo.enabledFeatures, version: BuildInfo.conditionVersion, tlsFiles: CertificateStore.shared,
    sslLibrary: sslLibrary, localPeerName: options.localPeer)
console.report(diagnostics, includeDiag: options.diagnosticMode)
guard var configuration = loaded, !diagnostics.hasFatalErrors else { failStartup() }
if options.failOnWarning && diagnostics.hasWarnings {
    console.alert("Some warnings were found and 'zero-warning' is set. Aborting.")
    failStartup()
}
if let maxconn = options.maxconn { configuration.global.maxconn = maxconn }
if options.daemon { configuration.global.daemon = true }
if options.noSplice { configuration.global.noSplice = true }
if options.noReusePort { configuration.global.noReusePort = true }
if options.masterWorker { configuration.global.masterWorker = true }
if let pidfile = options.pidfile { configuration.global.pidfile = pidfile }

let runtime: ProxyRuntime
do {
    runtime = try ProxyRuntime(configuration: configuration)
} catch let errors as RuntimeBuildErrors {
    for warning in errors.warnings { console.warning("config : " + warning) }
    for error in errors.errors {
        if let location = error.location {
            console.alert("config : \(error.bracketed ? "" : "parsing ")[\(location)] : \(error.message)")
        } else {
            console.alert("config : \(error.message)")
        }
    }
    console.alert(
        errors.addressInitializationFailed
            ? "config : Failed to initialize server(s) addr." : "config : Fatal errors found in configuration.")
    failStartup()
} catch {
    console.alert("config : \(error)")
    failStartup()
}

var serverStateWarned = !runtime.buildWarnings.isEmpty
for warning in runtime.buildWarnings { console.warning("config : " + warning) }
runtime.loadServerState {
    serverStateWarned = true
    console.warning("config : " + $0)
}

if case .check = options.action {
    if diagnostics.hasWarnings || serverStateWarned { console.plain("Warnings were found.") }
    // As 2.6: valid, but a start would stop at once (no frontend binds,
    // no stats socket) — exit status 2, which init scripts see as a failure.
    guard configuration.hasListeners else {
        if !options.quiet { print("Configuration file has no error but will not start (no listener) => exit(2).") }
        exit(2)
    }
    if !options.quiet { print("Configuration file is valid") }
    exit(0)
}
if !configuration.hasListeners {
    console.alert("[haproxy.main()] No enabled listener found (check for 'bind' directives) ! Exiting.")
    failStartup()
}

var settings = ProcessController.Settings()
// Under systemd (-Ws) the master stays in the foreground whatever `daemon`
// says, as the real one: the unit tracks it as its main process.
settings.daemon = configuration.global.daemon && !options.foreground && !options.debug && !options.systemdNotify
settings.pidfile = configuration.global.pidfile
settings.softStopPids = options.softStopPids
settings.hardStopPids = options.hardStopPids
settings.socketTransfer = options.socketTransfer
ProxyRuntime.bindsProcessCPUs = settings.daemon || configuration.global.masterWorker || reexecutedMaster
let process = ProcessController(settings: settings, configuration: configuration, runtime: runtime, report: report)
guard process.raiseFileLimit() else { failStartup() }

if configuration.global.masterWorker || reexecutedMaster {
    var master = masterSettings()
    master.daemon = settings.daemon
    master.pidfile = settings.pidfile
    // In a worker, a reload must never let listeners unlink UNIX socket
    // paths the next worker serves on.
    ProxyRuntime.keepsUnixSocketPathsOnClose = true
    exit(MasterProcess(settings: master, report: report).run(controller: process))
}
let status = process.run()
if status > 128 {
    // Stopped by SIGTERM/SIGINT: end by that signal, as the real one does,
    // so a parent reading the wait status sees it (shells print 128+N).
    var set = sigset_t()
    sigemptyset(&set)
    sigaddset(&set, status - 128)
    signal(status - 128, SIG_DFL)
    sigprocmask(SIG_UNBLOCK, &set, nil)
    raise(status - 128)
}
exit(status)

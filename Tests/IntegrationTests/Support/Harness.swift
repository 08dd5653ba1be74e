import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

// MARK: - Paths

enum Paths {
    /// Tests/IntegrationTests/Support
    static let supportDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    /// Package root (three levels above Support/).
    static let packageRoot = supportDir
        .deletingLastPathComponent()
        .deletingLastPathComponent()
        .deletingLastPathComponent()
    static let backendScript = supportDir.appendingPathComponent("backend.py")

    /// `HAPROXY_TEST_BINARY`: another build of the product to run the suite
    /// against, e.g. the ThreadSanitizer build of `make tsan`.
    static var productOverride: URL? {
        ProcessInfo.processInfo.environment["HAPROXY_TEST_BINARY"].map { URL(fileURLWithPath: $0) }
    }

    /// The product binary: `HAPROXY_TEST_BINARY`, else beside the .xctest
    /// bundle, else .build/debug/haproxy.
    static func haproxy(bundleOf cls: AnyClass) -> URL? {
        if let productOverride { return productOverride }
        let fm = FileManager.default
        let besideBundle = Bundle(for: cls).bundleURL.deletingLastPathComponent().appendingPathComponent("haproxy")
        if fm.isExecutableFile(atPath: besideBundle.path) { return besideBundle }
        let fallback = packageRoot.appendingPathComponent(".build/debug/haproxy")
        if fm.isExecutableFile(atPath: fallback.path) { return fallback }
        return nil
    }

    static func python() -> String {
        for p in ["/usr/bin/python3", "/usr/local/bin/python3"] where FileManager.default.isExecutableFile(atPath: p) {
            return p
        }
        return "/usr/bin/env"
    }
}

// MARK: - Threads

/// `HAPROXY_TEST_NBTHREAD=N` runs every proxy the suite configures on N
/// event loops (`make tsan` sets 2), so that the streams of one frontend or
/// backend update its counters from several threads at once.
enum TestThreads {
    static let count: Int? = ProcessInfo.processInfo.environment["HAPROXY_TEST_NBTHREAD"].flatMap { Int($0) }

    /// `config` with a `global` section setting `nbthread` appended, unless
    /// no count is asked for or the configuration chooses its own. Appended,
    /// not inserted, so that the line numbers of diagnostics stay the same.
    static func apply(to config: String) -> String {
        guard let count, !config.contains("nbthread") else { return config }
        let text = config.hasSuffix("\n") ? config : config + "\n"
        return text + "global\n    nbthread \(count)\n"
    }
}

struct HarnessError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

// MARK: - Ports

enum Ports {
    /// Asks the kernel for a free TCP port on 127.0.0.1.
    static func free() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        precondition(fd >= 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = 0
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) }
        }
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    static func accepts(_ port: Int) -> Bool {
        guard let c = try? Conn(port: port, timeout: 1) else { return false }
        c.close()
        return true
    }

    /// Bounded poll until a TCP port accepts a connection.
    static func waitUntilAccepting(_ port: Int, timeout: TimeInterval = 10, while alive: () -> Bool = { true }) throws {
        try poll(port, "accept", timeout: timeout, while: alive) { accepts(port) }
    }

    /// Polls `ready` every 20 ms until it holds, `alive` fails or `timeout`
    /// passes; `what` names the awaited state in the error.
    private static func poll(
        _ port: Int, _ what: String, timeout: TimeInterval, while alive: () -> Bool, _ ready: () -> Bool
    ) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if ready() { return }
            if !alive() { throw HarnessError("process exited before port \(port) would \(what)") }
            usleep(20_000)
        }
        throw HarnessError("port \(port) did not \(what) within \(timeout)s")
    }

    /// Whether a TCP socket listens on `port` (any address), read from
    /// /proc/net/tcp and tcp6 without connecting: an HTTP proxy logs and
    /// counts a connection closed before its first request, as 2.6 does.
    static func listening(_ port: Int) -> Bool {
        let hexPort = String(format: ":%04X", port)
        for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
            guard let text = TCPTable.readToEnd(table) else { continue }
            for line in text.split(separator: "\n").dropFirst() {
                let fields = line.split(separator: " ")
                // local_address is field 1, st (0A: LISTEN) field 3.
                if fields.count > 3 && fields[1].hasSuffix(hexPort) && fields[3] == "0A" { return true }
            }
        }
        return false
    }

    /// Bounded poll until a TCP port is in the LISTEN state, without a
    /// connection that the proxy would see as an aborted request.
    static func waitUntilListening(_ port: Int, timeout: TimeInterval = 10, while alive: () -> Bool = { true }) throws {
        try poll(port, "listen", timeout: timeout, while: alive) { listening(port) }
    }

    static func waitUntilClosed(_ port: Int, timeout: TimeInterval = 10) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if !accepts(port) { return true }
            usleep(20_000)
        }
        return false
    }
}

// MARK: - Processes

final class ManagedProcess {
    let process = Process()
    let stdoutURL: URL
    let stderrURL: URL
    let label: String

    init(label: String, executable: String, arguments: [String], dir: URL, environment: [String: String]? = nil) throws {
        self.label = label
        stdoutURL = dir.appendingPathComponent("\(label).out")
        stderrURL = dir.appendingPathComponent("\(label).err")
        _ = FileManager.default.createFile(atPath: stdoutURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = dir
        if let environment { process.environment = environment }
        process.standardInput = FileHandle(forReadingAtPath: "/dev/null")
        process.standardOutput = try FileHandle(forWritingTo: stdoutURL)
        process.standardError = try FileHandle(forWritingTo: stderrURL)
        try process.run()
    }

    var pid: Int32 { process.processIdentifier }
    var isRunning: Bool { process.isRunning }
    var stdout: String { (try? String(contentsOf: stdoutURL, encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? "" }

    func signal(_ sig: Int32) { if process.isRunning { kill(pid, sig) } }

    /// Waits (bounded) for the process to end; true when it ended.
    @discardableResult
    func waitForExit(timeout: TimeInterval = 10) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning { return false }
        process.waitUntilExit()
        return true
    }

    /// Exit status as a shell reports it (128+N when killed by signal N).
    var shellStatus: Int32 {
        process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
    }

    /// Stops the process: SIGTERM, then SIGKILL if it does not end in time.
    func stop() {
        guard process.isRunning else { return }
        kill(pid, SIGTERM)
        if !waitForExit(timeout: 3) {
            kill(pid, SIGKILL)
            waitForExit(timeout: 3)
        }
    }

    /// Soft stop (SIGUSR1), then a bounded wait for the process to leave by
    /// itself; true when it exited with status 0. The proxy flushes its log
    /// writers on that path, so its exit proves every line it had is on disk.
    func stopGracefully(timeout: TimeInterval = 10) -> Bool {
        signal(SIGUSR1)
        return waitForExit(timeout: timeout) && process.terminationReason == .exit && process.terminationStatus == 0
    }

    /// Waits (bounded) until `text` appears in stdout or stderr.
    func waitForOutput(_ text: String, timeout: TimeInterval = 10) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if stdout.contains(text) || stderr.contains(text) { return true }
            usleep(20_000)
        }
        return false
    }
}

struct ToolResult {
    let status: Int32
    let stdout: String
    let stderr: String
}

/// Runs a short command to completion (bounded) and returns its output.
func runTool(_ executable: String, _ arguments: [String], dir: URL, timeout: TimeInterval = 20,
             environment: [String: String]? = nil) throws -> ToolResult {
    let label = "tool-\(UUID().uuidString.prefix(8))"
    let p = try ManagedProcess(label: label, executable: executable, arguments: arguments, dir: dir, environment: environment)
    if !p.waitForExit(timeout: timeout) {
        p.signal(SIGKILL)
        p.waitForExit(timeout: 3)
        throw HarnessError("\(executable) \(arguments) did not finish within \(timeout)s")
    }
    return ToolResult(status: p.shellStatus, stdout: p.stdout, stderr: p.stderr)
}

// MARK: - Backends

final class Backend {
    let name: String
    let port: Int
    let process: ManagedProcess

    init(name: String, port: Int, process: ManagedProcess) {
        self.name = name
        self.port = port
        self.process = process
    }

    /// Reads the backend's connection and request counters through /stats.
    func stats() throws -> (connections: Int, requests: Int) {
        let r = try HTTPClient.get(port: port, path: "/stats")
        var c = -1, q = -1
        for part in r.text.split(separator: " ") {
            let kv = part.split(separator: "=")
            if kv.count == 2, kv[0] == "connections" { c = Int(kv[1]) ?? -1 }
            if kv.count == 2, kv[0] == "requests" { q = Int(kv[1]) ?? -1 }
        }
        return (c, q)
    }
}

// MARK: - Base test case

class IntegrationTestCase: XCTestCase {
    var tmp: URL!
    private var managed: [ManagedProcess] = []
    var haproxyPath: String!

    override func setUpWithError() throws {
        try super.setUpWithError()
        guard let bin = Paths.haproxy(bundleOf: Self.self) else {
            XCTFail("product binary `haproxy` not found beside the test bundle nor at .build/debug/haproxy; run `swift build` first")
            throw HarnessError("haproxy binary missing")
        }
        haproxyPath = bin.path
        tmp = FileManager.default.temporaryDirectory
            .appendingPathComponent("haproxy-itests-\(getpid())-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
    }

    override func tearDown() {
        for p in managed.reversed() { p.stop() }
        if (testRun?.failureCount ?? 0) > 0 {
            // Keep what the processes said for diagnosis.
            for p in managed where !p.stderr.isEmpty { print("--- \(p.label) stderr ---\n\(p.stderr.suffix(3000))") }
        }
        managed.removeAll()
        if let tmp { try? FileManager.default.removeItem(at: tmp) }
        super.tearDown()
    }

    func track(_ p: ManagedProcess) -> ManagedProcess {
        managed.append(p)
        return p
    }

    /// Starts backend.py in `mode` ("http" or "echo") and waits until it listens.
    func startBackend(_ name: String, mode: String = "http") throws -> Backend {
        let portFile = tmp.appendingPathComponent("port-\(name)-\(UUID().uuidString.prefix(6))")
        let python = Paths.python()
        let args = (python == "/usr/bin/env" ? ["python3"] : []) + [Paths.backendScript.path, mode, name, portFile.path]
        let p = track(try ManagedProcess(label: "backend-\(name)", executable: python, arguments: args, dir: tmp))
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if let s = try? String(contentsOf: portFile, encoding: .utf8), let port = Int(s) {
                try Ports.waitUntilAccepting(port, timeout: 5)
                return Backend(name: name, port: port, process: p)
            }
            if !p.isRunning { throw HarnessError("backend \(name) exited: \(p.stderr)") }
            usleep(20_000)
        }
        throw HarnessError("backend \(name) not ready within 10s: \(p.stderr)")
    }

    /// Writes a configuration file ending in a line feed, as an editor saves
    /// it (HAProxy refuses a last line without one).
    /// `HAPROXY_TEST_NBTHREAD` adds its `nbthread` (see `TestThreads`).
    func writeConfig(_ text: String, name: String = "haproxy.cfg") throws -> URL {
        let url = tmp.appendingPathComponent(name)
        let text = TestThreads.apply(to: text)
        try (text.hasSuffix("\n") ? text : text + "\n").write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    /// Starts the product in the foreground (-db) on `config`, written to
    /// `name`, and waits until every port accepts. Side-by-side tests
    /// start Debian's 2.6 the same way, as `executable` with its
    /// `environment` (`referenceBinary()`, `referenceEnvironment()`).
    @discardableResult
    func startProxy(
        config: String, ports: [Int], extraArgs: [String] = [], executable: String? = nil,
        environment: [String: String]? = nil, name: String = "haproxy.cfg"
    ) throws -> ManagedProcess {
        let cfg = try writeConfig(config, name: name)
        let p = track(try ManagedProcess(label: "haproxy-\(UUID().uuidString.prefix(6))", executable: executable ?? haproxyPath,
                                         arguments: ["-f", cfg.path, "-db"] + extraArgs, dir: tmp, environment: environment))
        for port in ports {
            do {
                try Ports.waitUntilListening(port, timeout: 10, while: { p.isRunning })
            } catch {
                p.waitForExit(timeout: 2)
                throw HarnessError("\(error); haproxy stderr:\n\(p.stderr)")
            }
        }
        return p
    }

    /// A `mode tcp` listen section forwarding to a new echo backend:
    /// `extra` lines go before its server line, `serverOptions` on it.
    @discardableResult
    func startTCPForwarder(
        extra: String = "", serverOptions: String = "", global: String = "", extraArgs: [String] = []
    ) throws -> (port: Int, echo: Backend, proxy: ManagedProcess) {
        let echo = try startBackend("echo", mode: "echo")
        let port = Ports.free()
        let proxy = try startProxy(
            config: Self.tcpForwarderConfig(
                port: port, echoPort: echo.port, global: global, extra: extra, serverOptions: serverOptions),
            ports: [port], extraArgs: extraArgs)
        return (port, echo, proxy)
    }

    /// The configuration `startTCPForwarder` runs: a `mode tcp` listen
    /// section on `port` forwarding to `echoPort`.
    static func tcpForwarderConfig(
        port: Int, echoPort: Int, global: String = "", extra: String = "", serverOptions: String = ""
    ) -> String {
        """
        global
        \(global)
        defaults
            mode tcp
            timeout connect 2s
            timeout client 10s
            timeout server 10s

        listen fwd
            bind 127.0.0.1:\(port)
        \(extra)
            server echo 127.0.0.1:\(echoPort) \(serverOptions)

        """
    }

    func haproxy(_ args: [String], timeout: TimeInterval = 20) throws -> ToolResult {
        try runTool(haproxyPath, args, dir: tmp, timeout: timeout)
    }

    /// Whether this process may set a socket option that needs a
    /// capability (CAP_NET_ADMIN for TCP_REPAIR or SO_MARK): the proxy,
    /// started by it, may then too.
    func socketOptionAllowed(level: Int32, name: Int32) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { Glibc.close(fd) }
        var one: Int32 = 1
        return setsockopt(fd, level, name, &one, socklen_t(MemoryLayout<Int32>.size)) == 0
    }

    /// A receiver for the proxy's log lines, and the `global` and `defaults`
    /// sections that send them to it raw from every proxy (`global` and
    /// `defaults` add lines to those sections).
    func rawLogSections(
        global: [String] = [], defaults: [String] = [], timeouts: String = "10s"
    ) throws -> (log: DatagramReceiver, sections: String) {
        let path = "\(tmp.path)/log.sock"
        let receiver = try DatagramReceiver(unixPath: path)
        let globalLines = (global + ["log \(path) format raw local0"]).map { "    " + $0 }
        let defaultsLines = (defaults + ["log global", "timeout connect 2s", "timeout client \(timeouts)",
                                         "timeout server \(timeouts)"]).map { "    " + $0 }
        let sections = (["global"] + globalLines + ["defaults"] + defaultsLines).joined(separator: "\n") + "\n"
        return (receiver, sections)
    }

    static let defaultsHTTP = """
    defaults
        mode http
        timeout connect 2s
        timeout client 10s
        timeout server 10s

    """
}

// MARK: - Concurrency helper

final class ResultBox<T>: @unchecked Sendable {
    var results: [T?]
    init(_ n: Int) { results = [T?](repeating: nil, count: n) }
}

/// Runs `body(i)` for i in 0..<n, each on its own thread, and waits (bounded).
func concurrently<T>(_ n: Int, timeout: TimeInterval = 20, _ body: @escaping (Int) -> T) throws -> [T] {
    let lock = NSLock()
    let box = ResultBox<T>(n)
    let group = DispatchGroup()
    for i in 0..<n {
        group.enter()
        let t = Thread {
            let r = body(i)
            lock.lock(); box.results[i] = r; lock.unlock()
            group.leave()
        }
        t.start()
    }
    if group.wait(timeout: .now() + timeout) == .timedOut {
        throw HarnessError("concurrent work did not finish within \(timeout)s")
    }
    lock.lock(); defer { lock.unlock() }
    return box.results.map { $0! }
}

/// Polls `condition` (every 10 ms) until it holds; throws, naming `what`,
/// after `timeout` seconds. Tests order their events with it, never with
/// a fixed sleep.
func waitUntil(_ what: String, timeout: TimeInterval = 10, _ condition: () throws -> Bool) throws {
    let deadline = Date().addingTimeInterval(timeout)
    while try !condition() {
        guard Date() < deadline else { throw HarnessError("timed out after \(timeout)s waiting until \(what)") }
        usleep(10_000)
    }
}

// MARK: - Observing the proxy

/// `show stat` CSV answers.
enum StatsCSV {
    /// The rows of `proxy` in a `show stat` answer, by service name
    /// (`FRONTEND`, `BACKEND` or the server), as column name → value.
    static func rows(_ csv: String, proxy: String) -> [String: [String: String]] {
        let lines = csv.split(separator: "\n")
        guard let header = lines.first?.dropFirst(2).split(separator: ",", omittingEmptySubsequences: false) else { return [:] }
        var rows: [String: [String: String]] = [:]
        for line in lines.dropFirst() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            guard fields.count >= header.count, fields[0] == proxy else { continue }
            var row: [String: String] = [:]
            for (name, value) in zip(header, fields) { row[String(name)] = String(value) }
            rows[String(fields[1])] = row
        }
        return rows
    }
}

/// The kernel's table of IPv4 TCP sockets (/proc/net/tcp): lets a test see
/// a connection the proxy opens or abandons, which no counter shows.
enum TCPTable {
    /// TCP states as /proc/net/tcp numbers them.
    static let synSent = 0x02

    /// Sockets whose remote end is 127.0.0.1:`port`: local port and state.
    static func sockets(toPort port: Int) -> [(localPort: Int, state: Int)] {
        guard let text = readToEnd("/proc/net/tcp") else { return [] }
        var found: [(localPort: Int, state: Int)] = []
        for line in text.split(separator: "\n").dropFirst() {
            let f = line.split(separator: " ")
            guard f.count > 3 else { continue }
            let local = f[1].split(separator: ":"), remote = f[2].split(separator: ":")
            guard local.count == 2, remote.count == 2, remote[0] == "0100007F",
                  Int(remote[1], radix: 16) == port,
                  let localPort = Int(local[1], radix: 16), let state = Int(f[3], radix: 16) else { continue }
            found.append((localPort, state))
        }
        return found
    }

    /// The whole of a /proc file: read(2) to the end (Foundation's
    /// `String(contentsOfFile:)` returns only the first read of these, about
    /// one page, and misses sockets on a busy machine).
    static func readToEnd(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = read(fd, &buffer, buffer.count)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            bytes += buffer[0..<n]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The local port a socket is bound to (getsockname), or nil.
    static func localPort(of fd: Int32) -> Int? {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let rc = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard rc == 0, address.sin_port != 0 else { return nil }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

extension IntegrationTestCase {
    /// Debian's 2.6 unpacked for the comparisons (`make reference`); fails
    /// the test when it is not there.
    func referenceBinary() throws -> String {
        let reference = FramingDifferentialTests.referencePath
        guard FileManager.default.isExecutableFile(atPath: reference) else {
            XCTFail("Debian's haproxy 2.6 is not unpacked at \(reference): run `make reference`")
            throw HarnessError("reference missing")
        }
        return reference
    }

    /// The environment Debian's 2.6 runs in from its unpacked tree: its
    /// own libraries first.
    func referenceEnvironment() -> [String: String] {
        let root = NSHomeDirectory() + "/.cache/proxybench/ref"
        var env = ProcessInfo.processInfo.environment
        env["LD_LIBRARY_PATH"] = "\(root)/lib/x86_64-linux-gnu:\(root)/usr/lib/x86_64-linux-gnu"
        return env
    }
}

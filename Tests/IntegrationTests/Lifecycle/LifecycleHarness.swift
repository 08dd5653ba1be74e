import Foundation
import XCTest

/// Runs the built `haproxy` and its helpers for the process-model tests:
/// temporary directory, free ports, a keep-alive HTTP backend in Python, a
/// raw HTTP/1.1 client, the master CLI, and clean-up of every process.
final class LifecycleHarness {
    let directory: URL
    private(set) var processes: [Process] = []
    private var extraPids: Set<Int32> = []

    init() throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("lifecycle-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    /// The binary next to the .xctest bundle (on Linux, Bundle(for:) may
    /// already name the build directory itself). `LIFECYCLE_REFERENCE_BINARY`
    /// runs the same tests against another build, e.g. Debian's haproxy
    /// unpacked by proxybench (~/.cache/proxybench/ref/usr/sbin/haproxy),
    /// to confirm the bar by hand; CI never sets it. `HAPROXY_TEST_BINARY`
    /// comes next, as for the other integration tests.
    static var binary: URL {
        if let reference = ProcessInfo.processInfo.environment["LIFECYCLE_REFERENCE_BINARY"] {
            return URL(fileURLWithPath: reference)
        }
        if let product = Paths.productOverride { return product }
        let bundle = Bundle(for: LifecycleHarness.self).bundleURL
        let directory = bundle.pathExtension == "xctest" ? bundle.deletingLastPathComponent() : bundle
        return directory.appendingPathComponent("haproxy")
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// Writes a file ending in a line feed, as an editor saves a configuration
    /// (a `.cfg` with the `nbthread` of `HAPROXY_TEST_NBTHREAD`, see `TestThreads`).
    func write(_ name: String, _ text: String) throws {
        let text = name.hasSuffix(".cfg") ? TestThreads.apply(to: text) : text
        try (text.hasSuffix("\n") ? text : text + "\n").write(toFile: path(name), atomically: true, encoding: .utf8)
    }

    /// A TCP port nobody listens on right now.
    static func freePort() -> Int {
        let fd = socket(AF_INET, CInt(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { p -> Int32 in
                _ = Foundation.bind(fd, p, len)
                return getsockname(fd, p, &len)
            }
        }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    /// Starts `executable` with `arguments`; output goes to `<log>`.
    @discardableResult
    func launch(_ executable: String, _ arguments: [String], environment: [String: String] = [:], log: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "NOTIFY_SOCKET")
        for (k, v) in environment { env[k] = v }
        process.environment = env
        FileManager.default.createFile(atPath: path(log), contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path(log)))
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        processes.append(process)
        return process
    }

    func haproxy(_ arguments: [String], environment: [String: String] = [:], log: String = "haproxy.log") throws -> Process {
        try launch(Self.binary.path, arguments, environment: environment, log: log)
    }

    /// A Python HTTP/1.1 keep-alive backend answering 200 with a short body.
    func startBackend(port: Int) throws {
        let script = """
            import http.server, socketserver, sys
            class H(http.server.BaseHTTPRequestHandler):
                protocol_version = "HTTP/1.1"
                def do_GET(self):
                    body = b"ok\\n"
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                def log_message(self, *a): pass
            class S(socketserver.ThreadingMixIn, http.server.HTTPServer):
                daemon_threads = True
                allow_reuse_address = True
                request_queue_size = 128
            S(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
            """
        try write("backend.py", script)
        try launch("/usr/bin/python3", [path("backend.py"), "\(port)"], log: "backend.log")
        XCTAssertTrue(Self.waitUntil(timeout: 10) { Self.canConnect(port: port) }, "backend did not start")
    }

    func remember(pid: Int32) { extraPids.insert(pid) }

    /// Kills everything started, workers included, and removes the directory.
    func tearDown() {
        var pids = extraPids
        for p in processes where p.isRunning {
            pids.insert(p.processIdentifier)
            pids.formUnion(Self.children(of: p.processIdentifier))
        }
        for pid in pids { kill(pid, SIGKILL) }
        for p in processes where p.isRunning {
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: directory)
    }

    // MARK: Helpers

    /// Polls `condition` every 20 ms until it holds or `timeout` seconds pass.
    @discardableResult
    static func waitUntil(timeout: TimeInterval, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition() { return true }
            usleep(20_000)
        }
        return condition()
    }

    static func isAlive(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return false }
        // A zombie has exited already.
        guard let close = stat.lastIndex(of: ")") else { return false }
        return !stat[close...].hasPrefix(") Z")
    }

    static func children(of parent: Int32) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(Int32.init).filter { pid in
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return false }
            let fields = stat[stat.index(close, offsetBy: 2)...].split(separator: " ")
            return fields.count > 1 && Int32(fields[1]) == parent
        }
    }

    static func canConnect(port: Int) -> Bool {
        let fd = connectTCP(port: port)
        if fd >= 0 { close(fd) }
        return fd >= 0
    }

    static func connectTCP(port: Int) -> CInt {
        let fd = socket(AF_INET, CInt(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = UInt16(port).bigEndian
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if rc != 0 {
            close(fd)
            return -1
        }
        return fd
    }

    /// Sends `command` to a UNIX stream socket and reads the answer to EOF.
    static func unixCommand(_ socketPath: String, _ command: String, timeout: Int = 5) -> String? {
        let fd = socket(AF_UNIX, CInt(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (i, b) in socketPath.utf8.enumerated() where i < raw.count - 1 { raw[i] = b }
        }
        var tv = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard rc == 0 else { return nil }
        let bytes = Array((command + "\n").utf8)
        guard send(fd, bytes, bytes.count, CInt(MSG_NOSIGNAL)) == bytes.count else { return nil }
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = read(fd, &buffer, buffer.count)
            if n <= 0 { break }
            out += buffer[0..<n]
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Worker pids from `show proc`: current ones, then old ones.
    static func workers(masterSocket: String) -> (current: [Int32], old: [Int32])? {
        guard let text = unixCommand(masterSocket, "show proc"), text.contains("# workers") else { return nil }
        var current: [Int32] = [], old: [Int32] = []
        var section = ""
        for line in text.split(separator: "\n") {
            if line.hasPrefix("#") {
                section = String(line)
                continue
            }
            let fields = line.split(separator: " ")
            guard fields.count > 1, fields[1] == "worker", let pid = Int32(fields[0]) else { continue }
            if section == "# workers" { current.append(pid) } else if section == "# old workers" { old.append(pid) }
        }
        return (current, old)
    }

    func logText(_ name: String = "haproxy.log") -> String {
        (try? String(contentsOfFile: path(name), encoding: .utf8)) ?? ""
    }
}

/// A blocking HTTP/1.1 client on raw sockets that counts failures the way a
/// browser sees them: a request on a reused keep-alive connection that the
/// server closed before any byte of answer is retried once on a new
/// connection (RFC 9112 9.3.1); any other error is a failure.
final class LifecycleHTTPClient {
    let port: Int
    let keepAlive: Bool
    private var fd: CInt = -1
    private var usedOnConnection = 0
    private(set) var succeeded = 0
    private(set) var failures: [String] = []
    /// Requests retried after a reused connection closed before answering.
    private(set) var retries = 0

    init(port: Int, keepAlive: Bool) {
        self.port = port
        self.keepAlive = keepAlive
    }

    deinit { if fd >= 0 { close(fd) } }

    func request() {
        let reused = fd >= 0
        switch attempt() {
        case .ok:
            succeeded += 1
        case .closedBeforeAnswer where reused:
            retries += 1
            switch attempt() {
            case .ok: succeeded += 1
            case .closedBeforeAnswer(let why): failures.append("connection closed before any answer (fresh connection, \(why))")
            case .failed(let why): failures.append(why)
            }
        case .closedBeforeAnswer(let why):
            failures.append("connection closed before any answer (fresh connection, \(why))")
        case .failed(let why):
            failures.append(why)
        }
    }

    private enum Outcome { case ok, closedBeforeAnswer(String), failed(String) }

    private func drop() {
        if fd >= 0 { close(fd) }
        fd = -1
        usedOnConnection = 0
    }

    private func attempt() -> Outcome {
        if fd < 0 {
            fd = LifecycleHarness.connectTCP(port: port)
            guard fd >= 0 else { return .failed("connect: \(String(cString: strerror(errno)))") }
        }
        usedOnConnection += 1
        let last = !keepAlive || usedOnConnection >= 50
        let request = "GET / HTTP/1.1\r\nHost: test\r\n" + (last ? "Connection: close\r\n" : "") + "\r\n"
        let bytes = Array(request.utf8)
        if send(fd, bytes, bytes.count, CInt(MSG_NOSIGNAL)) != bytes.count {
            let why = String(cString: strerror(errno))
            drop()
            return .closedBeforeAnswer("send: \(why)")
        }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            if let end = find(received, [13, 10, 13, 10]) {
                let head = String(decoding: received[..<end], as: UTF8.self)
                let length = head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
                    .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
                if received.count >= end + 4 + length {
                    let status = head.split(separator: " ").dropFirst().first.map(String.init) ?? "?"
                    let closing = last || head.lowercased().contains("connection: close")
                    if closing { drop() }
                    return status == "200" ? .ok : .failed("status \(status)")
                }
            }
            let n = read(fd, &buffer, buffer.count)
            if n <= 0 {
                let why = n < 0 ? String(cString: strerror(errno)) : "EOF"
                drop()
                return received.isEmpty ? .closedBeforeAnswer(why) : .failed("truncated answer (\(why))")
            }
            received += buffer[0..<n]
        }
    }

    private func find(_ haystack: [UInt8], _ needle: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for i in 0...(haystack.count - needle.count) where haystack[i..<(i + needle.count)].elementsEqual(needle) {
            return i
        }
        return nil
    }
}

/// Totals of several client threads, and their stop flag.
final class LifecycleLoadTally: @unchecked Sendable {
    private let lock = NSLock()
    private var stopped = false
    private(set) var failures: [String] = []
    private(set) var total = 0
    private(set) var retries = 0
    private var answered = 0

    var shouldStop: Bool { lock.withLock { stopped } }
    /// Requests answered with 200 so far, while the clients run.
    var served: Int { lock.withLock { answered } }
    func stop() { lock.withLock { stopped = true } }

    /// Runs one client per mode on its own thread until `stop()`.
    func run(port: Int, modes: [Bool], group: DispatchGroup) {
        for keepAlive in modes {
            group.enter()
            Thread {
                let client = LifecycleHTTPClient(port: port, keepAlive: keepAlive)
                while !self.shouldStop {
                    let before = client.succeeded
                    client.request()
                    if client.succeeded > before { self.lock.withLock { self.answered += 1 } }
                }
                self.lock.withLock {
                    self.failures += client.failures
                    self.total += client.succeeded + client.failures.count
                    self.retries += client.retries
                }
                group.leave()
            }.start()
        }
    }
}

import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// `log file@PATH` under a steady request load while the real `logrotate -f`
/// rotates the file twice, in `create` mode and in `copytruncate` mode.
/// Every request the client completed must be in exactly one line across
/// access.log, access.log.1, access.log.2...: no line lost, none doubled.
///
/// Load: the client runs `connections` keep-alive connections back to back
/// until both rotations are done and lines flow again (at most
/// `maxLoadSeconds`). Each rotation starts once `linesPerRotation` lines are
/// in access.log, so lines flow before, between and after the rotations
/// whatever the speed of the machine; the rate reached is printed, not
/// asserted.
final class LogFileRotationTests: IntegrationTestCase {
    let connections = 6
    let maxLoadSeconds = 60.0
    let linesPerRotation = 3000

    enum Mode: String { case create, copytruncate }

    func testLogrotateCreateModeLosesNoLine() throws {
        try rotateUnderLoad(.create)
    }

    func testLogrotateCopytruncateModeLosesNoLine() throws {
        try rotateUnderLoad(.copytruncate)
    }

    /// A backend and an httplog frontend in front of it logging to
    /// `file@<tmp>/logs/access.log`.
    private func startFileLoggingProxy() throws -> (dir: URL, logFile: URL, port: Int, proxy: ManagedProcess) {
        let dir = tmp.appendingPathComponent("logs")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let logFile = dir.appendingPathComponent("access.log")
        let backendPort = try startBackend("b1").port
        let port = Ports.free()
        let proxy = try startProxy(config: """
        global
            log file@\(logFile.path) local0

        \(Self.defaultsHTTP)
        frontend fe_file
            bind 127.0.0.1:\(port)
            log global
            option httplog
            option dontlognull
            default_backend be_file

        backend be_file
            server srv_a 127.0.0.1:\(backendPort)

        """, ports: [port])
        return (dir, logFile, port, proxy)
    }

    private func rotateUnderLoad(_ mode: Mode) throws {
        let logrotate = try XCTUnwrap(LogLines.logrotatePath(), "logrotate must be installed (apt-get install logrotate)")
        let (dir, logFile, port, proxy) = try startFileLoggingProxy()

        let modeLine = mode == .create ? "create 0640" : "copytruncate"
        let rotateConf = tmp.appendingPathComponent("logrotate-\(mode.rawValue).conf")
        try """
        \(logFile.path) {
            rotate 10
            missingok
            notifempty
            nocompress
            \(modeLine)
        }

        """.write(to: rotateConf, atomically: true, encoding: .utf8)
        let state = tmp.appendingPathComponent("logrotate.state")

        var rotations: [ToolResult] = []
        var noticeDelays: [Double] = []
        let load = try runLoad(port: port, connections: connections, duration: maxLoadSeconds, during: {
            for _ in 0..<2 {
                try waitUntil("\(self.linesPerRotation) lines in \(logFile.lastPathComponent)", timeout: 30) {
                    LogLines.lines(ofFile: logFile).count >= self.linesPerRotation
                }
                let r = try runTool(logrotate, ["-f", "-s", state.path, rotateConf.path], dir: self.tmp, timeout: 30)
                rotations.append(r)
                guard r.status == 0 else { throw HarnessError("logrotate failed (\(r.status)): \(r.stderr)") }
                // Lines keep coming: PATH must receive them again soon (after
                // `create`, the writer has to notice the new inode and reopen).
                let rotatedAt = Date()
                let deadline = rotatedAt.addingTimeInterval(3)
                var size = 0
                while Date() < deadline {
                    size = (try? FileManager.default.attributesOfItem(atPath: logFile.path)[.size] as? Int) ?? 0
                    if size > 0 { break }
                    usleep(10_000)
                }
                guard size > 0 else { throw HarnessError("\(logFile.lastPathComponent) got no line within 3s of rotation") }
                noticeDelays.append(Date().timeIntervalSince(rotatedAt))
            }
        }, stopAfterDuring: true)
        print("logrotate \(mode.rawValue): \(load.completed.count) requests in \(String(format: "%.2f", load.seconds))s = "
              + "\(Int(load.rate))/s over \(connections) connections; line back in PATH after "
              + noticeDelays.map { String(format: "%.3fs", $0) }.joined(separator: ", "))
        XCTAssertEqual(rotations.count, 2, "both rotations ran")
        XCTAssertTrue(load.failed.isEmpty, "requests failed during the load: \(load.failed.prefix(5))")
        for d in noticeDelays { XCTAssertLessThan(d, 1.5, "the writer notices the rotation within about 1 s") }

        // Wait until the writer caught up: every completed request has a
        // line. Then nothing may come any more (no line doubled by a late
        // rotation check): the proxy's soft stop flushes its writer, which
        // runs one last rotation check and writes what it still holds
        // before the process exits, so its exit is the event after which
        // the files are final.
        func files() -> [URL] {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
            return names.filter { $0 == "access.log" || $0.hasPrefix("access.log.") }.sorted().map { dir.appendingPathComponent($0) }
        }
        func total() -> Int { files().reduce(0) { $0 + LogLines.lines(ofFile: $1).count } }
        try waitUntil("every completed request is logged", timeout: 10) { total() >= load.completed.count }
        XCTAssertTrue(proxy.stopGracefully(), "the proxy did not stop cleanly: \(proxy.stderr.suffix(500))")

        let names = files().map(\.lastPathComponent)
        XCTAssertEqual(names, ["access.log", "access.log.1", "access.log.2"], "two rotations: \(names)")
        var logged: [Substring: Int] = [:]
        var perFile: [String: Int] = [:]
        var foreign: [Substring] = []
        for f in files() {
            let lines = LogLines.lines(ofFile: f)
            perFile[f.lastPathComponent] = lines.count
            for l in lines {
                // The soft stop's own notice ("Proxy fe_file stopped (...)").
                if l.contains(": Proxy ") && l.contains(" stopped (cumulated conns: ") { continue }
                guard let u = LogLines.uri(l), l.contains(" fe_file be_file/srv_a ") else { foreign.append(l); continue }
                logged[u, default: 0] += 1
            }
        }
        print("lines per file: \(perFile.sorted { $0.key < $1.key })")
        for (name, n) in perFile { XCTAssertGreaterThan(n, 0, "\(name) holds lines") }
        XCTAssertTrue(foreign.isEmpty, "lines that are not request lines: \(foreign.prefix(3))")
        let sent = Set(load.completed.map { Substring($0) })
        XCTAssertEqual(sent.count, load.completed.count, "the client sent unique URIs")
        let missing = sent.subtracting(logged.keys)
        let extra = Set(logged.keys).subtracting(sent)
        let doubled = logged.filter { $0.value > 1 }
        XCTAssertTrue(missing.isEmpty, "\(missing.count) requests not logged, e.g. \(Array(missing.prefix(5)))")
        XCTAssertTrue(extra.isEmpty, "\(extra.count) logged URIs never completed, e.g. \(Array(extra.prefix(5)))")
        XCTAssertTrue(doubled.isEmpty, "\(doubled.count) URIs logged twice, e.g. \(Array(doubled.keys.prefix(5)))")
        XCTAssertEqual(logged.values.reduce(0, +), load.completed.count)
    }

    /// Lines of the logging proxy's file, by URI.
    private func uris(_ url: URL) -> [Substring] { LogLines.lines(ofFile: url).compactMap(LogLines.uri) }

    /// The copytruncate window made wide and deterministic by doing
    /// logrotate's two steps by hand: copy PATH to PATH.1, log more lines,
    /// truncate PATH. The lines of the window must come back in PATH, once.
    func testLinesBetweenCopyAndTruncateArePutBack() throws {
        let (dir, logFile, port, proxy) = try startFileLoggingProxy()
        let copy = dir.appendingPathComponent("access.log.1")
        func send(_ prefix: String, _ n: Int) throws -> [Substring] {
            try keepAliveGets(port: port, paths: (0..<n).map { "/\(prefix)/\($0)" }).map { Substring($0) }
        }

        let a = try send("a", 100)
        try waitUntil("100 lines", timeout: 5) { self.uris(logFile).count == 100 }
        try FileManager.default.copyItem(at: logFile, to: copy)          // logrotate's copy
        let b = try send("b", 50)                                        // the window
        try waitUntil("150 lines", timeout: 5) { self.uris(logFile).count == 150 }
        XCTAssertEqual(truncate(logFile.path, 0), 0)                      // logrotate's truncate
        let c = try send("c", 10)
        try waitUntil("the window's lines back in PATH", timeout: 5) { Set(self.uris(logFile)).isSuperset(of: b + c) }
        // Nothing may be put back twice: the soft stop's flush runs the
        // writer's last check before the process exits (see above).
        XCTAssertTrue(proxy.stopGracefully(), "the proxy did not stop cleanly: \(proxy.stderr.suffix(500))")
        XCTAssertEqual(uris(copy), a, "PATH.1 is the copy")
        XCTAssertEqual(uris(logFile).sorted(), (b + c).sorted(), "PATH holds the window and the later lines, each once")
    }

    /// A truncation with no copy beside it (an operator's `: > PATH`)
    /// loses what was truncated, and must not replay anything.
    func testTruncationWithoutCopyReplaysNothing() throws {
        let (_, logFile, port, proxy) = try startFileLoggingProxy()
        func send(_ prefix: String, _ n: Int) throws -> [Substring] {
            try keepAliveGets(port: port, paths: (0..<n).map { "/\(prefix)/\($0)" }).map { Substring($0) }
        }

        let d = try send("d", 20)
        try waitUntil("PATH has the d lines", timeout: 5) { Set(self.uris(logFile)).isSuperset(of: d) }
        XCTAssertEqual(truncate(logFile.path, 0), 0)
        let e = try send("e", 5)
        try waitUntil("the e lines", timeout: 5) { Set(self.uris(logFile)).isSuperset(of: e) }
        XCTAssertTrue(proxy.stopGracefully(), "the proxy did not stop cleanly: \(proxy.stderr.suffix(500))")
        XCTAssertEqual(uris(logFile), e, "only the lines written after the truncation")
    }
}

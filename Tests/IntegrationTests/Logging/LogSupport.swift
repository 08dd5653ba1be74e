import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

// Helpers of the logging integration tests: syslog receivers the tests bind
// themselves, a raw stats-socket client, a keep-alive load client and log
// file readers. Every wait is a bounded poll.

// MARK: - Syslog receivers

/// A datagram socket the proxy logs to: AF_UNIX bound to a path, or UDP
/// bound to 127.0.0.1 on a kernel-chosen port.
final class DatagramReceiver {
    private(set) var fd: Int32 = -1
    let unixPath: String?
    private(set) var udpPort: Int = 0

    /// Binds a UNIX datagram socket at `path` (any stale file is removed first).
    /// - Parameter receiveBuffer: SO_RCVBUF to ask for (nil: the default).
    init(unixPath path: String, receiveBuffer: Int? = nil) throws {
        unixPath = path
        try bindUnix(receiveBuffer: receiveBuffer)
    }

    /// Binds a UDP socket on 127.0.0.1 with an ephemeral port.
    init(udp: Void = ()) throws {
        unixPath = nil
        fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw HarnessError("udp socket() failed: errno \(errno)") }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = 0
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) }
        }
        guard rc == 0 else { Glibc.close(fd); throw HarnessError("udp bind failed: errno \(errno)") }
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        udpPort = Int(UInt16(bigEndian: addr.sin_port))
        var big: Int32 = 4 << 20
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, socklen_t(MemoryLayout<Int32>.size))
    }

    private func bindUnix(receiveBuffer: Int?) throws {
        guard let path = unixPath else { return }
        unlink(path)
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw HarnessError("unix socket() failed: errno \(errno)") }
        if let size = receiveBuffer {
            var v = Int32(size)
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, socklen_t(MemoryLayout<Int32>.size))
        }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: addr.sun_path) else {
            Glibc.close(fd)
            throw HarnessError("socket path too long: \(path)")
        }
        withUnsafeMutableBytes(of: &addr.sun_path) { p in
            for (i, b) in bytes.enumerated() { p[i] = b }
            p[bytes.count] = 0
        }
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard rc == 0 else { Glibc.close(fd); throw HarnessError("unix bind \(path) failed: errno \(errno)") }
    }

    /// Closes the socket and removes its path: the receiver has gone away.
    func close() {
        if fd >= 0 { Glibc.close(fd); fd = -1 }
        if let unixPath { unlink(unixPath) }
    }

    /// Binds the same UNIX path again after `close()`.
    func rebind() throws { try bindUnix(receiveBuffer: nil) }

    deinit { close() }

    /// One datagram, or nil when none arrives within `timeout`.
    func receive(timeout: TimeInterval) -> String? {
        guard fd >= 0 else { return nil }
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let ms = Int32(max(0, timeout) * 1000)
        guard poll(&pfd, 1, ms) == 1 else { return nil }
        var buf = [UInt8](repeating: 0, count: 70_000)
        let n = recv(fd, &buf, buf.count, Int32(MSG_DONTWAIT))
        guard n >= 0 else { return nil }
        return String(decoding: buf[0..<n], as: UTF8.self)
    }

    /// Receives until `stop` is true for a line (included), bounded by
    /// `timeout` and `maxLines`; throws when the line never comes.
    func receive(until stop: (String) -> Bool, timeout: TimeInterval = 10, maxLines: Int = 100_000) throws -> [String] {
        var lines: [String] = []
        let deadline = Date().addingTimeInterval(timeout)
        while lines.count < maxLines {
            let left = deadline.timeIntervalSinceNow
            if left <= 0 { break }
            guard let l = receive(timeout: left) else { continue }
            lines.append(l)
            if stop(l) { return lines }
        }
        throw HarnessError("expected log line not received within \(timeout)s; got \(lines.count) lines: \(lines.suffix(5))")
    }
}

// MARK: - Stats socket

enum StatsSocket {
    /// Sends one command on a fresh UNIX stream connection and reads the
    /// answer until the proxy closes it (bounded). `halfClose` closes the
    /// sending side after the command (2.6's master CLI answers and closes
    /// only then).
    static func command(_ path: String, _ cmd: String, timeout: TimeInterval = 5, halfClose: Bool = false) throws -> String {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw HarnessError("socket() failed") }
        defer { Glibc.close(fd) }
        var tv = timeval(tv_sec: Int(timeout), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        withUnsafeMutableBytes(of: &addr.sun_path) { p in
            for (i, b) in bytes.enumerated() { p[i] = b }
            p[bytes.count] = 0
        }
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard rc == 0 else { throw HarnessError("connect to stats socket \(path) failed: errno \(errno)") }
        let line = Array((cmd + "\n").utf8)
        guard Glibc.send(fd, line, line.count, Int32(MSG_NOSIGNAL)) == line.count else {
            throw HarnessError("send to stats socket failed")
        }
        if halfClose { shutdown(fd, Int32(SHUT_WR)) }
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 65536)
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let n = recv(fd, &buf, buf.count, 0)
            if n < 0 { throw HarnessError("stats socket read failed: errno \(errno); got \(out.count) bytes") }
            if n == 0 { return String(decoding: out, as: UTF8.self) }
            out.append(contentsOf: buf[0..<n])
        }
        throw HarnessError("stats socket answer not finished within \(timeout)s")
    }

    /// The value of `field` in `show info`.
    static func infoField(_ path: String, _ field: String) throws -> Int {
        let text = try command(path, "show info")
        for line in text.split(separator: "\n") where line.hasPrefix(field + ":") {
            let v = line.dropFirst(field.count + 1).trimmingCharacters(in: .whitespaces)
            if let n = Int(v) { return n }
        }
        throw HarnessError("show info has no numeric \(field): \(text.prefix(400))")
    }
}

// MARK: - Requests

/// Sends GETs for `paths` on one keep-alive connection; returns the paths
/// answered with 200.
func keepAliveGets(port: Int, paths: [String], timeout: TimeInterval = 10) throws -> [String] {
    let c = try Conn(port: port, timeout: timeout)
    defer { c.close() }
    var done: [String] = []
    for p in paths {
        try c.send(HTTPClient.request("GET", p, host: "logtest"))
        let r = try c.readResponse()
        guard r.status == 200 else { throw HarnessError("GET \(p) answered \(r.status)") }
        done.append(p)
    }
    return done
}

/// Load of `connections` keep-alive clients, each sending GET /r/<c>-<i>
/// back to back until `duration` has passed or `maxPerConnection` requests.
/// Returns every URI that completed with status 200, and the time it took.
/// A connection that fails is reopened (bounded) so the load goes on; a
/// request whose answer did not arrive is reported in `failed`.
struct LoadResult {
    var completed: [String]
    var failed: [String]
    var seconds: Double
    var rate: Double { Double(completed.count) / max(seconds, 0.001) }
}

func runLoad(port: Int, connections: Int, duration: TimeInterval, maxPerConnection: Int = 50_000,
             path: @escaping @Sendable (Int, Int) -> String = { "/r/\($0)-\($1)" },
             during: (() throws -> Void)? = nil, stopAfterDuring: Bool = false) throws -> LoadResult {
    let start = Date()
    let stopAt = start.addingTimeInterval(duration)
    let stopFlag = StopFlag()
    let group = DispatchGroup()
    let box = LoadBox()
    for c in 0..<connections {
        group.enter()
        Thread {
            defer { group.leave() }
            var mine: [String] = []
            var bad: [String] = []
            var conn: Conn?
            var reconnects = 0
            var i = 0
            while i < maxPerConnection && Date() < stopAt && !stopFlag.isSet {
                let p = path(c, i)
                i += 1
                do {
                    if conn == nil { conn = try Conn(port: port, timeout: 10) }
                    try conn!.send(HTTPClient.request("GET", p, host: "logtest"))
                    let r = try conn!.readResponse()
                    if r.status == 200 { mine.append(p) } else { bad.append(p) }
                } catch {
                    bad.append(p)
                    conn?.close()
                    conn = nil
                    reconnects += 1
                    if reconnects > 20 { break }
                }
            }
            conn?.close()
            box.add(mine, bad)
        }.start()
    }
    var duringError: Error?
    if let during {
        do { try during() } catch { duringError = error; stopFlag.set() }
        if stopAfterDuring { stopFlag.set() }
    }
    if group.wait(timeout: .now() + duration + 30) == .timedOut {
        stopFlag.set()
        throw HarnessError("load clients did not finish in time")
    }
    if let duringError { throw duringError }
    let seconds = Date().timeIntervalSince(start)
    let (completed, failed) = box.get()
    return LoadResult(completed: completed, failed: failed, seconds: seconds)
}

final class LoadBox: @unchecked Sendable {
    private let lock = NSLock()
    private var completed: [String] = []
    private var failed: [String] = []
    func add(_ ok: [String], _ bad: [String]) { lock.lock(); completed += ok; failed += bad; lock.unlock() }
    func get() -> ([String], [String]) { lock.lock(); defer { lock.unlock() }; return (completed, failed) }
}

final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return value }
    func set() { lock.lock(); value = true; lock.unlock() }
}

// MARK: - Log lines

enum LogLines {
    /// The URI of the quoted request line `"GET /r/1 HTTP/1.1"` at the end
    /// of an httplog line, or nil.
    static func uri(_ line: Substring) -> Substring? {
        guard let q = line.range(of: "\"GET ", options: .backwards) else { return nil }
        let rest = line[q.upperBound...]
        guard let sp = rest.firstIndex(of: " ") else { return nil }
        return rest[..<sp]
    }

    /// Lines of a text file (empty when missing).
    static func lines(ofFile url: URL) -> [Substring] {
        guard let d = try? Data(contentsOf: url) else { return [] }
        return String(decoding: d, as: UTF8.self).split(separator: "\n")
    }

    /// Decompresses an LZ4 frame file with the `lz4` CLI and returns its lines.
    static func lz4Lines(_ url: URL, dir: URL) throws -> [Substring] {
        let out = dir.appendingPathComponent("dec-\(UUID().uuidString.prefix(8)).txt")
        defer { try? FileManager.default.removeItem(at: out) }
        let r = try runTool(lz4Path(), ["-d", "-f", "-q", url.path, out.path], dir: dir, timeout: 30)
        guard r.status == 0 else { throw HarnessError("lz4 -d \(url.lastPathComponent) failed (\(r.status)): \(r.stderr)") }
        return lines(ofFile: out)
    }

    static func lz4Path() -> String {
        for p in ["/usr/bin/lz4", "/usr/local/bin/lz4"] where FileManager.default.isExecutableFile(atPath: p) { return p }
        return "/usr/bin/lz4"
    }

    static func logrotatePath() -> String? {
        for p in ["/usr/sbin/logrotate", "/usr/bin/logrotate", "/sbin/logrotate"]
        where FileManager.default.isExecutableFile(atPath: p) { return p }
        return nil
    }
}

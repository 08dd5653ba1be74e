import Foundation
import XCTest

/// The runtime API of the real binary on loopback: a UNIX stats socket per
/// level, a backend of two Python HTTP servers that answer their name.
final class StatsSocketTests: XCTestCase {
    private var directory = ""
    private var proxy: Process?
    private var backends: [Process] = []
    private var frontendPort = 0

    /// `HAPROXY_TEST_BINARY`, else the binary next to the test bundle (on
    /// Linux the bundle URL is already the build directory).
    private var binary: URL {
        if let product = Paths.productOverride { return product }
        let bundle = Bundle(for: Self.self).bundleURL
        let inside = bundle.appendingPathComponent("haproxy")
        if FileManager.default.isExecutableFile(atPath: inside.path) { return inside }
        return bundle.deletingLastPathComponent().appendingPathComponent("haproxy")
    }

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "cli-it-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let ports = try (0..<2).map { try startBackend(name: "s\($0 + 1)") }
        frontendPort = try Self.freePort()
        let config = """
            global
                stats socket \(directory)/admin.sock mode 600 level admin
                stats socket \(directory)/user.sock mode 600 level user
                stats socket \(directory)/small.sock mode 600 level admin maxconn 2
                stats timeout 5s

            defaults
                mode http
                timeout connect 2s
                timeout client 5s
                timeout server 5s

            frontend fe
                bind 127.0.0.1:\(frontendPort)
                default_backend be

            backend be
                balance roundrobin
                server s1 127.0.0.1:\(ports[0])
                server s2 127.0.0.1:\(ports[1])

            backend st
                balance static-rr
                server s1 127.0.0.1:\(ports[0])

            """
        try TestThreads.apply(to: config).write(toFile: "\(directory)/haproxy.cfg", atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = binary
        process.arguments = ["-db", "-f", "\(directory)/haproxy.cfg"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        proxy = process
        let deadline = Date().addingTimeInterval(10)
        while !FileManager.default.fileExists(atPath: "\(directory)/user.sock") || (try? command("show version")) == nil {
            guard Date() < deadline, process.isRunning else { return XCTFail("haproxy did not start") }
            usleep(50_000)
        }
    }

    override func tearDown() {
        proxy?.terminate()
        proxy?.waitUntilExit()
        for backend in backends {
            backend.terminate()
            backend.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    // MARK: Tests

    func testShowStatHeaderIsHAProxy26s() throws {
        let answer = try command("show stat")
        XCTAssertEqual(answer.split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init),
                       CLIGolden.showStatHeader)
        XCTAssertTrue(answer.contains("\nbe,s1,"))
        XCTAssertTrue(answer.contains("\nbe,BACKEND,"))
        XCTAssertTrue(answer.hasSuffix("\n\n"))
    }

    func testShowInfoFieldNamesAreHAProxy26s() throws {
        let names = try command("show info").split(separator: "\n").map { String($0.prefix { $0 != ":" }) }
        XCTAssertEqual(names, CLIGolden.showInfoFields)
    }

    func testDisabledServerGetsNoTraffic() throws {
        XCTAssertEqual(Set(try (0..<4).map { _ in try get() }), ["s1", "s2"])
        XCTAssertEqual(try command("disable server be/s1"), "\n")
        XCTAssertEqual(Set(try (0..<4).map { _ in try get() }), ["s2"])
        XCTAssertTrue(try command("show stat").contains("\nbe,s1,0,0,0,"))
        XCTAssertTrue(try command("show stat").contains(",MAINT,"))
        XCTAssertEqual(try command("set server be/s1 state ready"), "\n")
        XCTAssertEqual(Set(try (0..<4).map { _ in try get() }), ["s1", "s2"])
    }

    func testWeightZeroTakesServerOutOfRotation() throws {
        XCTAssertEqual(try command("set weight be/s2 0"), "\n")
        XCTAssertEqual(try command("get weight be/s2"), "0 (initial 1)\n\n")
        XCTAssertEqual(Set(try (0..<4).map { _ in try get() }), ["s1"])
        XCTAssertEqual(try command("set server be/s2 weight 100%"), "\n")
        XCTAssertEqual(try command("get weight be/s2"), "1 (initial 1)\n\n")
    }

    func testUserLevelCannotChangeState() throws {
        XCTAssertEqual(try command("disable server be/s1", socket: "user.sock"), "Permission denied\n\n")
        XCTAssertEqual(try command("set weight be/s1 0", socket: "user.sock"), "Permission denied\n\n")
        XCTAssertEqual(try command("show cli level", socket: "user.sock"), "user\n\n")
        XCTAssertEqual(try command("get weight be/s1", socket: "user.sock"), "1 (initial 1)\n\n")
        XCTAssertEqual(Set(try (0..<4).map { _ in try get() }), ["s1", "s2"])
    }

    func testPromptKeepsTheConnectionForSeveralCommands() throws {
        let answer = try exchange(["prompt\n", "show cli level\n", "quit\n"], socket: "admin.sock")
        XCTAssertEqual(answer, "\n> admin\n\n> ")
    }

    /// `maxconn 2` on the socket line: a third client waits in the backlog
    /// (no answer, not refused) until one of the first two leaves, as the
    /// real one does.
    func testMaxconnQueuesExtraConnections() throws {
        let first = try connectUnix("small.sock"), second = try connectUnix("small.sock")
        defer { close(second) }
        for fd in [first, second] {
            _ = write(fd, "prompt\n", 7)
            XCTAssertTrue(readable(fd, within: 5000), "interactive session did not answer")
        }
        let third = try connectUnix("small.sock")
        defer { close(third) }
        _ = write(third, "show cli level\n", 15)
        let servedEarly = readable(third, within: 500)
        close(first)
        XCTAssertFalse(servedEarly, "served beyond maxconn 2")
        XCTAssertTrue(readable(third, within: 5000), "not served once a connection left")
        var buffer = [UInt8](repeating: 0, count: 64)
        let n = read(third, &buffer, buffer.count)
        XCTAssertTrue(String(decoding: buffer[0..<max(0, n)], as: UTF8.self).hasPrefix("admin\n"))
    }

    func testServersState() throws {
        let lines = try command("show servers state be").split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first, "1")
        XCTAssertTrue(lines[1].hasPrefix("# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state"))
        XCTAssertTrue(lines[2].hasPrefix("3 be 1 s1 127.0.0.1 2 0 1 1 "))
    }

    func testDynamicServerTakesTrafficUntilDeleted() throws {
        let port = try startBackend(name: "s3")
        XCTAssertEqual(try command("add server st/s3 127.0.0.1:\(port)"),
                       "Backend must use a dynamic load balancing to support dynamic servers.\n")
        XCTAssertEqual(try command("add server be/s3 127.0.0.1:\(port)"), "New server registered.\n\n")
        XCTAssertTrue(try command("show stat").contains("\nbe,s3,"))
        XCTAssertEqual(Set(try (0..<6).map { _ in try get() }), ["s1", "s2"])
        XCTAssertEqual(try command("set server be/s3 state ready"), "\n")
        XCTAssertEqual(Set(try (0..<6).map { _ in try get() }), ["s1", "s2", "s3"])
        XCTAssertEqual(try command("del server be/s3"), "Only servers in maintenance mode can be deleted.\n")
        XCTAssertEqual(try command("set server be/s3 state maint"), "\n")
        XCTAssertEqual(try command("del server be/s3"), "Server deleted.\n")
        XCTAssertEqual(Set(try (0..<6).map { _ in try get() }), ["s1", "s2"])
        XCTAssertFalse(try command("show stat").contains("\nbe,s3,"))
        XCTAssertEqual(try command("get weight be/s3"), "No such server.\n\n")
    }

    // MARK: Helpers

    /// One command on a fresh connection (non-interactive): the whole answer.
    private func command(_ line: String, socket: String = "admin.sock") throws -> String {
        try exchange([line + "\n"], socket: socket)
    }

    /// Sends each chunk after the previous answer arrived, then reads until the server closes.
    private func exchange(_ chunks: [String], socket name: String) throws -> String {
        let fd = try connectUnix(name)
        defer { close(fd) }
        var timeout = timeval(tv_sec: 0, tv_usec: 300_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var received = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 65536)
        for chunk in chunks {
            _ = chunk.withCString { write(fd, $0, strlen($0)) }
            // Read what this command answers (until a pause or the close).
            while true {
                let n = read(fd, &buffer, buffer.count)
                if n <= 0 { break }
                received += buffer[0..<n]
            }
        }
        return String(decoding: received, as: UTF8.self)
    }

    /// A connected stream socket to the stats socket `name`.
    private func connectUnix(_ name: String) throws -> CInt {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let path = Array("\(directory)/\(name)".utf8)
        withUnsafeMutableBytes(of: &address.sun_path) { p in
            for (i, b) in path.enumerated() { p[i] = b }
            p[path.count] = 0
        }
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard rc == 0 else {
            close(fd)
            throw POSIXError(.ECONNREFUSED)
        }
        return fd
    }

    /// Whether `fd` becomes readable within `ms` milliseconds.
    private func readable(_ fd: CInt, within ms: Int32) -> Bool {
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&p, 1, ms) == 1
    }

    /// `GET /` through the frontend; the body names the server.
    private func get() throws -> String {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(frontendPort).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else { throw POSIXError(.ECONNREFUSED) }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let request = "GET / HTTP/1.0\r\nHost: x\r\n\r\n"
        _ = request.withCString { write(fd, $0, strlen($0)) }
        var received = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = read(fd, &buffer, buffer.count)
            if n <= 0 { break }
            received += buffer[0..<n]
        }
        let text = String(decoding: received, as: UTF8.self)
        guard let body = text.components(separatedBy: "\r\n\r\n").last else { return text }
        return body
    }

    /// Starts a Python HTTP server answering `name`; returns its port.
    private func startBackend(name: String) throws -> Int {
        let script = """
            import http.server, sys
            class H(http.server.BaseHTTPRequestHandler):
                def do_GET(self):
                    body = b"\(name)"
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                def log_message(self, *a):
                    pass
            s = http.server.HTTPServer(("127.0.0.1", 0), H)
            print(s.server_address[1], flush=True)
            s.serve_forever()
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", script]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        backends.append(process)
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = pipe.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line += chunk
        }
        guard let port = Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw POSIXError(.EIO)
        }
        return port
    }

    /// A loopback port free right now.
    private static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

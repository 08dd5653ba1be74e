import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// `retries 3` with `timeout connect 1s` to a server that never answers a
/// SYN (its listen queue is full): HAProxy 2.6.12 tries four times, each
/// retry at once after the timeout, and answers 503 after about 4 s (ours
/// used to wait the 1 s turn-around after each timeout too: 7 s).
final class ConnectTimeoutRetryTests: IntegrationTestCase {
    private var statsSocket: String { tmp.appendingPathComponent("admin.sock").path }

    private func start(mode: String, serverPort: Int) throws -> Int {
        let port = Ports.free()
        try startProxy(config: """
        global
            stats socket \(statsSocket) level admin

        defaults
            mode \(mode)
            timeout connect 1s
            timeout client 30s
            timeout server 30s
            retries 3

        frontend fe
            bind 127.0.0.1:\(port)
            default_backend be

        backend be
            server s1 127.0.0.1:\(serverPort)

        """, ports: [port])
        return port
    }

    /// `stot,econ,wretr,wredis` of s1.
    private func counters() -> String? {
        guard let text = LifecycleHarness.unixCommand(statsSocket, "show stat") else { return nil }
        let lines = text.split(separator: "\n")
        guard let header = lines.first?.dropFirst(2).split(separator: ",", omittingEmptySubsequences: false) else { return nil }
        for line in lines.dropFirst() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            guard fields.count >= header.count, fields[1] == "s1" else { continue }
            return ["stot", "econ", "wretr", "wredis"].map { name in
                String(fields[header.firstIndex(of: Substring(name))!])
            }.joined(separator: ",")
        }
        return nil
    }

    func testHTTPRequestFailsAfterFourConnectTimeouts() throws {
        let blackhole = try FullBacklogListener()
        defer { blackhole.close() }
        let port = try start(mode: "http", serverPort: blackhole.port)
        let t0 = Date()
        let response = try HTTPClient.get(port: port, timeout: 20)
        let elapsed = Date().timeIntervalSince(t0)
        XCTAssertEqual(response.status, 503)
        XCTAssertTrue((3.5...5.5).contains(elapsed),
                      "503 after \(String(format: "%.2f", elapsed)) s; HAProxy 2.6.12: 4.0 s (four 1 s connect timeouts, no wait between them)")
        // HAProxy: four attempts, one stream that gave up, three retries.
        XCTAssertEqual(counters(), "4,1,3,0")
    }

    /// The last attempt timed out: 2.6.12 logs `sC` (a refused one `SC`),
    /// in HTTP and in TCP, and the HTTP client keeps its connection.
    func testConnectTimeoutIsLoggedAsATimeout() throws {
        let blackhole = try FullBacklogListener()
        defer { blackhole.close() }
        let logs = try DatagramReceiver(udp: ())
        let http = Ports.free(), tcp = Ports.free()
        try startProxy(config: """
        defaults
            timeout connect 300ms
            timeout client 10s
            timeout server 10s
            retries 1
            log 127.0.0.1:\(logs.udpPort) local0

        frontend fe
            bind 127.0.0.1:\(http)
            mode http
            option httplog
            default_backend be

        backend be
            mode http
            server s1 127.0.0.1:\(blackhole.port)

        listen fwd
            bind 127.0.0.1:\(tcp)
            mode tcp
            option tcplog
            server s1 127.0.0.1:\(blackhole.port)

        """, ports: [http, tcp])
        let c = try Conn(port: http)
        try c.send(HTTPClient.request("GET", "/"))
        let r = try c.readResponse()
        XCTAssertEqual(r.status, 503)
        XCTAssertNil(r.header("connection"))
        let line = try logs.receive(until: { $0.contains("\"GET / HTTP/1.1\"") }).last!
        XCTAssertTrue(line.contains(" 503 217 - - sC-- "), line)
        let client = try Conn(port: tcp)
        XCTAssertTrue(client.closesWithin(10))
        let tcpLine = try logs.receive(until: { $0.contains(" fwd fwd/s1 ") }).last!
        XCTAssertTrue(tcpLine.contains(" sC "), tcpLine)
        c.close()
    }

    func testTCPConnectionClosedAfterFourConnectTimeouts() throws {
        let blackhole = try FullBacklogListener()
        defer { blackhole.close() }
        let port = try start(mode: "tcp", serverPort: blackhole.port)
        let t0 = Date()
        let client = try Conn(port: port)
        XCTAssertTrue(client.closesWithin(20), "the proxy did not give up within 20 s")
        let elapsed = Date().timeIntervalSince(t0)
        XCTAssertTrue((3.5...5.5).contains(elapsed),
                      "closed after \(String(format: "%.2f", elapsed)) s; HAProxy 2.6.12 gives up after about 4 s")
    }
}

/// A listening socket on 127.0.0.1 that never accepts, its queue (backlog
/// 0) filled by its own connections: the kernel drops new SYNs, so a
/// connection attempt to it ends only with its timeout.
final class FullBacklogListener {
    let port: Int
    private var fds: [Int32] = []

    init() throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, len) }
        }
        guard bound == 0, listen(listener, 0) == 0 else {
            Glibc.close(listener)
            throw HarnessError("full-backlog listener: bind/listen failed: errno \(errno)")
        }
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &len) }
        }
        port = Int(UInt16(bigEndian: addr.sin_port))
        fds.append(listener)
        // Non-blocking connections fill the queue; those beyond it stay in SYN-SENT.
        for _ in 0..<3 {
            let c = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
            _ = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(c, $0, len) }
            }
            fds.append(c)
        }
    }

    func close() {
        for fd in fds { Glibc.close(fd) }
        fds.removeAll()
    }

    deinit { close() }
}

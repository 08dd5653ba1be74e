import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Health-check connections end with an abort (RST, no lingering), as in
/// HAProxy 2.6: nothing is left in TIME-WAIT on the proxy host, and a
/// server whose process hangs with a small listen backlog stays UP as long
/// as the kernel completes handshakes.
final class CheckConnectionCloseTests: IntegrationTestCase {
    private var statsSocket: String { tmp.appendingPathComponent("admin.sock").path }

    /// A frontend that forwards nothing (so that no proxied connection goes
    /// to the server) and backend `be` with the checked server s1.
    private func startCheckingProxy(serverPort: Int, serverOptions: String, backendExtra: String = "",
                                    mode: String = "tcp") throws -> ManagedProcess {
        let port = Ports.free()
        return try startProxy(config: """
        global
            stats socket \(statsSocket) level admin

        defaults
            mode \(mode)
            timeout connect 1s
            timeout client 10s
            timeout server 10s

        frontend fe
            bind 127.0.0.1:\(port)

        backend be
        \(backendExtra)
            server s1 127.0.0.1:\(serverPort) \(serverOptions)

        """, ports: [port])
    }

    /// The `status` column of s1 in `show stat`.
    private func serverStatus() -> String? {
        guard let text = LifecycleHarness.unixCommand(statsSocket, "show stat") else { return nil }
        let header = text.split(separator: "\n").first.map { $0.dropFirst(2).split(separator: ",", omittingEmptySubsequences: false) }
        guard let header, let column = header.firstIndex(of: "status") else { return nil }
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            if fields.count > column, fields[1] == "s1" { return String(fields[column]) }
        }
        return nil
    }

    /// A process that accepted one connection, then hangs: its listen queue
    /// (backlog 3) would fill if check connections reached it. HAProxy
    /// 2.6.12 keeps the server UP (L4OK) for as long as this runs: a TCP
    /// check holds back the handshake's last ACK and aborts with a reset,
    /// so the server's kernel never queues it. Ours used to go DOWN within
    /// about 2 s.
    func testServerWithFullBacklogStaysUpWhileHandshakesComplete() throws {
        let server = try CheckTargetServer(backlog: 3, acceptLimit: 1)
        defer { server.stop() }
        // The one connection the process accepts before it hangs.
        let first = try Conn(port: server.port)
        defer { first.close() }
        XCTAssertTrue(server.waitForAccepted(1, timeout: 5))
        let proxy = try startCheckingProxy(serverPort: server.port, serverOptions: "check inter 200ms")
        // 20 checks (4 s) of which none may fail: three would mark it DOWN.
        if proxy.waitForOutput("is DOWN", timeout: 4) {
            return XCTFail("""
                a hung server (backlog 3, accepted once) went DOWN although the kernel completes \
                every handshake; sockets toward it: \(socketStates(towardPort: server.port)). \
                Output: \(proxy.stderr.suffix(400))
                """)
        }
        XCTAssertEqual(serverStatus(), "UP")
        XCTAssertEqual(server.accepted, 1)
    }

    /// `check inter 100ms` against a server that waits for the proxy to
    /// close: HAProxy 2.6.12 leaves no socket in TIME-WAIT (ours left one
    /// per check). The server is DOWN first (port closed), then `rise 10`
    /// tells when ten checks have connected.
    func testTCPChecksLeaveNoSocketBehind() throws {
        let serverPort = Ports.free()
        let earlier = localEnds(towardPort: serverPort)
        let proxy = try startCheckingProxy(serverPort: serverPort, serverOptions: "check inter 100ms fall 1 rise 10")
        XCTAssertTrue(proxy.waitForOutput("Server be/s1 is DOWN", timeout: 5), proxy.stderr)
        let server = try CheckTargetServer(port: serverPort)
        defer { server.stop() }
        XCTAssertTrue(proxy.waitForOutput("Server be/s1 is UP", timeout: 10), proxy.stderr)
        try requireNoLeftovers(towardPort: server.port, checks: "10", ignoring: earlier)
    }

    /// The same with `option httpchk`: the server answers 200 and waits for
    /// the proxy to close.
    func testHTTPChecksLeaveNoSocketBehind() throws {
        let server = try CheckTargetServer(answer: "HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok")
        defer { server.stop() }
        let earlier = localEnds(towardPort: server.port)
        let proxy = try startCheckingProxy(serverPort: server.port, serverOptions: "check inter 100ms",
                                           backendExtra: "    option httpchk GET /", mode: "http")
        XCTAssertTrue(server.waitForAccepted(10, timeout: 10), "fewer than 10 checks in 10 s")
        try requireNoLeftovers(towardPort: server.port, checks: "\(server.accepted)", ignoring: earlier)
        XCTAssertFalse(proxy.stderr.contains("is DOWN"), proxy.stderr)
        XCTAssertTrue(server.requests.allSatisfy { $0.hasPrefix("GET / HTTP/1.0\r\n") }, "\(server.requests.prefix(2))")
    }

    /// Once every check is over, nothing remains from the proxy toward the
    /// server but at most the check in flight. `ignoring` holds the local
    /// ends of sockets that existed before the proxy started: an earlier
    /// test's server may have had the same port, and its connections can
    /// still be in TIME-WAIT.
    private func requireNoLeftovers(towardPort port: Int, checks: String, ignoring: Set<String>) throws {
        let states = socketStates(towardPort: port, ignoring: ignoring)
        let lingering = states.filter { $0.key != "ESTABLISHED" }
        XCTAssertEqual(lingering, [:], "after \(checks) checks: sockets toward the server left behind")
        XCTAssertLessThanOrEqual(states["ESTABLISHED"] ?? 0, 1, "check connections kept open: \(states)")
    }
}

/// The TCP states of the IPv4 sockets whose remote end is 127.0.0.1:`port`,
/// counted by name, from /proc/net/tcp (the test's own sockets never go
/// there), leaving out those whose local end is in `ignoring`.
func socketStates(towardPort port: Int, ignoring: Set<String> = []) -> [String: Int] {
    let names = ["01": "ESTABLISHED", "02": "SYN-SENT", "03": "SYN-RECV", "04": "FIN-WAIT-1", "05": "FIN-WAIT-2",
                 "06": "TIME-WAIT", "07": "CLOSE", "08": "CLOSE-WAIT", "09": "LAST-ACK", "0B": "CLOSING"]
    var counts: [String: Int] = [:]
    for (local, state) in tcpSockets(towardPort: port) where !ignoring.contains(local) {
        counts[names[state] ?? state, default: 0] += 1
    }
    return counts
}

/// The local ends ("ADDR:PORT" as /proc/net/tcp writes them) of the IPv4
/// sockets whose remote end is 127.0.0.1:`port`.
func localEnds(towardPort port: Int) -> Set<String> {
    Set(tcpSockets(towardPort: port).map(\.local))
}

private func tcpSockets(towardPort port: Int) -> [(local: String, state: String)] {
    guard let table = TCPTable.readToEnd("/proc/net/tcp") else { return [] }
    let remote = String(format: "0100007F:%04X", port)
    var sockets: [(local: String, state: String)] = []
    for line in table.split(separator: "\n").dropFirst() {
        let fields = line.split(separator: " ")
        guard fields.count > 3, fields[2] == remote else { continue }
        sockets.append((String(fields[1]), String(fields[3])))
    }
    return sockets
}

/// A server for health checks on 127.0.0.1: a listening socket with the
/// given backlog that accepts up to `acceptLimit` connections (then never
/// calls accept again, like a hung process), optionally answers `answer`
/// once the request head arrived, and keeps each connection open until the
/// peer closes it. Call `stop()` when done.
final class CheckTargetServer: @unchecked Sendable {
    let port: Int
    private let fd: Int32
    private let lock = NSLock()
    /// Accepted connections not closed yet.
    private var open: Set<Int32> = []
    private var acceptedCount = 0
    private var received: [String] = []
    private var stopped = false

    /// - Parameter requested: the port, 0 for any free one.
    init(port requested: Int = 0, backlog: Int32 = 128, acceptLimit: Int? = nil, answer: String? = nil) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = UInt16(requested).bigEndian
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) }
        }
        guard bound == 0, listen(fd, backlog) == 0 else {
            close(fd)
            throw HarnessError("check target: bind/listen failed: errno \(errno)")
        }
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        self.fd = fd
        port = Int(UInt16(bigEndian: addr.sin_port))
        let listener = fd
        Thread { [self] in
            while acceptLimit.map({ accepted < $0 }) ?? true {
                let c = accept(listener, nil, nil)
                if c < 0 { return }
                lock.lock()
                if stopped {
                    lock.unlock()
                    close(c)
                    return
                }
                open.insert(c)
                acceptedCount += 1
                lock.unlock()
                Thread { self.serve(c, answer: answer) }.start()
            }
        }.start()
    }

    /// Closes the listening socket and every open connection.
    func stop() {
        lock.lock()
        if stopped {
            lock.unlock()
            return
        }
        stopped = true
        // The serving threads see the end of their connection and close it.
        for c in open { shutdown(c, Int32(SHUT_RDWR)) }
        lock.unlock()
        shutdown(fd, Int32(SHUT_RDWR))
        close(fd)
    }

    /// Connections accepted so far.
    var accepted: Int {
        lock.lock()
        defer { lock.unlock() }
        return acceptedCount
    }

    /// The request heads received, in order.
    var requests: [String] {
        lock.lock()
        defer { lock.unlock() }
        return received
    }

    func waitForAccepted(_ count: Int, timeout: TimeInterval) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if accepted >= count { return true }
            usleep(20_000)
        }
        return false
    }

    private func serve(_ c: Int32, answer: String?) {
        var head: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        var answered = answer == nil
        while true {
            let n = recv(c, &buffer, buffer.count, 0)
            if n <= 0 { break }
            guard !answered else { continue }
            head += buffer[0..<n]
            if let end = head.indices.first(where: { head[$0...].starts(with: [13, 10, 13, 10]) }) {
                lock.lock()
                received.append(String(decoding: head[..<(end + 4)], as: UTF8.self))
                lock.unlock()
                let bytes = Array(answer!.utf8)
                _ = send(c, bytes, bytes.count, Int32(MSG_NOSIGNAL))
                answered = true
            }
        }
        lock.lock()
        open.remove(c)
        close(c)
        lock.unlock()
    }
}

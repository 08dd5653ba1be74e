import Foundation
import XCTest

/// `pool-max-conn` (manual 5.2): how many idle server connections a server
/// keeps for reuse, our proxy and Debian's 2.6 on the same scenario. A
/// server written here counts the connections it accepted and those still
/// open; two keep-alive clients each get an answer while both server
/// connections are busy, then ask once more, one after the other.
final class PoolMaxConnTests: IntegrationTestCase {
    /// Accepts HTTP/1.1 keep-alive requests and writes "<accepted> <open>"
    /// to the state file at each change; `/pair` is answered once two
    /// `/pair` requests wait, so both connections are in use at once.
    static let serverScript = """
    import os, socket, sys, threading
    port, state = int(sys.argv[1]), sys.argv[2]
    cond = threading.Condition()
    accepted = opened = waiting = 0

    def report():
        with open(state + ".new", "w") as f:
            f.write("%d %d" % (accepted, opened))
        os.replace(state + ".new", state)

    def serve(c):
        global opened, waiting
        buf = b""
        try:
            while True:
                while b"\\r\\n\\r\\n" not in buf:
                    data = c.recv(4096)
                    if not data:
                        return
                    buf += data
                head, buf = buf.split(b"\\r\\n\\r\\n", 1)
                if b" /pair " in head.split(b"\\r\\n")[0]:
                    with cond:
                        waiting += 1
                        cond.notify_all()
                        cond.wait_for(lambda: waiting >= 2, timeout=10)
                c.sendall(b"HTTP/1.1 200 OK\\r\\nContent-Length: 2\\r\\n\\r\\nok")
        except Exception:
            pass
        finally:
            c.close()
            with cond:
                opened -= 1
                report()

    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port))
    s.listen(64)
    with cond:
        report()
    while True:
        c, _ = s.accept()
        with cond:
            accepted += 1
            opened += 1
            report()
        threading.Thread(target=serve, args=(c,), daemon=True).start()
    """

    private struct Run {
        /// The server's "<accepted> <open>" after the pair, and after the second round.
        var afterPair = ""
        var afterRound = ""
        /// `srv_icur` and `src_ilim` of the server at the end.
        var columns: [String] = []
    }

    private func run(label: String, executable: String?, option: String) throws -> Run {
        let serverPort = Ports.free(), port = Ports.free()
        let script = tmp.appendingPathComponent("counting.py")
        try Self.serverScript.write(to: script, atomically: true, encoding: .utf8)
        let state = tmp.appendingPathComponent("state-\(label)").path
        let server = track(try ManagedProcess(label: "server-\(label)", executable: "/usr/bin/python3",
                                              arguments: [script.path, "\(serverPort)", state], dir: tmp))
        defer { server.stop() }
        try Ports.waitUntilAccepting(serverPort, timeout: 10, while: { server.isRunning })
        // The check above was a connection too: count from what it left.
        try waitUntil("\(label): the server counted the probe") { readState(state) == "1 0" }
        let socket = tmp.appendingPathComponent("\(label).sock").path
        // One thread: this build keeps idle connections per event loop and
        // reuses only those of the stream's own loop, where 2.6 takes one
        // from another thread; the limit holds over all loops either way.
        let config = """
            global
                stats socket \(socket) level admin
                nbthread 1
            defaults
                mode http
                timeout connect 2s
                timeout client 10s
                timeout server 10s
            frontend f
                bind 127.0.0.1:\(port)
                default_backend b
            backend b
                server s1 127.0.0.1:\(serverPort) \(option)
            """
        let proxy: ManagedProcess
        if let executable {
            let file = try writeConfig(config, name: "\(label).cfg")
            proxy = track(try ManagedProcess(
                label: label, executable: executable, arguments: ["-f", file.path, "-db"], dir: tmp,
                environment: ["LD_LIBRARY_PATH": ProtocolCheckTests.referenceLibraries]))
            try Ports.waitUntilListening(port, timeout: 10, while: { proxy.isRunning })
        } else {
            proxy = try startProxy(config: config, ports: [port])
        }
        defer { proxy.stop() }
        func idle() throws -> [String] {
            let row = StatsCSV.rows(try StatsSocket.command(socket, "show stat"), proxy: "b")["s1"] ?? [:]
            return [row["srv_icur"] ?? "?", row["src_ilim"] ?? "?"]
        }
        let clients = [try Conn(port: port), try Conn(port: port)]
        defer { clients.forEach { $0.close() } }
        let statuses = try concurrently(2) { i -> Int in
            do {
                try clients[i].send("GET /pair HTTP/1.1\r\nHost: test\r\n\r\n")
                return try clients[i].readResponse().status
            } catch {
                return -1
            }
        }
        XCTAssertEqual(statuses, [200, 200], label)
        // Both server connections were open at once; what is kept of them
        // is what the server still sees open once the proxy settled.
        var run = Run()
        let limit = option.split(separator: " ").last.flatMap { Int($0) } ?? -1
        let kept = limit < 0 ? 2 : min(limit, 2)
        try waitUntil("\(label): \(kept) idle server connections") {
            try readState(state) == "3 \(kept)" && idle().first == "\(kept)"
        }
        run.afterPair = readState(state)
        for client in clients {
            try client.send("GET /one HTTP/1.1\r\nHost: test\r\n\r\n")
            XCTAssertEqual(try client.readResponse().status, 200, label)
            // The next request comes once this one's connection is back in the pool.
            try waitUntil("\(label): the connection is idle again") { (try idle()).first == "\(kept)" }
        }
        try waitUntil("\(label): the server connections settled") {
            readState(state).split(separator: " ").last == "\(kept)"
        }
        run.afterRound = readState(state)
        run.columns = try idle()
        return run
    }

    private func readState(_ path: String) -> String {
        (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    }

    func testIdleConnectionsKeptAs26() throws {
        let reference = try referenceBinary()
        // Accepted counts include the test's readiness probe.
        let expected: [(String, afterPair: String, afterRound: String, columns: [String])] = [
            ("", "3 2", "3 2", ["2", ""]),
            ("pool-max-conn -1", "3 2", "3 2", ["2", ""]),
            ("pool-max-conn 1", "3 1", "3 1", ["1", "1"]),
            ("pool-max-conn 0", "3 0", "5 0", ["0", "0"]),
        ]
        for (index, (option, afterPair, afterRound, columns)) in expected.enumerated() {
            for (label, executable) in [("reference\(index)", Optional(reference)), ("ours\(index)", nil)] {
                let run = try run(label: label, executable: executable, option: option)
                XCTAssertEqual(run.afterPair, afterPair, "\(label) \(option)")
                XCTAssertEqual(run.afterRound, afterRound, "\(label) \(option)")
                XCTAssertEqual(run.columns, columns, "\(label) \(option)")
            }
        }
    }

    /// The option's value is read as 2.6 reads it, and refused below -1.
    func testOptionErrorsMatchHAProxy26() throws {
        let reference = try referenceBinary()
        let cases = ["pool-max-conn", "pool-max-conn -2", "pool-max-conn abc", "pool-max-conn 5x"]
        func alerts(_ text: String) -> [String] {
            text.split(separator: "\n").filter { $0.hasPrefix("[ALERT]") }
                .map { $0.replacingOccurrences(of: #"\(\d+\)"#, with: "", options: .regularExpression) }
        }
        for (index, option) in cases.enumerated() {
            let file = try writeConfig(
                "defaults\n    mode http\n    timeout connect 1s\n    timeout client 1s\n    timeout server 1s\n"
                    + "backend b\n    server s1 127.0.0.1:1 \(option)\n", name: "pool\(index).cfg")
            let ours = try haproxy(["-c", "-f", file.lastPathComponent])
            let theirs = try runTool(reference, ["-c", "-f", file.lastPathComponent], dir: tmp,
                                     environment: ["LD_LIBRARY_PATH": ProtocolCheckTests.referenceLibraries])
            XCTAssertEqual(alerts(ours.stderr), alerts(theirs.stderr), option)
            XCTAssertEqual(ours.status, theirs.status, option)
        }
    }
}

import Foundation
import XCTest

/// Server state across a master-worker reload: the master saves `show
/// servers state` to the `server-state-file` before re-executing itself,
/// and the new generation (`load-server-state-from-file`) applies it, so
/// maintenance and weights set on the stats socket survive the reload.
final class ServerStateReloadTests: LifecycleTestCase {
    private var port1 = 0
    private var port2 = 0

    override func setUpWithError() throws {
        try super.setUpWithError()
        port1 = LifecycleHarness.freePort()
        port2 = LifecycleHarness.freePort()
    }

    private var statsSocket: String { harness.path("stats.sock") }
    private var stateFile: String { harness.path("state/servers") }

    private func config(load: String) -> String {
        """
        global
            hard-stop-after 10s
            stats socket \(statsSocket) level admin
            server-state-base \(harness.path("state"))
            server-state-file servers
        defaults
            mode http
            timeout connect 2s
            timeout client 10s
            timeout server 10s
            load-server-state-from-file \(load)
        frontend fe
            bind 127.0.0.1:\(proxyPort)
            default_backend be
        backend be
            balance roundrobin
            server s1 127.0.0.1:\(port1)
            server s2 127.0.0.1:\(port2)
        backend other
            load-server-state-from-file local
            server o1 127.0.0.1:\(port1) weight 20

        """
    }

    /// A keep-alive-less HTTP backend answering its own port in the body.
    private func startNamedBackend(port: Int) throws {
        let script = """
            import http.server, socketserver, sys
            class H(http.server.BaseHTTPRequestHandler):
                def do_GET(self):
                    body = ("port=%s\\n" % sys.argv[1]).encode()
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(body)))
                    self.send_header("Connection", "close")
                    self.end_headers()
                    self.wfile.write(body)
                def log_message(self, *a): pass
            class S(socketserver.ThreadingMixIn, http.server.HTTPServer):
                daemon_threads = True
                allow_reuse_address = True
            S(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
            """
        try harness.write("named.py", script)
        try harness.launch("/usr/bin/python3", [harness.path("named.py"), "\(port)"], log: "backend-\(port).log")
        XCTAssertTrue(LifecycleHarness.waitUntil(timeout: 10) { LifecycleHarness.canConnect(port: port) },
                      "backend \(port) did not start")
    }

    /// One `Connection: close` request through the proxy; the answer's body.
    private func fetch() -> String? {
        let fd = LifecycleHarness.connectTCP(port: proxyPort)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        let request = Array("GET / HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n".utf8)
        guard send(fd, request, request.count, CInt(MSG_NOSIGNAL)) == request.count else { return nil }
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = read(fd, &buffer, buffer.count)
            if n <= 0 { break }
            out += buffer[0..<n]
        }
        let text = String(decoding: out, as: UTF8.self)
        guard text.hasPrefix("HTTP/1."), text.dropFirst(8).hasPrefix(" 200"), let range = text.range(of: "\r\n\r\n") else { return nil }
        return String(text[range.upperBound...])
    }

    /// The fields of `be/<server>` in a `show servers state` answer.
    private func stateFields(_ answer: String, backend: String = "be", server: String) -> [String]? {
        for line in answer.split(separator: "\n") where !line.hasPrefix("#") {
            let f = line.split(separator: " ").map(String.init)
            if f.count > 7, f[1] == backend, f[3] == server { return f }
        }
        return nil
    }

    func testMaintenanceAndWeightSurviveReload() throws {
        try startNamedBackend(port: port1)
        try startNamedBackend(port: port2)
        try FileManager.default.createDirectory(atPath: harness.path("state"), withIntermediateDirectories: true)
        try harness.write("haproxy.cfg", config(load: "global"))
        let master = try harness.haproxy(["-W", "-S", masterSocket, "-f", harness.path("haproxy.cfg")])
        let first = try XCTUnwrap(waitForWorker())
        XCTAssertTrue(LifecycleHarness.waitUntil(timeout: 15) { self.fetch() != nil }, "the proxy does not answer")
        // The missing state file is only a warning.
        XCTAssertTrue(harness.logText().contains(
            "config : config: Can't open global server state file '\(stateFile)': No such file or directory"),
            harness.logText())
        XCTAssertTrue(harness.logText().contains("Proxy 'other': Can't open server state file '\(harness.path("state/other"))'"),
                      harness.logText())

        XCTAssertEqual(LifecycleHarness.unixCommand(statsSocket, "set server be/s1 state maint"), "\n")
        XCTAssertEqual(LifecycleHarness.unixCommand(statsSocket, "set weight be/s2 50"), "\n")
        XCTAssertEqual(LifecycleHarness.unixCommand(statsSocket, "set weight other/o1 7"), "\n")

        kill(master.processIdentifier, SIGUSR2)
        let second = try XCTUnwrap(waitForWorker(replacing: first), "no new worker after the reload")
        XCTAssertNotEqual(first, second)

        // The master wrote both files before re-executing itself.
        let saved = try String(contentsOfFile: stateFile, encoding: .utf8)
        XCTAssertTrue(saved.hasPrefix("1\n# be_id be_name srv_id srv_name srv_addr"), saved)
        XCTAssertEqual(stateFields(saved, server: "s1")?[6], "1", saved)
        XCTAssertEqual(stateFields(saved, server: "s2")?[7], "50", saved)
        let local = try String(contentsOfFile: harness.path("state/other"), encoding: .utf8)
        XCTAssertEqual(stateFields(local, backend: "other", server: "o1")?[7], "7", local)
        XCTAssertNil(stateFields(local, server: "s1"), local)
        XCTAssertFalse(FileManager.default.fileExists(atPath: stateFile + ".tmp.\(master.processIdentifier)"))

        // The new worker runs with the saved state.
        let state = try XCTUnwrap(LifecycleHarness.unixCommand(masterSocket, "@1 show servers state"))
        let s1 = try XCTUnwrap(stateFields(state, server: "s1"), state)
        let s2 = try XCTUnwrap(stateFields(state, server: "s2"), state)
        let o1 = try XCTUnwrap(stateFields(state, backend: "other", server: "o1"), state)
        XCTAssertEqual(s1[6], "1", "s1 should still be in forced maintenance: \(state)")
        XCTAssertEqual(s1[5], "0", state)
        XCTAssertEqual(s2[6], "0", state)
        XCTAssertEqual(s2[7], "50", state)
        XCTAssertEqual(o1[7], "7", state)
        // The stats socket of the new worker tells the same.
        XCTAssertTrue(LifecycleHarness.waitUntil(timeout: 10) {
            guard let answer = LifecycleHarness.unixCommand(self.statsSocket, "show servers state be") else { return false }
            return self.stateFields(answer, server: "s1")?[6] == "1" && self.stateFields(answer, server: "s2")?[7] == "50"
        }, LifecycleHarness.unixCommand(statsSocket, "show servers state be") ?? "no answer")

        // Traffic avoids s1.
        var bodies: [String] = []
        for _ in 0..<10 { bodies.append(fetch() ?? "failed") }
        XCTAssertEqual(bodies, Array(repeating: "port=\(port2)\n", count: 10))

        kill(master.processIdentifier, SIGUSR1)
        let exited = LifecycleHarness.waitUntil(timeout: 15) { !master.isRunning }
        XCTAssertTrue(exited, "master still running")
    }

    // Without load-server-state-from-file the file is written but not applied.
    func testStateNotAppliedWithoutLoadDirective() throws {
        try startNamedBackend(port: port1)
        try startNamedBackend(port: port2)
        try FileManager.default.createDirectory(atPath: harness.path("state"), withIntermediateDirectories: true)
        try harness.write("haproxy.cfg", config(load: "none"))
        let master = try harness.haproxy(["-W", "-S", masterSocket, "-f", harness.path("haproxy.cfg")])
        let first = try XCTUnwrap(waitForWorker())
        XCTAssertTrue(LifecycleHarness.waitUntil(timeout: 15) { self.fetch() != nil }, "the proxy does not answer")
        XCTAssertFalse(harness.logText().contains("global server state file"), harness.logText())
        XCTAssertEqual(LifecycleHarness.unixCommand(statsSocket, "set server be/s1 state maint"), "\n")

        kill(master.processIdentifier, SIGUSR2)
        XCTAssertNotNil(waitForWorker(replacing: first), "no new worker after the reload")
        let saved = try String(contentsOfFile: stateFile, encoding: .utf8)
        XCTAssertEqual(stateFields(saved, server: "s1")?[6], "1", saved)
        let state = try XCTUnwrap(LifecycleHarness.unixCommand(masterSocket, "@1 show servers state be"))
        XCTAssertEqual(stateFields(state, server: "s1")?[6], "0", state)
        XCTAssertTrue(LifecycleHarness.waitUntil(timeout: 15) { self.fetch() != nil }, "the new worker does not answer")

        kill(master.processIdentifier, SIGUSR1)
        XCTAssertTrue(LifecycleHarness.waitUntil(timeout: 15) { !master.isRunning }, "master still running")
    }
}

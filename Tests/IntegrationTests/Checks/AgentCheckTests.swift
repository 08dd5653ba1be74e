import Foundation
import XCTest

/// `agent-check` against a small agent written here (Python, on loopback)
/// whose reply the test changes, our proxy and Debian's haproxy 2.6 side
/// by side on the same agent: the same server status, weights, `slim`, agent
/// columns of `show stat` and the same "Server b/s ..." lines on stderr.
final class AgentCheckTests: IntegrationTestCase {
    /// Answers every connection with the content of `reply` (read anew each
    /// time), then appends what the proxy sent to `received`; with `SILENT`
    /// it holds the connection for a second without answering, with `CLOSE`
    /// it closes it without a word.
    static let agentScript = """
    import socket, sys, threading, time
    port, reply, received = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    host = sys.argv[4] if len(sys.argv) > 4 else "127.0.0.1"
    lock = threading.Lock()

    def serve(c):
        try:
            text = open(reply, "rb").read()
            if text == b"SILENT":
                time.sleep(1)
            elif text == b"CLOSE":
                pass
            else:
                c.sendall(text)
            c.settimeout(0.05)
            data = b""
            try:
                data = c.recv(100)
            except Exception:
                pass
            with lock, open(received, "ab") as f:
                f.write(data + b"|")
        except Exception:
            pass
        c.close()

    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((host, port))
    s.listen(64)
    while True:
        c, _ = s.accept()
        threading.Thread(target=serve, args=(c,), daemon=True).start()
    """

    struct Proxy {
        let process: ManagedProcess
        let socket: String
        /// The stats page's port (`/st`).
        let statsPort: Int
    }

    private var replyPath: String { tmp.appendingPathComponent("reply").path }

    private func reply(_ text: String) throws {
        let next = replyPath + ".new"
        try Data(text.utf8).write(to: URL(fileURLWithPath: next))
        XCTAssertEqual(rename(next, replyPath), 0)
    }

    private func startBoth(backends: String) throws -> (ours: Proxy, reference: Proxy) {
        let reference = ProtocolCheckTests.referencePath
        guard FileManager.default.isExecutableFile(atPath: reference) else {
            XCTFail("Debian's haproxy 2.6 is not unpacked at \(reference): run `make reference`")
            throw HarnessError("reference missing")
        }
        func config(_ name: String, port: Int, statsPort: Int) -> (String, String) {
            let socket = tmp.appendingPathComponent("\(name).sock").path
            return ("""
            global
                stats socket \(socket) level admin
            defaults
                mode tcp
                timeout connect 1s
                timeout client 5s
                timeout server 5s
            frontend f
                bind 127.0.0.1:\(port)
                default_backend b
            listen st
                bind 127.0.0.1:\(statsPort)
                mode http
                stats enable
                stats uri /st
            \(backends)
            """, socket)
        }
        let ourPort = Ports.free(), ourStats = Ports.free()
        let (ourConfig, ourSocket) = config("ours", port: ourPort, statsPort: ourStats)
        let ours = try startProxy(config: ourConfig, ports: [ourPort, ourStats])
        let refPort = Ports.free(), refStats = Ports.free()
        let (refConfig, refSocket) = config("reference", port: refPort, statsPort: refStats)
        let refFile = try writeConfig(refConfig, name: "reference.cfg")
        let ref = track(try ManagedProcess(
            label: "reference", executable: reference, arguments: ["-f", refFile.path, "-db"], dir: tmp,
            environment: ["LD_LIBRARY_PATH": ProtocolCheckTests.referenceLibraries]))
        try Ports.waitUntilAccepting(refPort, timeout: 10, while: { ref.isRunning })
        return (Proxy(process: ours, socket: ourSocket, statsPort: ourStats),
                Proxy(process: ref, socket: refSocket, statsPort: refStats))
    }

    static let columns = [
        "status", "weight", "uweight", "slim", "agent_status", "agent_code", "agent_desc", "agent_rise", "agent_fall",
        "agent_health", "last_agt",
    ]

    /// The agent columns of `backend`'s server, without 2.6's "* " mark of
    /// a check in progress.
    private func row(_ proxy: Proxy, _ backend: String, _ server: String) throws -> [String] {
        let rows = StatsCSV.rows(try StatsSocket.command(proxy.socket, "show stat"), proxy: backend)
        let s = rows[server] ?? [:]
        return Self.columns.map { name in
            let value = s[name] ?? "?"
            return value.hasPrefix("* ") ? String(value.dropFirst(2)) : value
        }
    }

    private func expectBoth(_ both: (ours: Proxy, reference: Proxy), _ backend: String, _ server: String,
                            _ expected: [String], _ step: String) {
        for (label, proxy) in [("2.6", both.reference), ("ours", both.ours)] {
            var last: [String] = []
            do {
                try waitUntil("\(label) shows \(expected) for \(backend)/\(server)", timeout: 10) {
                    last = try row(proxy, backend, server)
                    return last == expected
                }
            } catch {
                XCTFail("\(step): \(label): \(backend)/\(server) shows \(last), expected \(expected)")
            }
        }
    }

    /// The stats page's line of `b/s`: its row class and its text without
    /// markup (2.6 and this build mark tips up differently).
    private func pageLine(_ proxy: Proxy) throws -> (rowClass: String, text: String) {
        let html = String(decoding: try HTTPClient.get(port: proxy.statsPort, path: "/st").body, as: UTF8.self)
        // 2.6 names the anchor, this build gives it an id.
        guard let anchor = html.range(of: "name=\"b/s\"") ?? html.range(of: "id=\"b/s\"") else { return ("?", "") }
        let head = html[..<anchor.lowerBound]
        let rowStart = head.range(of: "<tr class=", options: .backwards)
        let rowClass = rowStart.map { html[$0.upperBound...].prefix(while: { $0 != ">" }) }
            .map { $0.replacingOccurrences(of: "\"", with: "") } ?? "?"
        let rest = html[anchor.upperBound...]
        let row = rest[..<(rest.range(of: "<tr class=")?.lowerBound ?? rest.endIndex)]
        var text = "", inTag = false
        for c in row {
            if c == "<" { inTag = true; text += " " } else if c == ">" { inTag = false } else if !inTag { text.append(c) }
        }
        return (rowClass, text.split(whereSeparator: { $0 == " " || $0 == "\n" }).joined(separator: " "))
    }

    /// The distinct "Server b/..." lines, durations left out.
    static func serverLines(_ output: String) -> Set<String> {
        Set(output.components(separatedBy: "\n").compactMap { line -> String? in
            guard let start = line.range(of: "Server b/") else { return nil }
            let text = String(line[start.lowerBound...])
            guard let d = text.range(of: "duration: "), let end = text[d.upperBound...].range(of: "ms") else { return text }
            return text.replacingCharacters(in: d.upperBound..<end.lowerBound, with: "N")
        })
    }

    /// Where the agent appends what the proxy sent it.
    private var receivedPath: String { tmp.appendingPathComponent("received").path }

    /// Starts the agent (`agentScript`, answering what `reply` set) and
    /// returns its port once it accepts.
    private func startAgent(host: String = "127.0.0.1") throws -> Int {
        let agentPort = Ports.free()
        let script = tmp.appendingPathComponent("agent.py")
        try Self.agentScript.write(to: script, atomically: true, encoding: .utf8)
        let agent = track(try ManagedProcess(
            label: "agent", executable: "/usr/bin/python3",
            arguments: [script.path, "\(agentPort)", replyPath, receivedPath, host], dir: tmp))
        try waitUntil("the agent accepts on \(host):\(agentPort)") {
            guard agent.isRunning else { throw HarnessError("agent exited: \(agent.stderr)") }
            return Self.accepts(host: host, port: agentPort)
        }
        return agentPort
    }

    /// Whether `host`:`port` accepts a TCP connection.
    static func accepts(host: String, port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr(host)
        return withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }

    /// `agent-addr`: the agent listens on another address than the server's
    /// (127.0.0.2 only); `stopped` takes the server down as `down` does,
    /// and `show servers state` lists the agent's address, as on 2.6.
    func testAgentAddrAndStoppedMatchHAProxy26() throws {
        try reply("up\n")
        let agentPort = try startAgent(host: "127.0.0.2")
        let both = try startBoth(backends: """
            backend b
                server s 127.0.0.1:\(Ports.free()) weight 40 agent-check agent-addr 127.0.0.2 agent-port \(agentPort) agent-inter 100
            """)
        let up = ["L7OK", "0", "Layer7 check passed", "1", "1", "1"]
        expectBoth(both, "b", "s", ["no check", "40", "40", ""] + up + ["via agent : up"], "up through agent-addr")
        try reply("stopped\n")
        expectBoth(both, "b", "s", ["DOWN (agent)", "40", "40", "", "L7STS", "0", "Layer7 wrong status", "1", "1", "0",
                                    "via agent : stopped"], "stopped")
        try reply("up\n")
        expectBoth(both, "b", "s", ["no check", "40", "40", ""] + up + ["via agent : up"], "up again")
        for (label, proxy) in [("2.6", both.reference), ("ours", both.ours)] {
            let lines = try StatsSocket.command(proxy.socket, "show servers state b").split(separator: "\n")
            let fields = lines.first { $0.contains(" b 1 s ") }?.split(separator: " ").map(String.init) ?? []
            XCTAssertEqual(fields.suffix(2), ["127.0.0.2", "\(agentPort)"], "\(label): \(lines)")
        }
        XCTAssertEqual(Self.serverLines(both.ours.process.stderr), Self.serverLines(both.reference.process.stderr))
    }

    /// Each reply in turn, and what 2.6 shows after it (server weight 40,
    /// maxconn 50); a second server's agent refuses connections.
    func testAgentRepliesMatchHAProxy26() throws {
        try reply("up\n")
        let agentPort = try startAgent()
        let closedPort = Ports.free()
        let both = try startBoth(backends: """
            backend b
                server s 127.0.0.1:\(Ports.free()) weight 40 maxconn 50 agent-check agent-port \(agentPort) agent-inter 100 agent-send hello
            backend c
                default-server agent-check agent-port \(closedPort) agent-inter 100
                server t 127.0.0.1:\(Ports.free()) weight 40
            """)
        let up = ["L7OK", "0", "Layer7 check passed", "1", "1", "1"]
        let checked = ["CHECKED", "", "No status change", "1", "1", "1"]
        let steps: [(String, [String])] = [
            ("up\n", ["no check", "40", "40", "50"] + up + ["via agent : up"]),
            ("75%\n", ["no check", "30", "30", "50"] + checked + [""]),
            ("maxconn:10\n", ["no check", "30", "30", "10"] + checked + [""]),
            ("50% drain\n", ["DRAIN (agent)", "20", "20", "10"] + checked + [""]),
            ("ready\n", ["no check", "20", "20", "10"] + checked + [""]),
            ("maint\n", ["MAINT", "20", "20", "10"] + checked + [""]),
            ("ready\n", ["no check", "20", "20", "10"] + checked + [""]),
            ("down\n", ["DOWN (agent)", "20", "20", "10", "L7STS", "0", "Layer7 wrong status", "1", "1", "0", "via agent : down"]),
            ("1000%\n", ["DOWN (agent)", "256", "256", "10", "CHECKED", "", "No status change", "1", "1", "0", ""]),
            ("fail 100%\n", ["DOWN (agent)", "40", "40", "10", "L7STS", "0", "Layer7 wrong status", "1", "1", "0", "via agent : fail"]),
            ("up\n", ["no check", "40", "40", "10"] + up + ["via agent : up"]),
            ("foo\n", ["no check", "40", "40", "10"] + checked + ["agent reports an error : foo"]),
            ("down#going away\n", ["no check", "40", "40", "10"] + checked + ["agent reports an error : down#going"]),
            ("75%x\n", ["no check", "40", "40", "10"] + checked + ["agent warns : Trailing garbage in weight string"]),
            ("foo up\n", ["no check", "40", "40", "10"] + up + ["via agent : up (foo)"]),
            ("maxconn:0 ready\n", ["no check", "40", "40", ""] + checked + [""]),
            // No answer within agent-inter: L7TOUT, nothing else changes.
            ("SILENT", ["no check", "40", "40", "", "L7TOUT", "", "Layer7 timeout", "1", "1", "1", ""]),
            // Closed without a word: 2.6 reports its tcp-check step.
            ("CLOSE", ["no check", "40", "40", "", "L7RSP", "", "Layer7 invalid response", "1", "1", "1",
                       "TCPCHK got an empty response at step 2"]),
            ("maxconn:0 ready\n", ["no check", "40", "40", ""] + checked + [""]),
            // An incomplete line keeps the previous result, with its own info.
            ("down", ["no check", "40", "40", ""] + checked + ["Ignoring incomplete line from agent"]),
        ]
        for (text, expected) in steps {
            try reply(text)
            expectBoth(both, "b", "s", expected, "reply \(text.debugDescription)")
            if text == "down\n" {
                // The page shows the agent's verdict in the status and last check cells.
                // (Polled: a check running while the page is built may show
                // its result without the agent's words for a moment.)
                for (label, proxy) in [("2.6", both.reference), ("ours", both.ours)] {
                    let parts = ["DOWN (agent)", "L7STS/0 in", "Layer7 wrong status: via agent : down"]
                    var line = try pageLine(proxy)
                    try? waitUntil("\(label)'s page shows the agent's down", timeout: 5) {
                        line = try pageLine(proxy)
                        return line.rowClass == "active_down" && parts.allSatisfy(line.text.contains)
                    }
                    XCTAssertEqual(line.rowClass, "active_down", label)
                    for part in parts {
                        XCTAssertTrue(line.text.contains(part), "\(label): \(part) not in \(line.text)")
                    }
                }
            }
            if text.contains("drain") {
                // 2.6 colours the line as UP and marks the status with a down arrow.
                for (label, proxy) in [("2.6", both.reference), ("ours", both.ours)] {
                    let line = try pageLine(proxy)
                    XCTAssertEqual(line.rowClass, "active_up", label)
                    XCTAssertTrue(line.text.contains("DRAIN (agent) &darr;"), "\(label): \(line.text)")
                }
                // Each later drain reply says so again.
                for proxy in [both.reference, both.ours] {
                    XCTAssertTrue(proxy.process.waitForOutput("remains in forced drain mode."), proxy.process.stderr)
                }
            }
        }
        // The CLI forces the agent's verdict; its errors are 2.6's.
        for (command, expected) in [
            ("set server b/s agent down", ["DOWN (agent)", "40", "40", ""] + checked.dropLast() + ["0", "Ignoring incomplete line from agent"]),
            ("set server b/s agent up", ["no check", "40", "40", ""] + checked + ["Ignoring incomplete line from agent"]),
        ] {
            for proxy in [both.reference, both.ours] { _ = try StatsSocket.command(proxy.socket, command) }
            expectBoth(both, "b", "s", expected, command)
        }
        for command in [
            "set server b/s agent foo", "set server b/s agent-port", "set server b/s agent-port abc",
            "set server b/s agent-port 70000", "set server b/s agent-addr", "set server b/s agent-addr foo",
            "set server c/t agent-addr 127.0.0.1 \(closedPort)", "set server b/s agent-send bye",
        ] {
            XCTAssertEqual(try StatsSocket.command(both.ours.socket, command),
                           try StatsSocket.command(both.reference.socket, command), command)
        }
        for (label, proxy) in [("2.6", both.reference), ("ours", both.ours)] {
            let lines = try StatsSocket.command(proxy.socket, "show servers state c").split(separator: "\n")
            let fields = lines.first { $0.contains(" c 1 t ") }?.split(separator: " ").map(String.init) ?? []
            XCTAssertEqual(fields.suffix(2), ["127.0.0.1", "\(closedPort)"], "\(label): \(lines)")
        }
        try waitUntil("agent-send bye reaches the agent from both") {
            let sent = (try? String(contentsOfFile: receivedPath, encoding: .utf8)) ?? ""
            return sent.components(separatedBy: "|").filter { $0 == "bye" }.count >= 4
        }
        // disable agent empties the columns and keeps the state the agent left.
        try reply("down\n")
        expectBoth(both, "b", "s", ["DOWN (agent)", "40", "40", "", "L7STS", "0", "Layer7 wrong status", "1", "1", "0",
                                    "via agent : down"], "down before disable agent")
        // show servers state: operational state, agent state, agent address and port.
        for (label, proxy) in [("2.6", both.reference), ("ours", both.ours)] {
            let lines = try StatsSocket.command(proxy.socket, "show servers state b").split(separator: "\n")
            let fields = lines.first { $0.hasPrefix("2 b 1 s ") || $0.contains(" b 1 s ") }?.split(separator: " ").map(String.init) ?? []
            XCTAssertEqual(fields.count, 25, "\(label): \(lines)")
            if fields.count == 25 {
                XCTAssertEqual([fields[5], fields[7], fields[8], fields[14], fields[23], fields[24]],
                               ["0", "40", "40", "22", "-", "\(agentPort)"], label)
            }
        }
        for proxy in [both.reference, both.ours] {
            XCTAssertEqual(try StatsSocket.command(proxy.socket, "disable agent b/s"), "\n")
            XCTAssertEqual(try StatsSocket.command(proxy.socket, "enable agent c/none"), "No such server.\n\n")
        }
        try reply("up\n")
        expectBoth(both, "b", "s", ["DOWN", "40", "40", "", "", "", "", "", "", "", ""], "disable agent")
        for proxy in [both.reference, both.ours] { _ = try StatsSocket.command(proxy.socket, "enable agent b/s") }
        expectBoth(both, "b", "s", ["no check", "40", "40", ""] + up + ["via agent : up"], "enable agent")
        // An agent that cannot be reached changes nothing but its columns.
        expectBoth(both, "c", "t", ["no check", "40", "40", "", "L4CON", "", "Layer4 connection problem", "1", "1", "1",
                                    "Connection refused"], "refused agent")
        // Both sent agent-send on each connection.
        let sent = (try? String(contentsOfFile: receivedPath, encoding: .utf8)) ?? ""
        XCTAssertTrue(sent.components(separatedBy: "|").filter { $0 == "hello" }.count > 10, sent)
        XCTAssertFalse(sent.components(separatedBy: "|").contains { !$0.isEmpty && $0 != "hello" && $0 != "bye" }, sent)

        let expectedLines: Set<String> = [
            "Server b/s enters drain state. 0 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.",
            "Server b/s remains in forced drain mode.",
            "Server b/s is UP (leaving forced drain).",
            "Server b/s is going DOWN for maintenance. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.",
            "Server b/s is UP/READY (leaving forced maintenance).",
            "Server b/s is DOWN, reason: Layer7 wrong status, code: 0, info: \"via agent : down\", check duration: Nms. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.",
            "Server b/s is UP, reason: Layer7 check passed, code: 0, info: \"via agent : up\", check duration: Nms. 1 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.",
            "Server b/s is DOWN, changed from CLI. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.",
            "Server b/s is UP, changed from CLI. 1 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.",
        ]
        XCTAssertEqual(Self.serverLines(both.reference.process.stderr), expectedLines, "2.6's lines")
        XCTAssertEqual(Self.serverLines(both.ours.process.stderr), expectedLines, "our lines")
    }

    /// An agent next to a regular `check` of the same server: the agent's
    /// down keeps the server down while its check passes; in maintenance
    /// the check columns are empty and the agent still runs.
    func testAgentWithHealthCheckMatchesHAProxy26() throws {
        try reply("up\n")
        let agentPort = try startAgent()
        // The server itself: a listener the test stops to fail the check.
        let serverPort = Ports.free()
        let listener = "import socket, sys\ns = socket.socket()\ns.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
            + "s.bind(('127.0.0.1', int(sys.argv[1])))\ns.listen(64)\nwhile True:\n    s.accept()[0].close()\n"
        let listenerScript = tmp.appendingPathComponent("listener.py")
        try listener.write(to: listenerScript, atomically: true, encoding: .utf8)
        func startServer() throws -> ManagedProcess {
            let p = track(try ManagedProcess(label: "server-\(UUID().uuidString.prefix(6))", executable: "/usr/bin/python3",
                                             arguments: [listenerScript.path, "\(serverPort)"], dir: tmp))
            try Ports.waitUntilAccepting(serverPort, timeout: 10, while: { p.isRunning })
            return p
        }
        var server = try startServer()
        let both = try startBoth(backends: """
            backend b
                server s 127.0.0.1:\(serverPort) check inter 100 fall 1 rise 1 agent-check agent-port \(agentPort) agent-inter 100
            """)
        func columns(_ proxy: Proxy) throws -> [String] {
            let row = StatsCSV.rows(try StatsSocket.command(proxy.socket, "show stat"), proxy: "b")["s"] ?? [:]
            return ["status", "check_status", "check_health", "agent_status", "agent_health", "last_agt"].map { name in
                let value = row[name] ?? "?"
                return value.hasPrefix("* ") ? String(value.dropFirst(2)) : value
            }
        }
        let steps: [(String, [String])] = [
            ("up\n", ["UP", "L4OK", "1", "L7OK", "1", "via agent : up"]),
            ("down\n", ["DOWN (agent)", "L4OK", "1", "L7STS", "0", "via agent : down"]),
            // The check fails too: still "DOWN (agent)"; then it passes again.
            ("stop server", ["DOWN (agent)", "L4CON", "0", "L7STS", "0", "via agent : down"]),
            ("start server", ["DOWN (agent)", "L4OK", "1", "L7STS", "0", "via agent : down"]),
            ("up\n", ["UP", "L4OK", "1", "L7OK", "1", "via agent : up"]),
            ("maint\n", ["MAINT", "", "", "CHECKED", "1", ""]),
            ("down\n", ["MAINT", "", "", "L7STS", "0", "via agent : down"]),
            ("ready\n", ["DOWN (agent)", "L4OK", "1", "CHECKED", "0", ""]),
            ("up\n", ["UP", "L4OK", "1", "L7OK", "1", "via agent : up"]),
        ]
        for (text, expected) in steps {
            if text == "stop server" {
                server.stop()
            } else if text == "start server" {
                server = try startServer()
            } else {
                try reply(text)
            }
            for (label, proxy) in [("2.6", both.reference), ("ours", both.ours)] {
                var last: [String] = []
                do {
                    try waitUntil("\(label) shows \(expected)", timeout: 10) {
                        last = try columns(proxy)
                        return last == expected
                    }
                } catch {
                    XCTFail("reply \(text.debugDescription): \(label) shows \(last), expected \(expected)")
                }
            }
            if text == "down\n" && expected[1] == "L4OK" {
                // The page marks the agent's down with an up arrow while the check passes.
                let reference = try pageLine(both.reference), ours = try pageLine(both.ours)
                XCTAssertEqual(ours.rowClass, reference.rowClass)
                for (label, line) in [("2.6", reference), ("ours", ours)] {
                    XCTAssertTrue(line.text.contains("DOWN (agent) &uarr;"), "\(label): \(line.text)")
                }
            }
        }
        let expectedLines: Set<String> = [
            "Server b/s is DOWN, reason: Layer7 wrong status, code: 0, info: \"via agent : down\", check duration: Nms. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.",
            "Server b/s is UP, reason: Layer7 check passed, code: 0, info: \"via agent : up\", check duration: Nms. 1 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.",
            "Server b/s is going DOWN for maintenance. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.",
            "Server b/s is DOWN/READY (leaving forced maintenance).",
        ]
        // The check's own DOWN and UP go unsaid while the agent says down.
        XCTAssertEqual(Self.serverLines(both.reference.process.stderr), expectedLines, "2.6's lines")
        XCTAssertEqual(Self.serverLines(both.ours.process.stderr), expectedLines, "our lines")
    }

    /// With `option log-health-checks` each agent reply that changes the
    /// agent's result is logged as "Agent check for server ..." and the
    /// state changes drop their reason.
    func testAgentWithLogHealthChecksMatchesHAProxy26() throws {
        try reply("up\n")
        let agentPort = try startAgent()
        let both = try startBoth(backends: """
            backend b
                option log-health-checks
                server s 127.0.0.1:\(Ports.free()) agent-check agent-port \(agentPort) agent-inter 100
            """)
        let last = "Server b/s is UP (leaving forced drain)."
        for (text, wanted) in [
            ("up\n", "Agent check for server b/s succeeded"), ("down\n", "Server b/s is DOWN."),
            ("foo\n", "agent reports an error : foo"), ("up\n", "Server b/s is UP."),
            ("drain\n", "enters drain state"), ("ready\n", last),
        ] {
            try reply(text)
            for proxy in [both.reference, both.ours] {
                if wanted.hasPrefix("agent reports") {
                    try waitUntil("last_agt \(wanted)") {
                        let row = StatsCSV.rows(try StatsSocket.command(proxy.socket, "show stat"), proxy: "b")["s"] ?? [:]
                        return row["last_agt"] == wanted
                    }
                } else {
                    XCTAssertTrue(proxy.process.waitForOutput(wanted), "\(wanted) not in \(proxy.process.stderr)")
                }
            }
        }
        let expectedLines: Set<String> = [
            "Server b/s is DOWN. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.",
            "Server b/s is UP. 1 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.",
            "Server b/s enters drain state. 0 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.",
            "Server b/s remains in forced drain mode.",
            last,
        ]
        let agentLines: Set<String> = [
            "Agent check for server b/s succeeded, reason: Layer7 check passed, code: 0, info: \"via agent : up\", check duration: Nms, status: 1/1 UP.",
            "Agent check for server b/s failed, reason: Layer7 wrong status, code: 0, info: \"via agent : down\", check duration: Nms, status: 0/1 DOWN.",
        ]
        for (label, proxy) in [("2.6", both.reference), ("ours", both.ours)] {
            let lines = proxy.process.stderr.components(separatedBy: "\n")
            let agentChecks = Set(lines.compactMap { line -> String? in
                guard let start = line.range(of: "Agent check for server") else { return nil }
                return Self.serverLines("Server b/ " + line[start.lowerBound...]).first.map { String($0.dropFirst("Server b/ ".count)) }
            })
            XCTAssertEqual(agentChecks, agentLines, label)
            XCTAssertEqual(Self.serverLines(proxy.process.stderr).subtracting(["Server b/s remains in forced drain mode."]),
                           expectedLines.subtracting(["Server b/s remains in forced drain mode."]), label)
            // The reason comes before the alert about the empty backend.
            let down = lines.firstIndex { $0.contains("Server b/s is DOWN.") }
            let alert = lines.firstIndex { $0.contains("backend 'b' has no server available!") }
            XCTAssertNotNil(alert, label)
            XCTAssertLessThan(down ?? Int.max, alert ?? 0, label)
            // One line per change of the agent's result: up, down, up.
            XCTAssertEqual(lines.filter { $0.contains("Agent check for server") }.count, 3, "\(label): \(proxy.process.stderr)")
        }
    }
}

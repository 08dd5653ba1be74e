import Foundation
import XCTest

/// `track [<backend>/]<server>` (manual 5.2), our proxy and Debian's 2.6
/// side by side on the same real server: the tracking servers go DOWN and
/// UP with the tracked one, say so in the same words and order, and show
/// the same state in `show servers state`, `show stat` and the stats page;
/// configurations that cannot track are refused with 2.6's ALERTs.
final class TrackTests: IntegrationTestCase {
    struct Side {
        let label: String
        let process: ManagedProcess
        let socket: String
        let statsPort: Int
    }

    /// A listener that accepts and closes, which the test stops to fail
    /// b1/s1's check and starts again to pass it.
    private func startServer(port: Int) throws -> ManagedProcess {
        let script = tmp.appendingPathComponent("listener.py")
        if !FileManager.default.fileExists(atPath: script.path) {
            try """
            import socket, sys
            s = socket.socket()
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(('127.0.0.1', int(sys.argv[1])))
            s.listen(64)
            while True:
                s.accept()[0].close()
            """.write(to: script, atomically: true, encoding: .utf8)
        }
        let p = track(try ManagedProcess(label: "server-\(UUID().uuidString.prefix(6))", executable: "/usr/bin/python3",
                                         arguments: [script.path, "\(port)"], dir: tmp))
        try Ports.waitUntilAccepting(port, timeout: 10, while: { p.isRunning })
        return p
    }

    private func start(_ label: String, executable: String?, serverPort: Int) throws -> Side {
        let port = Ports.free(), statsPort = Ports.free()
        let socket = tmp.appendingPathComponent("\(label).sock").path
        let config = """
            global
                stats socket \(socket) level admin
            defaults
                mode http
                timeout connect 1s
                timeout client 5s
                timeout server 5s
            frontend f
                bind 127.0.0.1:\(port)
                default_backend b2
            listen st
                bind 127.0.0.1:\(statsPort)
                stats enable
                stats uri /st
            backend b1
                server s1 127.0.0.1:\(serverPort) check inter 100 rise 1 fall 1
            backend b2
                server s1 127.0.0.1:\(serverPort) track b1/s1
                server s2 127.0.0.1:\(serverPort) track s1
                server n 127.0.0.1:\(serverPort)
            """
        let process: ManagedProcess
        if let executable {
            let file = try writeConfig(config, name: "\(label).cfg")
            process = track(try ManagedProcess(
                label: label, executable: executable, arguments: ["-f", file.path, "-db"], dir: tmp,
                environment: ["LD_LIBRARY_PATH": ProtocolCheckTests.referenceLibraries]))
            try Ports.waitUntilAccepting(port, timeout: 10, while: { process.isRunning })
        } else {
            process = try startProxy(config: config, ports: [port, statsPort])
        }
        return Side(label: label, process: process, socket: socket, statsPort: statsPort)
    }

    /// `show servers state` without the address, the time since the last
    /// change and the port columns, which differ between the two runs.
    private func states(_ side: Side) throws -> [String] {
        try StatsSocket.command(side.socket, "show servers state").split(separator: "\n").dropFirst(2).map { line in
            let f = line.split(separator: " ")
            return (f[1...3] + f[5...8] + f[10...14]).joined(separator: " ")
        }
    }

    /// `status` and `tracked` of each of b2's servers.
    private func stat(_ side: Side) throws -> [String] {
        let rows = StatsCSV.rows(try StatsSocket.command(side.socket, "show stat"), proxy: "b2")
        return ["s1", "s2", "n"].map { "\($0) \(rows[$0]?["status"] ?? "?") \(rows[$0]?["tracked"] ?? "?")" }
    }

    /// The stats page's line of `b2/s1` without markup: 2.6 and this build
    /// mark tips up differently.
    private func pageLine(_ side: Side) throws -> String {
        let html = String(decoding: try HTTPClient.get(port: side.statsPort, path: "/st").body, as: UTF8.self)
        guard let anchor = html.range(of: "name=\"b2/s1\"") ?? html.range(of: "id=\"b2/s1\"") else { return "?" }
        let rest = html[anchor.upperBound...]
        let row = rest[..<(rest.range(of: "</tr>\n")?.lowerBound ?? rest.range(of: "<tr class=")?.lowerBound ?? rest.endIndex)]
        return String(row)
    }

    /// The lines about b1's and b2's servers and their backends, in order.
    private static func messages(_ stderr: String) -> [String] {
        stderr.split(separator: "\n").compactMap { line -> String? in
            if let start = line.range(of: "Server b") { return String(line[start.lowerBound...]) }
            if let start = line.range(of: "backend '") { return String(line[start.lowerBound...]) }
            return nil
        }.map { $0.replacingOccurrences(of: #"duration: \d+ms"#, with: "duration: Nms", options: .regularExpression) }
    }

    func testTrackingServersFollowTheTrackedOneAs26() throws {
        let reference = try referenceBinary()
        let serverPort = Ports.free()
        var server = try startServer(port: serverPort)
        let sides = [try start("reference", executable: reference, serverPort: serverPort),
                     try start("ours", executable: nil, serverPort: serverPort)]
        func settle(_ what: String, _ expected: [String]) throws {
            for side in sides {
                var last: [String] = []
                do {
                    try waitUntil("\(side.label): \(what)") {
                        last = try stat(side)
                        return last == expected
                    }
                } catch {
                    XCTFail("\(side.label): \(what): \(last), expected \(expected)")
                }
            }
            XCTAssertEqual(try states(sides[1]), try states(sides[0]), what)
        }
        // Both saw the first check pass before anything is compared.
        for side in sides {
            try waitUntil("\(side.label): b1/s1's first check") {
                let rows = StatsCSV.rows(try StatsSocket.command(side.socket, "show stat"), proxy: "b1")
                return rows["s1"]?["check_status"]?.hasSuffix("L4OK") == true
            }
        }
        try settle("all up", ["s1 UP b1/s1", "s2 UP b2/s1", "n no check "])
        server.stop()
        try settle("the tracked server stopped", ["s1 DOWN b1/s1", "s2 DOWN b2/s1", "n no check "])
        XCTAssertEqual(try states(sides[1]).first { $0.hasPrefix("b2 1 s1 ") }, "b2 1 s1 0 0 1 1 1 0 2 0 0")
        let page = try sides.map { try pageLine($0) }
        for (side, line) in zip(sides, page) {
            XCTAssertTrue(line.contains("via b1/s1</a>"), "\(side.label): \(line)")
            XCTAssertTrue(line.contains("DOWN</td>"), "\(side.label): \(line)")
        }
        server = try startServer(port: serverPort)
        try settle("the tracked server back", ["s1 UP b1/s1", "s2 UP b2/s1", "n no check "])
        let expected = [
            "Server b1/s1 is DOWN, reason: Layer4 connection problem, info: \"Connection refused\", check duration: Nms. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.",
            "backend 'b1' has no server available!",
            "Server b2/s1 is DOWN via b1/s1. 2 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.",
            "Server b2/s2 is DOWN via b2/s1. 1 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.",
            "Server b1/s1 is UP, reason: Layer4 check passed, check duration: Nms. 1 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.",
            "Server b2/s1 is UP via b1/s1. 2 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.",
            "Server b2/s2 is UP via b2/s1. 3 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.",
        ]
        for side in sides {
            try waitUntil("\(side.label) logged b2/s2 UP") { Self.messages(side.process.stderr).count >= expected.count }
            XCTAssertEqual(Self.messages(side.process.stderr), expected, side.label)
        }
    }

    /// Maintenance and drain of a tracked server pass down the chain as
    /// 2.6's IMAINT and IDRAIN: "MAINT (via b1/s1)", admin bits 2 and 16,
    /// the same lines about the tracking servers; a tracking server's
    /// health cannot be set.
    func testMaintenanceAndDrainPassDownTheChainAs26() throws {
        let reference = try referenceBinary()
        let serverPort = Ports.free()
        _ = try startServer(port: serverPort)
        let sides = [try start("reference", executable: reference, serverPort: serverPort),
                     try start("ours", executable: nil, serverPort: serverPort)]
        for side in sides {
            try waitUntil("\(side.label): b1/s1's first check") {
                let rows = StatsCSV.rows(try StatsSocket.command(side.socket, "show stat"), proxy: "b1")
                return rows["s1"]?["check_status"]?.hasSuffix("L4OK") == true
            }
        }
        func view(_ side: Side) throws -> [String] {
            let states = try StatsSocket.command(side.socket, "show servers state").split(separator: "\n").dropFirst(2)
                .map { line -> String in
                    let f = line.split(separator: " ")
                    return "\(f[1])/\(f[3]) \(f[5]) \(f[6])"
                }
            return try stat(side) + states
        }
        let steps: [(String, [String])] = [
            ("disable server b1/s1", ["s1 MAINT (via b1/s1) b1/s1", "s2 MAINT (via b2/s1) b2/s1", "n no check "]),
            ("enable server b1/s1", ["s1 UP b1/s1", "s2 UP b2/s1", "n no check "]),
            ("set server b1/s1 state drain", ["s1 DRAIN b1/s1", "s2 DRAIN b2/s1", "n no check "]),
            ("set server b1/s1 state ready", ["s1 UP b1/s1", "s2 UP b2/s1", "n no check "]),
            ("set server b2/s1 state maint", ["s1 MAINT b1/s1", "s2 MAINT (via b2/s1) b2/s1", "n no check "]),
            ("set server b2/s1 state ready", ["s1 UP b1/s1", "s2 UP b2/s1", "n no check "]),
        ]
        for (command, expected) in steps {
            var views: [[String]] = []
            for side in sides {
                XCTAssertEqual(try StatsSocket.command(side.socket, command), "\n", "\(side.label): \(command)")
                var last: [String] = []
                do {
                    try waitUntil("\(side.label): \(command)") {
                        last = try stat(side)
                        return last == expected
                    }
                } catch {
                    XCTFail("\(side.label): \(command): \(last), expected \(expected)")
                }
                views.append(try view(side))
            }
            XCTAssertEqual(views[1], views[0], command)
        }
        for command in ["set server b2/s1 health down", "set server b2/s2 health foo",
                        // A tracked server cannot be deleted, even once its tracking servers are gone.
                        "disable server b1/s1", "del server b1/s1", "disable server b2/s2", "del server b2/s2",
                        "del server b2/s1", "enable server b1/s1"] {
            XCTAssertEqual(try StatsSocket.command(sides[1].socket, command),
                           try StatsSocket.command(sides[0].socket, command), command)
        }
        // The lines about b2's servers (this build does not log the CLI's
        // own changes of b1/s1 and b2/s1 yet, 2.6 does).
        func lines(_ side: Side) -> [String] {
            Self.messages(side.process.stderr).filter {
                $0.hasPrefix("Server b2/") && !$0.hasPrefix("Server b2/s1 is going DOWN for maintenance. ")
                    && !$0.contains("(leaving forced maintenance)")
            }
        }
        let expected = [
            "Server b2/s1 is going DOWN for maintenance via b1/s1. 2 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.",
            "Server b2/s2 is going DOWN for maintenance via b2/s1. 1 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.",
            "Server b2/s1 is UP/READY (leaving maintenance).",
            "Server b2/s2 is UP/READY (leaving maintenance).",
            "Server b2/s1 enters drain state via b1/s1. 2 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.",
            "Server b2/s2 enters drain state via b2/s1. 1 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.",
            "Server b2/s1 is UP (leaving forced drain).",
            "Server b2/s2 is UP (leaving forced drain).",
            "Server b2/s2 is going DOWN for maintenance via b2/s1. 1 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.",
            "Server b2/s2 is UP/READY (leaving maintenance).",
        ]
        for side in sides {
            try waitUntil("\(side.label) logged the last line") { lines(side).count >= expected.count }
            XCTAssertEqual(Array(lines(side).prefix(expected.count)), expected, side.label)
        }
    }

    /// What cannot be tracked, refused by both with the same ALERTs.
    func testTrackErrorsMatchHAProxy26() throws {
        let reference = try referenceBinary()
        let head = """
            defaults
                mode http
                timeout connect 1s
                timeout client 5s
                timeout server 5s
            backend b1
                server s1 127.0.0.1:1 check
                server n1 127.0.0.1:1
            backend b2

            """
        let cases = [
            "    server s1 127.0.0.1:1 track bx/s1",
            "    server s1 127.0.0.1:1 track b1/zz\n    server s2 127.0.0.1:1 track zz",
            "    server s1 127.0.0.1:1 track b1/n1",
            "    server s1 127.0.0.1:1 track s2\n    server s2 127.0.0.1:1 track s1",
            "    server s1 127.0.0.1:1 track s1",
            "    server s1 127.0.0.1:1 track b1/s1/x",
            "    server s1 127.0.0.1:1 check track b1/s1",
            "    default-server check\n    server s1 127.0.0.1:1 track b1/s1",
            "    server s1 127.0.0.1:1 track",
            // The last `track` wins.
            "    server s1 127.0.0.1:1 track b1/s1 track b1/n1",
            // Accepted: a tracked server that tracks, an agent, `default-server`.
            "    server s1 127.0.0.1:1 track b1/s1\n    server s2 127.0.0.1:1 track s1\n    server s3 127.0.0.1:1 track s2",
            "    server s1 127.0.0.1:1 agent-check agent-port 5 track b1/s1",
            "    default-server track b1/s1\n    server s1 127.0.0.1:1",
        ]
        func alerts(_ text: String) -> [String] {
            text.split(separator: "\n").filter { $0.hasPrefix("[ALERT]") }
                .map { $0.replacingOccurrences(of: #"\(\d+\)"#, with: "", options: .regularExpression) }
        }
        for (index, body) in cases.enumerated() {
            let file = try writeConfig(head + body, name: "track\(index).cfg")
            let ours = try haproxy(["-c", "-f", file.lastPathComponent])
            let theirs = try runTool(reference, ["-c", "-f", file.lastPathComponent], dir: tmp,
                                     environment: ["LD_LIBRARY_PATH": ProtocolCheckTests.referenceLibraries])
            XCTAssertEqual(alerts(ours.stderr), alerts(theirs.stderr), body)
            XCTAssertEqual(ours.status, theirs.status, body)
        }
    }
}

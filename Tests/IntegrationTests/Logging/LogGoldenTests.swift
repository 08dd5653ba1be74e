import Foundation
import XCTest

/// Our log lines against lines recorded from HAProxy 2.6.12 for the same
/// configuration and the same bytes (Logging/Golden/capture.sh): `%B` and
/// `%U` of HTTP messages in httplog, rfc5424 and log-format lines, the
/// proxy's own 503, and the tcplog termination state when the server or
/// the client closes first, or the client resets.
///
/// Only what legitimately differs between two runs is masked: the syslog
/// timestamp and pid, the client port, the accept date, the timers, and
/// the process-wide and frontend connection counts (`ac/fc`, which count
/// the next scenario's connection if it arrived before the line).
final class LogGoldenTests: IntegrationTestCase {
    static let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    func testBytesAndTerminationStatesMatchHAProxy26() throws {
        let raw = try DatagramReceiver(udp: ())
        let rfc5424 = try DatagramReceiver(udp: ())
        var environment = ProcessInfo.processInfo.environment
        environment["LOG_RAW"] = String(raw.udpPort)
        environment["LOG_5424"] = String(rfc5424.udpPort)
        let frontends = ["FE_READY", "FE_HTTPLOG", "FE_FORMAT", "FE_NONE",
                         "FE_TCP_SRVCLOSE", "FE_TCP_CLICLOSE", "FE_TCP_CLIRST", "FE_TCP_ECHO"]
        let backends = ["BE_HTTP", "BE_BANNER", "BE_BANNER_CLOSE", "BE_BANNER_RST", "BE_ECHO"]
        var taken = Set<Int>()
        for name in frontends + backends {
            var port = Ports.free()
            while taken.contains(port) { port = Ports.free() }
            taken.insert(port)
            environment[name] = String(port)
        }
        let traffic = Self.golden.appendingPathComponent("traffic.py").path

        _ = track(try ManagedProcess(label: "golden-backends", executable: "/usr/bin/env",
                                     arguments: ["python3", traffic, "backends"], dir: tmp, environment: environment))
        for name in backends { try Ports.waitUntilAccepting(Int(environment[name]!)!) }
        let config = Self.golden.appendingPathComponent("bytes-termination.cfg").path
        let proxy = track(try ManagedProcess(label: "haproxy", executable: haproxyPath,
                                             arguments: ["-db", "-f", config], dir: tmp, environment: environment))
        // The `ready` frontend does not log: probing it adds no line.
        try Ports.waitUntilListening(Int(environment["FE_READY"]!)!, while: { proxy.isRunning })

        let clients = try runTool("/usr/bin/env", ["python3", traffic, "clients"], dir: tmp, environment: environment)
        XCTAssertEqual(clients.status, 0, clients.stderr)

        for (receiver, file) in [(raw, "bytes-termination-raw.txt"), (rfc5424, "bytes-termination-rfc5424.txt")] {
            let expected = try Self.load(file).map(Self.mask).sorted()
            var got: [String] = []
            let deadline = Date().addingTimeInterval(10)
            while got.count < expected.count, Date() < deadline {
                if let line = receiver.receive(timeout: deadline.timeIntervalSinceNow) { got.append(line) }
            }
            XCTAssertEqual(got.map(Self.mask).sorted(), expected, file)
        }
    }

    /// The datagrams of a golden file (one Python bytes repr() a line).
    static func load(_ name: String) throws -> [String] {
        let text = try String(contentsOf: golden.appendingPathComponent(name), encoding: .utf8)
        return text.split(separator: "\n").map { line in
            String(line.dropFirst(2).dropLast())
                .replacingOccurrences(of: "\\n", with: "\n")
                .replacingOccurrences(of: "\\'", with: "'")
                .replacingOccurrences(of: "\\\\", with: "\\")
        }
    }

    static func mask(_ line: String) -> String {
        line
            .replacingOccurrences(of: #"^(<[0-9]+>1) \S+ (\S+) haproxy [0-9]+ "#, with: "$1 TIME $2 haproxy PID ",
                                  options: .regularExpression)
            .replacingOccurrences(of: #"127\.0\.0\.1:[0-9]+ \[[^]]+\] (\S+ \S+) -?[0-9]+(/-?[0-9]+)+ "#,
                                  with: "127.0.0.1:PORT [DATE] $1 TIMERS ", options: .regularExpression)
            .replacingOccurrences(of: #" [0-9]+/[0-9]+/([0-9]+/[0-9]+/[0-9]+ [0-9]+/[0-9]+)"#, with: " AC/FC/$1",
                                  options: .regularExpression)
    }
}

import Foundation
import XCTest

/// The logging side of the rule sets, on the real binary with a UNIX
/// datagram receiver: `capture` actions and `declare capture` slots in
/// `%hr`/`%hs`, `set-log-level` (the syslog priority, `silent`), and
/// `%[...]` samples read when the line is written. Each expected line is
/// the one Debian's haproxy 2.6.12 writes for the same configuration and
/// requests.
final class LogRuleTests: IntegrationTestCase {
    private func config(logLine: String, frontendPort: Int, backendPort: Int, frontend: String) -> String {
        """
        global
            \(logLine)

        \(Self.defaultsHTTP)
        frontend fe_log
            bind 127.0.0.1:\(frontendPort)
            log global
        \(frontend)
            default_backend be_log

        backend be_log
            server srv_a 127.0.0.1:\(backendPort)

        """
    }

    /// A received rfc3164 line as `<PRI> message`, without the date,
    /// host and tag between them.
    private static func priorityAndMessage(_ line: String) -> String {
        let body = line.trimmingCharacters(in: .newlines)
        let priority = body.prefix { $0 != ">" } + ">"
        return priority + " " + (body.range(of: "]: ").map { String(body[$0.upperBound...]) } ?? body)
    }

    /// Slots in declaration order, header captures and action captures
    /// mixed; `id` captures truncated to the declared length; response
    /// rules and `http-after-response` (also on a deny) writing response
    /// slots; variables as the last rule left them, even when an
    /// `http-after-response` rule set them; the request line as received
    /// (not as `set-path` rewrote it); `PR` for the deny.
    func testCaptureActionsDeclaredSlotsAndVariablesInTheLogLine() throws {
        let sock = tmp.appendingPathComponent("log.sock").path
        let receiver = try DatagramReceiver(unixPath: sock)
        let backend = try startBackend("b1")
        let port = Ports.free()
        try startProxy(config: config(
            logLine: "log \(sock) format raw local0", frontendPort: port, backendPort: backend.port,
            frontend: """
                log-format "%HU %ts hr=%hr hs=%hs c1=%[capture.req.hdr(1)] h=%[var(txn.h)] tier=%{+Q}[var(txn.tier)] END"
                capture request header X-A len 5
                http-request capture req.hdr(x-b) len 4
                declare capture request len 3
                http-request capture req.hdr(x-d) id 2
                http-request capture int(12345) len 3
                declare capture response len 20
                http-response capture status id 0
                http-after-response capture str(after) id 0 if { status 403 }
                http-request set-var(txn.h) capture.req.hdr(2)
                http-request set-var(txn.tier) str(gold) if { path_beg /a }
                http-after-response set-var(txn.tier) str(changed-after) if { status 403 }
                http-request set-path /rewritten
                http-request deny if { hdr(x-deny) 1 }
            """), ports: [port])
        let c = try Conn(port: port)
        try c.send("GET /a HTTP/1.1\r\nHost: x\r\nX-A: abcdefgh\r\nX-B: {b|c}\r\nX-D: dddd\r\n\r\n")
        XCTAssertEqual(try c.readResponse().status, 200)
        try c.send("GET /deny HTTP/1.1\r\nHost: x\r\nX-Deny: 1\r\nConnection: close\r\n\r\n")
        XCTAssertEqual(try c.readResponse().status, 403)
        let lines = try receiver.receive(until: { $0.hasPrefix("/deny ") }, timeout: 10, maxLines: 5)
        XCTAssertEqual(lines.map { $0.trimmingCharacters(in: .newlines) }, [
            "/a -- hr={abcde|#7Bb#7Cc|ddd|123} hs={200} c1={b|c h=ddd tier=\"gold\" END",
            "/deny PR hr={|||123} hs={after} c1=- h=- tier=\"changed-after\" END",
        ])
    }

    /// `set-log-level`: `silent` drops the line, a level below the
    /// target's filter too; the last rule that runs wins (a response rule
    /// after a request's `silent`, an `http-request` rule after a
    /// `tcp-request content` one); an explicit level replaces the `err` of
    /// `option log-separate-errors`, which a deny (`PR`) gets otherwise and
    /// a `return` (`LR`) does not.
    func testSetLogLevelChoosesThePriorityOrSilencesTheLine() throws {
        let sock = tmp.appendingPathComponent("lvl.sock").path
        let receiver = try DatagramReceiver(unixPath: sock)
        let backend = try startBackend("b1")
        let port = Ports.free()
        try startProxy(config: config(
            logLine: "log \(sock) format rfc3164 local0 info", frontendPort: port, backendPort: backend.port,
            frontend: """
                log-format "%HU %ST %ts"
                option log-separate-errors
                http-request set-var(txn.p) path
                http-request set-log-level silent if { path /health /resinfo }
                http-request set-log-level debug if { path /noisy }
                http-request set-log-level err if { path /err }
                http-response set-log-level notice if { var(txn.p) -m str /resinfo }
                tcp-request content set-log-level alert if { path /tcp /tcp2 }
                http-request set-log-level warning if { path /tcp2 }
                http-request set-log-level crit if { path /denycrit }
                http-request deny if { path_beg /deny }
                http-request return status 200 if { path /ret }
            """), ports: [port])
        let paths = ["/health", "/noisy", "/err", "/normal", "/resinfo", "/tcp", "/tcp2", "/deny", "/denycrit", "/ret",
                     "/end"]
        for path in paths {
            _ = try HTTPClient.get(port: port, path: path)
        }
        let lines = try receiver.receive(until: { $0.contains("/end ") }, timeout: 10, maxLines: 20)
        let got = lines.map(Self.priorityAndMessage)
        XCTAssertEqual(got, [
            "<131> /err 200 --", "<134> /normal 200 --", "<133> /resinfo 200 --", "<129> /tcp 200 --",
            "<132> /tcp2 200 --", "<131> /deny 403 PR", "<130> /denycrit 403 PR", "<134> /ret 200 LR",
            "<134> /end 200 --",
        ])
    }

    /// A backend's `set-log-level` rules take effect when the frontend
    /// neither declares captures nor has a rule that captures or sets the
    /// level (a stream makes its log slots only for configurations that
    /// have such rules somewhere).
    func testSetLogLevelInTheBackendAlone() throws {
        let sock = tmp.appendingPathComponent("belvl.sock").path
        let receiver = try DatagramReceiver(unixPath: sock)
        let backend = try startBackend("b1")
        let port = Ports.free()
        try startProxy(config: """
            global
                log \(sock) format rfc3164 local0 info

            \(Self.defaultsHTTP)
            frontend fe_log
                bind 127.0.0.1:\(port)
                log global
                log-format "%HU %ST %ts"
                default_backend be_log

            backend be_log
                http-request set-log-level silent if { path /quiet }
                http-request set-var(txn.p) path
                http-response set-log-level err if { var(txn.p) -m str /loud }
                server srv_a 127.0.0.1:\(backend.port)

            """, ports: [port])
        for path in ["/quiet", "/loud", "/end"] {
            _ = try HTTPClient.get(port: port, path: path)
        }
        let lines = try receiver.receive(until: { $0.contains("/end ") }, timeout: 10, maxLines: 20)
        let got = lines.map(Self.priorityAndMessage)
        XCTAssertEqual(got, ["<131> /loud 200 --", "<134> /end 200 --"])
    }
}

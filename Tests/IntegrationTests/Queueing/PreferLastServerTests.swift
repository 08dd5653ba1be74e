import Foundation
import XCTest

/// `option prefer-last-server` and `max-keep-alive-queue`, beside Debian's
/// 2.6: a keep-alive client whose server connection is its own
/// (`http-reuse never`) stays on that server, queueing behind its
/// `maxconn`, unless `max-keep-alive-queue` says the queue is too long.
final class PreferLastServerTests: IntegrationTestCase {
    private func config(port: Int, socket: String, backends: [Backend], options: String) -> String {
        """
        global
            stats socket \(socket) level admin

        defaults
            mode http
            timeout connect 2s
            timeout client 10s
            timeout server 10s
            timeout queue 5s

        frontend fe
            bind 127.0.0.1:\(port)
            default_backend be

        backend be
            http-reuse never
        \(options)
            server a 127.0.0.1:\(backends[0].port) maxconn 1
            server b 127.0.0.1:\(backends[1].port) maxconn 1
        """
    }

    private func serving(_ socket: String, _ server: String) -> Int {
        let csv = LifecycleHarness.unixCommand(socket, "show stat") ?? ""
        return Int(StatsCSV.rows(csv, proxy: "be")[server]?["scur"] ?? "") ?? -1
    }

    /// Client X sends a request on a keep-alive connection (round robin:
    /// a), Y1 one on its own (b), Y2 a slow one that fills a's only slot;
    /// then X sends its second request. Returns the servers of X1, Y1, Y2
    /// and X2.
    private func scenario(
        _ executable: String, label: String, options: String, backends: [Backend],
        environment: [String: String]? = nil
    ) throws -> String {
        let port = Ports.free()
        let socket = tmp.appendingPathComponent("\(label).sock").path
        let p = try startProxy(
            config: config(port: port, socket: socket, backends: backends, options: options), ports: [port],
            executable: executable, environment: environment, name: "\(label).cfg")
        defer { p.stop() }
        let x = try Conn(port: port, timeout: 10)
        defer { x.close() }
        try x.send(HTTPClient.request("GET", "/x", close: false))
        let x1 = try x.readResponse().server
        let y1 = try HTTPClient.get(port: port, path: "/y").server
        let y2 = try Conn(port: port, timeout: 10)
        defer { y2.close() }
        try y2.send(HTTPClient.request("GET", "/slow?ms=1000", close: true))
        try waitUntil("the slow request holds a's slot") { serving(socket, "a") == 1 }
        try x.send(HTTPClient.request("GET", "/x", close: false))
        let x2 = try x.readResponse().server
        return [x1, y1, try y2.readResponse().server, x2].joined(separator: " ")
    }

    func testKeepAliveRequestsStayOnTheLastServerUnlessItsQueueIsTooLong() throws {
        let backends = [try startBackend("a"), try startBackend("b")]
        let env = referenceEnvironment()
        let reference = try referenceBinary()
        let cases: [(options: String, expected: String)] = [
            ("", "a b a b"),  // round robin, no preference
            ("    option prefer-last-server", "a b a a"),  // waits in a's queue
            ("    option prefer-last-server\n    max-keep-alive-queue 0", "a b a b"),  // never queue for it
            ("    option prefer-last-server\n    max-keep-alive-queue 1", "a b a a"),  // a queue of 0 is shorter
        ]
        for (i, c) in cases.enumerated() {
            let ours = try scenario(haproxyPath, label: "ours-\(i)", options: c.options, backends: backends)
            XCTAssertEqual(ours, c.expected, c.options)
            let theirs = try scenario(
                reference, label: "ref-\(i)", options: c.options, backends: backends, environment: env)
            XCTAssertEqual(ours, theirs, "2.6 with:\n\(c.options)")
        }
    }
}

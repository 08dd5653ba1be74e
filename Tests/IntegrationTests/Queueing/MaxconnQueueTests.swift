import Foundation
import XCTest

/// Server maxconn / maxqueue and `timeout queue`.
final class MaxconnQueueTests: IntegrationTestCase {
    private var backend: Backend!
    private var statsSocket = ""

    private func start(server: String, backendExtra: String = "") throws -> Int {
        let b = try startBackend("q1")
        backend = b
        statsSocket = tmp.appendingPathComponent("stats.sock").path
        let port = Ports.free()
        try startProxy(config: """
        global
            stats socket \(statsSocket) level admin
        """ + "\n" + Self.defaultsHTTP + """
        frontend fe
            bind 127.0.0.1:\(port)
            default_backend be

        backend be
        \(backendExtra)
            server q1 127.0.0.1:\(b.port) \(server)

        """, ports: [port])
        return port
    }

    /// The requests queued in backend `be` (`qcur` of its server and of its
    /// BACKEND row in `show stat`'s CSV).
    private static func queued(_ csv: String) -> Int {
        csv.split(separator: "\n").reduce(0) { total, line in
            let f = line.split(separator: ",", omittingEmptySubsequences: false)
            return total + (f.count > 2 && f[0] == "be" ? Int(f[2]) ?? 0 : 0)
        }
    }

    func testQueuedRequestsAllSucceedOneAtATime() throws {
        let port = try start(server: "maxconn 1")
        let t0 = Date()
        let results = try concurrently(5, timeout: 20) { _ -> Int in
            (try? HTTPClient.get(port: port, path: "/slow?ms=300"))?.status ?? -1
        }
        let elapsed = Date().timeIntervalSince(t0)
        XCTAssertEqual(results, [200, 200, 200, 200, 200])
        // maxconn 1 serializes them: five 300 ms requests take at least ~1.5 s.
        XCTAssertGreaterThan(elapsed, 1.4, "5 requests with maxconn 1 finished in \(elapsed)s: not queued")
    }

    func testTimeoutQueueGives503ToQueuedRequests() throws {
        let port = try start(server: "maxconn 1", backendExtra: "    timeout queue 200ms")
        // The first request takes the only slot; the others queue behind it
        // once the backend has it (with several event loops, requests sent
        // together may reach the server in any order).
        final class Box: @unchecked Sendable { var status = -1 }
        let first = Box()
        let done = DispatchSemaphore(value: 0)
        Thread {
            first.status = (try? HTTPClient.get(port: port, path: "/slow?ms=1500"))?.status ?? -1
            done.signal()
        }.start()
        // Each /stats request counts itself: the slow one has arrived when
        // the count exceeds the polls.
        var polls = 0
        try waitUntil("the first request reaches the backend") {
            polls += 1
            return try backend.stats().requests > polls
        }
        let long = try concurrently(3, timeout: 20) { _ -> (Int, TimeInterval) in
            let t0 = Date()
            let s = (try? HTTPClient.get(port: port, path: "/slow?ms=1500"))?.status ?? -1
            return (s, Date().timeIntervalSince(t0))
        }
        XCTAssertEqual(done.wait(timeout: .now() + 20), .success)
        XCTAssertEqual(first.status, 200)
        for (status, took) in long {
            XCTAssertEqual(status, 503)
            XCTAssertLessThan(took, 1.0, "queued request should fail after ~200 ms, took \(took)s")
        }
    }

    /// With a single server and roundrobin, a request that finds the server's
    /// queue full (maxqueue 1) is not bound to that server: it waits in the
    /// backend's queue and is served later. HAProxy 2.6.12 answers 200 to all
    /// three here (served one after the other), not 503.
    func testMaxqueueFullFallsBackToBackendQueue() throws {
        let port = try start(server: "maxconn 1 maxqueue 1", backendExtra: "    timeout queue 5s")
        let backend = self.backend!
        let t0 = Date()
        let stats = statsSocket
        // One request at the server, one in its queue (now full), then the
        // third: each starts once the one before is in place.
        let results = try concurrently(3, timeout: 20) { i -> Int in
            if i == 1 {
                guard (try? waitUntil("the first request reaches the backend") { try backend.stats().requests >= 1 }) != nil
                else { return -2 }
            }
            if i == 2 {
                guard (try? waitUntil("the second request waits in a queue") {
                    Self.queued(LifecycleHarness.unixCommand(stats, "show stat") ?? "") >= 1
                }) != nil else { return -2 }
            }
            return (try? HTTPClient.get(port: port, path: "/slow?ms=500"))?.status ?? -1
        }
        XCTAssertEqual(results, [200, 200, 200])
        XCTAssertGreaterThan(Date().timeIntervalSince(t0), 1.4, "three 500 ms requests through maxconn 1 must be serialized")
    }
}

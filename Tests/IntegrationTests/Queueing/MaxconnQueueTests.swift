import Foundation
import XCTest

/// Server maxconn / maxqueue and `timeout queue`.
final class MaxconnQueueTests: IntegrationTestCase {
    private func start(server: String, backendExtra: String = "") throws -> Int {
        let b = try startBackend("q1")
        let port = Ports.free()
        try startProxy(config: Self.defaultsHTTP + """
        frontend fe
            bind 127.0.0.1:\(port)
            default_backend be

        backend be
        \(backendExtra)
            server q1 127.0.0.1:\(b.port) \(server)

        """, ports: [port])
        return port
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
        let long = try concurrently(4, timeout: 20) { i -> (Int, TimeInterval) in
            // The first one takes the only slot; the others queue behind it.
            if i > 0 { usleep(150_000) }
            let t0 = Date()
            let s = (try? HTTPClient.get(port: port, path: "/slow?ms=1500"))?.status ?? -1
            return (s, Date().timeIntervalSince(t0))
        }
        XCTAssertEqual(long[0].0, 200)
        for (status, took) in long.dropFirst() {
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
        let t0 = Date()
        let results = try concurrently(3, timeout: 20) { i -> Int in
            usleep(UInt32(i) * 150_000)
            return (try? HTTPClient.get(port: port, path: "/slow?ms=500"))?.status ?? -1
        }
        XCTAssertEqual(results, [200, 200, 200])
        XCTAssertGreaterThan(Date().timeIntervalSince(t0), 1.4, "three 500 ms requests through maxconn 1 must be serialized")
    }
}

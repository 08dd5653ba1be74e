import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// A syslog receiver that never reads: its socket queue fills, the proxy's
/// non-blocking sends fail with EAGAIN and the lines are dropped and
/// counted (`show info` DroppedLogs), while traffic goes on at full speed.
final class LogDroppedTests: IntegrationTestCase {
    func testStalledReceiverNeverSlowsTheProxyAndCountsDroppedLogs() throws {
        let sock = tmp.appendingPathComponent("stalled.sock").path
        let stats = tmp.appendingPathComponent("stats.sock").path
        // Smallest receive buffer: the queue fills after a few lines.
        let receiver = try DatagramReceiver(unixPath: sock, receiveBuffer: 1)
        let backend = try startBackend("b1")
        let port = Ports.free()
        let cfg = """
        global
            log \(sock) local0
            stats socket \(stats)

        \(Self.defaultsHTTP)
        frontend fe_drop
            bind 127.0.0.1:\(port)
            log global
            option httplog
            option dontlognull
            default_backend be_drop

        backend be_drop
            server srv_a 127.0.0.1:\(backend.port)

        """
        try startProxy(config: cfg, ports: [port])
        XCTAssertEqual(try StatsSocket.infoField(stats, "DroppedLogs"), 0, "nothing dropped before traffic")

        // 4 connections x 500 requests, bounded at 20 s. A proxy that waited
        // for the receiver would never finish; one that drops serves at its
        // usual rate (measured ~2,500/s here), so the rate floor is loose.
        let perConnection = 500, connections = 4
        let load = try runLoad(port: port, connections: connections, duration: 20, maxPerConnection: perConnection)
        let total = perConnection * connections
        print("stalled receiver: \(load.completed.count) requests in \(String(format: "%.2f", load.seconds))s = \(Int(load.rate))/s")
        XCTAssertEqual(load.completed.count, total, "every request served; failed: \(load.failed.prefix(5))")
        XCTAssertLessThan(load.seconds, 10, "the stalled receiver must not slow the proxy")
        XCTAssertGreaterThan(load.rate, 300, "request rate with a stalled log receiver")

        // Every line is either queued in the receiver's socket or dropped:
        // read the queue and the counter until they account for every
        // request (lines sent once the reads make room are delivered).
        var queued: [String] = []
        var dropped = -1
        try waitUntil("every request's line is delivered or counted as dropped", timeout: 5) {
            while queued.count < total + 10, let l = receiver.receive(timeout: 0) { queued.append(l) }
            dropped = (try? StatsSocket.infoField(stats, "DroppedLogs")) ?? -1
            return dropped + queued.count >= total
        }
        print("stalled receiver: \(queued.count) lines queued, DroppedLogs \(dropped)")
        XCTAssertGreaterThan(dropped, 0, "show info reports DroppedLogs")
        XCTAssertGreaterThan(queued.count, 0, "the first lines were queued before the receiver's buffer filled")
        XCTAssertEqual(dropped + queued.count, total, "each request's line is either delivered or counted as dropped")
        XCTAssertTrue(queued.allSatisfy { $0.contains(" fe_drop be_drop/srv_a ") && $0.contains("\"GET /r/") }, "\(queued.prefix(2))")

        // The receiver reads again: new lines are delivered.
        // Its line is also the event that shows no line of the load came
        // late: any would have arrived before it.
        XCTAssertEqual(try HTTPClient.get(port: port, path: "/after-drain").status, 200)
        let late = try receiver.receive(until: { $0.contains("\"GET /after-drain ") }, timeout: 5, maxLines: 10)
        XCTAssertEqual(late.count, 1, "lines after the count settled: \(late.dropLast().prefix(3))")
        XCTAssertEqual(try StatsSocket.infoField(stats, "DroppedLogs"), dropped, "no drop once there is room again")
    }
}

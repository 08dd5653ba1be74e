import Foundation
import XCTest

/// `show stat` counters of failed connections (`econ`), retries (`wretr`),
/// redispatches (`wredis`), connection attempts (`stot`) and load-balancer
/// picks (`lbtot`), and the `requeued` count of the DOWN message. The
/// expected values are those HAProxy 2.6.12 shows in the same scenarios.
final class RetryCountersTests: IntegrationTestCase {
    private var statsSocket: String { tmp.appendingPathComponent("admin.sock").path }
    private var port = 0

    private let columns = ["stot", "econ", "wretr", "wredis", "lbtot"]

    /// Backend `be` with `lines` (balance, options, servers) behind a frontend.
    @discardableResult
    private func start(_ lines: String, connectTimeout: String = "1s") throws -> ManagedProcess {
        port = Ports.free()
        return try startProxy(config: """
        global
            stats socket \(statsSocket) level admin

        defaults
            mode http
            timeout connect \(connectTimeout)
            timeout client 10s
            timeout server 10s
            timeout queue 10s

        frontend fe
            bind 127.0.0.1:\(port)
            default_backend be

        backend be
        \(lines)

        """, ports: [port])
    }

    /// `show stat` as [svname: [column: value]] for backend `be`.
    private func stats() throws -> [String: [String: String]] {
        let text = try XCTUnwrap(LifecycleHarness.unixCommand(statsSocket, "show stat"))
        let lines = text.split(separator: "\n")
        let header = try XCTUnwrap(lines.first).dropFirst(2).split(separator: ",", omittingEmptySubsequences: false)
        var rows: [String: [String: String]] = [:]
        for line in lines.dropFirst() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            guard fields.count >= header.count, fields[0] == "be" else { continue }
            var row: [String: String] = [:]
            for (name, value) in zip(header, fields) { row[String(name)] = String(value) }
            rows[String(fields[1])] = row
        }
        return rows
    }

    private func counters(_ row: [String: String]?) -> [String: String] {
        row?.filter { columns.contains($0.key) } ?? [:]
    }

    /// The counters in `columns` order.
    private func expect(_ values: [Int]) -> [String: String] {
        Dictionary(uniqueKeysWithValues: zip(columns, values.map(String.init)))
    }

    private func requireStatuses(_ count: Int, _ status: Int) throws {
        for i in 0..<count {
            let r = try HTTPClient.get(port: port)
            XCTAssertEqual(r.status, status, "request \(i)")
        }
    }

    /// roundrobin, `retries 2`, `option redispatch`, s1 refuses: each
    /// request tries s1, leaves it at once for s2 and succeeds. HAProxy:
    /// s1 stot 4 econ 0 wretr 0 wredis 4 lbtot 4; backend wredis 4, lbtot 8.
    func testImmediateRedispatchCountsOnTheServerLeft() throws {
        let s2 = try startBackend("s2")
        try start("""
            balance roundrobin
            retries 2
            option redispatch
            server s1 127.0.0.1:\(Ports.free())
            server s2 127.0.0.1:\(s2.port)
        """)
        try requireStatuses(4, 200)
        let rows = try stats()
        // stot, econ, wretr, wredis, lbtot
        XCTAssertEqual(counters(rows["s1"]), expect([4, 0, 0, 4, 4]), "s1")
        XCTAssertEqual(counters(rows["s2"]), expect([4, 0, 0, 0, 4]), "s2")
        XCTAssertEqual(counters(rows["BACKEND"]), expect([4, 0, 0, 4, 8]), "BACKEND")
    }

    /// One refusing server, `retries 2`, no redispatch: three attempts per
    /// request, then 503. HAProxy: stot 6, econ 2, wretr 4, lbtot 2.
    func testRetriesOnOneServerThenConnectionError() throws {
        try start("""
            retries 2
            server s1 127.0.0.1:\(Ports.free())
        """, connectTimeout: "100ms")
        try requireStatuses(2, 503)
        let rows = try stats()
        XCTAssertEqual(counters(rows["s1"]), expect([6, 2, 4, 0, 2]), "s1")
        XCTAssertEqual(counters(rows["BACKEND"]), expect([2, 2, 4, 0, 2]), "BACKEND")
    }

    /// Both servers refuse, roundrobin, `retries 3`, `option redispatch`:
    /// s1, s2, s1, s2, then 503. HAProxy: s1 wredis 4; s2 wredis 2 and
    /// econ 2; backend wredis 6, econ 2, lbtot 8.
    func testEveryAttemptRedispatchedUntilNoRetryIsLeft() throws {
        try start("""
            balance roundrobin
            retries 3
            option redispatch
            server s1 127.0.0.1:\(Ports.free())
            server s2 127.0.0.1:\(Ports.free())
        """)
        try requireStatuses(2, 503)
        let rows = try stats()
        XCTAssertEqual(counters(rows["s1"]), expect([4, 0, 0, 4, 4]), "s1")
        XCTAssertEqual(counters(rows["s2"]), expect([4, 2, 0, 2, 4]), "s2")
        XCTAssertEqual(counters(rows["BACKEND"]), expect([2, 2, 0, 6, 8]), "BACKEND")
    }

    /// `balance source`, both refuse, `retries 3`, `option redispatch`: the
    /// hash keeps the client on one server, so the last retry's redispatch
    /// lands on it again and counts as a retry. HAProxy: that server has
    /// stot 8, econ 2, wretr 6, wredis 0, lbtot 2.
    func testRedispatchToTheSameServerCountsAsRetry() throws {
        try start("""
            balance source
            retries 3
            option redispatch
            server s1 127.0.0.1:\(Ports.free())
            server s2 127.0.0.1:\(Ports.free())
        """, connectTimeout: "100ms")
        try requireStatuses(2, 503)
        let rows = try stats()
        let used = try XCTUnwrap(["s1", "s2"].first { rows[$0]?["stot"] != "0" }, "\(rows)")
        let other = used == "s1" ? "s2" : "s1"
        XCTAssertEqual(counters(rows[used]), expect([8, 2, 6, 0, 2]), used)
        XCTAssertEqual(counters(rows[other]), expect([0, 0, 0, 0, 0]), other)
        XCTAssertEqual(counters(rows["BACKEND"]), expect([2, 2, 6, 0, 2]), "BACKEND")
    }

    /// `balance uri` with `maxconn 1` on s1: one request runs, three wait
    /// in s1's queue; s1's check fails. With `option redispatch` HAProxy
    /// moves them ("1 sessions active, 3 requeued, 0 remaining in queue.")
    /// and the backup serves them.
    func testServerGoingDownRequeuesItsQueue() throws {
        let statuses = try queueThreeThenFailCheck(options: "option redispatch",
                                                   message: "1 sessions active, 3 requeued, 0 remaining in queue.")
        XCTAssertEqual(statuses, [200, 200, 200, 200])
    }

    /// Without `option redispatch` the hashed requests keep waiting for s1
    /// (HAProxy: "0 requeued", the others "remaining in queue") until
    /// `timeout queue`.
    func testServerGoingDownKeepsItsQueueWithoutRedispatch() throws {
        let statuses = try queueThreeThenFailCheck(options: "timeout queue 3s",
                                                   message: "1 sessions active, 0 requeued, 3 remaining in queue.")
        XCTAssertEqual(statuses.sorted(), [200, 503, 503, 503])
    }

    /// Sends four concurrent requests for one URI to s1 (`maxconn 1`,
    /// backup b1), waits until three are queued on s1, makes s1's check
    /// fail, checks the DOWN message, and returns the four statuses.
    private func queueThreeThenFailCheck(options: String, message: String) throws -> [Int] {
        let s1 = try startBackend("s1")
        let b1 = try startBackend("b1")
        let health = try CheckTargetServer()
        defer { health.stop() }
        let proxy = try start("""
            balance uri
            \(options)
            server s1 127.0.0.1:\(s1.port) maxconn 1 check port \(health.port) inter 100 fall 1
            server b1 127.0.0.1:\(b1.port) backup
        """)
        let port = self.port
        let group = DispatchGroup()
        let results = ResultBox<Int>(4)
        let lock = NSLock()
        for i in 0..<4 {
            group.enter()
            Thread {
                let status = (try? HTTPClient.get(port: port, path: "/slow?ms=1500"))?.status ?? -1
                lock.lock()
                results.results[i] = status
                lock.unlock()
                group.leave()
            }.start()
        }
        let deadline = Date().addingTimeInterval(5)
        while (try? stats()["s1"]?["qcur"]) != "3" && Date() < deadline { usleep(20_000) }
        XCTAssertEqual(try stats()["s1"]?["qcur"], "3", "three requests should wait in s1's queue")
        health.stop()
        XCTAssertTrue(proxy.waitForOutput("Server be/s1 is DOWN", timeout: 5), proxy.stderr)
        XCTAssertTrue(proxy.stderr.contains(message), proxy.stderr)
        XCTAssertEqual(group.wait(timeout: .now() + 10), .success)
        lock.lock()
        defer { lock.unlock() }
        return results.results.map { $0 ?? -1 }
    }
}

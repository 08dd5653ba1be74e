import Foundation
import XCTest

/// Listening-socket transfer on a standalone reload (`-x <stats socket>`
/// with `expose-fd listeners`, then `-sf`): the new process adopts the old
/// one's listening socket, so no connection attempt fails during the
/// hand-over and the socket itself (same inode) keeps serving.
final class SocketTransferTests: LifecycleTestCase {
    private var statsSocket: String { harness.path("stats.sock") }

    private func config(exposeFD: Bool) -> String {
        proxyConfig(global: """
                hard-stop-after 10s
                stats socket \(statsSocket) \(exposeFD ? "expose-fd listeners " : "")level admin
            """)
    }

    /// Inodes of the sockets listening on TCP `port` (/proc/net/tcp).
    private func listeningInodes(port: Int) -> [String] {
        guard let table = TCPTable.readToEnd("/proc/net/tcp") else { return [] }
        let local = String(format: ":%04X", port)
        return table.split(separator: "\n").dropFirst().compactMap { line in
            let fields = line.split(separator: " ")
            guard fields.count > 9, fields[1].hasSuffix(local), fields[3] == "0A" else { return nil }
            return String(fields[9])
        }
    }

    private func socketInodes(pid: Int32) -> Set<String> {
        let dir = "/proc/\(pid)/fd"
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        return Set(entries.compactMap { entry in
            guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: dir + "/" + entry),
                  target.hasPrefix("socket:[") else { return nil }
            return String(target.dropFirst(8).dropLast())
        })
    }

    private func waitForExit(_ process: Process, timeout: TimeInterval) -> Bool {
        LifecycleHarness.waitUntil(timeout: timeout) { !process.isRunning }
    }

    func testReloadWithSocketTransferLosesNoConnection() throws {
        try harness.startBackend(port: backendPort)
        try harness.write("haproxy.cfg", config(exposeFD: true))
        let a = try harness.haproxy(["-f", harness.path("haproxy.cfg")], log: "a.log")
        XCTAssertTrue(LifecycleHarness.waitUntil(timeout: 10) {
            LifecycleHarness.canConnect(port: proxyPort) && FileManager.default.fileExists(atPath: statsSocket)
        }, "A did not start")
        let inodes = listeningInodes(port: proxyPort)
        XCTAssertEqual(inodes.count, 1)
        let inode = try XCTUnwrap(inodes.first)
        XCTAssertTrue(socketInodes(pid: a.processIdentifier).contains(inode))

        // New connections, one after the other, all through the hand-over.
        let client = LifecycleHTTPClient(port: proxyPort, keepAlive: false)
        let stop = DispatchSemaphore(value: 0)
        let done = DispatchSemaphore(value: 0)
        let attempts = AttemptCounter()
        func attempted() -> Int { attempts.value }
        let clientThread = Thread {
            let deadline = Date().addingTimeInterval(30)
            while stop.wait(timeout: .now()) == .timedOut, Date() < deadline {
                client.request()
                attempts.increment()
            }
            done.signal()
        }
        clientThread.start()
        try waitUntil("the client loop runs against A", timeout: 10) { attempted() >= 10 }

        let b = try harness.haproxy(
            ["-f", harness.path("haproxy.cfg"), "-x", statsSocket, "-sf", "\(a.processIdentifier)"], log: "b.log")
        XCTAssertTrue(waitForExit(a, timeout: 15), "A did not stop")
        if !a.isRunning {
            XCTAssertEqual(a.terminationStatus, 0)
            XCTAssertEqual(a.terminationReason, .exit)
        }
        // B alone serves the connections that follow.
        let atExit = attempted()
        try waitUntil("the client loop runs against B", timeout: 10) { attempted() >= atExit + 10 }
        stop.signal()
        XCTAssertEqual(done.wait(timeout: .now() + 35), .success, "client loop did not end")

        XCTAssertTrue(b.isRunning, "B is not running (\(b.isRunning ? "" : "status \(b.terminationStatus), \(b.terminationReason == .exit ? "exit" : "signal")"))")
        XCTAssertEqual(client.failures, [], "connections failed during the hand-over")
        XCTAssertGreaterThan(client.succeeded, 10)
        // B serves on the very socket A had: no new listening socket.
        XCTAssertEqual(listeningInodes(port: proxyPort), [inode])
        XCTAssertTrue(socketInodes(pid: b.processIdentifier).contains(inode), "B did not adopt A's socket")
        let after = LifecycleHTTPClient(port: proxyPort, keepAlive: false)
        after.request()
        XCTAssertEqual(after.succeeded, 1)
        // B answers on its own stats socket.
        XCTAssertNotNil(LifecycleHarness.unixCommand(statsSocket, "show info")?.range(of: "Pid: \(b.processIdentifier)"))
    }

    func testSocketTransferFailsWithoutExposeFD() throws {
        try harness.write("haproxy.cfg", config(exposeFD: false))
        let a = try harness.haproxy(["-f", harness.path("haproxy.cfg")], log: "a.log")
        XCTAssertTrue(LifecycleHarness.waitUntil(timeout: 10) {
            LifecycleHarness.canConnect(port: proxyPort) && FileManager.default.fileExists(atPath: statsSocket)
        }, "A did not start")
        let b = try harness.haproxy(["-f", harness.path("haproxy.cfg"), "-x", statsSocket], log: "b.log")
        XCTAssertTrue(waitForExit(b, timeout: 15), "B did not exit")
        XCTAssertEqual(b.terminationStatus, 1)
        let log = harness.logText("b.log")
        XCTAssertTrue(log.contains("[WARNING]") && log.contains("Failed to get the number of sockets to be transferred !"), log)
        XCTAssertTrue(log.contains("[ALERT]") && log.contains("Failed to get the sockets from the old process!"), log)
        XCTAssertTrue(a.isRunning)

        let c = try harness.haproxy(["-f", harness.path("haproxy.cfg"), "-x", harness.path("none.sock")], log: "c.log")
        XCTAssertTrue(waitForExit(c, timeout: 15), "C did not exit")
        XCTAssertEqual(c.terminationStatus, 1)
        XCTAssertTrue(harness.logText("c.log").contains(
            "Failed to connect to the old process socket '\(harness.path("none.sock"))'"), harness.logText("c.log"))

        // With -sf the old process pauses (SIGTTOU) while the new one takes
        // its sockets, and resumes (SIGTTIN) when the new one fails.
        try harness.startBackend(port: backendPort)
        let d = try harness.haproxy(
            ["-f", harness.path("haproxy.cfg"), "-x", statsSocket, "-sf", "\(a.processIdentifier)"], log: "d.log")
        XCTAssertTrue(waitForExit(d, timeout: 15), "D did not exit")
        XCTAssertEqual(d.terminationStatus, 1)
        XCTAssertTrue(a.isRunning)
        let client = LifecycleHTTPClient(port: proxyPort, keepAlive: false)
        XCTAssertTrue(LifecycleHarness.waitUntil(timeout: 5) {
            client.request()
            return client.succeeded > 0
        }, "A does not serve after the failed take-over: \(client.failures)")
    }
}

/// Requests the client loop has made, read from the test's thread.
private final class AttemptCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
    func increment() { lock.lock(); count += 1; lock.unlock() }
}

import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Signals on a foreground (-db) process, as HAProxy 2.6.
final class SignalTests: IntegrationTestCase {
    private var port = 0
    private var backend: Backend!

    private func start() throws -> ManagedProcess {
        backend = try startBackend("sig")
        port = Ports.free()
        return try startProxy(config: Self.defaultsHTTP + """
        frontend fe
            bind 127.0.0.1:\(port)
            default_backend be

        backend be
            server sig 127.0.0.1:\(backend.port)

        """, ports: [port])
    }

    func testSIGTERMExitStatus143() throws {
        let p = try start()
        p.signal(SIGTERM)
        XCTAssertTrue(p.waitForExit(timeout: 5), "still running 5 s after SIGTERM")
        XCTAssertEqual(p.shellStatus, 143)
        XCTAssertFalse(Ports.accepts(port))
    }

    func testSIGINTExitStatus130() throws {
        let p = try start()
        p.signal(SIGINT)
        XCTAssertTrue(p.waitForExit(timeout: 5), "still running 5 s after SIGINT")
        XCTAssertEqual(p.shellStatus, 130)
    }

    /// HAProxy 2.6 in -db mode dies *by* SIGTERM/SIGINT (waitpid: WIFSIGNALED,
    /// WTERMSIG 15/2), which a shell shows as 143/130. A parent that looks at the
    /// wait status (systemd, Python's subprocess: returncode -15) tells the two apart.
    func testSIGTERMTerminatesBySignalLikeReference() throws {
        let p = try start()
        p.signal(SIGTERM)
        XCTAssertTrue(p.waitForExit(timeout: 5))
        if p.process.terminationReason == .exit && p.process.terminationStatus == 143 {
            return XCTFail("on SIGTERM (-db) the process calls exit(143); HAProxy 2.6.12 is terminated by the signal (wait status signaled, WTERMSIG=15; Python returncode -15). Same for SIGINT: exit(130) vs signaled 2")
        }
        XCTAssertEqual(p.process.terminationReason, .uncaughtSignal)
        XCTAssertEqual(p.process.terminationStatus, SIGTERM)
    }

    func testSIGUSR1SoftStopFinishesInFlightRequest() throws {
        let p = try start()
        let before = try backend.stats().requests
        let port = self.port
        final class Box: @unchecked Sendable { var status = -1; var body = "" }
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        Thread {
            if let r = try? HTTPClient.get(port: port, path: "/slow?ms=1500") {
                box.status = r.status
                box.body = r.server
            }
            done.signal()
        }.start()
        // Wait until the backend has the request.
        let deadline = Date().addingTimeInterval(5)
        while try backend.stats().requests < before + 2, Date() < deadline { usleep(20_000) }
        XCTAssertGreaterThanOrEqual(try backend.stats().requests, before + 2, "slow request never reached the backend")

        p.signal(SIGUSR1)
        // Listeners close at once.
        XCTAssertTrue(Ports.waitUntilClosed(port, timeout: 3), "listener still accepting after SIGUSR1")
        XCTAssertTrue(p.isRunning, "process must wait for the in-flight request")
        XCTAssertEqual(done.wait(timeout: .now() + 5), .success)
        XCTAssertEqual(box.status, 200)
        XCTAssertEqual(box.body, "sig")
        XCTAssertTrue(p.waitForExit(timeout: 5), "process did not exit after the last request finished")
        XCTAssertEqual(p.shellStatus, 0)
    }

    func testSIGUSR1WithNoTrafficExitsZero() throws {
        let p = try start()
        p.signal(SIGUSR1)
        XCTAssertTrue(p.waitForExit(timeout: 5))
        XCTAssertEqual(p.shellStatus, 0)
    }
}

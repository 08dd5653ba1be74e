import Foundation
import XCTest

/// `-S fd@N`: the master CLI on a listening socket the master inherits as
/// descriptor N instead of binding one (management.txt 3: `-S` takes the
/// addresses of `bind`).
final class MasterCLIInheritedSocketTests: LifecycleTestCase {
    /// The number the socket gets in the master: above the descriptors the
    /// test runner itself holds open, so dup2 never lands on itself.
    private let inheritedNumber: CInt = 57

    func testMasterCLIAnswersOnInheritedSocketAndAfterReload() throws {
        try harness.write("haproxy.cfg", proxyConfig(global: "    hard-stop-after 20s\n"))
        let socketPath = harness.path("inherited.sock")
        let listener = try listeningUnixSocket(at: socketPath)
        defer { close(listener) }
        XCTAssertNotEqual(listener, inheritedNumber)

        let master = try DescriptorPassingProcess(
            executable: LifecycleHarness.binary.path,
            arguments: ["-W", "-S", "fd@\(inheritedNumber)", "-f", harness.path("haproxy.cfg")],
            descriptors: [listener: inheritedNumber], directory: harness.directory.path,
            log: harness.path("haproxy.log"))
        harness.remember(pid: master.pid)
        defer { master.kill() }
        // The test keeps its own copy open: only the master may answer.

        var worker: Int32?
        XCTAssertTrue(LifecycleHarness.waitUntil(timeout: 15) {
            worker = LifecycleHarness.workers(masterSocket: socketPath)?.current.first
            return worker != nil
        }, "show proc never answered on the inherited socket")
        if let worker { harness.remember(pid: worker) }

        let info = LifecycleHarness.unixCommand(socketPath, "@1 show info") ?? ""
        XCTAssertTrue(info.hasPrefix("Name: HAProxy\n"), info)
        XCTAssertTrue(info.contains("\nPid: \(worker ?? -1)\n"), "the worker answers through @1: \(info)")

        // A reload re-executes the master, which adopts the same socket.
        kill(master.pid, SIGUSR2)
        var next: Int32?
        XCTAssertTrue(LifecycleHarness.waitUntil(timeout: 15) {
            next = LifecycleHarness.workers(masterSocket: socketPath)?.current.first
            return next != nil && next != worker
        }, "no new worker listed on the inherited socket after the reload")
        if let next { harness.remember(pid: next) }
        let after = LifecycleHarness.unixCommand(socketPath, "@1 show info") ?? ""
        XCTAssertTrue(after.contains("\nPid: \(next ?? -1)\n"), after)

        kill(master.pid, SIGTERM)
        XCTAssertNotNil(master.waitForExit(timeout: 10), "the master did not stop on SIGTERM")
    }

    func testMasterCLIRefusesADescriptorThatIsNotOpen() throws {
        try harness.write("haproxy.cfg", proxyConfig(global: ""))
        let master = try harness.haproxy(["-W", "-S", "fd@\(inheritedNumber)", "-f", harness.path("haproxy.cfg")])
        guard LifecycleHarness.waitUntil(timeout: 10, { !master.isRunning }) else {
            return XCTFail("the master started anyway")
        }
        master.waitUntilExit()
        XCTAssertEqual(master.terminationStatus, 1)
        XCTAssertTrue(harness.logText().contains("cannot use file descriptor '\(inheritedNumber)' : Bad file descriptor."),
                      harness.logText())
    }
}

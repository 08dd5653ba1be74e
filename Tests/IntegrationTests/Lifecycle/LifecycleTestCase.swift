import Foundation
import XCTest

/// Base of the process-model test classes: a fresh `LifecycleHarness` and
/// a free proxy and backend port per test; on failure, the output of every
/// process the test started (`*.log` in the harness directory) is printed
/// before the processes are stopped.
class LifecycleTestCase: XCTestCase {
    var harness: LifecycleHarness!
    var proxyPort = 0
    var backendPort = 0

    var masterSocket: String { harness.path("master.sock") }

    override func setUpWithError() throws {
        harness = try LifecycleHarness()
        proxyPort = LifecycleHarness.freePort()
        backendPort = LifecycleHarness.freePort()
    }

    override func tearDown() {
        if (testRun?.failureCount ?? 0) > 0 {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: harness.directory.path)) ?? []
            for name in names.sorted() where name.hasSuffix(".log") && !harness.logText(name).isEmpty {
                print("--- \(name) ---\n\(harness.logText(name).suffix(4000))")
            }
        }
        harness.tearDown()
    }

    /// One HTTP frontend on `proxyPort` to one server on `backendPort`,
    /// with `global` as the global section's lines.
    func proxyConfig(global: String) -> String {
        """
        global
        \(global)
        defaults
            mode http
            timeout connect 2s
            timeout client 10s
            timeout server 10s
        frontend fe
            bind 127.0.0.1:\(proxyPort)
            default_backend be
        backend be
            server s1 127.0.0.1:\(backendPort)

        """
    }

    /// A numeric `show info` field of worker `pid`, asked through the
    /// master CLI (`@!<pid>`); nil when it does not answer.
    func workerInfo(_ pid: Int32, _ field: String) -> Int? {
        guard let text = LifecycleHarness.unixCommand(masterSocket, "@!\(pid) show info") else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(field + ":") {
            return Int(line.dropFirst(field.count + 1).trimmingCharacters(in: .whitespaces))
        }
        return nil
    }

    /// Waits until the master CLI's `show proc` lists a current worker
    /// other than `previous`; remembers it for the clean-up.
    @discardableResult
    func waitForWorker(replacing previous: Int32? = nil, timeout: TimeInterval = 15) -> Int32? {
        var found: Int32?
        LifecycleHarness.waitUntil(timeout: timeout) {
            guard let w = LifecycleHarness.workers(masterSocket: masterSocket), let pid = w.current.first,
                  pid != previous else { return false }
            found = pid
            return true
        }
        if let found { harness.remember(pid: found) }
        return found
    }
}

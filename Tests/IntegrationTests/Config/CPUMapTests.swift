import Foundation
import XCTest

/// `cpu-map`: the real binary started with `nbthread 2`; each thread's
/// allowed CPUs read from /proc/PID/task/TID/status. Thread N is the I/O
/// driver loop `haproxy-io-<N-1>` and the N-th loop of the NIO group
/// (`NIO-ELT-<group>-#<i>`, in order). CPU sets are chosen among the CPUs
/// this test may run on; the parts that need two are skipped on one.
final class CPUMapTests: IntegrationTestCase {
    /// `Cpus_allowed_list` (`0-3,8`) as CPU numbers.
    private static func cpuList(_ text: String) -> [Int] {
        text.split(separator: ",").flatMap { part -> [Int] in
            let bounds = part.split(separator: "-").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard let low = bounds.first else { return [] }
            return Array(low...(bounds.last ?? low))
        }
    }

    private static func allowedCPUs(_ statusPath: String) -> [Int]? {
        guard let status = try? String(contentsOfFile: statusPath, encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed_list:") })
        else { return nil }
        return cpuList(String(line.dropFirst("Cpus_allowed_list:".count)))
    }

    /// Each thread of `pid` by name, with its allowed CPUs.
    private static func threads(of pid: Int32) -> [(name: String, cpus: [Int])] {
        let dir = "/proc/\(pid)/task"
        let tids = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        return tids.compactMap { tid in
            guard let comm = try? String(contentsOfFile: "\(dir)/\(tid)/comm", encoding: .utf8),
                let cpus = allowedCPUs("\(dir)/\(tid)/status")
            else { return nil }
            return (comm.trimmingCharacters(in: .whitespacesAndNewlines), cpus)
        }
    }

    /// The CPUs of thread 1 and thread 2, as (driver loop, NIO loop) pairs.
    private static func loopThreads(of pid: Int32) -> [(driver: [Int], nio: [Int])]? {
        let all = threads(of: pid)
        // NIO names its loops NIO-ELT-<group>-#<index>: the runtime's group
        // is the one with two loops.
        var groups: [String: [(index: Int, cpus: [Int])]] = [:]
        for t in all where t.name.hasPrefix("NIO-ELT-") {
            let parts = t.name.dropFirst("NIO-ELT-".count).split(separator: "-#")
            guard parts.count == 2, let index = Int(parts[1]) else { continue }
            groups[String(parts[0]), default: []].append((index, t.cpus))
        }
        guard let nio = groups.values.first(where: { $0.count == 2 })?.sorted(by: { $0.index < $1.index }) else {
            return nil
        }
        var result: [(driver: [Int], nio: [Int])] = []
        for n in 0..<2 {
            guard let driver = all.first(where: { $0.name == "haproxy-io-\(n)" }) else { return nil }
            result.append((driver.cpus, nio[n].cpus))
        }
        return result
    }

    private func config(_ cpuMap: String, port: Int) -> String {
        """
        global
            nbthread 2
        \(cpuMap)

        defaults
            mode tcp
            timeout connect 2s
            timeout client 5s
            timeout server 5s

        listen l
            bind 127.0.0.1:\(port)
            server s 127.0.0.1:9

        """
    }

    /// Starts the product on `cpuMap` and returns thread 1's and thread 2's
    /// CPUs (each checked the same for its driver loop and its NIO loop)
    /// and those of the process's main thread.
    private func boundCPUs(_ cpuMap: String, extraArgs: [String] = ["-db"], worker: Bool = false) throws -> (
        threads: [[Int]], main: [Int]
    ) {
        let port = Ports.free()
        let file = tmp.appendingPathComponent("cpumap-\(UUID().uuidString.prefix(6)).cfg")
        try config(cpuMap, port: port).write(to: file, atomically: true, encoding: .utf8)
        let p = track(
            try ManagedProcess(
                label: "haproxy", executable: haproxyPath, arguments: ["-f", file.path] + extraArgs, dir: tmp))
        defer {
            p.process.terminate()
            _ = p.waitForExit(timeout: 5)
        }
        try Ports.waitUntilListening(port, timeout: 10, while: { p.isRunning })
        var pid = p.pid
        if worker {
            try waitUntil("the master has a worker") {
                (try? String(contentsOfFile: "/proc/\(p.pid)/task/\(p.pid)/children", encoding: .utf8))
                    .map { !$0.trimmingCharacters(in: .whitespaces).isEmpty } ?? false
            }
            let children = try String(contentsOfFile: "/proc/\(p.pid)/task/\(p.pid)/children", encoding: .utf8)
            pid = try XCTUnwrap(children.split(separator: " ").first.flatMap { Int32($0) })
        }
        var loops: [(driver: [Int], nio: [Int])] = []
        try waitUntil("both loops of both threads run") {
            loops = Self.loopThreads(of: pid) ?? []
            return loops.count == 2
        }
        for (n, loop) in loops.enumerated() {
            XCTAssertEqual(loop.driver, loop.nio, "thread \(n + 1): its driver loop and its NIO loop share its CPUs")
        }
        let main = try XCTUnwrap(Self.allowedCPUs("/proc/\(pid)/task/\(pid)/status"))
        return (loops.map(\.driver), main)
    }

    func testEachThreadIsBoundWhereCpuMapSays() throws {
        let allowed = try XCTUnwrap(Self.allowedCPUs("/proc/self/status"))
        let a = try XCTUnwrap(allowed.first)
        // Every thread on one CPU: meaningful with one CPU too when the
        // test may run on more; with one, binding to it changes nothing.
        var bound = try boundCPUs("    cpu-map 1/all \(a)")
        XCTAssertEqual(bound.threads, [[a], [a]])
        XCTAssertEqual(bound.main, allowed, "the main thread is no loop: cpu-map 1/all leaves it alone")
        guard allowed.count >= 2 else {
            print("CPUMapTests: this process may run on CPU \(a) only; the parts needing two CPUs are skipped")
            return
        }
        let b = allowed[1]
        // The last overlapping line wins.
        bound = try boundCPUs("    cpu-map 1/all \(a)\n    cpu-map 1/2 \(b)")
        XCTAssertEqual(bound.threads, [[a], [b]])
        // auto: one CPU per thread, from the lowest, whatever their order.
        bound = try boundCPUs("    cpu-map auto:1/1-2 \(b) \(a)")
        XCTAssertEqual(bound.threads, [[a], [b]])
        // A set with several CPUs, and one naming only CPUs the machine
        // lacks: that thread is left as it was.
        bound = try boundCPUs("    cpu-map 1/odd \(a) \(b)\n    cpu-map 1/2 1023")
        XCTAssertEqual(bound.threads, [[a, b].sorted(), allowed])
        // `1/1` is the process's set (not applied in the foreground): thread
        // 2 is bound on its intersection with it, and not at all when it is
        // empty.
        bound = try boundCPUs("    cpu-map 1/1 \(a)\n    cpu-map 1/2 \(b)")
        XCTAssertEqual(bound.threads, [allowed, allowed])
        XCTAssertEqual(bound.main, allowed)
    }

    /// In master-worker mode the process's set binds the worker; a thread
    /// whose set does not meet it keeps the process's.
    func testTheProcessSetBindsTheWorkerInMasterWorkerMode() throws {
        let allowed = try XCTUnwrap(Self.allowedCPUs("/proc/self/status"))
        guard allowed.count >= 2 else {
            print("CPUMapTests: this process may run on CPU \(allowed[0]) only; a process set cannot be told apart")
            return
        }
        let (a, b) = (allowed[0], allowed[1])
        let bound = try boundCPUs(
            "    cpu-map 1 \(b)\n    cpu-map 1/1-2 \(a)-\(b)\n    cpu-map 1/2 \(a)", extraArgs: ["-W", "-db"], worker: true)
        XCTAssertEqual(bound.main, [b])
        XCTAssertEqual(bound.threads, [[b], [b]])
    }
}

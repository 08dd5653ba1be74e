import Foundation
import XCTest

/// Global process flags: `strict-limits` (2.6's default), `set-dumpable`
/// and `noreuseport` (and `-dR`), each shown on a running process.
final class ProcessFlagsTests: IntegrationTestCase {
    private func forwarder(port: Int, echoPort: Int, global: String) -> String {
        Self.tcpForwarderConfig(port: port, echoPort: echoPort, global: global)
    }

    private func echoes(_ port: Int) throws -> Bool {
        let c = try Conn(port: port, timeout: 5)
        defer { c.close() }
        try c.send("ping\n")
        return try c.read(exactly: 5) == Data("ping\n".utf8)
    }

    /// A `maxconn` needing more descriptors than the kernel grants
    /// (above fs.nr_open, 1048576, even for root): 2.6 refuses to start by
    /// default and starts with a warning under `no strict-limits`.
    func testStrictLimitsRefusesToStartWithoutTheDescriptorsMaxconnNeeds() throws {
        let port = Ports.free()
        let strict = try writeConfig(forwarder(port: port, echoPort: 9, global: "    maxconn 1000000"), name: "strict.cfg")
        for (label, executable) in [("ours", haproxyPath!), ("2.6", try referenceBinary())] {
            let root = NSHomeDirectory() + "/.cache/proxybench/ref"
            let env = label == "2.6"
                ? ["LD_LIBRARY_PATH": "\(root)/lib/x86_64-linux-gnu:\(root)/usr/lib/x86_64-linux-gnu"] : nil
            let r = try runTool(executable, ["-db", "-f", strict.path], dir: tmp, environment: env)
            XCTAssertEqual(r.status, 1, "\(label): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains("[ALERT]"), "\(label): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains("Cannot raise FD limit to "), "\(label): \(r.stderr)")
        }

        let echo = try startBackend("echo", mode: "echo")
        let proxy = try startProxy(
            config: forwarder(port: port, echoPort: echo.port, global: "    maxconn 1000000\n    no strict-limits"),
            ports: [port])
        XCTAssertTrue(try echoes(port))
        XCTAssertTrue(proxy.stderr.contains("[WARNING]"), proxy.stderr)
        XCTAssertTrue(proxy.stderr.contains("Cannot raise FD limit to "), proxy.stderr)
        XCTAssertTrue(proxy.stderr.contains("too low for maxconn=1000000"), proxy.stderr)
    }

    /// In master-worker mode a reload whose `maxconn` cannot have its
    /// descriptors fails as a bad configuration does: the master says
    /// "Loading failure!" and the old worker goes on serving, as in 2.6.
    func testReloadBeyondTheLimitKeepsTheOldWorker() throws {
        let echo = try startBackend("echo", mode: "echo")
        let port = Ports.free()
        let file = try writeConfig(forwarder(port: port, echoPort: echo.port, global: ""), name: "mw.cfg")
        let master = track(try ManagedProcess(label: "master", executable: haproxyPath,
                                              arguments: ["-W", "-db", "-f", file.path], dir: tmp))
        try Ports.waitUntilListening(port, timeout: 10, while: { master.isRunning })
        XCTAssertTrue(master.waitForOutput("Loading success."), master.stderr)
        _ = try writeConfig(forwarder(port: port, echoPort: echo.port, global: "    maxconn 1000000"), name: "mw.cfg")
        master.signal(SIGUSR2)
        XCTAssertTrue(master.waitForOutput("Loading failure!"), master.stderr)
        XCTAssertTrue(master.stderr.contains("Cannot raise FD limit to "), master.stderr)
        XCTAssertTrue(master.isRunning)
        XCTAssertTrue(try echoes(port))
    }

    /// The soft limit of a process's resource as /proc/PID/limits shows it.
    private func softLimit(_ pid: Int32, _ name: String) -> String? {
        guard let text = TCPTable.readToEnd("/proc/\(pid)/limits") else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(name) {
            return line.dropFirst(name.count).split(separator: " ").first.map(String.init)
        }
        return nil
    }

    /// Started with core dumps off (`ulimit -S -c 0`): `set-dumpable` raises
    /// the core size limit; as root with `user nobody` the process is
    /// dumpable again after the privilege drop, which /proc shows by giving
    /// its files to that user instead of root.
    func testSetDumpableReenablesCoreDumps() throws {
        let echo = try startBackend("echo", mode: "echo")
        let asRoot = getuid() == 0
        var pids: [Bool: Int32] = [:]
        for dumpable in [true, false] {
            let port = Ports.free()
            let global = (dumpable ? "    set-dumpable" : "    no set-dumpable") + (asRoot ? "\n    user nobody" : "")
            let cfg = try writeConfig(forwarder(port: port, echoPort: echo.port, global: global), name: "d\(dumpable).cfg")
            let p = track(try ManagedProcess(
                label: "dumpable-\(dumpable)", executable: "/bin/sh",
                arguments: ["-c", "ulimit -S -c 0; exec \"$0\" -db -f \"$1\"", haproxyPath, cfg.path], dir: tmp))
            try Ports.waitUntilListening(port, timeout: 10, while: { p.isRunning })
            XCTAssertTrue(try echoes(port))
            pids[dumpable] = p.pid
        }
        XCTAssertEqual(softLimit(pids[false]!, "Max core file size"), "0")
        XCTAssertNotEqual(softLimit(pids[true]!, "Max core file size"), "0")
        if asRoot {
            var st = stat()
            XCTAssertEqual(stat("/proc/\(pids[true]!)/status", &st), 0)
            XCTAssertEqual(st.st_uid, 65534, "set-dumpable: /proc files belong to the process's user")
            XCTAssertEqual(stat("/proc/\(pids[false]!)/status", &st), 0)
            XCTAssertEqual(st.st_uid, 0, "not dumpable after setuid: /proc files belong to root")
        }
    }

    /// The sockets listening on 127.0.0.1:`port` (/proc/net/tcp, state 0A).
    private func listeningSockets(_ port: Int) -> Int {
        guard let text = TCPTable.readToEnd("/proc/net/tcp") else { return 0 }
        let local = "0100007F:" + String(format: "%04X", port)
        return text.split(separator: "\n").filter {
            let f = $0.split(separator: " ")
            return f.count > 3 && f[1] == local && f[3] == "0A"
        }.count
    }

    /// With SO_REUSEPORT (the default) a second process binds the same
    /// address; with `noreuseport`, or `-dR` on the command line, it
    /// cannot. A reload with `-sf` still takes the address over.
    func testNoReusePortKeepsOtherProcessesOffTheAddress() throws {
        let echo = try startBackend("echo", mode: "echo")
        let port = Ports.free()
        let shared = try writeConfig(forwarder(port: port, echoPort: echo.port, global: ""), name: "shared.cfg")
        let exclusive = try writeConfig(
            forwarder(port: port, echoPort: echo.port, global: "    noreuseport"), name: "exclusive.cfg")

        let first = track(try ManagedProcess(label: "first", executable: haproxyPath,
                                             arguments: ["-db", "-f", shared.path], dir: tmp))
        try Ports.waitUntilListening(port, timeout: 10, while: { first.isRunning })
        let second = track(try ManagedProcess(label: "second", executable: haproxyPath,
                                              arguments: ["-db", "-f", shared.path], dir: tmp))
        try waitUntil("the second process with SO_REUSEPORT listens too") {
            XCTAssertTrue(second.isRunning, second.stderr)
            return !second.isRunning || listeningSockets(port) == 2
        }
        let dR = try runTool(haproxyPath, ["-db", "-dR", "-f", shared.path], dir: tmp)
        XCTAssertEqual(dR.status, 1, dR.stderr)
        XCTAssertTrue(dR.stderr.contains("cannot bind socket (Address already in use)"), dR.stderr)
        first.stop()
        second.stop()

        let alone = track(try ManagedProcess(label: "alone", executable: haproxyPath,
                                             arguments: ["-db", "-f", exclusive.path], dir: tmp))
        try Ports.waitUntilListening(port, timeout: 10, while: { alone.isRunning })
        let refused = try runTool(haproxyPath, ["-db", "-f", shared.path], dir: tmp)
        XCTAssertEqual(refused.status, 1, refused.stderr)
        XCTAssertTrue(refused.stderr.contains("cannot bind socket (Address already in use)"), refused.stderr)
        XCTAssertTrue(try echoes(port))

        // -sf: the new process asks the old one to leave, then binds.
        let next = track(try ManagedProcess(label: "next", executable: haproxyPath,
                                            arguments: ["-db", "-f", exclusive.path, "-sf", "\(alone.pid)"], dir: tmp))
        XCTAssertTrue(alone.waitForExit(timeout: 10), "the old process did not leave")
        try Ports.waitUntilListening(port, timeout: 10, while: { next.isRunning })
        XCTAssertTrue(next.isRunning, next.stderr)
        XCTAssertTrue(try echoes(port))
    }
}

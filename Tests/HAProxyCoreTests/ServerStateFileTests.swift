import Foundation
import HAProxyConfig
import XCTest

@testable import HAProxyCore

/// The server state file: parsing as HAProxy 2.6 reads it, the rules that
/// decide which saved state applies, and applying a file to a runtime
/// (warnings recorded from the real binary).
final class ServerStateFileTests: XCTestCase {
    private static let header = String(ShowServersState.header.dropLast())

    private func line(_ be: String, _ srv: String, op: Int = 2, admin: Int = 0, uweight: Int = 1,
                      iweight: Int = 1, since: Int = 4) -> String {
        "\(be) \(srv) 127.0.0.1 \(op) \(admin) \(uweight) \(iweight) \(since) 1 0 1 0 0 0 0 - 9001 - 0 0 - - 0"
    }

    // MARK: Parsing

    func testParsesVersionHeaderAndServerLines() throws {
        let text = "1\n\(Self.header)\n\(line("1 be", "1 s1"))\n\n\(line("1 be", "2 s2", uweight: 7))\n"
        let file = try ServerStateFile.parse(text).get()
        XCTAssertEqual(file.version, 1)
        XCTAssertEqual(file.entries.count, 2)
        XCTAssertEqual(file.entries[1].backendName, "be")
        XCTAssertEqual(file.entries[1].serverName, "s2")
        XCTAssertEqual(file.entries[1].serverID, "2")
        XCTAssertEqual(file.entries[1].fields[7], "7")
    }

    func testMissingOrUnknownVersion() {
        XCTAssertEqual(ServerStateFile.parse("").failureValue, .noVersion)
        XCTAssertEqual(ServerStateFile.parse("\n").failureValue, .noVersion)
        XCTAssertEqual(ServerStateFile.parse("2\n").failureValue, .noVersion)
        XCTAssertEqual(ServerStateFile.parse("# 1\n").failureValue, .noVersion)
    }

    /// Lines are counted from the one after the version line; one short
    /// line spoils the whole file.
    func testShortLineIsCorrupted() {
        let text = "1\n# hdr\n1 be 1 s1 127.0.0.1 2 1 7 10 4\n\(line("1 be", "2 s2"))\n"
        XCTAssertEqual(ServerStateFile.parse(text).failureValue, .corrupted(line: 2))
    }

    func testExtraFieldsAreIgnoredAndTwentyAreEnough() throws {
        let long = line("1 be", "1 s1") + " extra more"
        let short = "1 be 2 s2 127.0.0.1 2 0 1 1 4 1 0 1 0 0 0 0 - 9001 -"
        let file = try ServerStateFile.parse("1\n\(long)\n\(short)\n").get()
        XCTAssertEqual(file.entries.map { $0.fields.count }, [25, 20])
    }

    func testFirstLineForAServerCounts() throws {
        let file = try ServerStateFile.parse("1\n\(line("1 be", "1 s1", uweight: 5))\n\(line("1 be", "1 s1", uweight: 9))\n").get()
        XCTAssertEqual(file.entries.count, 2)
        XCTAssertEqual(file.firstEntries.map { $0.fields[7] }, ["5"])
    }

    func testPathsResolveAgainstTheBase() {
        XCTAssertEqual(ServerStateFile.resolve("state", base: "/var/lib/haproxy"), "/var/lib/haproxy/state")
        XCTAssertEqual(ServerStateFile.resolve("state", base: "/var/lib/haproxy/"), "/var/lib/haproxy/state")
        XCTAssertEqual(ServerStateFile.resolve("/tmp/state", base: "/var/lib/haproxy"), "/tmp/state")
        XCTAssertEqual(ServerStateFile.resolve("state", base: nil), "state")
    }

    // MARK: Values and rules

    func testInvalidValuesAreNamed() {
        let fields = line("1 be", "1 s1").split(separator: " ").map(String.init)
        var bad = fields
        bad[6] = "x"
        bad[7] = "300"
        guard case .failure(let error) = ServerStateValues.parse(bad[4...]) else { return XCTFail("accepted") }
        XCTAssertEqual(error.text, ", invalid srv_admin_state value 'x', invalid srv_uweight value '300'")
        let good = try? ServerStateValues.parse(fields[4...]).get()
        XCTAssertEqual(good, ServerStateValues(
            operationalState: 2, adminBits: 0, userWeight: 1, initialWeight: 1, secondsSinceLastChange: 4))
    }

    func testAdminStateRules() {
        func admin(_ bits: Int, disabled: Bool = false, fileIW: Int = 1, confW: Int = 1) -> Server.AdminState {
            ServerStateValues.adminState(fileBits: bits, fileInitialWeight: fileIW, configDisabled: disabled, configWeight: confW).state
        }
        XCTAssertEqual(admin(0), .ready)
        XCTAssertEqual(admin(0x01), .maintenance)           // forced maintenance kept
        XCTAssertEqual(admin(0x08), .drain)                 // forced drain kept
        XCTAssertEqual(admin(0x09), .maintenance)           // maintenance wins over drain
        XCTAssertEqual(admin(0x02), .ready)                 // inherited maintenance is not applied
        XCTAssertEqual(admin(0x01, disabled: true), .maintenance)
        XCTAssertEqual(admin(0x04, disabled: true), .ready) // same config, no forced maintenance saved
        XCTAssertEqual(admin(0x05, disabled: false), .ready) // `disabled` removed from the configuration
        XCTAssertEqual(admin(0x00, disabled: true), .maintenance) // `disabled` added to the configuration
        // Drain that came only from a zero weight goes once the weight is raised.
        XCTAssertEqual(admin(0x08, fileIW: 0, confW: 5), .ready)
        XCTAssertEqual(admin(0x08, fileIW: 0, confW: 0), .drain)
    }

    // MARK: Applying to a runtime

    private var runtime: ProxyRuntime?
    private var directory = ""

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "state-unit-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    private func makeRuntime(global: String = "", body: String) throws -> ProxyRuntime {
        let text = """
            global
                server-state-base \(directory)
            \(global)
            defaults
                mode http
                load-server-state-from-file global
            \(body)

            """
        let path = directory + "/haproxy.cfg"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let (configuration, diagnostics) = ConfigLoader.load(paths: [path], environment: [:], features: [], version: "2.6.0")
        let loaded = try XCTUnwrap(configuration, "\(diagnostics.messages)")
        XCTAssertFalse(diagnostics.hasFatalErrors, "\(diagnostics.messages)")
        let runtime = try ProxyRuntime(configuration: loaded)
        self.runtime = runtime
        return runtime
    }

    private func load(_ runtime: ProxyRuntime) -> [String] {
        var warnings: [String] = []
        runtime.loadServerState { warnings.append($0) }
        return warnings
    }

    private static let twoServers = """
        backend be
            server s1 127.0.0.1:9001 weight 10
            server s2 127.0.0.1:9002 weight 10
            server s3 127.0.0.1:9003 weight 10
        """

    /// A tracked server restored DOWN and in maintenance passes both on
    /// down the chain, saying only the DOWN, as 2.6.12 does with the file
    /// it wrote after `disable server b1/s1` (recorded lines and warnings).
    func testTrackingServersFollowARestoredServer() throws {
        let runtime = try makeRuntime(global: "    server-state-file state", body: """
            backend b1
                server s1 127.0.0.1:9001 check
            backend b2
                server s1 127.0.0.1:9001 track b1/s1
                server s2 127.0.0.1:9001 track s1
                server n 127.0.0.1:9001
            """)
        try """
            1
            \(Self.header)
            1 b1 1 s1 127.0.0.1 0 1 1 1 0 6 3 0 14 0 0 0 - 9001 - 0 0 - - 0
            2 b2 1 s1 127.0.0.1 0 2 1 1 0 1 0 0 0 0 0 0 - 9001 - 0 0 - - 0
            2 b2 2 s2 127.0.0.1 0 2 1 1 0 1 0 0 0 0 0 0 - 9001 - 0 0 - - 0
            2 b2 3 n 127.0.0.1 2 0 1 1 1 1 0 2 0 0 0 0 - 9001 - 0 0 - - 0

            """.write(toFile: directory + "/state", atomically: true, encoding: .utf8)
        XCTAssertEqual(load(runtime), [
            "Server b1/s1 is DOWN, changed from server-state after a reload. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.",
            "Server b2/s1 is DOWN via b1/s1. 2 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.",
            "Server b2/s2 is DOWN via b2/s1. 1 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.",
        ])
        let b2 = try XCTUnwrap(runtime.backend(named: "b2"))
        XCTAssertEqual(try ["s1", "s2", "n"].map { try XCTUnwrap(b2.server(named: $0)).statusText },
                       ["MAINT (via b1/s1)", "MAINT (via b2/s1)", "UP"])
        let dump = runtime.cli.execute("show servers state", level: .admin).split(separator: "\n").dropFirst(2)
            .map { $0.split(separator: " ")[5...6].joined(separator: " ") }
        XCTAssertEqual(dump, ["0 1", "0 2", "0 2", "2 0"])
    }

    func testAppliesWeightMaintenanceDrainAndDown() throws {
        let runtime = try makeRuntime(global: "    server-state-file state", body: Self.twoServers)
        try """
            1
            \(Self.header)
            \(line("1 be", "1 s1", admin: 1, uweight: 7, iweight: 10))
            \(line("1 be", "2 s2", admin: 8, uweight: 33, iweight: 10))
            \(line("1 be", "3 s3", op: 0, uweight: 50, iweight: 11))
            \(line("1 be", "9 s9"))
            \(line("1 nob", "1 s1"))

            """.write(toFile: directory + "/state", atomically: true, encoding: .utf8)
        let warnings = load(runtime)
        XCTAssertEqual(warnings, [
            "Server be/s2 remains in forced drain mode.",
            "Server be/s3 is DOWN, changed from server-state after a reload. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.",
        ])
        let be = try XCTUnwrap(runtime.backend(named: "be"))
        let s1 = try XCTUnwrap(be.server(named: "s1")), s2 = try XCTUnwrap(be.server(named: "s2"))
        let s3 = try XCTUnwrap(be.server(named: "s3"))
        XCTAssertEqual(s1.adminState, .maintenance)
        XCTAssertTrue(s1.isUp, "a server without checks comes back when it leaves maintenance")
        XCTAssertEqual(s1.lb.weight, 7)
        XCTAssertEqual(s2.adminState, .drain)
        XCTAssertEqual(s2.lb.weight, 33)
        XCTAssertFalse(s3.isUp)
        XCTAssertEqual(s3.lb.weight, 10, "the configured weight changed: the saved one is dropped")
        XCTAssertFalse(s1.lb.isUsable || s2.lb.isUsable || s3.lb.isUsable)
        let dump = runtime.cli.execute("show servers state be", level: .admin)
        XCTAssertTrue(dump.contains(" be 1 s1 127.0.0.1 0 1 7 10 4 "), dump)
    }

    func testMissingAndBrokenGlobalFilesAreWarnings() throws {
        let runtime = try makeRuntime(global: "    server-state-file state", body: Self.twoServers)
        XCTAssertEqual(load(runtime), [
            "config: Can't open global server state file '\(directory)/state': No such file or directory"
        ])
        try "\n".write(toFile: directory + "/state", atomically: true, encoding: .utf8)
        XCTAssertEqual(load(runtime), ["config: Can't get version of the global server state file '\(directory)/state'."])
        try "1\n# h\n1 be 1 s1 127.0.0.1 2 1\n\(line("1 be", "2 s2", admin: 1))\n".write(
            toFile: directory + "/state", atomically: true, encoding: .utf8)
        XCTAssertEqual(load(runtime), ["config: corrupted global server state file '\(directory)/state' at line 2."])
        XCTAssertEqual(runtime.backend(named: "be")?.server(named: "s2")?.adminState, .ready)
        try "1\n\(line("1 be", "2 s2", admin: 1, uweight: 300))\n".write(
            toFile: directory + "/state", atomically: true, encoding: .utf8)
        XCTAssertEqual(load(runtime), ["server-state application failed for server 'be/s2', invalid srv_uweight value '300'"])
        XCTAssertEqual(runtime.backend(named: "be")?.server(named: "s2")?.adminState, .ready)
    }

    func testNothingLoadedWithoutTheDirective() throws {
        let runtime = try makeRuntime(global: "    server-state-file state", body: Self.twoServers + "\n    load-server-state-from-file none")
        try "1\n\(line("1 be", "1 s1", admin: 1, iweight: 10))\n".write(toFile: directory + "/state", atomically: true, encoding: .utf8)
        XCTAssertEqual(load(runtime), [])
        XCTAssertEqual(runtime.backend(named: "be")?.server(named: "s1")?.adminState, .ready)
    }

    /// A local file is checked against the backend's id and name, and its
    /// unknown servers are reported.
    func testLocalFile() throws {
        let runtime = try makeRuntime(body: """
            backend bl
                load-server-state-from-file local
                server-state-file-name blfile
                server s1 127.0.0.1:9001
                server s2 127.0.0.1:9002
            backend other
                load-server-state-from-file local
                server o1 127.0.0.1:9001
            """)
        try """
            1
            \(line("1 bl", "1 s1", admin: 1, uweight: 5))
            \(line("2 bl", "2 s2", admin: 1))
            \(line("1 xx", "2 s2", admin: 1))
            \(line("1 bl", "7 s7"))
            \(line("1 bl", "1 s1", admin: 0))
            """.write(toFile: directory + "/blfile", atomically: true, encoding: .utf8)
        XCTAssertEqual(load(runtime), [
            "Proxy 'bl': backend ID mismatch: from server state file: '2', from running config '1'",
            "Proxy 'bl': backend name mismatch: from server state file: 'xx', from running config 'bl'",
            "Proxy 'bl': can't find server 's7' in backend 'bl'",
            "Proxy 'other': Can't open server state file '\(directory)/other': No such file or directory.",
        ])
        let bl = try XCTUnwrap(runtime.backend(named: "bl"))
        XCTAssertEqual(bl.server(named: "s1")?.adminState, .maintenance)
        XCTAssertEqual(bl.server(named: "s1")?.lb.weight, 5)
        XCTAssertEqual(bl.server(named: "s2")?.adminState, .ready)
    }

    /// A checked server saved DOWN starts DOWN, and its checks bring it
    /// back after `rise` successes.
    func testCheckedServerRestoredDownComesBackByChecks() throws {
        let listener = socket(AF_INET, CInt(SOCK_STREAM.rawValue), 0)
        defer { close(listener) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { p -> Bool in
                Foundation.bind(listener, p, len) == 0 && listen(listener, 16) == 0 && getsockname(listener, p, &len) == 0
            }
        }
        XCTAssertTrue(bound)
        let port = Int(UInt16(bigEndian: addr.sin_port))
        let runtime = try makeRuntime(global: "    server-state-file state", body: """
            backend be
                timeout connect 1s
                timeout check 1s
                server s1 127.0.0.1:\(port) check inter 50 rise 2
            """)
        try "1\n\(line("1 be", "1 s1", op: 0))\n".write(toFile: directory + "/state", atomically: true, encoding: .utf8)
        XCTAssertEqual(load(runtime).count, 1)
        let server = try XCTUnwrap(runtime.backend(named: "be")?.server(named: "s1"))
        XCTAssertFalse(server.isUp)
        try runtime.start()
        defer {
            runtime.hardStop()
            try? runtime.group.syncShutdownGracefully()
        }
        let deadline = Date().addingTimeInterval(10)
        while !server.isUp && Date() < deadline { usleep(20_000) }
        XCTAssertTrue(server.isUp, "the checks did not bring the server back")
    }

    /// What the master writes on reload: the global file and each local one.
    func testSaveTargets() throws {
        let runtime = try makeRuntime(global: "    server-state-file /var/state", body: """
            backend a
                server s 127.0.0.1:1
            backend b
                load-server-state-from-file local
                server s 127.0.0.1:1
            backend c
                load-server-state-from-file local
                server-state-file-name cfile
                server s 127.0.0.1:1
            """)
        let targets = MasterProcess.serverStateTargets(runtime.configuration)
        XCTAssertEqual(targets.map(\.path), ["/var/state", directory + "/b", directory + "/cfile"])
        XCTAssertEqual(targets.map(\.command), ["show servers state", "show servers state b", "show servers state c"])
    }

    func testWriteAtomically() throws {
        let path = directory + "/out"
        XCTAssertNil(MasterProcess.writeAtomically("1\nold\n", to: path))
        XCTAssertNil(MasterProcess.writeAtomically("1\nnew\n", to: path))
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "1\nnew\n")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory), ["out"])
        XCTAssertNotNil(MasterProcess.writeAtomically("x", to: directory + "/missing/dir/out"))
    }
}

private extension Result {
    var failureValue: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}

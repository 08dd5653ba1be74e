import Foundation
import HAProxyConfig
import XCTest

@testable import HAProxyCore

/// Runtime API answers without any socket: a runtime built from a
/// configuration (never started) and its command processor.
final class CLICommandProcessorTests: RuntimeTestCase {
    static let config = """
        global
            stats socket /tmp/cli-unit-never-bound.sock level admin

        defaults
            mode http
            timeout connect 5s
            timeout client 30s
            timeout server 30s

        frontend fe
            bind 127.0.0.1:2
            default_backend be

        backend be
            balance roundrobin
            server s1 127.0.0.1:18081
            server s2 127.0.0.1:18082 weight 3

        listen lst
            bind 127.0.0.1:1
            mode tcp
            server t1 127.0.0.1:18091
        """

    func testUnknownCommandSuggestsCommandsStartingWithTheWord() throws {
        let answer = try makeRuntime(from: Self.config).cli.execute("show", level: .admin)
        XCTAssertTrue(answer.hasPrefix("Unknown command, but maybe one of the following ones is a better match:\n"))
        XCTAssertTrue(answer.contains("  show stat [desc|json|no-maint|typed|up]*: report counters for each proxy and server\n"))
        XCTAssertFalse(answer.contains("  set weight"))
        XCTAssertTrue(answer.hasSuffix("  quit                                    : disconnect\n\n"))
    }

    /// `set ssl cert` needs its payload; a file no bind line loaded is
    /// refused before the payload is read, as 2.6 does.
    func testSetSSLCertTakesThePayload() throws {
        let cli = try makeRuntime(from: Self.config).cli
        XCTAssertEqual(
            cli.execute("set ssl cert /nowhere.pem", level: .admin),
            "'set ssl cert expects a filename and a certificate as a payload\n\n")
        XCTAssertEqual(
            cli.execute("set ssl cert /nowhere.pem <<\n-----BEGIN CERTIFICATE-----\n", level: .admin),
            "Can't replace a certificate which is not referenced by the configuration!\nCan't update /nowhere.pem!\n\n")
        XCTAssertEqual(cli.execute("set ssl cert /nowhere.pem <<\nx\n", level: .operator), "Permission denied\n\n")
        XCTAssertTrue(cli.execute("update ssl ocsp-response x", level: .admin).hasPrefix("Unknown command"), "2.6.12 has none")
        XCTAssertEqual(cli.execute("show tls-keys", level: .user), "# id (file)\n\n")
        XCTAssertEqual(cli.execute("show tls-keys *", level: .user), "# id secret\n\n")
        XCTAssertEqual(cli.execute("show tls-keys 1", level: .user), "'show tls-keys' unable to locate referenced filename\n\n")
        XCTAssertEqual(
            cli.execute("set ssl tls-key 1", level: .operator),
            "'set ssl tls-key' expects a filename and the new TLS key in base64 encoding.\n\n")
        XCTAssertEqual(
            cli.execute("set ssl tls-key 1 abc", level: .operator), "'set ssl tls-key' unable to locate referenced filename\n\n")
        XCTAssertEqual(cli.execute("set ssl ocsp-response x", level: .admin),
            "'set ssl ocsp-response' received invalid base64 encoded response.\n\n")
    }

    func testHelpLinesArePaddedToFortyColumns() throws {
        let answer = try makeRuntime(from: Self.config).cli.execute("help", level: .user)
        XCTAssertTrue(answer.hasPrefix("The following commands are valid at this level:\n"))
        XCTAssertTrue(answer.contains("  get weight <bk>/<srv>                   : report a server's current weight\n"))
        let tail = answer.split(separator: "\n").suffix(3).map(String.init)
        XCTAssertEqual(tail, [
            "  help [<command>]                        : list matching or all commands",
            "  prompt                                  : toggle interactive mode with prompt",
            "  quit                                    : disconnect",
        ])
    }

    func testLevelsAreEnforced() throws {
        let cli = try makeRuntime(from: Self.config).cli
        XCTAssertEqual(cli.execute("disable server be/s1", level: .user), "Permission denied\n\n")
        XCTAssertEqual(cli.execute("disable server be/s1", level: .operator), "Permission denied\n\n")
        XCTAssertEqual(cli.execute("show sess", level: .user), "Permission denied\n\n")
        XCTAssertEqual(cli.execute("clear counters all", level: .operator), "Permission denied\n\n")
        XCTAssertEqual(cli.execute("clear counters", level: .operator), "\n")
        XCTAssertEqual(cli.execute("get weight be/s1", level: .user), "1 (initial 1)\n\n")
        XCTAssertEqual(cli.execute("operator", level: .user), "Permission denied\n\n")
    }

    func testLevelLoweredForTheRestOfTheLine() throws {
        let cli = try makeRuntime(from: Self.config).cli
        XCTAssertEqual(
            cli.execute("show cli level; operator; show cli level; user; show cli level", level: .admin),
            "admin\n\n\noperator\n\n\nuser\n\n")
    }

    func testServerLookupErrors() throws {
        let cli = try makeRuntime(from: Self.config).cli
        XCTAssertEqual(cli.execute("disable server be", level: .admin), "Require 'backend/server'.\n\n")
        XCTAssertEqual(cli.execute("disable server zz/s1", level: .admin), "No such backend.\n\n")
        XCTAssertEqual(cli.execute("disable server be/zz", level: .admin), "No such server.\n\n")
        XCTAssertEqual(cli.execute("get weight", level: .admin), "Require 'backend/server'.\n\n")
    }

    func testWeights() throws {
        let runtime = try makeRuntime(from: Self.config)
        let cli = runtime.cli
        XCTAssertEqual(cli.execute("set weight be/s2 50%", level: .admin), "\n")
        XCTAssertEqual(cli.execute("get weight be/s2", level: .admin), "1 (initial 3)\n\n")
        XCTAssertEqual(cli.execute("set server be/s2 weight 7", level: .admin), "\n")
        XCTAssertEqual(cli.execute("get weight be/s2", level: .admin), "7 (initial 3)\n\n")
        XCTAssertEqual(cli.execute("set weight be/s2 300", level: .admin),
                       "Absolute weight can only be between 0 and 256 inclusive.\n\n")
        XCTAssertEqual(cli.execute("set weight be/s2", level: .admin), "Require <weight> or <weight%>.\n\n")
        XCTAssertEqual(cli.execute("set weight be/s2 5x", level: .admin), "Trailing garbage in weight string\n")
        XCTAssertEqual(cli.execute("set weight be/s2 abc", level: .admin),
                       "Empty weight string empty or preceded by garbage\n")
        XCTAssertEqual(runtime.backend(named: "be")?.server(named: "s2")?.lb.weight, 7)
    }

    func testServerStatesAndStatusColumn() throws {
        let runtime = try makeRuntime(from: Self.config)
        let cli = runtime.cli
        XCTAssertEqual(cli.execute("set server be/s1 state drain", level: .admin), "\n")
        XCTAssertEqual(cli.execute("set server be/s2 state maint", level: .admin), "\n")
        XCTAssertEqual(cli.execute("set server be/s2 state foo", level: .admin),
                       "'set server <srv> state' expects 'ready', 'drain' and 'maint'.\n\n")
        let rows = cli.execute("show stat", level: .user).split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        let status = ShowStat.columns.firstIndex(of: "status")!
        let s1 = rows.first { $0.count > 1 && $0[1] == "s1" }!
        let s2 = rows.first { $0.count > 1 && $0[1] == "s2" }!
        let be = rows.first { $0.count > 1 && $0[0] == "be" && $0[1] == "BACKEND" }!
        XCTAssertEqual(s1[status], "DRAIN")
        XCTAssertEqual(s2[status], "MAINT")
        XCTAssertEqual(be[status], "DOWN")
        let state = cli.execute("show servers state be", level: .user).split(separator: "\n")
        XCTAssertEqual(state[0], "1")
        XCTAssertTrue(state[2].hasPrefix("3 be 1 s1 127.0.0.1 2 8 1 1 "))
        XCTAssertTrue(state[3].hasPrefix("3 be 2 s2 127.0.0.1 0 1 3 3 "))
    }

    func testShowStatRowsAndIdentifiers() throws {
        let answer = try makeRuntime(from: Self.config).cli.execute("show stat", level: .user)
        let lines = answer.split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertEqual(lines[0] + "\n", Substring(ShowStat.header))
        let names = lines.dropFirst().filter { !$0.isEmpty }.map { $0.split(separator: ",", omittingEmptySubsequences: false).prefix(2).joined(separator: "/") }
        XCTAssertEqual(names, ["fe/FRONTEND", "be/s1", "be/s2", "be/BACKEND", "lst/FRONTEND", "lst/t1", "lst/BACKEND"])
        // The first stats socket's GLOBAL frontend takes id 1.
        let iid = ShowStat.columns.firstIndex(of: "iid")!
        let ids = lines.dropFirst().filter { !$0.isEmpty }.map { $0.split(separator: ",", omittingEmptySubsequences: false)[iid] }
        XCTAssertEqual(ids, ["2", "3", "3", "3", "4", "4", "4"])
        XCTAssertTrue(answer.hasSuffix(",\n\n"))
        for line in lines.dropFirst() where !line.isEmpty {
            XCTAssertEqual(line.split(separator: ",", omittingEmptySubsequences: false).count, ShowStat.columns.count + 1)
        }
    }

    func testShowInfoFieldOrder() throws {
        let answer = try makeRuntime(from: Self.config).cli.execute("show info", level: .user)
        let names = answer.split(separator: "\n").map { String($0.prefix { $0 != ":" }) }
        XCTAssertEqual(Array(names.prefix(9)), [
            "Name", "Version", "Release_date", "Nbthread", "Nbproc", "Process_num", "Pid", "Uptime", "Uptime_sec",
        ])
        XCTAssertEqual(names.last, "Tainted")
        XCTAssertTrue(answer.contains("\nCurrConns: 0\nCumConns: 0\nCumReq: 0\n"))
    }

    func testSetAddress() throws {
        let cli = try makeRuntime(from: Self.config).cli
        XCTAssertEqual(cli.execute("set server be/s1 addr 1.2.3.4", level: .admin),
                       "IP changed from '127.0.0.1' to '1.2.3.4' by 'stats socket command'\n\n")
        XCTAssertEqual(cli.execute("set server be/s1 addr 1.2.3.4 port 99", level: .admin),
                       "no need to change the addr, port changed from '18081' to '99' by 'stats socket command'\n\n")
        XCTAssertEqual(cli.execute("set server be/s1 addr foo", level: .admin),
                       "Invalid addr 'foo' by 'stats socket command'\n\n")
        XCTAssertEqual(cli.execute("set server be/s1", level: .admin), ServerCommands.setServerUsage + "\n")
    }

    func testFrontendCommands() throws {
        let cli = try makeRuntime(from: Self.config).cli
        XCTAssertEqual(cli.execute("disable frontend fe", level: .admin), "\n")
        XCTAssertEqual(cli.execute("disable frontend fe", level: .admin), "All sockets are already disabled.\n\n")
        XCTAssertTrue(cli.execute("show stat", level: .admin).contains("\nfe,FRONTEND,") )
        XCTAssertTrue(cli.execute("show stat", level: .admin).contains(",,,,,PAUSED,"))
        XCTAssertEqual(cli.execute("enable frontend fe", level: .admin), "\n")
        XCTAssertEqual(cli.execute("enable frontend fe", level: .admin), "All sockets are already enabled.\n\n")
        XCTAssertEqual(cli.execute("disable frontend be", level: .admin), "No such frontend.\n\n")
        XCTAssertEqual(cli.execute("set maxconn frontend fe", level: .admin), "Integer value expected.\n\n")
        XCTAssertEqual(cli.execute("set maxconn frontend fe 100", level: .admin), "\n")
    }

    func testCommandSplitting() {
        XCTAssertEqual(CLICommandProcessor.commands(in: "show info;show stat"), [["show", "info"], ["show", "stat"]])
        XCTAssertEqual(CLICommandProcessor.commands(in: "  set  server\tbe/s1 "), [["set", "server", "be/s1"]])
        XCTAssertEqual(CLICommandProcessor.commands(in: "a\\;b c\\ d"), [["a;b", "c d"]])
        XCTAssertEqual(CLICommandProcessor.commands(in: ""), [[]])
    }

    func testNoStickTables() throws {
        let cli = try makeRuntime(from: Self.config).cli
        XCTAssertEqual(cli.execute("show table", level: .user), "\n")
        XCTAssertEqual(cli.execute("show table foo", level: .user), "No such table\n\n")
        XCTAssertEqual(cli.execute("clear table foo", level: .user), "No such table\n\n")
    }
}

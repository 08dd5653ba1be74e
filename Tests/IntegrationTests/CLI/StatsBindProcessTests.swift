import Foundation
import XCTest

/// `stats bind-process` in the global section through the real binary:
/// the values that name process 1, the only one, leave the stats socket
/// working; the others stop the start with 2.6's alert (recorded against
/// 2.6.12, which answers the same way with one process).
final class StatsBindProcessTests: IntegrationTestCase {
    func testStatsBindProcessKeepsTheSocket() throws {
        for value in ["1", "1-1", "all", "odd", "even"] {
            let socket = tmp.appendingPathComponent("admin-\(value).sock").path
            let port = Ports.free()
            let proxy = try startProxy(config: """
            global
                stats socket \(socket) level admin
                stats bind-process \(value)

            """ + Self.defaultsHTTP + """
            frontend fe
                bind 127.0.0.1:\(port)

            """, ports: [port])
            try waitUntil("the stats socket of `stats bind-process \(value)` answers") {
                (try? StatsSocket.command(socket, "show info"))?.contains("Process_num: 1\n") ?? false
            }
            proxy.stop()
        }
    }

    func testOtherProcessesAreRefusedAs26Does() throws {
        for (value, message) in [
            ("2", "'2' is not a valid number/range. It supports numbers from 1 to 1."),
            ("1-2", "'1-2' is not a valid number/range. It supports numbers from 1 to 1."),
            ("foo", "'foo' is not a valid number/range."),
        ] {
            let cfg = try writeConfig("""
            global
                stats bind-process \(value)

            """ + Self.defaultsHTTP + """
            frontend fe
                bind 127.0.0.1:\(Ports.free())

            """)
            let r = try haproxy(["-c", "-f", cfg.path])
            XCTAssertEqual(r.status, 1, value)
            XCTAssertTrue(
                r.stderr.contains("parsing [\(cfg.path):2] : 'stats bind-process' : \(message)"), r.stderr)
        }
    }
}

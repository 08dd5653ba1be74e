import Foundation
import HAProxyConfig
import XCTest

@testable import HAProxyCore

/// `add server` / `del server` on a runtime that is never started.
final class DynamicServerCommandTests: RuntimeTestCase {
    static let config = """
        global
            stats socket /tmp/cli-dyn-unit-never-bound.sock level admin

        defaults
            mode http
            timeout connect 5s
            timeout client 30s
            timeout server 30s

        backend rr
            balance roundrobin
            server a 127.0.0.1:18081

        backend lc
            balance leastconn
            server a 127.0.0.1:18081

        backend st
            balance static-rr
            server a 127.0.0.1:18081

        backend src
            balance source
            server a 127.0.0.1:18081
        """

    // Answers recorded from HAProxy 2.6 (trailing empty line included).

    func testRefusedOnStaticAlgorithms() throws {
        let cli = try makeRuntime(from: Self.config).cli
        let refusal = "Backend must use a dynamic load balancing to support dynamic servers.\n"
        XCTAssertEqual(cli.execute("add server st/x 127.0.0.1:80", level: .admin), refusal)
        XCTAssertEqual(cli.execute("add server src/x 127.0.0.1:80", level: .admin), refusal)
        XCTAssertEqual(cli.execute("add server nope/x 127.0.0.1:80", level: .admin), "No such backend.\n")
        XCTAssertEqual(cli.execute("add server rr 127.0.0.1:80", level: .admin), "Require 'backend/server'.\n")
    }

    func testAddedServerStartsInMaintenance() throws {
        let runtime = try makeRuntime(from: Self.config)
        let cli = runtime.cli
        let backend = try XCTUnwrap(runtime.backend(named: "rr"))
        XCTAssertEqual(cli.execute("add server rr/x 127.0.0.1:80", level: .admin), "New server registered.\n\n")
        XCTAssertEqual(cli.execute("add server rr/x 127.0.0.1:80", level: .admin),
                       "Already exists a server with the same name in backend.\n\n")
        XCTAssertEqual(cli.execute("add server rr/y", level: .admin),
                       "'server' expects <name> and <addr>[:<port>] as arguments.\n\n")
        XCTAssertEqual(cli.execute("add server rr/z 127.0.0.1:80 weight 3 bogus", level: .admin),
                       "unknown keyword 'bogus'.\n\n")
        XCTAssertEqual(cli.execute("add server rr/t 127.0.0.1:99999", level: .admin), "invalid port '99999'\n\n")
        XCTAssertEqual(cli.execute("add server rr/z 127.0.0.1:80 weight 3 maxconn 4 backup", level: .admin),
                       "New server registered.\n\n")
        XCTAssertEqual(cli.execute("add server rr/v 127.0.0.1 enabled", level: .admin), "New server registered.\n\n")

        XCTAssertEqual(backend.servers.map(\.name), ["a", "x", "z", "v"])
        let x = try XCTUnwrap(backend.server(named: "x"))
        XCTAssertEqual(x.adminState, .maintenance)
        XCTAssertEqual(x.lb.id, 2)
        let z = try XCTUnwrap(backend.server(named: "z"))
        XCTAssertEqual(z.lb.weight, 3)
        XCTAssertEqual(z.lb.maxConnections, 4)
        XCTAssertTrue(z.isBackup)
        XCTAssertEqual(backend.server(named: "v")?.adminState, .ready)
        XCTAssertEqual(backend.server(named: "v")?.config.port, nil)
        XCTAssertEqual(backend.loadBalancer.servers.map(\.index), [0, 1, 2, 3])
        XCTAssertEqual(cli.execute("get weight rr/z", level: .admin), "3 (initial 3)\n\n")
        XCTAssertTrue(cli.execute("show servers state rr", level: .admin).contains("\n2 rr 2 x 127.0.0.1 "))
    }

    func testDeleteNeedsMaintenance() throws {
        let runtime = try makeRuntime(from: Self.config)
        let cli = runtime.cli
        let backend = try XCTUnwrap(runtime.backend(named: "lc"))
        XCTAssertEqual(cli.execute("add server lc/x 127.0.0.1:80", level: .admin), "New server registered.\n\n")
        XCTAssertEqual(cli.execute("set server lc/x state ready", level: .admin), "\n")
        XCTAssertEqual(cli.execute("del server lc/x", level: .admin), "Only servers in maintenance mode can be deleted.\n")
        XCTAssertEqual(cli.execute("set server lc/x state maint", level: .admin), "\n")
        let x = try XCTUnwrap(backend.server(named: "x"))
        backend.acquire(specific: x)
        XCTAssertEqual(cli.execute("del server lc/x", level: .admin),
                       "Server still has connections attached to it, cannot remove it.\n")
        backend.release(x, endStream: false)
        XCTAssertEqual(cli.execute("del server lc/x", level: .admin), "Server deleted.\n")
        XCTAssertEqual(cli.execute("del server lc/x", level: .admin), "No such server.\n")
        XCTAssertEqual(cli.execute("set server lc/x state ready", level: .admin), "No such server.\n\n")
        XCTAssertEqual(cli.execute("del server lc", level: .admin), "Require 'backend/server'.\n")
        XCTAssertFalse(cli.execute("show stat", level: .admin).contains("lc,x,"))
        // The slot stays (never eligible); the name can be used again.
        XCTAssertEqual(backend.slots.count, 2)
        XCTAssertFalse(x.lb.isUsable)
        XCTAssertEqual(cli.execute("add server lc/x 127.0.0.1:81 enabled", level: .admin), "New server registered.\n\n")
        XCTAssertEqual(backend.servers.map(\.name), ["a", "x"])
        XCTAssertEqual(backend.server(named: "x")?.lb.index, 2)
        XCTAssertEqual(backend.server(named: "x")?.lb.id, 3)
    }

    func testTrafficSkipsMaintenanceAndDeletedServers() throws {
        let runtime = try makeRuntime(from: Self.config)
        let cli = runtime.cli
        let backend = try XCTUnwrap(runtime.backend(named: "rr"))
        _ = cli.execute("add server rr/x 127.0.0.1:80", level: .admin)
        func picks() -> Set<String> {
            Set((0..<6).compactMap { _ in backend.loadBalancer.pick().map { backend.slots[$0.index].name } })
        }
        XCTAssertEqual(picks(), ["a"])
        _ = cli.execute("set server rr/x state ready", level: .admin)
        XCTAssertEqual(picks(), ["a", "x"])
        _ = cli.execute("set server rr/x state maint", level: .admin)
        _ = cli.execute("del server rr/x", level: .admin)
        XCTAssertEqual(picks(), ["a"])
    }
}

import Foundation
import XCTest

extension ResolversDifferentialTests {
    /// Resolved addresses survive a reload through the server state file,
    /// as on 2.6: each side resolves an A name and an SRV template through
    /// dnsmasq (servers set up by `default-server`), its `show servers
    /// state` is saved as its `server-state-file`, and a new process of
    /// each (the first keeps running, as an old process does while the new
    /// one starts), whose nameserver never answers, starts from that file
    /// alone: the same states, the addresses and SRV records kept.
    func testResolvedAddressesSurviveAReloadThroughTheStateFile() throws {
        let (reference, env) = try reference()
        func srv(_ target: String, _ port: Int, _ weight: Int) -> String {
            "--srv-host=_http._tcp.svc.test,\(target).svc.test,\(port),0,\(weight)"
        }
        let dns = try DNSMasq(
            in: self, hosts: "127.0.0.2 web.test\n127.0.0.3 a.svc.test\n127.0.0.4 b.svc.test\n",
            options: [srv("a", 8001, 10), srv("b", 8002, 600)])
        let silent = try HostileNameserver(behaviour: .silent)
        defer { silent.stop() }
        let servers = """
                load-server-state-from-file global
                default-server resolvers ns init-addr last,none resolve-prefer ipv4
                server s1 web.test:8000
                server-template t 3 _http._tcp.svc.test
                server s9 127.0.0.1:1
            """
        func global(_ name: String) -> String { "    server-state-file \(tmp.appendingPathComponent("\(name).state").path)" }
        func generation(_ suffix: String, dnsPort: Int) throws -> [Side] {
            [
                try start(haproxyPath, name: "ours\(suffix)", dnsPort: dnsPort, servers: servers, global: global("ours")),
                try start(reference, name: "reference\(suffix)", dnsPort: dnsPort, environment: env, servers: servers,
                          global: global("reference")),
            ]
        }
        func address(_ side: Side, _ server: String) throws -> String {
            try side.states()[server]?.split(separator: " ")[4].description ?? "?"
        }

        let first = try generation("", dnsPort: dns.port)
        for side in first {
            try waitUntil("s1 and two slots resolved (\(side.process.label))") {
                try address(side, "s1") == "127.0.0.2" && ["t1", "t2", "t3"].filter { try address(side, $0) != "-" }.count == 2
            }
        }
        XCTAssertEqual(try first[0].states(), try first[1].states(), "first generation")
        for (side, name) in zip(first, ["ours", "reference"]) {
            try side.command("show servers state").write(
                to: tmp.appendingPathComponent("\(name).state"), atomically: true, encoding: .utf8)
        }

        let second = try generation("-reloaded", dnsPort: silent.port)
        let (ours, theirs) = (second[0], second[1])
        XCTAssertEqual(try ours.states(), try theirs.states(), "after the reload")
        XCTAssertEqual(try ours.stat(), try theirs.stat(), "after the reload")
        XCTAssertEqual(try address(ours, "s1"), "127.0.0.2", "init-addr last: the saved address")
        let slots = try ours.states().filter { $0.key.hasPrefix("t") }.values.map { $0.split(separator: " ").map(String.init) }
        XCTAssertEqual(
            Set(slots.filter { $0[17] != "-" }.map { "\($0[17]) \($0[18])" }), ["a.svc.test 8001", "b.svc.test 8002"],
            "the SRV slots keep their targets and ports: \(slots)")
    }
}

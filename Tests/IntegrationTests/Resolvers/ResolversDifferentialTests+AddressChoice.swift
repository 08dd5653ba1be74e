import Foundation
import XCTest

extension ResolversDifferentialTests {
    /// Which server takes which address, on both: `resolve-net` wins over
    /// keeping the current address, `prevent-dup-ip` (the default) leaves
    /// a second server of the same name without one, `allow-dup-ip` shares
    /// it, an address gone from the answers stays for `hold obsolete`, and
    /// a name with A and AAAA records gives each server the family it
    /// prefers (IPv6 by default).
    func testAddressChoicesMatchHAProxy26() throws {
        let (reference, env) = try reference()
        let dns = try DNSMasq(
            in: self,
            hosts: "127.0.1.5 pair.test\n127.0.0.8 one.test\n127.0.0.9 two.test\n127.0.0.10 two.test\n::1 dual.test\n127.0.0.11 dual.test\n")
        let options = "resolvers ns init-addr none resolve-prefer ipv4"
        let servers = """
                server n1 pair.test:8000 \(options) resolve-net 127.0.2.0/24
                server d1 one.test:8000 \(options)
                server d2 one.test:8000 \(options) resolve-opts prevent-dup-ip
                server a1 one.test:8000 \(options) resolve-opts allow-dup-ip
                server-template t 2 two.test:8000 \(options)
                server p6 dual.test:8000 resolvers ns init-addr none
                server p4 dual.test:8000 \(options)
                server s9 127.0.0.1:1
            """
        let hold = "    hold obsolete 5s"
        let ours = try start(haproxyPath, name: "ours", dnsPort: dns.port, servers: servers, resolvers: hold)
        let theirs = try start(
            reference, name: "reference", dnsPort: dns.port, environment: env, servers: servers, resolvers: hold)
        let sides = [ours, theirs]
        func address(_ side: Side, _ server: String) throws -> String {
            try side.states()[server]?.split(separator: " ")[4].description ?? "?"
        }

        // Slots of a template may take the addresses in another order on each
        // side (dnsmasq rotates its answers): compare the set.
        func compare(_ what: String) throws {
            func fixed(_ side: Side) throws -> [String: String] { try side.states().filter { !$0.key.hasPrefix("t") } }
            func template(_ side: Side) throws -> Set<String> { Set(try ["t1", "t2"].map { try address(side, $0) }) }
            XCTAssertEqual(try fixed(ours), try fixed(theirs), what)
            XCTAssertEqual(try template(ours), try template(theirs), what)
        }
        func settle(_ what: String, _ done: @escaping (Side) throws -> Bool) throws {
            for side in sides { try waitUntil("\(what) (\(side.process.label))") { try done(side) } }
            try compare(what)
        }
        func holder(_ side: Side, _ ip: String) throws -> String? { try ["t1", "t2"].first { try address(side, $0) == ip } }

        try settle("first answers") { side in
            try ["n1", "d1", "a1", "t1", "t2", "p6", "p4"].allSatisfy { name in try address(side, name) != "-" }
        }
        XCTAssertEqual(
            try ["n1", "d1", "d2", "a1", "p6", "p4"].map { try address(ours, $0) },
            ["127.0.1.5", "127.0.0.8", "-", "127.0.0.8", "::1", "127.0.0.11"])
        XCTAssertEqual(Set(try ["t1", "t2"].map { try address(ours, $0) }), ["127.0.0.9", "127.0.0.10"])
        let leaving = try sides.map { try holder($0, "127.0.0.10") ?? "?" }

        // A preferred network's address appears (the server keeps its own),
        // and 127.0.0.10 leaves the answers: its server keeps it for `hold obsolete`.
        try dns.setHosts(
            "127.0.1.5 pair.test\n127.0.2.7 pair.test\n127.0.0.8 one.test\n127.0.0.9 two.test\n::1 dual.test\n127.0.0.11 dual.test\n")
        let changed = Date()
        var dropped: [Int: TimeInterval] = [:]
        try waitUntil("both drop 127.0.0.10", timeout: 30) {
            for (i, side) in sides.enumerated() where dropped[i] == nil {
                if try address(side, leaving[i]) == "-" { dropped[i] = Date().timeIntervalSince(changed) }
            }
            return dropped.count == sides.count
        }
        for (i, side) in sides.enumerated() {
            XCTAssertGreaterThanOrEqual(dropped[i] ?? 0, 4, "\(side.process.label) held the address for hold obsolete 5s")
        }
        try settle("obsolete address dropped after its hold") { side in try holder(side, "127.0.0.10") == nil }
        XCTAssertEqual(try address(ours, "n1"), "127.0.1.5", "the current address is kept over the resolve-net one")
        XCTAssertEqual(ours.messages().sorted(), theirs.messages().sorted())
        XCTAssertEqual(ours.logLines().sorted(), theirs.logLines().sorted())
    }
}

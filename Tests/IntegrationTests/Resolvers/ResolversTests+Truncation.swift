import Foundation
import XCTest

extension ResolversTests {
    /// A name with 60 addresses (about 1000 bytes of answer) from dnsmasq:
    /// `accepted_payload_size` is the EDNS0 size announced, so with the
    /// default 512 the UDP answer comes truncated (TC bit). A truncated
    /// answer is never used (2.6 counts it and leaves the servers without
    /// an address); with a `tcp@` nameserver in the section the complete
    /// answer comes over TCP; with `accepted_payload_size 4096` it comes
    /// whole over UDP.
    func testTruncatedAnswersAndAcceptedPayloadSize() throws {
        let hosts = (1...60).map { "127.0.1.\($0) big.test\n" }.joined()
        let dns = try DNSMasq(in: self, hosts: hosts, options: ["--edns-packet-max=4096"])
        let port = Ports.free()
        func section(_ name: String, _ lines: String) -> String {
            """
            resolvers \(name)
                nameserver dns 127.0.0.1:\(dns.port)
            \(lines)
                hold valid 200ms
                timeout resolve 100ms
                timeout retry 200ms
            """
        }
        let template = "big.test:80 init-addr none resolve-prefer ipv4"
        try startResolvingProxy(config: """
            global
                stats socket \(socketPath) level admin
            \(section("small", ""))
            \(section("large", "    accepted_payload_size 4096"))
            \(section("mixed", "    nameserver stream tcp@127.0.0.1:\(dns.port)"))
            \(Self.defaultsHTTP)
            frontend fe
                bind 127.0.0.1:\(port)
                default_backend small
            backend small
                server-template s 3 \(template) resolvers small
            backend large
                server-template l 45 \(template) resolvers large
            backend mixed
                server-template m 45 \(template) resolvers mixed
            """, port: port)
        func filled(_ backend: String) throws -> Int { try states(backend).values.filter { $0[0] != "-" }.count }
        // More slots filled than a 512-byte answer holds records: the whole answer was read.
        try waitUntil("the large-payload template fills 45 slots") { try filled("large") == 45 }
        try waitUntil("the template with a TCP nameserver fills 45 slots") { try filled("mixed") == 45 }
        let mixed = try command("show resolvers mixed")
        XCTAssertFalse(mixed.contains(" nameserver dns:\n  sent:        0\n"), mixed)
        XCTAssertTrue(mixed.contains("  truncated:   0\n  outdated"), "the TCP nameserver's answers are whole: \(mixed)")
        try waitUntil("the UDP nameserver of `mixed` counted truncated answers") {
            let text = try command("show resolvers mixed")
            return text.range(of: #" nameserver dns:\n(.*\n)*?  truncated:   [1-9]"#, options: .regularExpression) != nil
        }
        // UDP only with the default 512 bytes: truncated answers, nothing used.
        try waitUntil("`small` counted several truncated answers") {
            let text = try command("show resolvers small")
            return text.range(of: #"  truncated:   ([3-9]|\d\d)"#, options: .regularExpression) != nil
        }
        XCTAssertEqual(try filled("small"), 0, "a truncated answer gives no address")
        let small = try command("show resolvers small")
        XCTAssertTrue(small.contains("  valid:       0\n"), small)
        XCTAssertEqual(try states("small").values.map { $0[2] }, ["32", "32", "32"], "all slots in MAINT (resolution)")
    }
}

import Foundation
import XCTest

extension ResolversTests {
    /// `hold valid` does not space the resolutions of servers (2.6 applies
    /// it to `do-resolve` only: with `hold valid 3s` and `timeout resolve
    /// 100ms` it asks ten times a second). With `hold valid 60s` a server
    /// still follows a change within a few `timeout resolve`.
    func testHoldValidDoesNotSpaceServerResolutions() throws {
        let dns = try DNSMasq(in: self, hosts: "127.0.0.2 web.test\n")
        let port = Ports.free()
        try startResolvingProxy(
            config: config(dnsPort: dns.port, frontendPort: port, resolvers: "    hold valid 60s",
                           servers: "    server s1 web.test:8080 resolvers ns init-addr none resolve-prefer ipv4"),
            port: port)
        try waitUntil("s1 resolved") { try states()["s1"]?.first == "127.0.0.2" }
        try dns.setHosts("127.0.0.3 web.test\n")
        try waitUntil("s1 follows well before hold valid", timeout: 30) { try states()["s1"]?.first == "127.0.0.3" }
        // And it keeps asking (spaced by hold valid, 5 queries would take 4 minutes).
        try waitUntil("five queries sent", timeout: 30) {
            let sent = try command("show resolvers ns").split(separator: "\n").first { $0.contains("sent:") }
            return (Int(sent?.split(separator: " ").last ?? "") ?? 0) >= 5
        }
    }
}

import Foundation
import XCTest

/// The `stats` keywords' effects on the real binary, with what Debian's
/// 2.6 answers on the same configuration (recorded): several `stats auth`
/// accounts, `hide-version`, `show-node`, `show-desc`, `scope`, the page
/// in a backend guarded by `stats http-request` rules, and the page a
/// `defaults` section gives its frontends.
final class StatsPageOptionsTests: IntegrationTestCase {
    private func basic(_ account: String) -> [String: String] {
        ["Authorization": "Basic " + Data(account.utf8).base64EncodedString()]
    }

    func testKeywordsShapeThePageAsTheRealOne() throws {
        let a = try startBackend("a")
        let frontend = Ports.free(), stats = Ports.free(), inherited = Ports.free()
        try startProxy(config: """
        global
            node globnode
            description Global desc
        defaults
            mode http
            timeout connect 2s
            timeout client 10s
            timeout server 10s
            stats enable
            stats uri /dstats

        frontend inherited
            bind 127.0.0.1:\(inherited)
            default_backend be

        \(Self.defaultsHTTP)
        frontend fe
            bind 127.0.0.1:\(frontend)
            use_backend be_stats if { path_beg /bs }
            default_backend be

        backend be
            server a 127.0.0.1:\(a.port)

        backend other
            server o 127.0.0.1:\(a.port)

        backend be_stats
            stats enable
            stats uri /bs
            stats http-request deny if { req.hdr(x-deny) -m found }
            stats http-request auth realm Rules if { req.hdr(x-auth) -m found }
            stats http-request allow

        listen stats
            bind 127.0.0.1:\(stats)
            stats enable
            stats uri /stats
            stats auth u1:p1
            stats auth u2:p2
            stats hide-version
            stats show-node nodeA
            stats show-desc My description
            stats scope .
            stats scope be
        """, ports: [frontend, stats, inherited])

        // Either account opens the page; a wrong password does not.
        XCTAssertEqual(try HTTPClient.get(port: stats, path: "/stats", headers: basic("u1:p1")).status, 200)
        XCTAssertEqual(try HTTPClient.get(port: stats, path: "/stats", headers: basic("u2:p2")).status, 200)
        let wrong = try HTTPClient.get(port: stats, path: "/stats", headers: basic("u2:p1"))
        XCTAssertEqual(wrong.status, 401)
        XCTAssertEqual(wrong.header("www-authenticate"), "Basic realm=\"HAProxy Statistics\"")

        // hide-version, show-node and show-desc in the title and heading;
        // scope: the page's own proxy and `be`, nothing else.
        let page = try HTTPClient.get(port: stats, path: "/stats", headers: basic("u2:p2")).text
        XCTAssertTrue(page.contains("<title>Statistics Report for HAProxy on nodeA</title>"))
        XCTAssertTrue(page.contains("style=\"text-decoration: none;\">HAProxy</a></h1>"), "no version")
        XCTAssertTrue(page.contains(" on nodeA: My description</h2>"))
        let anchors = page.components(separatedBy: "<a id=\"").dropFirst().map { $0.prefix { $0 != "\"" } }
        XCTAssertEqual(anchors, ["be", "be/a", "be/Backend", "stats", "stats/Frontend", "stats/Backend"])
        let csv = try HTTPClient.get(port: stats, path: "/stats;csv", headers: basic("u1:p1")).text
        XCTAssertEqual(Set(csv.split(separator: "\n").dropFirst().map { $0.prefix { $0 != "," } }), ["be", "stats"])

        // The page in a backend: its rules decide, in order.
        let open = try HTTPClient.get(port: frontend, path: "/bs")
        XCTAssertEqual(open.status, 200)
        XCTAssertTrue(open.text.contains("<h1><a href=\"http://www.haproxy.org/\" style=\"text-decoration: none;\">HAProxy version "))
        XCTAssertTrue(open.text.contains("<a id=\"other/o\">"), "no scope: every proxy")
        XCTAssertEqual(try HTTPClient.get(port: frontend, path: "/bs", headers: ["x-deny": "1"]).status, 403)
        let challenged = try HTTPClient.get(port: frontend, path: "/bs", headers: ["x-auth": "1"])
        XCTAssertEqual(challenged.status, 401)
        XCTAssertEqual(challenged.header("www-authenticate"), "Basic realm=\"Rules\"")
        XCTAssertEqual(try HTTPClient.get(port: frontend, path: "/other").header("x-server"), "a")

        // A frontend of the first defaults section has its page; the
        // frontend after the second one has not.
        XCTAssertTrue(try HTTPClient.get(port: inherited, path: "/dstats").text.contains("Statistics Report for pid"))
        XCTAssertEqual(try HTTPClient.get(port: inherited, path: "/").header("x-server"), "a")
        XCTAssertEqual(try HTTPClient.get(port: frontend, path: "/dstats").header("x-server"), "a")
    }
}

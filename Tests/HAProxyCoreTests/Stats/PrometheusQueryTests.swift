import XCTest

@testable import HAProxyCore

/// Query strings as HAProxy 2.6's exporter read them: each case was sent
/// to the real one (Debian's 2.6.12) and its answer recorded: 400, or the
/// sections it printed and whether servers in maintenance were left out.
final class PrometheusQueryTests: XCTestCase {
    typealias Scopes = PrometheusQuery.Scopes

    static let answered: [(query: String, scopes: Scopes, noMaint: Bool)] = [
        ("", .all, false),
        ("scope=global", [.global], false),
        ("scope=frontend&x=1", [.frontend], false),
        ("scope=backend&scope=frontend", [.frontend, .backend], false),
        ("scope=frontend&scope=frontend", [.frontend], false),
        ("scope=frontend&scope=global", [.global, .frontend], false),
        ("scope=*", .all, false),
        ("scope=%2A", .all, false),
        ("scope=*&scope=global", .all, false),
        ("scope=global&scope=*", .all, false),
        ("scope=", [], false),
        ("scope=global&scope=", [], false),
        ("scope=&scope=global", [.global], false),
        ("scope=*&scope=", [], false),
        ("scope=front%65nd", [.frontend], false),
        ("scope=%67lobal", [.global], false),
        ("&&scope=global", [.global], false),
        ("scope=global&&", [.global], false),
        ("scope%3Dfrontend", .all, false),
        ("SCOPE=global", .all, false),
        ("=global", .all, false),
        ("x", .all, false),
        ("x=1", .all, false),
        ("x=%00", .all, false),
        ("no-maint", .all, true),
        ("no-maint=1", .all, true),
        ("no-maint=0", .all, true),
        ("no-maintx", .all, false),
        ("no-maint%3D1", .all, false),
        ("scope=server&no-maint", [.server], true),
        ("scope=server&no-maint&scope=backend", [.backend, .server], true),
    ]

    /// Answered 400 Bad request.
    static let refused = [
        "scope", "scope=foo", "scope=Frontend", "scope=globalx", "scope=global;", "scope=global+",
        "scope=glob%61", "scope==global", "scope=global=", "scope=global%", "scope=global%2",
        "scope=global&scope=foo", "scope=foo&scope=", "scope=frontend%26scope%3Dbackend",
        "scope=global?scope=frontend", "x=%zz&scope=global", "%zz", "x%zz", "x=%2", "no-maint=%zz",
    ]

    func testQueriesTheRealOneAnswered() {
        for (query, scopes, noMaint) in Self.answered {
            let parsed = PrometheusQuery(queryString: Substring(query))
            XCTAssertEqual(parsed, PrometheusQuery(scopes: scopes, noMaint: noMaint), "?\(query)")
        }
    }

    func testQueriesTheRealOneRefusedWith400() {
        for query in Self.refused {
            XCTAssertNil(PrometheusQuery(queryString: Substring(query)), "?\(query)")
        }
    }

    func testBadQueryRendersNothing() throws {
        let runtime = try RuntimeFixture.runtime(from: "defaults\n    mode http\nbackend be\n    server s 127.0.0.1:9\n")
        XCTAssertNil(PrometheusExporter.render(runtime: runtime, queryString: "scope=nope"))
        let empty = try XCTUnwrap(PrometheusExporter.render(runtime: runtime, queryString: "scope="))
        XCTAssertEqual(empty.readableBytes, 0)
    }
}

import XCTest

@testable import HAProxyRules
import HAProxyTables

/// The stick counter actions, fetches and converters (manual 7.3.1,
/// 7.3.3) on a table installed in the registry, without sockets.
final class StickCounterFetchesTests: XCTestCase {
    private var table: StickTable!

    override func setUp() {
        super.setUp()
        table = StickTable(StickTableDefinition(
            name: "fe", keyType: .ip, size: 10, expire: 30_000,
            stored: [(.httpRequestRate, 10_000), (.connCurrent, 0), (.gpc0, 0), (.serverID, 0)]))
        StickTableRegistry.install([table])
    }

    override func tearDown() {
        StickTableRegistry.install([])
        super.tearDown()
    }

    private func value(_ expression: String, _ context: TestSampleContext) throws -> Sample? {
        try SampleExpression.parse(expression).evaluate(context)
    }

    func testTrackedCounterFetches() throws {
        let context = TestSampleContext()
        context.stickCounters = StickCounters()
        XCTAssertEqual(try value("sc_tracked(0)", context), .bool(false))
        XCTAssertNil(try value("sc_http_req_rate(0)", context), "not tracked: no value")
        XCTAssertEqual(try value("src_conn_cur", context), .int(0), "no entry yet: 0")

        let track = StickCounterAction.track(
            slot: 0, key: try SampleExpression.parse("src"), table: "fe", sessionLevel: false, countsRequest: true)
        track.perform(on: context)
        track.perform(on: context)  // a tracked slot stays as it is
        XCTAssertEqual(try value("sc_tracked(0)", context), .bool(true))
        XCTAssertEqual(try value("sc0_tracked", context), .bool(true))
        XCTAssertEqual(try value("sc_http_req_rate(0)", context), .int(1))
        XCTAssertEqual(try value("sc0_conn_cur", context), .int(1))
        XCTAssertEqual(try value("src_conn_cur", context), .int(1))
        XCTAssertEqual(try value("sc_trackers(0)", context), .int(1))
        XCTAssertNil(try value("sc_conn_cnt(0)", context), "not stored: no value")

        XCTAssertEqual(try value("sc_inc_gpc0(0)", context), .int(1))
        XCTAssertEqual(try value("src_inc_gpc0", context), .int(2))
        XCTAssertEqual(try value("sc_get_gpc0(0)", context), .int(2))
        XCTAssertEqual(try value("sc_clr_gpc0(0)", context), .int(2))
        XCTAssertEqual(try value("sc0_get_gpc0", context), .int(0))
        StickCounterAction.incrementGPC(slot: 0, counter: .gpc0).perform(on: context)
        XCTAssertEqual(try value("sc_get_gpc0(0)", context), .int(1))

        XCTAssertEqual(try value("table_cnt", context), .int(1))
        XCTAssertEqual(try value("table_avl(fe)", context), .int(9))
        XCTAssertEqual(try value("src,in_table(fe)", context), .bool(true))
        XCTAssertEqual(try value("str(10.9.9.9),in_table(fe)", context), .bool(false))
        XCTAssertEqual(try value("src,table_gpc0(fe)", context), .int(1))
        XCTAssertEqual(try value("str(10.9.9.9),table_gpc0(fe)", context), .int(0), "no entry: 0")
        XCTAssertEqual(try value("src,table_trackers(fe)", context), .int(2), "2.6 counts its own lookup")

        context.stickCounters?.endStream()
        XCTAssertEqual(try value("src_conn_cur", context), .int(0))
        XCTAssertEqual(try value("sc_tracked(0)", context), .bool(false))
    }

    func testStickingRulesMatchTheStoredServer() throws {
        let context = TestSampleContext()
        let rules = [StickingRule(kind: .matchAndStore, pattern: try SampleExpression.parse("src"), table: "fe", condition: nil)]
        XCTAssertNil(Sticking.matchedServer(rules, on: context) { _ in true })
        Sticking.store(rules, serverID: 2, serverName: "b", on: context)
        XCTAssertEqual(Sticking.matchedServer(rules, on: context) { _ in true }, .id(2), "no server_key stored: by id")
        XCTAssertNil(Sticking.matchedServer(rules, on: context) { _ in false }, "a server down is skipped")
    }
}

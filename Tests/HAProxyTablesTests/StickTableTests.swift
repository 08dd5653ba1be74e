import XCTest
@testable import HAProxyTables

final class StickTableTests: XCTestCase {
    private func table(size: Int = 10, expire: Int? = 30_000, noPurge: Bool = false) -> StickTable {
        StickTable(StickTableDefinition(
            name: "fe", keyType: .ip, size: size, expire: expire, noPurge: noPurge,
            stored: [(.connCurrent, 0), (.gpc0, 0), (.httpRequestRate, 10_000), (.httpRequestCount, 0)]))
    }

    func testEntriesExpireAfterTheirLastUse() {
        let t = table()
        _ = t.withEntry(.ipv4(1), create: true, now: 1000) { $0.add(.gpc0) }
        XCTAssertEqual(t.count(now: 30_999), 1)
        _ = t.withEntry(.ipv4(1), create: true, now: 20_000) { $0.add(.gpc0) }
        XCTAssertEqual(t.count(now: 49_999), 1)
        XCTAssertEqual(t.count(now: 50_000), 0)
    }

    func testTrackedEntriesDoNotExpireUntilReleased() {
        let t = table()
        let entry = t.track(.ipv4(7), now: 0)!
        XCTAssertEqual(t.count(now: 100_000), 1)
        t.release(entry, now: 100_000)
        XCTAssertEqual(t.count(now: 129_999), 1)
        XCTAssertEqual(t.count(now: 130_000), 0)
    }

    func testFullTableDropsTheLeastRecentlyUsedEntry() {
        let t = table(size: 3)
        for i in 1...3 { _ = t.withEntry(.ipv4(UInt32(i)), create: true, now: UInt64(i)) { _ in } }
        _ = t.withEntry(.ipv4(1), create: true, now: 10) { _ in }
        _ = t.withEntry(.ipv4(4), create: true, now: 11) { _ in }
        var keys: [UInt64] = []
        t.forEachEntry(now: 12) { keys.append($0.key.low) }
        XCTAssertEqual(keys, [1, 3, 4])
    }

    func testNoPurgeRefusesNewEntriesWhenFull() {
        let t = table(size: 1, noPurge: true)
        XCTAssertNotNil(t.withEntry(.ipv4(1), create: true, now: 0) { _ in true })
        XCTAssertNil(t.withEntry(.ipv4(2), create: true, now: 0) { _ in true })
    }

    func testRateOverItsPeriod() {
        var c = PeriodCounter()
        for _ in 0..<4 { c.add(period: 10_000, now: 1000) }
        XCTAssertEqual(c.rate(period: 10_000, now: 5000), 4)
        // Half the next period: half of the previous count remains.
        XCTAssertEqual(c.rate(period: 10_000, now: 16_000), 2)
        XCTAssertEqual(c.rate(period: 10_000, now: 21_000), 0)
    }

    func testTrackingCountsConnectionsAndReleasesConnCur() {
        let t = table()
        let counters = StickCounters()
        counters.track(slot: 0, key: .ipv4(9), in: t, sessionLevel: false, countsRequest: true, now: 0)
        let cur = t.withEntry(.ipv4(9), create: false, now: 1) { $0.value(.connCurrent) }
        XCTAssertEqual(cur, 1)
        XCTAssertEqual(t.withEntry(.ipv4(9), create: false, now: 1) { $0.value(.httpRequestRate) }, 1)
        counters.endStream(now: 2)
        XCTAssertEqual(t.withEntry(.ipv4(9), create: false, now: 3) { $0.value(.connCurrent) }, 0)
    }

    func testDumpLine() {
        let t = table()
        _ = t.withEntry(.ipv4(0x7f00_0001), create: true, now: 0) { $0.add(.httpRequestCount) }
        var line = ""
        t.forEachEntry(now: 39) { line = $0.dumpLine() }
        XCTAssertTrue(line.hasSuffix(": key=127.0.0.1 use=0 exp=29961 gpc0=0 conn_cur=0 http_req_cnt=1 http_req_rate(10000)=1\n"), line)
        XCTAssertEqual(t.summaryLine(now: 39), "# table: fe, type: ip, size:10, used:1\n")
    }

    /// `gpt(2),gpc(3),gpc_rate(2,10s)`: each element counts on its own,
    /// prints under its legacy name after the other types (2.6's order),
    /// and stands for the legacy type the table does not store.
    func testArraysStoreTheirElementsAndStandForTheLegacyTypes() {
        let t = StickTable(StickTableDefinition(
            name: "fe", keyType: .ip, size: 10, expire: 30_000,
            stored: [(.gpcRate, 10_000), (.gpt, 0), (.httpRequestRate, 10_000), (.gpc, 0), (.gpc1Rate, 5_000)],
            arrayLengths: [.gpt: 2, .gpc: 3, .gpcRate: 2]))
        XCTAssertTrue(t.stores(.gpc, at: 2))
        XCTAssertFalse(t.stores(.gpc, at: 3))
        XCTAssertFalse(t.stores(.gpcRate, at: 2))
        XCTAssertTrue(t.resolve(.gpc0)! == (.gpc, 0))
        XCTAssertTrue(t.resolve(.gpc1)! == (.gpc, 1))
        XCTAssertTrue(t.resolve(.gpt0)! == (.gpt, 0))
        XCTAssertTrue(t.resolve(.gpc0Rate)! == (.gpcRate, 0))
        XCTAssertTrue(t.resolve(.gpc1Rate)! == (.gpc1Rate, 0))
        XCTAssertNil(t.resolve(.connCount))
        _ = t.withEntry(.ipv4(0x7f00_0001), create: true, now: 0) { e in
            e.add(.gpc, at: 1)
            e.add(.gpc, at: 1)
            e.add(.gpc, at: 2, 5)
            e.set(.gpt, at: 1, 42)
            e.addExactly(.gpcRate, at: 0)
            XCTAssertEqual(e.value(.gpc, at: 1), 2)
            XCTAssertEqual(e.value(.gpcRate, at: 1), 2)
            XCTAssertEqual(e.value(.gpc, at: 2), 5)
            XCTAssertNil(e.value(.gpc, at: 3))
            XCTAssertEqual(e.currentPeriodCount(.gpcRate, at: 0), 1)
        }
        var line = ""
        t.forEachEntry(now: 15_000) { line = $0.dumpLine() }
        XCTAssertTrue(line.hasSuffix(
            ": key=127.0.0.1 use=0 exp=15000 http_req_rate(10000)=0 gpc1_rate(5000)=0 gpt0=0 gpt1=42 gpc0=0 gpc1=2 gpc2=5 gpc0_rate(10000)=1 gpc1_rate(10000)=1\n"),
            line)
        // Half a period later the rate keeps half of the previous period,
        // while the current period's count starts again.
        _ = t.withEntry(.ipv4(0x7f00_0001), create: false, now: 15_000) { e in
            XCTAssertEqual(e.currentPeriodCount(.gpcRate, at: 1), 0)
        }
    }

    func testIPv6Text() {
        XCTAssertEqual(StickKey.ipv6Text(high: 0, low: 1), "::1")
        XCTAssertEqual(StickKey.ipv6Text(high: 0x2001_0db8_0000_0000, low: 0x0000_0000_0000_0001), "2001:db8::1")
    }
}

import XCTest

@testable import HAProxyConfig

final class BalanceKeywordsTests: XCTestCase {
    func balance(_ line: String) -> (BalanceConfig?, Diagnostics) {
        let (config, diagnostics) = TestSupport.load("backend b\n  \(line)\n")
        return (config?.proxies.first?.balance, diagnostics)
    }

    func testAlgorithms() {
        XCTAssertEqual(balance("balance roundrobin").0?.algorithm, .roundRobin)
        XCTAssertEqual(balance("balance static-rr").0?.algorithm, .staticRoundRobin)
        XCTAssertEqual(balance("balance leastconn").0?.algorithm, .leastConn)
        XCTAssertEqual(balance("balance first").0?.algorithm, .first)
        XCTAssertEqual(balance("balance source").0?.algorithm, .source)
        XCTAssertEqual(balance("balance random").0?.algorithm, .random(draws: 2))
        XCTAssertEqual(balance("balance random(3)").0?.algorithm, .random(draws: 3))
        XCTAssertEqual(
            balance("balance uri whole len 10 depth 2 path-only").0?.algorithm,
            .uri(whole: true, length: 10, depth: 2, pathOnly: true))
        XCTAssertEqual(balance("balance url_param id").0?.algorithm, .urlParam(name: "id", checkPost: nil))
        XCTAssertEqual(
            balance("balance hdr(Host) use_domain_only").0?.algorithm, .header(name: "Host", useDomainOnly: true))
    }

    func testHashType() {
        let b = balance("hash-type consistent djb2 avalanche").0
        XCTAssertEqual(b?.hashType, .consistent)
        XCTAssertEqual(b?.hashFunction, .djb2)
        XCTAssertEqual(b?.avalanche, true)
        XCTAssertEqual(
            balance("hash-type foo").1.alerts.first?.message,
            "parsing [test.cfg:2] : 'hash-type' only supports 'consistent' and 'map-based'.")
    }
}

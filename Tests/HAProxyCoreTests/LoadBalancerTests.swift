import HAProxyConfig
import HAProxyCore
import XCTest

final class LoadBalancerTests: XCTestCase {
    func testBackupsOnlyWhenNoActiveServer() {
        let servers = makeServers([1, 1, 1, 1], backups: [2, 3])
        let lb = LoadBalancer(.roundRobin, servers)
        XCTAssertEqual(lb.counts(10), ["a": 5, "b": 5])
        XCTAssertFalse(lb.usingBackups)
        servers[0].isUsable = false
        lb.serverStateChanged(servers[0])
        XCTAssertEqual(lb.counts(4), ["b": 4])
        servers[1].isUsable = false
        lb.serverStateChanged(servers[1])
        XCTAssertTrue(lb.usingBackups)
        XCTAssertEqual(lb.counts(4), ["c": 4], "only the first backup without allbackups")
        servers[2].isUsable = false
        lb.serverStateChanged(servers[2])
        XCTAssertEqual(lb.counts(4), ["d": 4], "then the next usable backup")
        servers[0].isUsable = true
        lb.serverStateChanged(servers[0])
        XCTAssertFalse(lb.usingBackups)
        XCTAssertEqual(lb.counts(4), ["a": 4])
    }

    func testAllBackupsShareTheLoadByWeight() {
        let servers = makeServers([1, 1, 3], backups: [1, 2])
        let lb = LoadBalancer(.roundRobin, servers, allBackups: true)
        servers[0].isUsable = false
        lb.serverStateChanged(servers[0])
        XCTAssertEqual(lb.counts(400), ["b": 100, "c": 300])
    }

    func testWeightZeroActivesFallBackToBackups() {
        let servers = makeServers([1, 1], backups: [1])
        let lb = LoadBalancer(.staticRoundRobin, servers)
        servers[0].weight = 0
        lb.weightChanged(servers[0])
        XCTAssertEqual(lb.sequence(3), "bbb")
    }

    func testEveryAlgorithmHandlesNoServer() {
        let algorithms: [BalanceAlgorithm] = [
            .roundRobin, .staticRoundRobin, .leastConn, .first, .source, .random(draws: 2),
            .uri(whole: false, length: nil, depth: nil, pathOnly: false),
        ]
        for algorithm in algorithms {
            for hashType in [HashType.mapBased, .consistent] {
                let servers = makeServers([1])
                let lb = LoadBalancer(algorithm, servers, hashType: hashType)
                XCTAssertEqual(lb.pick("/k")?.name, "a")
                servers[0].isUsable = false
                lb.serverStateChanged(servers[0])
                XCTAssertNil(lb.pick("/k"), "\(algorithm)")
                XCTAssertNil(lb.pick(), "\(algorithm)")
            }
        }
    }
}

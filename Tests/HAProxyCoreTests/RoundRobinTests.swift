import HAProxyConfig
import HAProxyCore
import XCTest

final class RoundRobinTests: XCTestCase {
    func testDistributionIsExact() {
        let lb = LoadBalancer(.roundRobin, makeServers([1, 2, 3]))
        XCTAssertEqual(lb.counts(6000), ["a": 1000, "b": 2000, "c": 3000])
    }

    func testSmoothInterleaving() {
        XCTAssertEqual(LoadBalancer(.roundRobin, makeServers([3, 1])).sequence(8), "aabaaaba")
        XCTAssertEqual(LoadBalancer(.roundRobin, makeServers([1, 1, 1])).sequence(6), "abcabc")
        XCTAssertEqual(LoadBalancer(.roundRobin, makeServers([5, 1, 1])).sequence(7), "aabacaa")
    }

    func testWeightChangeAppliesAtOnce() {
        let servers = makeServers([1, 1])
        let lb = LoadBalancer(.roundRobin, servers)
        XCTAssertTrue(lb.isDynamic)
        XCTAssertEqual(lb.counts(100), ["a": 50, "b": 50])
        servers[1].weight = 3
        lb.weightChanged(servers[1])
        XCTAssertEqual(lb.counts(400), ["a": 100, "b": 300])
        servers[1].weight = 0
        lb.weightChanged(servers[1])
        XCTAssertEqual(lb.counts(10), ["a": 10])
        servers[1].weight = 1
        lb.weightChanged(servers[1])
        XCTAssertEqual(lb.counts(10), ["a": 5, "b": 5])
    }

    func testServerDownAndUp() {
        let servers = makeServers([1, 1, 1])
        let lb = LoadBalancer(.roundRobin, servers)
        servers[1].isUsable = false
        lb.serverStateChanged(servers[1])
        XCTAssertEqual(lb.counts(10), ["a": 5, "c": 5])
        servers[1].isUsable = true
        lb.serverStateChanged(servers[1])
        XCTAssertEqual(lb.counts(30), ["a": 10, "b": 10, "c": 10])
        for s in servers { s.isUsable = false; lb.serverStateChanged(s) }
        XCTAssertNil(lb.pick())
        XCTAssertFalse(lb.hasEligibleServers)
    }

    func testSkipsFullServersAndAvoids() {
        let servers = makeServers([1, 1], maxconn: [1, 0])
        let lb = LoadBalancer(.roundRobin, servers)
        lb.connectionStarted(servers[0])
        XCTAssertEqual(lb.sequence(4), "bbbb")
        lb.connectionEnded(servers[0])
        let first = lb.pick()!
        XCTAssertFalse(lb.pick(avoiding: first) === first)

        let full = makeServers([1], maxconn: [1])
        let one = LoadBalancer(.roundRobin, full)
        one.connectionStarted(full[0])
        XCTAssertNil(one.pick())
        XCTAssertTrue(one.hasEligibleServers)
    }
}

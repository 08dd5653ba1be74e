import HAProxyConfig
import HAProxyCore
import XCTest

final class StaticRoundRobinTests: XCTestCase {
    func testDistributionIsExact() {
        let lb = LoadBalancer(.staticRoundRobin, makeServers([1, 2, 3]))
        XCTAssertEqual(lb.counts(6000), ["a": 1000, "b": 2000, "c": 3000])
    }

    /// Orders observed on haproxy 2.6.12 with `balance static-rr`.
    func testOrderMatchesHAProxy() {
        XCTAssertEqual(LoadBalancer(.staticRoundRobin, makeServers([3, 1])).sequence(8), "aaabaaab")
        XCTAssertEqual(LoadBalancer(.staticRoundRobin, makeServers([1, 2, 3])).sequence(12), "acbcbcacbcbc")
    }

    func testWeightChangeIsStaticButStateChangeIsImmediate() {
        let servers = makeServers([1, 1])
        let lb = LoadBalancer(.staticRoundRobin, servers)
        XCTAssertFalse(lb.isDynamic)
        servers[0].weight = 3
        lb.weightChanged(servers[0])
        XCTAssertEqual(lb.counts(10), ["a": 5, "b": 5])
        servers[1].isUsable = false
        lb.serverStateChanged(servers[1])
        XCTAssertEqual(lb.counts(4), ["a": 4])
        servers[1].isUsable = true
        lb.serverStateChanged(servers[1])
        // The table is rebuilt with the new weights at the state change.
        XCTAssertEqual(lb.counts(400), ["a": 300, "b": 100])
    }

    func testSkipsFullServers() {
        let servers = makeServers([1, 1, 1], maxconn: [0, 1, 0])
        let lb = LoadBalancer(.staticRoundRobin, servers)
        lb.connectionStarted(servers[1])
        XCTAssertEqual(lb.sequence(4), "acac")
    }
}

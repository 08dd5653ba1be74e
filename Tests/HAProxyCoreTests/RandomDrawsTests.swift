import HAProxyConfig
import HAProxyCore
import XCTest

final class RandomDrawsTests: XCTestCase {
    func testOneDrawFollowsWeights() {
        let lb = LoadBalancer(.random(draws: 1), makeServers([1, 2, 3]), seed: 7)
        let counts = lb.counts(60000)
        print("random(1) over weights 1,2,3:", counts)
        // The ring (16 points per unit of weight, as haproxy's) is not smooth:
        // the manual warns the distribution "will never be very smooth".
        XCTAssertEqual(Double(counts["a", default: 0]), 10000, accuracy: 4000)
        XCTAssertEqual(Double(counts["b", default: 0]), 20000, accuracy: 5000)
        XCTAssertEqual(Double(counts["c", default: 0]), 30000, accuracy: 5000)
    }

    func testTwoDrawsPickTheLessLoaded() {
        let servers = makeServers([1, 1, 1, 1])
        let lb = LoadBalancer(.random(draws: 2), servers, seed: 1)
        // With connections held open, picks stay close to even.
        for _ in 0..<400 { lb.connectionStarted(lb.pick()!) }
        let loads = servers.map(\.activeConnections)
        XCTAssertLessThanOrEqual(loads.max()! - loads.min()!, 12, "\(loads)")
        // A heavily loaded server is never chosen when two different servers are drawn.
        for _ in 0..<500 { lb.connectionStarted(servers[0]) }
        var hits = 0
        for _ in 0..<1000 where lb.pick() === servers[0] { hits += 1 }
        XCTAssertLessThan(hits, 100)
    }

    func testRespectsStateAndWeightChanges() {
        let servers = makeServers([1, 1])
        let lb = LoadBalancer(.random(draws: 2), servers, seed: 3)
        XCTAssertTrue(lb.isDynamic)
        servers[0].isUsable = false
        lb.serverStateChanged(servers[0])
        XCTAssertEqual(lb.counts(50), ["b": 50])
        servers[0].isUsable = true
        lb.serverStateChanged(servers[0])
        servers[1].weight = 0
        lb.weightChanged(servers[1])
        XCTAssertEqual(lb.counts(50), ["a": 50])
    }

    func testSeedsGiveRepeatableRuns() {
        let a = LoadBalancer(.random(draws: 2), makeServers([1, 1, 1]), seed: 9).sequence(50)
        let b = LoadBalancer(.random(draws: 2), makeServers([1, 1, 1]), seed: 9).sequence(50)
        XCTAssertEqual(a, b)
    }
}

import HAProxyConfig
import HAProxyCore
import XCTest

final class ConsistentHashTests: XCTestCase {
    private let uri = BalanceAlgorithm.uri(whole: false, length: nil, depth: nil, pathOnly: false)

    func testMatchesHAProxy() {
        typealias R = HAProxyReference
        let sdbm = LoadBalancer(uri, makeServers([1, 2, 3]), hashType: .consistent, avalanche: true)
        XCTAssertEqual(R.uris.map { u in withBytes(u) { sdbm.pick(uri: $0)!.name } }.joined(), R.uriConsistent123)
        let wt6 = LoadBalancer(uri, makeServers([5, 1, 2]), hashType: .consistent, function: .wt6)
        XCTAssertEqual(R.uris.map { u in withBytes(u) { wt6.pick(uri: $0)!.name } }.joined(), R.uriConsistentWT6)
        let source = LoadBalancer(.source, makeServers([1, 1, 1]), hashType: .consistent, avalanche: true)
        let picks = (1...30).map { x in [127, 0, 0, UInt8(x)].withUnsafeBytes { source.pick(sourceAddress: $0)!.name } }.joined()
        XCTAssertEqual(picks, R.sourceConsistent111)
    }

    func testRemovingAServerMovesOnlyItsKeys() {
        let servers = makeServers(Array(repeating: 1, count: 5))
        let lb = LoadBalancer(uri, servers, hashType: .consistent, avalanche: true)
        let keys = (0..<10000).map { "/cache/\($0)" }
        let before = keys.map { lb.pick($0)!.name }
        servers[2].isUsable = false
        lb.serverStateChanged(servers[2])
        let after = keys.map { lb.pick($0)!.name }
        var moved = 0
        for (b, a) in zip(before, after) where b != a {
            XCTAssertEqual(b, "c", "only keys of the removed server move")
            moved += 1
        }
        XCTAssertEqual(Double(moved) / Double(keys.count), 0.2, accuracy: 0.08)
        servers[2].isUsable = true
        lb.serverStateChanged(servers[2])
        XCTAssertEqual(keys.map { lb.pick($0)!.name }, before)
    }

    func testWeightsAndDynamicWeightChange() {
        let servers = makeServers([1, 3])
        let lb = LoadBalancer(uri, servers, hashType: .consistent, avalanche: true)
        XCTAssertTrue(lb.isDynamic)
        func share() -> Double {
            var b = 0
            for i in 0..<20000 where lb.pick("/k/\(i)")!.name == "b" { b += 1 }
            return Double(b) / 20000
        }
        XCTAssertEqual(share(), 0.75, accuracy: 0.1)
        servers[1].weight = 1
        lb.weightChanged(servers[1])
        XCTAssertEqual(share(), 0.5, accuracy: 0.1)
    }

    func testAvoidingTakesAnotherServerAndNoKeyWalksTheRing() {
        let servers = makeServers([1, 1, 1])
        let lb = LoadBalancer(uri, servers, hashType: .consistent, avalanche: true)
        let s = lb.pick("/x")!
        let other = lb.pick(key: Array("/x".utf8), avoiding: s)!
        XCTAssertFalse(other === s)
        let counts = lb.counts(4800)
        XCTAssertEqual(counts["a"], 1600)
        XCTAssertEqual(counts["b"], 1600)
        XCTAssertEqual(counts["c"], 1600)
    }
}

/// `hash-balance-factor`: bounded loads on the consistent ring.
final class ConsistentHashBoundedLoadTests: XCTestCase {
    /// Requests for one URI arriving one after the other while the
    /// earlier ones are still served, over servers a, b, c: the servers
    /// Debian's 2.6 sent them to (`balance uri`, `hash-type consistent`,
    /// the URI `/slow?ms=1500`, whose point is b's).
    func testSameURIOverflowsToTheNextServersAs26() {
        let observed: [Int: String] = [
            0: "bbbbbbbbb", 101: "bccbacbac", 125: "bccbcbacb", 150: "bcbcbcbcb", 200: "bcbbcbbcb", 300: "bbbbbbbbb",
        ]
        for (factor, expected) in observed.sorted(by: { $0.key < $1.key }) {
            XCTAssertEqual(picks(weights: [1, 1, 1], factor: factor, count: expected.count), expected,
                           "hash-balance-factor \(factor)")
        }
    }

    /// `balance uri` with `hash-type consistent` and `factor`.
    private func boundedURIBalancer(weights: [Int], factor: Int) -> LoadBalancer {
        var config = BalanceConfig(
            algorithm: .uri(whole: false, length: nil, depth: nil, pathOnly: false), hashType: .consistent,
            avalanche: true)  // as `hash-type consistent` implies
        config.hashBalanceFactor = factor
        return LoadBalancer(servers: makeServers(weights), config: config)
    }

    /// The servers `count` requests for `/slow?ms=1500` go to, each still
    /// served when the next comes.
    private func picks(weights: [Int], factor: Int, count: Int) -> String {
        let lb = boundedURIBalancer(weights: weights, factor: factor)
        var sequence = ""
        for _ in 0..<count {
            let server = withBytes("/slow?ms=1500") { lb.pick(uri: $0) }!
            lb.connectionStarted(server)
            sequence += server.name
        }
        return sequence
    }

    /// Weights are respected: the shares follow them (2.6 with weights
    /// 1, 3 and 2).
    func testSharesFollowTheWeights() {
        for (factor, expected) in [(125, "bbcbcbbcbcbb"), (150, "bbbcbbbcbbbc")] {
            XCTAssertEqual(picks(weights: [1, 3, 2], factor: factor, count: expected.count), expected,
                           "hash-balance-factor \(factor)")
        }
    }

    /// Finished connections give the room back.
    func testRoomComesBackAsConnectionsEnd() {
        let lb = boundedURIBalancer(weights: [1, 1, 1], factor: 150)
        let first = withBytes("/slow?ms=1500") { lb.pick(uri: $0) }!
        lb.connectionStarted(first)
        let second = withBytes("/slow?ms=1500") { lb.pick(uri: $0) }!
        XCTAssertFalse(first === second)
        lb.connectionEnded(first)
        XCTAssertTrue(withBytes("/slow?ms=1500") { lb.pick(uri: $0) }! === first)
    }
}

extension ConsistentHashBoundedLoadTests {
    /// `balance random` looks up the same ring: with a factor close to 100
    /// no server gets ahead of the others, where single random draws alone
    /// would leave them uneven.
    func testRandomIsBoundedToo() {
        func spread(factor: Int) -> [Int] {
            let servers = makeServers([1, 1, 1])
            var config = BalanceConfig(algorithm: .random(draws: 1))
            config.hashBalanceFactor = factor
            let lb = LoadBalancer(servers: servers, config: config, randomSeed: 7)
            for _ in 0..<60 { lb.connectionStarted(lb.pick()!) }
            return servers.map(\.activeConnections)
        }
        let bounded = spread(factor: 101)
        XCTAssertLessThanOrEqual(bounded.max()! - bounded.min()!, 2, "\(bounded)")
        let unbounded = spread(factor: 0)
        XCTAssertGreaterThan(unbounded.max()! - unbounded.min()!, 2, "\(unbounded)")
    }
}

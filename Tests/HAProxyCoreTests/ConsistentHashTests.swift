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

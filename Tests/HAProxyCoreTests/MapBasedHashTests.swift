import HAProxyConfig
import HAProxyCore
import XCTest

final class MapBasedHashTests: XCTestCase {
    private func uriPicks(_ lb: LoadBalancer, _ uris: [String]) -> String {
        uris.map { u in withBytes(u) { lb.pick(uri: $0)?.name ?? "-" } }.joined()
    }

    func testURIMatchesHAProxy() {
        typealias R = HAProxyReference
        let cases: [(BalanceAlgorithm, [Int], HashFunction, Bool, String)] = [
            (.uri(whole: false, length: nil, depth: nil, pathOnly: false), [1, 2, 3], .sdbm, false, R.uriMap123),
            (.uri(whole: false, length: 4, depth: nil, pathOnly: false), [1, 1, 1], .sdbm, false, R.uriLen4),
            (.uri(whole: false, length: nil, depth: 2, pathOnly: false), [1, 1, 1], .sdbm, false, R.uriDepth2),
            (.uri(whole: true, length: nil, depth: nil, pathOnly: false), [1, 1, 1], .sdbm, false, R.uriWhole),
            (.uri(whole: false, length: nil, depth: nil, pathOnly: false), [5, 1, 2], .crc32, true, R.uriMapCRC32Avalanche),
        ]
        for (algo, weights, function, avalanche, expected) in cases {
            let lb = LoadBalancer(algo, makeServers(weights), function: function, avalanche: avalanche)
            XCTAssertEqual(uriPicks(lb, R.uris), expected, "\(algo) \(weights) \(function)")
        }
    }

    func testURLParamMatchesHAProxy() {
        let lb = LoadBalancer(.urlParam(name: "id", checkPost: nil), makeServers([1, 1, 1]))
        XCTAssertEqual(uriPicks(lb, HAProxyReference.uris), HAProxyReference.urlParamID)
    }

    func testSourceMatchesHAProxy() {
        let lb = LoadBalancer(.source, makeServers([1, 1, 1]))
        let picks = (1...30).map { x in [127, 0, 0, UInt8(x)].withUnsafeBytes { lb.pick(sourceAddress: $0)!.name } }.joined()
        XCTAssertEqual(picks, HAProxyReference.sourceMap111)
    }

    func testHeaderMatchesHAProxy() {
        let host = LoadBalancer(.header(name: "host", useDomainOnly: true), makeServers([1, 1, 1]))
        XCTAssertEqual(HAProxyReference.hosts.map { h in withBytes(h) { host.pick(headerValue: $0)!.name } }.joined(),
                       HAProxyReference.hostDomainOnly)
        let key = LoadBalancer(.header(name: "x-key", useDomainOnly: false), makeServers([1, 1, 1]), function: .djb2)
        XCTAssertEqual(HAProxyReference.xKeys.map { h in withBytes(h) { key.pick(headerValue: $0)!.name } }.joined(),
                       HAProxyReference.xKeyDJB2)
    }

    func testSameKeySameServerAndWeights() {
        let lb = LoadBalancer(.uri(whole: false, length: nil, depth: nil, pathOnly: false), makeServers([1, 2, 3]))
        var counts: [String: Int] = [:]
        for i in 0..<6000 {
            let key = "/object/\(i)"
            let first = lb.pick(key)!.name
            XCTAssertEqual(lb.pick(key)!.name, first)
            counts[first, default: 0] += 1
        }
        XCTAssertEqual(counts["a", default: 0], 1000, accuracy: 150)
        XCTAssertEqual(counts["b", default: 0], 2000, accuracy: 200)
        XCTAssertEqual(counts["c", default: 0], 3000, accuracy: 200)
    }

    func testDownServerRehashesOverUsableOnes() {
        let servers = makeServers([1, 1, 1])
        let lb = LoadBalancer(.uri(whole: false, length: nil, depth: nil, pathOnly: false), servers)
        servers[1].isUsable = false
        lb.serverStateChanged(servers[1])
        for i in 0..<300 { XCTAssertNotEqual(lb.pick("/k\(i)")!.name, "b") }
        // Keys now divide by the remaining total weight (2).
        XCTAssertEqual(lb.pick(hash: 4)!.name, "a")
        XCTAssertEqual(lb.pick(hash: 5)!.name, "c")
        servers[1].isUsable = true
        lb.serverStateChanged(servers[1])
        XCTAssertEqual(lb.pick(hash: 4)!.name, "b")
    }

    func testStaticWeightChangeIgnoredUntilStateChange() {
        let servers = makeServers([1, 1])
        let lb = LoadBalancer(.source, servers)
        XCTAssertFalse(lb.isDynamic)
        servers[0].weight = 3
        lb.weightChanged(servers[0])
        XCTAssertEqual((0..<4).map { lb.pick(hash: UInt32($0))!.name }.joined(), "abab")
        servers[0].weight = 0
        lb.weightChanged(servers[0])
        XCTAssertEqual((0..<4).map { lb.pick(hash: UInt32($0))!.name }.joined(), "bbbb")
    }

    func testMissingKeyFallsBackToRoundRobin() {
        let lb = LoadBalancer(.header(name: "x", useDomainOnly: false), makeServers([1, 2]))
        XCTAssertEqual(lb.sequence(6), "abbabb")
        XCTAssertEqual(withBytes("") { lb.pick(headerValue: $0)!.name }, "a")
    }
}

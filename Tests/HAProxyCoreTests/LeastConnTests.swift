import HAProxyConfig
import HAProxyCore
import XCTest

final class LeastConnTests: XCTestCase {
    func testRoundRobinAmongEqualsWhenConnectionsAreShort() {
        let servers = makeServers([1, 1, 1])
        let lb = LoadBalancer(.leastConn, servers)
        var names = ""
        for _ in 0..<6 {
            let s = lb.pick()!
            names += s.name
            lb.connectionStarted(s)
            lb.connectionEnded(s)
        }
        XCTAssertEqual(names, "abcabc")
    }

    /// Observed on haproxy 2.6.12: idle servers rotate whatever their weight.
    func testIdleServersRotateLikeHAProxy() {
        let lb = LoadBalancer(.leastConn, makeServers([1, 3, 1]))
        var names = ""
        for _ in 0..<10 {
            let s = lb.pick()!
            names += s.name
            lb.connectionStarted(s)
            lb.connectionEnded(s)
        }
        XCTAssertEqual(names, "abcabcabca")
    }

    func testFollowsConnectionCounts() {
        let servers = makeServers([1, 1, 1])
        let lb = LoadBalancer(.leastConn, servers)
        for _ in 0..<3 { lb.connectionStarted(servers[0]) }
        lb.connectionStarted(servers[1])
        XCTAssertEqual(lb.pick()!.name, "c")
        lb.connectionStarted(servers[2])
        lb.connectionStarted(servers[2])
        XCTAssertEqual(lb.pick()!.name, "b")
        // Long-lived connections spread evenly: every pick goes to the least loaded.
        let fresh = makeServers([1, 1, 1])
        let lb2 = LoadBalancer(.leastConn, fresh)
        for _ in 0..<300 { lb2.connectionStarted(lb2.pick()!) }
        XCTAssertEqual(fresh.map(\.activeConnections), [100, 100, 100])
        for _ in 0..<50 { lb2.connectionEnded(fresh[1]) }
        for _ in 0..<50 { XCTAssertEqual(lb2.pick()!.name, "b"); lb2.connectionStarted(fresh[1]) }
    }

    func testWeightsScaleTheLoad() {
        let servers = makeServers([1, 3])
        let lb = LoadBalancer(.leastConn, servers)
        for _ in 0..<400 { lb.connectionStarted(lb.pick()!) }
        XCTAssertEqual(Double(servers[1].activeConnections), 300, accuracy: 2)
        // Dynamic weight change.
        servers[1].weight = 1
        lb.weightChanged(servers[1])
        for _ in 0..<200 { lb.connectionStarted(lb.pick()!) }
        XCTAssertEqual(servers[0].activeConnections, servers[1].activeConnections, accuracy: 1)
    }

    func testQueuedCountsAsLoadAndFullServersAreSkipped() {
        let servers = makeServers([1, 1], maxconn: [2, 0])
        let lb = LoadBalancer(.leastConn, servers)
        lb.queueChanged(servers[0], queued: 5)
        XCTAssertEqual(lb.pick()!.name, "b")
        lb.queueChanged(servers[0], queued: 0)
        for _ in 0..<5 { lb.connectionStarted(servers[1]) }
        lb.connectionStarted(servers[0])
        lb.connectionStarted(servers[0])
        XCTAssertEqual(lb.pick()!.name, "b", "a is at maxconn")
    }

    func testServerDown() {
        let servers = makeServers([1, 1])
        let lb = LoadBalancer(.leastConn, servers)
        servers[0].isUsable = false
        lb.serverStateChanged(servers[0])
        XCTAssertEqual(lb.sequence(3), "bbb")
    }
}

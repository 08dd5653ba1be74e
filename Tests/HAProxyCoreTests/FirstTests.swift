import HAProxyConfig
import HAProxyCore
import XCTest

final class FirstTests: XCTestCase {
    func testFillsServersInOrderUnderMaxconn() {
        let servers = makeServers([1, 1, 1], maxconn: [2, 3, 2])
        let lb = LoadBalancer(.first, servers)
        var names = ""
        for _ in 0..<7 {
            guard let s = lb.pick() else { names += "-"; continue }
            names += s.name
            lb.connectionStarted(s)
        }
        XCTAssertEqual(names, "aabbbcc")
        XCTAssertNil(lb.pick(), "all full: the runtime queues")
        XCTAssertTrue(lb.hasEligibleServers)
        lb.connectionEnded(servers[1])
        XCTAssertEqual(lb.pick()!.name, "b")
        lb.connectionEnded(servers[0])
        XCTAssertEqual(lb.pick()!.name, "a")
    }

    func testOrderedByIDAndIgnoresWeight() {
        let servers = makeServers([1, 100, 5], maxconn: [1, 1, 1], ids: [30, 20, 10])
        let lb = LoadBalancer(.first, servers)
        var names = ""
        for _ in 0..<3 { let s = lb.pick()!; names += s.name; lb.connectionStarted(s) }
        XCTAssertEqual(names, "cba")
    }

    func testNoMaxconnTakesEverythingAndDownServersAreSkipped() {
        let servers = makeServers([1, 1])
        let lb = LoadBalancer(.first, servers)
        XCTAssertEqual(lb.sequence(5), "aaaaa")
        servers[0].isUsable = false
        lb.serverStateChanged(servers[0])
        XCTAssertEqual(lb.sequence(2), "bb")
    }
}

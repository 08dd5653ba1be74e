import XCTest

@testable import HAProxyDNS

final class ResolutionTests: XCTestCase {
    var nextID: UInt16 = 100
    func id() -> UInt16 {
        nextID &+= 1
        return nextID
    }

    func answer(to query: DNSQuery, rcode: UInt16 = 0, _ addresses: [[UInt8]]) -> DNSResponse {
        var b = AnswerBuilder(id: query.id, flags: 0x8180 | rcode, answers: addresses.count)
        b.question(query.name, type: query.type.rawValue)
        for a in addresses { b.record(type: a.count == 4 ? 1 : 28, data: a) }
        return try! DNSResponse(parsing: b.bytes)
    }

    func sent(_ action: Resolution.Action) throws -> DNSQuery {
        struct NoQuery: Error { let action: Resolution.Action }
        guard case .send(let q) = action else { throw NoQuery(action: action) }
        return q
    }

    func testPrefersIPv6ThenFallsBackToIPv4AndAsksAgainAfterTimeoutResolve() throws {
        var timers = ResolutionTimers()
        timers.resolveMs = 5000
        var r = Resolution(name: "web.test", prefer: .ipv6, timers: timers)
        let q1 = try sent(r.poll(nowMs: 0, nextID: id))
        XCTAssertEqual(q1.type, .aaaa)
        let (v1, a1) = r.receive(answer(to: q1, rcode: 5, []), nowMs: 1, nextID: id)
        XCTAssertEqual(v1, .counted(.refused, truncated: false))
        let q2 = try sent(a1)
        XCTAssertEqual(q2.type, .a)
        let (_, a2) = r.receive(answer(to: q2, [[10, 0, 0, 1]]), nowMs: 2, nextID: id)
        XCTAssertEqual(a2, .finished(.valid))
        XCTAssertEqual(r.addresses.map(\.bytes), [[10, 0, 0, 1]])
        XCTAssertEqual(r.poll(nowMs: 4000, nextID: id), .none)
        XCTAssertEqual(try sent(r.poll(nowMs: 5002, nextID: id)).type, .aaaa)
    }

    /// Valid or not, a name is asked again every `timeout resolve`: 2.6's
    /// `hold valid` does not space the resolutions of servers.
    func testNamesAreAskedAgainEveryTimeoutResolve() throws {
        var timers = ResolutionTimers()
        timers.resolveMs = 100
        var r = Resolution(name: "web.test", prefer: .ipv4, timers: timers)
        let q = try sent(r.poll(nowMs: 0, nextID: id))
        _ = r.receive(answer(to: q, [[10, 0, 0, 1]]), nowMs: 10, nextID: id)
        XCTAssertEqual(r.poll(nowMs: 109, nextID: id), .none)
        let q2 = try sent(r.poll(nowMs: 110, nextID: id))
        let q3 = try sent(r.receive(answer(to: q2, rcode: 3, []), nowMs: 120, nextID: id).1)  // the other family at once
        XCTAssertEqual(r.receive(answer(to: q3, rcode: 3, []), nowMs: 125, nextID: id).1, .finished(.nx))
        XCTAssertEqual(r.poll(nowMs: 224, nextID: id), .none)
        XCTAssertEqual(try sent(r.poll(nowMs: 225, nextID: id)).type, .a)
    }

    func testOutdatedAndForeignAnswers() throws {
        var r = Resolution(name: "web.test", prefer: .ipv4, timers: ResolutionTimers())
        let q = try sent(r.poll(nowMs: 0, nextID: id))
        var stale = q
        stale.id &+= 1000
        XCTAssertEqual(r.receive(answer(to: stale, [[1, 1, 1, 1]]), nowMs: 1, nextID: id).0, .outdated)
        var other = q
        other.name = "other.test"
        XCTAssertEqual(r.receive(answer(to: other, [[1, 1, 1, 1]]), nowMs: 1, nextID: id).0, .counted(.invalid, truncated: false))
        XCTAssertTrue(r.addresses.isEmpty)
    }

    func testRetriesThenTimesOutAndTheHoldExpires() throws {
        var timers = ResolutionTimers()
        timers.retries = 2
        timers.retryMs = 100
        timers.holdTimeoutMs = 20_000
        var r = Resolution(name: "web.test", prefer: .ipv4, timers: timers)
        let q = try sent(r.poll(nowMs: 0, nextID: id))
        _ = r.receive(answer(to: q, [[10, 0, 0, 1]]), nowMs: 0, nextID: id)
        XCTAssertEqual(r.poll(nowMs: 999, nextID: id), .none)
        _ = try sent(r.poll(nowMs: 10_000, nextID: id))
        XCTAssertEqual(r.poll(nowMs: 10_050, nextID: id), .none)
        _ = try sent(r.poll(nowMs: 10_100, nextID: id))  // the second try
        XCTAssertEqual(r.poll(nowMs: 10_200, nextID: id), .finished(.timeout))
        XCTAssertFalse(r.holdExpired(nowMs: 10_200))
        XCTAssertTrue(r.holdExpired(nowMs: 20_000))
        XCTAssertEqual(r.addresses.map(\.bytes), [[10, 0, 0, 1]])
    }

    /// A UDP answer with the TC bit is never used: with a `tcp@`
    /// nameserver the resolution waits for its complete answer, otherwise
    /// it moves on to the other family as after an error.
    func testTruncatedAnswersAreNeverUsed() throws {
        func truncated(_ query: DNSQuery) -> DNSResponse {
            var b = AnswerBuilder(id: query.id, flags: 0x8380, answers: 1)
            b.question(query.name, type: query.type.rawValue)
            b.record(type: 1, data: [10, 0, 0, 1])
            return try! DNSResponse(parsing: b.bytes)
        }
        var waiting = Resolution(name: "web.test", prefer: .ipv4, timers: ResolutionTimers())
        let q = try sent(waiting.poll(nowMs: 0, nextID: id))
        let (v1, a1) = waiting.receiveTruncated(truncated(q), completeAnswerComing: true, nowMs: 1, nextID: id)
        XCTAssertEqual(v1, .truncated)
        XCTAssertEqual(a1, .none, "the TCP answer is awaited")
        XCTAssertTrue(waiting.addresses.isEmpty)
        let (_, a2) = waiting.receive(answer(to: q, [[10, 0, 0, 1], [10, 0, 0, 2]]), nowMs: 2, nextID: id)
        XCTAssertEqual(a2, .finished(.valid))
        XCTAssertEqual(waiting.addresses.map(\.bytes), [[10, 0, 0, 1], [10, 0, 0, 2]])

        var udpOnly = Resolution(name: "web.test", prefer: .ipv4, timers: ResolutionTimers())
        let q2 = try sent(udpOnly.poll(nowMs: 0, nextID: id))
        let (v3, a3) = udpOnly.receiveTruncated(truncated(q2), completeAnswerComing: false, nowMs: 1, nextID: id)
        XCTAssertEqual(v3, .truncated)
        XCTAssertEqual(try sent(a3).type, .aaaa, "on to the other family")
        XCTAssertTrue(udpOnly.addresses.isEmpty)
        var stale = q2
        stale.id &+= 7
        XCTAssertEqual(udpOnly.receiveTruncated(truncated(stale), completeAnswerComing: false, nowMs: 2, nextID: id).0, .outdated)
        var counters = NameserverCounters()
        counters.count(.truncated)
        XCTAssertEqual([counters.truncated, counters.other, counters.invalid], [1, 0, 0])
    }

    func testObsoleteAddressesStayForTheirHold() throws {
        var timers = ResolutionTimers()
        timers.resolveMs = 100
        timers.holdObsoleteMs = 300
        var r = Resolution(name: "m.test", prefer: .ipv4, timers: timers)
        var q = try sent(r.poll(nowMs: 0, nextID: id))
        _ = r.receive(answer(to: q, [[1, 0, 0, 1], [1, 0, 0, 2]]), nowMs: 0, nextID: id)
        q = try sent(r.poll(nowMs: 100, nextID: id))
        _ = r.receive(answer(to: q, [[1, 0, 0, 1]]), nowMs: 100, nextID: id)
        XCTAssertEqual(r.addresses.count, 2)
        q = try sent(r.poll(nowMs: 300, nextID: id))
        _ = r.receive(answer(to: q, [[1, 0, 0, 1]]), nowMs: 300, nextID: id)
        XCTAssertEqual(r.addresses.map(\.bytes), [[1, 0, 0, 1]])
    }

    func testServiceNamesAskForSRVRecordsWithoutFallback() throws {
        var r = Resolution(name: "_http._tcp.svc.test", prefer: .ipv6, timers: ResolutionTimers())
        XCTAssertTrue(r.isService)
        let q = try sent(r.poll(nowMs: 0, nextID: id))
        XCTAssertEqual(q.type, .srv)
        var b = AnswerBuilder(id: q.id, answers: 1)
        b.question(q.name, type: 33)
        b.record(type: 33, data: [0, 0, 0, 10, 0x1f, 0x41] + DNSName.encode("a.svc.test")!)
        let (verdict, action) = r.receive(try DNSResponse(parsing: b.bytes), nowMs: 1, nextID: id)
        XCTAssertEqual(verdict, .counted(.valid, truncated: false))
        XCTAssertEqual(action, .finished(.valid))
        XCTAssertEqual(r.services.map(\.record.target), ["a.svc.test"])
        let q2 = try sent(r.poll(nowMs: 20_000, nextID: id))
        var nx = AnswerBuilder(id: q2.id, flags: 0x8183, answers: 0)
        nx.question(q2.name, type: 33)
        XCTAssertEqual(r.receive(try DNSResponse(parsing: nx.bytes), nowMs: 20_001, nextID: id).1, .finished(.nx))
    }

    func testAssignmentKeepsAddressesAndAvoidsDuplicates() {
        let a: [UInt8] = [1, 0, 0, 1], b: [UInt8] = [1, 0, 0, 2], c: [UInt8] = [10, 0, 0, 3]
        typealias M = AddressAssignment.Member
        // On a tie the last address of the answers wins, as on 2.6.
        XCTAssertEqual(AddressAssignment.assign([M(current: nil), M(current: nil), M(current: nil)], available: [a, b]), [b, a, nil])
        XCTAssertEqual(AddressAssignment.assign([M(current: b), M(current: nil)], available: [a, b]), [b, a])
        XCTAssertEqual(AddressAssignment.assign([M(current: a), M(current: nil, allowDuplicates: true)], available: [a]), [a, a])
        let net = [([UInt8]([10, 0, 0, 0]), 8)]
        XCTAssertEqual(AddressAssignment.assign([M(current: nil, preferredNetworks: net)], available: [c, a]), [c])
        // The current address is kept even when a resolve-net address appears.
        XCTAssertEqual(AddressAssignment.assign([M(current: a, preferredNetworks: net)], available: [a, c]), [a])
        // allow-dup-ip still prefers an address no other server uses.
        XCTAssertEqual(AddressAssignment.assign([M(current: a), M(current: nil, allowDuplicates: true)], available: [b, a]), [a, b])
        // A server keeps its address when a later one shares it through allow-dup-ip.
        XCTAssertEqual(AddressAssignment.assign([M(current: a), M(current: a, allowDuplicates: true)], available: [a]), [a, a])
        // A later server's current address counts as used: the first server takes another.
        XCTAssertEqual(AddressAssignment.assign([M(current: nil), M(current: a)], available: [b, a]), [b, a])
        XCTAssertEqual(AddressAssignment.assign([M(current: nil), M(current: a)], available: [a]), [nil, a])
    }

    func testShowResolversLayout() {
        var c = NameserverCounters()
        c.sent = 12
        var out = ""
        c.render(name: "dns", into: &out)
        XCTAssertTrue(out.hasPrefix(" nameserver dns:\n  sent:        12\n  snd_error:   0\n"))
        XCTAssertTrue(out.contains("\n  cname_error: 0\n"))
        XCTAssertTrue(out.hasSuffix("  outdated:    0\n"))
    }
}

import HAProxyIO
import NIOCore
import XCTest
@testable import HAProxyCore

/// Stream timers on a running driver loop: every armed timer fires once,
/// at or after its deadline and in deadline order; cancelled ones never
/// fire; a deadline moved later fires at the later time.
final class StreamTimerTests: XCTestCase {
    private final class Owner: TimeoutOwner {
        let id: Int
        let fired: (Int) -> Void
        init(id: Int, fired: @escaping (Int) -> Void) {
            self.id = id
            self.fired = fired
        }
        func timedOut() { fired(id) }
    }

    private var loop: IOLoop!

    override func setUpWithError() throws {
        loop = try IOLoop()
        loop.start(name: "timer-test")
    }

    override func tearDownWithError() throws {
        try loop.syncShutdownGracefully()
    }

    func testRandomTimersFireInDeadlineOrderAndCancelledOnesNever() throws {
        let seed = UInt64.random(in: 0...UInt64.max)
        print("StreamTimerTests seed: \(seed)")
        var rng = SplitMix64(seed: seed)
        let loop = self.loop!
        let done = loop.makePromise(of: Void.self)
        struct Plan { var ms: Int; var cancelled: Bool; var deadline = NIODeadline.now() }
        var plans = (0..<200).map { _ in Plan(ms: Int(rng.next() % 60) + 1, cancelled: rng.next() % 4 == 0) }
        var fired: [(id: Int, at: NIODeadline)] = []
        let expected = plans.filter { !$0.cancelled }.count
        var owners: [Owner] = []
        var timers: [StreamTimer] = []
        try loop.submit {
            for i in plans.indices {
                let owner = Owner(id: i) { id in
                    fired.append((id, .now()))
                    if fired.count == expected { done.succeed(()) }
                }
                owners.append(owner)
                let timer = StreamTimer(loop: loop, owner: owner)
                timers.append(timer)
                timer.arm(ms: plans[i].ms)
                plans[i].deadline = timer.deadline!
            }
            for i in plans.indices where plans[i].cancelled { timers[i].cancel() }
        }.wait()
        try done.futureResult.wait()
        // Anything cancelled that was still going to fire would have by now.
        try loop.scheduleTask(in: .milliseconds(80)) {}.futureResult.wait()
        try loop.submit {
            XCTAssertEqual(fired.count, expected)
            XCTAssertEqual(Set(fired.map(\.id)), Set(plans.indices.filter { !plans[$0].cancelled }))
            for (id, at) in fired { XCTAssertGreaterThanOrEqual(at, plans[id].deadline) }
            let deadlines = fired.map { plans[$0.id].deadline }
            XCTAssertEqual(deadlines, deadlines.sorted())
        }.wait()
        withExtendedLifetime(owners) {}
    }

    func testDeadlineMovedLaterFiresLater() throws {
        let loop = self.loop!
        let done = loop.makePromise(of: NIODeadline.self)
        let owner = Owner(id: 0) { _ in done.succeed(.now()) }
        let timer = try loop.submit { StreamTimer(loop: loop, owner: owner) }.wait()
        let start = NIODeadline.now()
        try loop.submit { timer.arm(ms: 10) }.wait()
        try loop.submit { timer.arm(ms: 60) }.wait()
        let at = try done.futureResult.wait()
        XCTAssertGreaterThanOrEqual(at, start + .milliseconds(60))
        try loop.submit { XCTAssertNil(timer.deadline) }.wait()
    }
}

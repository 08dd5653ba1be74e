#if canImport(Glibc)
import Glibc
#endif
import HAProxyIO
import NIOConcurrencyHelpers
import NIOCore
import XCTest

/// A test case with a running `IOLoop`, shut down after each test.
class IOLoopTestCase: XCTestCase {
    var loop: IOLoop!

    override func setUpWithError() throws {
        loop = try IOLoop()
        loop.start(name: "io-test")
    }

    override func tearDownWithError() throws {
        try loop.syncShutdownGracefully()
    }
}

final class IOLoopTests: IOLoopTestCase {
    func testExecuteRunsOnTheLoopThread() throws {
        XCTAssertFalse(loop.inEventLoop)
        let onLoop = try loop.submit { self.loop.inEventLoop }.wait()
        XCTAssertTrue(onLoop)
    }

    func testTasksPostedOnTheLoopRunAfterTheCurrentOneInOrder() throws {
        let box = NIOLockedValueBox<[Int]>([])
        let done = loop.makePromise(of: Void.self)
        loop.execute {
            box.withLockedValue { $0.append(1) }
            self.loop.execute {
                box.withLockedValue { $0.append(3) }
                done.succeed(())
            }
            box.withLockedValue { $0.append(2) }
        }
        try done.futureResult.wait()
        XCTAssertEqual(box.withLockedValue { $0 }, [1, 2, 3])
    }

    func testScheduledTasksRunInDeadlineOrderAndCancelledOnesNever() throws {
        let box = NIOLockedValueBox<[Int]>([])
        let now = NIODeadline.now()
        let late = loop.scheduleTask(deadline: now + .milliseconds(60)) { box.withLockedValue { $0.append(3) } }
        let cancelled = loop.scheduleTask(deadline: now + .milliseconds(20)) { box.withLockedValue { $0.append(99) } }
        loop.scheduleTask(deadline: now + .milliseconds(10)) { box.withLockedValue { $0.append(1) } }
        loop.scheduleTask(deadline: now + .milliseconds(30)) { box.withLockedValue { $0.append(2) } }
        cancelled.cancel()
        XCTAssertThrowsError(try cancelled.futureResult.wait())
        try late.futureResult.wait()
        XCTAssertEqual(box.withLockedValue { $0 }, [1, 2, 3])
        XCTAssertGreaterThanOrEqual(NIODeadline.now(), now + .milliseconds(60))
    }

    func testTimersCancelledOnTheLoopDoNotFire() throws {
        let box = NIOLockedValueBox<[String]>([])
        let done = loop.makePromise(of: Void.self)
        loop.execute {
            let now = NIODeadline.now()
            let timer = self.loop.schedule(at: now + .milliseconds(5)) { box.withLockedValue { $0.append("cancelled") } }
            _ = self.loop.schedule(at: now + .milliseconds(10)) { box.withLockedValue { $0.append("fired") } }
            _ = self.loop.schedule(at: now + .milliseconds(20)) { done.succeed(()) }
            timer.cancel()
        }
        try done.futureResult.wait()
        XCTAssertEqual(box.withLockedValue { $0 }, ["fired"])
    }

    func testManyRemoteTasksAllRun() throws {
        let count = NIOLockedValueBox(0)
        let threads = 4, perThread = 5000
        let group = DispatchGroup()
        for _ in 0..<threads {
            DispatchQueue.global().async(group: group) {
                for _ in 0..<perThread { self.loop.execute { count.withLockedValue { $0 += 1 } } }
            }
        }
        group.wait()
        try loop.submit {}.wait()
        XCTAssertEqual(count.withLockedValue { $0 }, threads * perThread)
    }
}

final class IOLoopTurnClockTests: IOLoopTestCase {
    /// Everything a turn does is dated with the time read once in it, as
    /// HAProxy dates what follows a poll; the next turn reads it again.
    func testTheLoopsTimeIsTheTurnsAndMovesOnWithTheNextTurn() throws {
        let (first, again) = try loop.submit { () -> (NIODeadline, NIODeadline) in
            let first = self.loop.now
            while NIODeadline.now() <= first + .milliseconds(2) {}
            return (first, self.loop.now)
        }.wait()
        XCTAssertEqual(first, again)
        let next = try loop.submit { self.loop.now }.wait()
        XCTAssertGreaterThanOrEqual(next, first + .milliseconds(2))
    }
}

final class IOLoopTimerHeapTests: IOLoopTestCase {
    /// Random deadlines, all passed, a random third cancelled: the others
    /// run in one turn, by deadline and then in the order scheduled.
    func testRandomTimersRunInDeadlineOrderAndCancelledOnesNever() throws {
        let seed = UInt64.random(in: 1...UInt64.max)
        print("IOLoopTimerHeapTests seed: \(seed)")
        var rng = SplitMix(seed: seed)
        let order = NIOLockedValueBox<[Int]>([])
        let done = loop.makePromise(of: Void.self)
        let want = try loop.submit { () -> [Int] in
            let base = self.loop.now - .seconds(10)
            var expected: [(deadline: Int64, index: Int)] = []
            var timers: [IOTimer] = []
            for index in 0..<500 {
                let offset = Int64(rng.next() % 200)
                timers.append(self.loop.schedule(at: base + .milliseconds(offset)) {
                    order.withLockedValue { $0.append(index) }
                })
                expected.append((offset, index))
            }
            var cancelled = Set<Int>()
            for index in 0..<500 where rng.next() % 3 == 0 {
                timers[index].cancel()
                cancelled.insert(index)
            }
            // Due after all of them, still in the past: runs last.
            _ = self.loop.schedule(at: base + .milliseconds(300)) { done.succeed(()) }
            return expected.filter { !cancelled.contains($0.index) }
                .sorted { ($0.deadline, $0.index) < ($1.deadline, $1.index) }.map(\.index)
        }.wait()
        try done.futureResult.wait()
        let ran = (want, order.withLockedValue { $0 })
        XCTAssertEqual(ran.1, ran.0, "seed \(seed)")
    }
}

import XCTest

@testable import HAProxyConfig

/// `cpu-map`, `thread-groups` and `thread-group`: what each accepted form
/// binds. The forms and their messages were checked against 2.6.12 with
/// `haproxy -c` (Fixtures/errors/cpumap*.cfg and threadgroup*.cfg hold the
/// golden messages), and what they bind by reading
/// /proc/PID/task/*/status of the real one started with `-db`, `-D` and
/// `-W` on a 2-CPU machine.
final class ThreadKeywordsTests: XCTestCase {
    private func cpuMap(_ lines: String, nbthread: Int = 2) throws -> CPUMap {
        let (config, diagnostics) = TestSupport.load("global\n  nbthread \(nbthread)\n" + lines)
        XCTAssertEqual(diagnostics.alerts.map(\.message), [])
        return try XCTUnwrap(config).global.cpuMap
    }

    func testThreadSetsAndRanges() throws {
        var map = try cpuMap("  cpu-map 1/2 1\n  cpu-map 1/odd 0 2-3\n")
        XCTAssertEqual(map.threads[2], [1])
        XCTAssertEqual(map.threads[1], [0, 2, 3])
        XCTAssertEqual(map.threads[63], [0, 2, 3], "odd names threads 1 to 63, whatever nbthread")
        XCTAssertNil(map.threads[4])
        XCTAssertNil(map.process)
        // A range given high bound first is the same range; an open range
        // ends at 64 for threads and at 1023 for CPUs.
        map = try cpuMap("  cpu-map 1/2-1 3-1\n  cpu-map 1/63- 5-\n")
        XCTAssertEqual(map.threads[1], [1, 2, 3])
        XCTAssertEqual(map.threads[2], [1, 2, 3])
        XCTAssertEqual(map.threads[64], Array(5...1023))
        // CPU numbers are read as 2.6 reads them: digits, the rest ignored.
        map = try cpuMap("  cpu-map 1/2 1x\n  cpu-map 1/3 0-x\n  cpu-map 1/4 1-x\n")
        XCTAssertEqual(map.threads[2], [1])
        XCTAssertEqual(map.threads[3], [0])
        XCTAssertEqual(map.threads[4], [0, 1])
    }

    func testTheLastOverlappingLineWins() throws {
        let map = try cpuMap("  cpu-map 1/all 1\n  cpu-map 1/2 0\n")
        XCTAssertEqual(map.threads[1], [1])
        XCTAssertEqual(map.threads[2], [0])
        XCTAssertEqual(try cpuMap("  cpu-map 1/2 0\n  cpu-map 1/all 1\n").threads[2], [1])
    }

    /// `1` (group 1) and `1/1` name the process, as in 2.6, where neither
    /// binds thread 1 when started in the foreground; a thread is bound
    /// on the intersection of its set with the process's, nothing when
    /// that is empty.
    func testGroupAndFirstThreadNameTheProcess() throws {
        var map = try cpuMap("  cpu-map 1 1\n  cpu-map 1/2 0\n  cpu-map 1/3-4 0-1\n", nbthread: 4)
        XCTAssertEqual(map.process, [1])
        XCTAssertNil(map.threads[1])
        XCTAssertNil(map.cpus(forThread: 1))
        XCTAssertNil(map.cpus(forThread: 2), "{0} and {1} do not meet: no binding")
        XCTAssertEqual(map.cpus(forThread: 3), [1])
        map = try cpuMap("  cpu-map 1/1 0\n")
        XCTAssertEqual(map.process, [0])
        XCTAssertTrue(map.threads.isEmpty)
        map = try cpuMap("  cpu-map all 0\n  cpu-map 1-2/1-2 1\n")
        XCTAssertEqual(map.process, [0])
        XCTAssertEqual(map.threads[2], [1])
        // Groups other than 1 do not exist in 2.6: their lines bind nothing.
        map = try cpuMap("  cpu-map 2 0\n  cpu-map 2-3/1-2 1\n  cpu-map auto:2/1 0\n")
        XCTAssertTrue(map.isEmpty)
    }

    func testAutoGivesEachThreadOneCPUInOrder() throws {
        var map = try cpuMap("  cpu-map auto:1/1-2 1 0\n")
        XCTAssertEqual(map.threads[1], [0])
        XCTAssertEqual(map.threads[2], [1])
        map = try cpuMap("  cpu-map auto:1/even 32-63\n")
        XCTAssertEqual(map.threads[2], [32])
        XCTAssertEqual(map.threads[64], [63])
        XCTAssertNil(map.threads[1])
        // One CPU for several threads: the first thread takes it.
        map = try cpuMap("  cpu-map auto:1/1-4 1\n")
        XCTAssertEqual(map.threads, [1: [1]])
        // A group range with several groups is spread over the CPUs: group
        // 1 takes the first; the thread range then gets one CPU each.
        map = try cpuMap("  cpu-map auto:1-2/1 3-4\n  cpu-map auto:1-2/2-3 5-6\n")
        XCTAssertEqual(map.process, [3])
        XCTAssertEqual(map.threads[2], [5])
        XCTAssertEqual(map.threads[3], [6])
    }

    func testErrorsNameTheLineAndTheWord() {
        let (config, diagnostics) = TestSupport.load(
            "global\n  cpu-map auto:1/1-2 0-2\n  cpu-map 1/0 0\n  cpu-map 1/1 x\n  cpu-map 1/1 0-1024\n")
        XCTAssertNil(config)
        XCTAssertEqual(
            diagnostics.alerts.prefix(4).map(\.message),
            [
                "parsing [test.cfg:2] : cpu-map : PROC/THREAD range and CPU sets must have the same size to be automatically bound",
                "parsing [test.cfg:3] : cpu-map : '0' is not a valid number/range. It supports numbers from 1 to 64.\n",
                "parsing [test.cfg:4] : cpu-map : 'x' is not a CPU range.",
                "parsing [test.cfg:5] : cpu-map : supports CPU numbers from 0 to 1023.",
            ])
    }

    func testThreadGroupsPlaceEveryThreadInGroupOne() throws {
        var (config, diagnostics) = TestSupport.load("global\n  nbthread 2\n  thread-groups 1\n  thread-group 1 1-2\n")
        XCTAssertEqual(diagnostics.alerts.map(\.message), [])
        XCTAssertEqual(try XCTUnwrap(config).global.threadGroups.enumerated, [1, 2])
        // Threads above nbthread do not count; a line without threads gives
        // the group all of them.
        (config, diagnostics) = TestSupport.load("global\n  nbthread 2\n  thread-group 1 1-64\n")
        XCTAssertEqual(diagnostics.alerts.map(\.message), [])
        (config, diagnostics) = TestSupport.load("global\n  nbthread 2\n  thread-group 1 2\n  thread-group 1\n")
        XCTAssertEqual(diagnostics.alerts.map(\.message), [])
        XCTAssertTrue(try XCTUnwrap(config).global.threadGroups.takesRemaining)
        // A thread left out stops the start: 2.6 has one group only.
        (config, diagnostics) = TestSupport.load("global\n  nbthread 2\n  thread-group 1 2\n")
        XCTAssertNil(config)
        XCTAssertEqual(
            diagnostics.alerts.prefix(1).map(\.message),
            [
                "Remaining unassigned threads found (1) because all groups are in use. Please increase 'thread-groups', reduce 'nbthreads' or remove or extend 'thread-group' enumerations."
            ])
    }

    /// 2.6 keeps part of an earlier enumeration of the group when a line
    /// enumerates it again, and accepts some lists with gaps while leaving
    /// threads out (`thread-group 1 2 4` passes with nbthread 4, `1 3` too,
    /// `4 2` does not): this build refuses both rather than guess.
    func testGroupEnumeratedTwiceOrWithGapsIsRefused() {
        let (config, diagnostics) = TestSupport.load(
            "global\n  nbthread 4\n  thread-group 1 1-2\n  thread-group 1 3-4\n  thread-group 1 1 3\n")
        XCTAssertNil(config)
        XCTAssertEqual(
            diagnostics.alerts.prefix(2).map(\.message),
            [
                "parsing [test.cfg:4] : 'thread-group 1' : enumerating the group's threads again is not supported by this build.",
                "parsing [test.cfg:5] : 'thread-group 1' : enumerating the group's threads again is not supported by this build.",
            ])
        let (again, more) = TestSupport.load("global\n  nbthread 4\n  thread-group 1 2 4\n")
        XCTAssertNil(again)
        XCTAssertEqual(
            more.alerts.first?.message,
            "parsing [test.cfg:3] : 'thread-group 1' : a thread list with gaps is not supported by this build.")
    }
}

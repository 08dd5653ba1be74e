import HAProxyConfig
import XCTest

@testable import HAProxyCore

/// The first-check delays recorded from 2.6.12 (a server timing each
/// check's connection; see `CheckStartSchedule`).
final class CheckStartScheduleTests: XCTestCase {
    func testDelaysAsRecorded() {
        // Ten servers with `inter 500`: 50 ms apart.
        XCTAssertEqual(CheckStartSchedule.delays(Array(repeating: 500, count: 10)),
                       [0, 50, 100, 150, 200, 250, 300, 350, 400, 450])
        XCTAssertEqual(CheckStartSchedule.delays([2000, 2000, 2000, 2000]), [0, 500, 1000, 1500])
        // Two backends, the second with `inter 4s`: numbered together.
        XCTAssertEqual(CheckStartSchedule.delays([2000, 2000, 4000, 4000]), [0, 500, 2000, 3000])
        // A short interval does not space the others.
        XCTAssertEqual(CheckStartSchedule.delays([500, 2000, 2000, 2000]), [0, 500, 1000, 1500])
        XCTAssertEqual(CheckStartSchedule.delays([3000, 1200, 3000, 3000]), [0, 300, 1500, 2250])
        // A server without check takes no place: three checks a third apart.
        XCTAssertEqual(CheckStartSchedule.delays([2000, 2000, 2000]), [0, 666, 1333])
        XCTAssertEqual(CheckStartSchedule.delays([]), [])
    }

    func testStartingInterval() {
        var options = ServerOptions()
        options.interMs = 2000
        XCTAssertEqual(CheckStartSchedule.checkInterval(options, startsUp: true), 2000)
        // `fastinter` while the health (`rise` at start) is below its top...
        options.fastinterMs = 400
        options.downinterMs = 3000
        XCTAssertEqual(CheckStartSchedule.checkInterval(options, startsUp: true), 400)
        // ...which it is at once with `fall 1`.
        options.fall = 1
        XCTAssertEqual(CheckStartSchedule.checkInterval(options, startsUp: true), 2000)
        XCTAssertEqual(CheckStartSchedule.checkInterval(options, startsUp: false), 3000)
    }
}

import XCTest

@testable import HAProxyCore

/// Lines recorded from HAProxy 2.6.12 (`log stdout format raw local0`).
final class HealthCheckMessagesTests: XCTestCase {
    func testResultReasons() {
        XCTAssertEqual(HealthCheckResult(code: .L4CON, info: "Connection refused").reasonText,
                       #"Layer4 connection problem, info: "Connection refused", check duration: 0ms"#)
        XCTAssertEqual(HealthCheckResult(code: .L4TOUT, durationMs: 501).reasonText, "Layer4 timeout, check duration: 501ms")
        XCTAssertEqual(HealthCheckResult(code: .L4OK).reasonText, "Layer4 check passed, check duration: 0ms")
        XCTAssertEqual(HealthCheckResult(code: .L7OK, statusCode: 200, durationMs: 1).reasonText,
                       "Layer7 check passed, code: 200, check duration: 1ms")
        XCTAssertEqual(HealthCheckResult(code: .L7STS, statusCode: 503, info: "Service Unavailable").reasonText,
                       #"Layer7 wrong status, code: 503, info: "Service Unavailable", check duration: 0ms"#)
        XCTAssertEqual(HealthCheckResult(code: .L7RSP).reasonText, "Layer7 invalid response, check duration: 0ms")
        XCTAssertEqual(HealthCheckResult(code: .L7TOUT, durationMs: 502).reasonText, "Layer7 timeout, check duration: 502ms")
        XCTAssertEqual(HealthCheckResult(code: .L7OK, statusCode: 0, info: "(tcp-check)").reasonText,
                       #"Layer7 check passed, code: 0, info: "(tcp-check)", check duration: 0ms"#)
    }

    func testServerDown() {
        let r = HealthCheckResult(code: .L4CON, info: "Connection refused")
        XCTAssertEqual(
            HealthCheckMessages.serverDown(backend: "be", server: "s1", reasonText: r.reasonText, activeLeft: 2,
                                           backupLeft: 0, sessionsActive: 0, requeued: 0, queued: 0),
            #"Server be/s1 is DOWN, reason: Layer4 connection problem, info: "Connection refused", check duration: 0ms. 2 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue."#)
        let s = HealthCheckResult(code: .L7STS, statusCode: 503, info: "Service Unavailable")
        XCTAssertEqual(
            HealthCheckMessages.serverDown(backend: "be", server: "t", reasonText: s.reasonText, activeLeft: 0,
                                           backupLeft: 1, sessionsActive: 0, requeued: 0, queued: 0),
            #"Server be/t is DOWN, reason: Layer7 wrong status, code: 503, info: "Service Unavailable", check duration: 0ms. 0 active and 1 backup servers left. Running on backup. 0 sessions active, 0 requeued, 0 remaining in queue."#)
        XCTAssertEqual(
            HealthCheckMessages.serverDown(backend: "be", server: "b", isBackup: true, reasonText: s.reasonText,
                                           activeLeft: 0, backupLeft: 0, sessionsActive: 0, requeued: 0, queued: 0),
            #"Backup Server be/b is DOWN, reason: Layer7 wrong status, code: 503, info: "Service Unavailable", check duration: 0ms. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue."#)
        XCTAssertEqual(
            HealthCheckMessages.serverDown(backend: "be2", server: "t", reasonText: nil, activeLeft: 0, backupLeft: 0,
                                           sessionsActive: 0, requeued: 0, queued: 0),
            "Server be2/t is DOWN. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.")
    }

    func testServerUp() {
        let r = HealthCheckResult(code: .L7OK, statusCode: 200)
        XCTAssertEqual(
            HealthCheckMessages.serverUp(backend: "be", server: "t", reasonText: r.reasonText, activeOnline: 1,
                                         backupOnline: 1, requeued: 0, queued: 0),
            "Server be/t is UP, reason: Layer7 check passed, code: 200, check duration: 0ms. 1 active and 1 backup servers online. 0 sessions requeued, 0 total in queue.")
        XCTAssertEqual(
            HealthCheckMessages.serverUp(backend: "be", server: "b", isBackup: true, reasonText: r.reasonText,
                                         activeOnline: 0, backupOnline: 1, requeued: 0, queued: 0),
            "Backup Server be/b is UP, reason: Layer7 check passed, code: 200, check duration: 0ms. 0 active and 1 backup servers online. Running on backup. 0 sessions requeued, 0 total in queue.")
        XCTAssertEqual(
            HealthCheckMessages.serverUp(backend: "be2", server: "t", reasonText: nil, activeOnline: 1,
                                         backupOnline: 0, requeued: 0, queued: 0),
            "Server be2/t is UP. 1 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.")
    }

    func testCheckReportAndNoServer() {
        let r = HealthCheckResult(code: .L4CON, info: "Connection refused")
        XCTAssertEqual(
            HealthCheckMessages.checkReport(backend: "be2", server: "s1", result: r, statusText: "0/2 DOWN"),
            #"Health check for server be2/s1 failed, reason: Layer4 connection problem, info: "Connection refused", check duration: 0ms, status: 0/2 DOWN."#)
        XCTAssertEqual(
            HealthCheckMessages.checkReport(backend: "a", server: "x", isBackup: true, result: r, statusText: "0/2 DOWN"),
            #"Health check for backup server a/x failed, reason: Layer4 connection problem, info: "Connection refused", check duration: 0ms, status: 0/2 DOWN."#)
        XCTAssertEqual(
            HealthCheckMessages.checkReport(backend: "be2", server: "s3", result: HealthCheckResult(code: .L4OK),
                                            statusText: "3/3 UP"),
            "Health check for server be2/s3 succeeded, reason: Layer4 check passed, check duration: 0ms, status: 3/3 UP.")
        XCTAssertEqual(HealthCheckMessages.noServerAvailable(backend: "be"), "backend be has no server available!")
        XCTAssertEqual(HealthCheckMessages.noServerAvailableAlert(backend: "be"), "backend 'be' has no server available!")
    }

    func testEventMessage() {
        let e = HealthCheckEvent(kind: .stateChange, backendName: "be", serverName: "s1", isUp: false,
                                 check: HealthCheckResult(code: .L4CON, info: "Connection refused"), statusText: "0/2 DOWN")
        XCTAssertEqual(e.message(counts: HealthCheckCounts(activeServers: 0)),
                       #"Server be/s1 is DOWN, reason: Layer4 connection problem, info: "Connection refused", check duration: 0ms. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue."#)
        XCTAssertEqual(e.message(logHealthChecks: true),
                       "Server be/s1 is DOWN. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.")
    }
}

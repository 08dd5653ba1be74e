import XCTest

@testable import HAProxyConfig

final class LogKeywordsTests: XCTestCase {
    func testLogTargets() throws {
        let (config, diagnostics) = TestSupport.load(
            """
            global
                log /dev/log local0
                log /dev/log local1 notice
                log 127.0.0.1:514 len 1024 format rfc5424 sample 1:2 local2 info debug
                log udp@10.0.0.1 local3
                log stdout format raw daemon
                log fd@1 local4
                log file@/var/log/haproxy/access.log local0 info rotate size 100M
            defaults
                log global
                log-format "%ci:%cp [%t] %ft"
                log-format-sd "[x@1 a=b]"
                error-log-format "%ci err"
                log-tag web
            backend b
            backend c
                no log
            """)
        XCTAssertEqual(
            diagnostics.messages.map(\.message), ["log format ignored for proxy 'c' since it has no log address."])
        let g = try XCTUnwrap(config?.global.logs)
        XCTAssertEqual(g.map(\.target), ["/dev/log", "/dev/log", "127.0.0.1:514", "udp@10.0.0.1", "stdout", "fd@1", "file@/var/log/haproxy/access.log"])
        XCTAssertEqual(g[1].maxLevel, "notice")
        XCTAssertEqual(g[2].length, 1024)
        XCTAssertEqual(g[2].format, "rfc5424")
        XCTAssertEqual(g[2].sample, "1:2")
        XCTAssertEqual(g[2].facility, "local2")
        XCTAssertEqual(g[2].maxLevel, "info")
        XCTAssertEqual(g[2].minLevel, "debug")
        XCTAssertEqual(g[4].format, "raw")
        XCTAssertEqual(g[6].extra, ["rotate", "size", "100M"])
        let b = try XCTUnwrap(config?.proxies.first)
        XCTAssertEqual(b.logs.map(\.isGlobal), [true])
        XCTAssertEqual(b.logFormat, "%ci:%cp [%t] %ft")
        XCTAssertEqual(b.logFormatSD, "[x@1 a=b]")
        XCTAssertEqual(b.errorLogFormat, "%ci err")
        XCTAssertEqual(b.logTag, "web")
        let c = try XCTUnwrap(config?.proxies.last)
        XCTAssertTrue(c.noLog)
        XCTAssertEqual(c.logs, [])
    }

    func testExtraWordsOnlyForFileTargets() {
        let (_, diagnostics) = TestSupport.load("global\n  log stdout local0 info notice extra\n")
        XCTAssertEqual(
            diagnostics.alerts.first?.message, "parsing [test.cfg:2] : log : cannot handle unexpected argument 'extra'")
    }
}

import XCTest
@testable import HAProxyObservability

/// Frames the recorded messages for each format and compares with what
/// HAProxy 2.6 sent, dates masked.
final class SyslogFramerTests: XCTestCase {
    override func setUp() { GoldenLines.useUTC() }

    func frame(_ msg: String, _ format: SyslogFormat, _ facility: SyslogFacility, _ level: SyslogLevel = .info,
               tag: String = "haproxy", len: Int = 1024, sendHostname: String? = nil) -> String {
        var framer = SyslogFramer(pid: 26657, sendHostname: sendHostname, systemHostname: "vm")
        var out: [UInt8] = []
        let bytes = Array(msg.utf8)
        bytes.withUnsafeBytes {
            framer.frame($0, format: format, facility: facility, level: level, tag: Array(tag.utf8),
                         maxLength: len, nowMicros: GoldenLines.micros(2026, 11, 25, 18, 2, 29, ms: 272), into: &out)
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Replaces dates by `DATE` so lines of different instants compare.
    func mask(_ s: String) -> String {
        var s = s
        for pattern in [#"[A-Z][a-z]{2} [ 0-9]\d \d\d:\d\d:\d\d"#, #"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}[+-]\d\d:\d\d"#] {
            s = s.replacingOccurrences(of: pattern, with: "DATE", options: .regularExpression)
        }
        return s
    }

    func testEveryFormatMatchesHAProxy() throws {
        let raw = try GoldenLines.load("udp-raw.txt")
        let msg = String(raw[0].dropLast())
        XCTAssertEqual(mask(frame(msg, .local, .local0)), mask(try GoldenLines.load("udp-local.txt")[0]))
        XCTAssertEqual(mask(frame(msg, .rfc3164, .local7)), mask(try GoldenLines.load("udp-rfc3164.txt")[0]))
        XCTAssertEqual(mask(frame(msg, .rfc5424, .local1, len: 2000)), mask(try GoldenLines.load("udp-rfc5424.txt")[0]))
        XCTAssertEqual(frame(msg, .raw, .local6), raw[0])
        XCTAssertEqual(frame(msg, .short, .local2), "<6>" + msg + "\n")
        XCTAssertEqual(frame(msg, .priority, .local3), "<158>" + msg + "\n")
        XCTAssertEqual(frame("m", .timed, .local4), "<6>2026-11-25T18:02:29.272000+00:00 m\n")
        XCTAssertEqual(frame("m", .iso, .local5), "2026-11-25T18:02:29.272000+00:00 m\n")
        // Operational messages: warning level on local0 / local7.
        let stop = "Proxy fe_http stopped (cumulated conns: FE: 1, BE: 0)."
        XCTAssertEqual(mask(frame(stop, .local, .local0, .warning)), mask(try GoldenLines.load("udp-local.txt")[5]))
    }

    func testRFC3164DatePadsTheDayWithASpace() {
        var framer = SyslogFramer(pid: 1, sendHostname: "h1", systemHostname: "vm")
        var out: [UInt8] = []
        [UInt8(0x78)].withUnsafeBytes {
            framer.frame($0, format: .rfc3164, facility: .daemon, level: .err, tag: Array("t".utf8), maxLength: 1024,
                         nowMicros: GoldenLines.micros(2026, 3, 5, 1, 2, 3, ms: 0), into: &out)
        }
        XCTAssertEqual(String(decoding: out, as: UTF8.self), "<27>Mar  5 01:02:03 h1 t[1]: x\n")
    }

    /// `len 80`: header and message cut at 80 bytes, then the newline
    /// (HAProxy 2.6 sent 81 bytes for `log ... len 80`).
    func testLenTruncatesHeaderAndMessageThenAddsNewline() {
        let msg = "127.0.0.1:46454 [25/Nov/2026:18:02:48.487] fe be/<NOSRV> 0/-1/-1/-1/0 503 217 - - SC--"
        let line = frame(msg, .local, .local0, tag: "mytag", len: 80)
        XCTAssertEqual(line.utf8.count, 81)
        XCTAssertEqual(mask(line), "<134>DATE mytag[26657]: 127.0.0.1:46454 [25/Nov/2026:18:02:48.487] fe\n")
    }

    func testFileFramingIsWhatRsyslogWrites() {
        XCTAssertEqual(frame("m", .file, .local0), "Nov 25 18:02:29 vm haproxy[26657]: m\n")
    }
}

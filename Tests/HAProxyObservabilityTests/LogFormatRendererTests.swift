import XCTest
import NIOCore
@testable import HAProxyObservability

/// Renders the records of Golden/capture.sh's traffic through each built-in
/// format and compares with the message part of what HAProxy 2.6 sent.
final class LogFormatRendererTests: XCTestCase {
    override func setUp() { GoldenLines.useUTC() }

    func buf(_ s: String) -> ByteBuffer { ByteBuffer(string: s) }

    func render(_ format: LogFormat, _ r: LogRecord) -> String {
        var renderer = LogFormatRenderer(pid: 26657, hostname: "vm")
        var out: [UInt8] = []
        renderer.render(format, r, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Golden raw lines, without the trailing newline.
    func raw(_ i: Int) throws -> String {
        String(try GoldenLines.load("udp-raw.txt")[i].dropLast())
    }

    func base(port: Int, fe: String, be: String, acceptMs: (Int, Int)) -> LogRecord {
        var r = LogRecord()
        r.clientAddress = LogAddress("127.0.0.1")
        r.clientPort = port
        r.frontendAddress = LogAddress("127.0.0.1")
        r.frontendName = fe
        r.backendName = be
        r.serverName = "s1"
        r.acceptDateMicros = GoldenLines.micros(2026, 11, 25, 18, 2, acceptMs.0, ms: acceptMs.1)
        r.actconn = 1
        r.feconn = 1
        return r
    }

    func testHTTPLogMatchesHAProxy() throws {
        var r = base(port: 44060, fe: "fe_http", be: "be", acceptMs: (29, 269))
        r.isHTTP = true
        r.requestDateMicros = r.acceptDateMicros
        r.TR = 0; r.Tw = 0; r.Tc = 0; r.Tr = 2; r.Ta = 2; r.Tt = 2
        r.status = 200
        r.bytesRead = 144
        r.capturedRequestCookie = buf("SID=xyz")
        r.capturedResponseCookie = buf("SID=abc")
        r.capturedRequestHeaders = [buf("127.0.0.1:18080"), buf("curl-test/1.0")]
        r.capturedResponseHeaders = [buf("12")]
        r.requestLine = buf("GET /path/x?a=b HTTP/1.1")
        XCTAssertEqual(render(.httpLog, r), try raw(0))
    }

    func testCLFLogMatchesHAProxy() throws {
        var r = base(port: 35990, fe: "fe_clf", be: "be", acceptMs: (29, 279))
        r.isHTTP = true
        r.TR = 0; r.Tw = 0; r.Tc = 0; r.Tr = 0; r.Ta = 0
        r.status = 200
        r.bytesRead = 144
        r.capturedRequestHeaders = [buf("127.0.0.1:18081")]
        r.requestLine = buf("GET /clf?q=1 HTTP/1.0")
        XCTAssertEqual(render(.clfLog, r), try raw(1))
    }

    func testTCPLogMatchesHAProxy() throws {
        var r = base(port: 40022, fe: "fe_tcp", be: "be_tcp", acceptMs: (29, 401))
        r.Tw = 1; r.Tc = 0; r.Tt = 2
        r.bytesRead = 145
        XCTAssertEqual(render(.tcpLog, r), try raw(2))
    }

    func testServerErrorWithRetriesMatchesHAProxy() throws {
        var r = base(port: 45418, fe: "fe_nosrv", be: "be_down", acceptMs: (29, 535))
        r.isHTTP = true
        r.TR = 0; r.Tw = 0; r.Tc = -1; r.Tr = -1; r.Ta = 3003
        r.status = 503
        r.bytesRead = 217
        r.retries = 3
        r.termination = TerminationState(cause: .serverAbort, state: .connect)
        r.requestLine = buf("GET /down HTTP/1.1")
        XCTAssertEqual(render(.httpLog, r), try raw(4))
    }

    func testCustomFormatWithFlagsMatchesHAProxy() throws {
        let source = "%{+Q}o %ci|%cp|%fi|%fp|%f|%ft|%b|%s|%si|%sp|%ST|%B|%U|%HM|%HP|%HQ|%HU|%HV|%{-Q}r|%ts|%tsc|%ac|%fc|%bc|%sc|%rc|%sq|%bq|%{+X}ci|%{+X}cp|%{+X}fi|%hr|%ID|%CC|%lc|%rt|%H|%%|%{-Q}HU"
        var r = base(port: 35440, fe: "fe_custom", be: "be", acceptMs: (29, 600))
        r.isHTTP = true
        r.frontendPort = 18085
        r.serverAddress = LogAddress("127.0.0.1")
        r.serverPort = 18090
        r.status = 200
        r.bytesRead = 144
        r.bytesUploaded = 162
        r.requestLine = buf("POST /custom/p?x=1&y=2 HTTP/1.1")
        r.requestCounter = 5
        let expected = String(try GoldenLines.load("udp-custom.txt")[0].dropLast())
        XCTAssertEqual(render(try LogFormat(compiling: source), r), expected)
    }

    func testDatesAndHexFlags() throws {
        var r = LogRecord()
        r.acceptDateMicros = GoldenLines.micros(2026, 11, 5, 8, 2, 3, ms: 7)
        let f = try LogFormat(compiling: "%t|%T|%Tl|%ms|%Ts|%{+X}Ts|%tr|%trg")
        XCTAssertEqual(render(f, r), "05/Nov/2026:08:02:03.007|05/Nov/2026:08:02:03 +0000|05/Nov/2026:08:02:03 +0000|007|1793865723|6AEC37FB|05/Nov/2026:08:02:03.007|05/Nov/2026:08:02:03 +0000")
    }

    func testEncodingOfURIAndCaptures() throws {
        var r = LogRecord()
        r.requestLine = ByteBuffer(bytes: Array("GET /a\"b#c\u{01} HTTP/1.1".utf8))
        r.capturedRequestHeaders = [ByteBuffer(string: "x|y{z}"), nil]
        let f = try LogFormat(compiling: "%{+Q}r %hr %{+Q}hrl %{+E}HU")
        XCTAssertEqual(render(f, r), "\"GET /a#22b#23c#01 HTTP/1.1\" {x#7Cy#7Bz#7D|} \"x#7Cy#7Bz#7D\" \"-\" /a#22b#23c#01")
    }

    func testLogASAPAndRedispatchPrefixes() throws {
        var r = LogRecord()
        r.logASAP = true
        r.Tt = 12
        r.bytesRead = 10
        r.retries = 1
        r.redispatched = true
        XCTAssertEqual(render(try LogFormat(compiling: "%Tt %B %rc %s %b"), r), "+12 +10 +1 <NOSRV> -")
    }

    /// Golden/flags-stdout.txt: empty query, quoted captures, hex widths.
    func testFlagWidthsMatchHAProxy() throws {
        let expected = try String(contentsOf: GoldenLines.directory.appendingPathComponent("flags-stdout.txt"), encoding: .utf8)
        let f = try LogFormat(compiling: "%{+Q}HQ|%HQ|%{+Q}hr|%{+X}rt|%{+X}pid|%{+X}ms|%{+Q}hrl|%{+X}Ts|%Ts|%{+E}HU|%sslv|%{+Q}sslc|%HPO|%Tu|%Td|%Tq")
        var r = LogRecord()
        r.isHTTP = true
        r.acceptDateMicros = 1_795_630_388_000_000 + 18_000
        r.capturedRequestHeaders = [ByteBuffer(string: "127.0.0.1:18280")]
        r.requestLine = ByteBuffer(string: "GET /p/q HTTP/1.1")
        r.TR = 0; r.Tw = 0; r.Tc = 0; r.Tr = 1; r.Ta = 1; r.Tt = 1
        var renderer = LogFormatRenderer(pid: 0x5337, hostname: "vm")
        var out: [UInt8] = []
        renderer.render(f, r, into: &out)
        XCTAssertEqual(String(decoding: out, as: UTF8.self) + "\n", expected)
    }
}

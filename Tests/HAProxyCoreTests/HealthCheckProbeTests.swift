import HAProxyConfig
import NIOCore
import NIOPosix
import XCTest

@testable import HAProxyCore

final class HealthCheckProbeTests: XCTestCase {
    private var group: MultiThreadedEventLoopGroup!
    private var servers: [HealthCheckTestServer] = []

    override func setUp() {
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    }

    override func tearDown() {
        servers.forEach { $0.close() }
        servers = []
        try? group.syncShutdownGracefully()
    }

    private func server(_ answer: String, greet: Bool = false) throws -> HealthCheckTestServer {
        let s = try HealthCheckTestServer(group: group, answer: answer, greet: greet)
        servers.append(s)
        return s
    }

    private func silent() throws -> HealthCheckTestServer {
        let s = try HealthCheckTestServer(group: group, behaviour: .silent)
        servers.append(s)
        return s
    }

    private func check(_ config: HealthCheckConfig, _ target: SocketAddress, inter: Int = 1000,
                       timeouts: Timeouts = Timeouts()) throws -> HealthCheckResult {
        let plan = try HealthCheckPlan(config: config, interMs: inter, timeouts: timeouts)
        return try HealthCheckProbe(eventLoop: group.next(), target: target, plan: plan).run().wait()
    }

    private func httpConfig(_ expects: [HealthCheckConfig.Expect] = []) -> HealthCheckConfig {
        var c = HealthCheckConfig()
        c.kind = .http
        c.httpExpect = expects
        return c
    }

    private func tcpCheck(_ rules: [HealthCheckConfig.TCPCheckRule]) -> HealthCheckConfig {
        var c = HealthCheckConfig()
        c.kind = .tcpCheck
        c.tcpRules = rules
        return c
    }

    private let ok = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
    private let unavailable = "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n"

    // MARK: Layer 4

    func testConnectPasses() throws {
        let r = try check(HealthCheckConfig(), try silent().address)
        XCTAssertEqual(r.code, .L4OK)
        XCTAssertEqual(r.reason, "Layer4 check passed")
    }

    func testConnectionRefused() throws {
        let r = try check(HealthCheckConfig(), try HealthCheckTestServer.closedPort(group: group))
        XCTAssertEqual(r.reason, #"Layer4 connection problem, info: "Connection refused""#)
    }

    func testConnectionRefusedInTCPCheck() throws {
        let target = try HealthCheckTestServer.closedPort(group: group)
        let r = try check(tcpCheck([.send(bytes: Array("PING\r\n".utf8))]), target)
        XCTAssertEqual(r.info, "Connection refused at initial connection step of tcp-check")
        let r2 = try check(tcpCheck([.connect(port: nil, sendProxy: false), .expect(.init(matcher: .string("x")))]), target)
        XCTAssertEqual(r2.info, "Connection refused at step 1 of tcp-check (connect)")
    }

    // MARK: Agent

    private func agent(_ target: SocketAddress, send: String? = nil, inter: Int = 1000) throws -> HealthCheckResult {
        let plan = HealthCheckPlan(agentSend: send, interMs: inter, timeouts: Timeouts())
        return try HealthCheckProbe(eventLoop: group.next(), target: target, plan: plan).run().wait()
    }

    func testAgentLineEndsAtCROrLF() throws {
        let r = try agent(try server("75% drain\r\nignored\n", greet: true).address)
        XCTAssertEqual(r.agentReply?.weight(configured: 40), 30)
        XCTAssertEqual(r.agentReply?.admin, .drain)
        let down = try agent(try server("down\n", greet: true).address)
        XCTAssertEqual(down.code, .L7STS)
        XCTAssertEqual(down.reason, #"Layer7 wrong status, code: 0, info: "via agent : down""#)
    }

    func testAgentSendIsSentOnConnect() throws {
        let s = try server("up\n")
        let r = try agent(s.address, send: "hello")
        XCTAssertEqual(r.code, .L7OK)
        XCTAssertEqual(s.received.first.map { String(decoding: $0, as: UTF8.self) }, "hello")
    }

    func testAgentIncompleteEmptySilentAndRefused() throws {
        let incomplete = try agent(try server("up", greet: true).address)
        XCTAssertTrue(incomplete.keepsPreviousCode)
        XCTAssertEqual(incomplete.info, "Ignoring incomplete line from agent")
        let empty = try agent(try server("", greet: true).address)
        XCTAssertEqual(empty.code, .L7RSP)
        XCTAssertEqual(empty.info, "TCPCHK got an empty response at step 2")
        let silent = try agent(try silent().address, inter: 200)
        XCTAssertEqual(silent.code, .L7TOUT)
        XCTAssertNil(silent.agentReply)
        let refused = try agent(try HealthCheckTestServer.closedPort(group: group))
        XCTAssertEqual(refused.reason, #"Layer4 connection problem, info: "Connection refused""#)
    }

    // MARK: HTTP

    func testHTTPCheckPassesAndSendsTheRequest() throws {
        let s = try server(ok)
        let r = try check(httpConfig(), s.address)
        XCTAssertEqual(r.reason, "Layer7 check passed, code: 200")
        XCTAssertEqual(s.received.flatMap { $0 }, Array("OPTIONS / HTTP/1.0\r\n\r\n".utf8))
    }

    func testHTTPRequestWithHeadersAndBody() throws {
        let s = try server(ok)
        var c = httpConfig()
        c.httpMethod = "HEAD"
        c.httpURI = "/y"
        c.httpVersion = "HTTP/1.1"
        c.httpHeaders = [("Host", "www.example.com"), ("X-A", "b")]
        c.httpBody = "hello"
        _ = try check(c, s.address)
        // As HAProxy 2.6.12 sends it (recorded).
        XCTAssertEqual(String(decoding: s.received.flatMap { $0 }, as: UTF8.self),
                       "HEAD /y HTTP/1.1\r\nhost: www.example.com\r\nx-a: b\r\ncontent-length: 5\r\nconnection: close\r\n\r\nhello")
    }

    func testHTTPWrongStatus() throws {
        let r = try check(httpConfig(), try server(unavailable).address)
        XCTAssertEqual(r.code, .L7STS)
        XCTAssertEqual(r.reason, #"Layer7 wrong status, code: 503, info: "Service Unavailable""#)
    }

    func testHTTPRedirectPassesByDefault() throws {
        let r = try check(httpConfig(), try server("HTTP/1.1 301 Moved Permanently\r\nContent-Length: 0\r\n\r\n").address)
        XCTAssertEqual(r.reason, "Layer7 check passed, code: 301")
    }

    func testHTTPInvalidAndEmptyResponses() throws {
        XCTAssertEqual(try check(httpConfig(), try server("garbage here\r\n\r\n").address).reason, "Layer7 invalid response")
        XCTAssertEqual(try check(httpConfig(), try server("").address).reason, "Layer7 invalid response")
    }

    func testHTTPTimeoutUsesInter() throws {
        let r = try check(httpConfig(), try silent().address, inter: 100)
        XCTAssertEqual(r.code, .L7TOUT)
        XCTAssertEqual(r.reason, "Layer7 timeout")
        XCTAssertGreaterThanOrEqual(r.durationMs, 99)
        XCTAssertLessThan(r.durationMs, 400)
    }

    func testTimeoutCheckExtendsTheWait() throws {
        var t = Timeouts()
        t.connect = 50
        t.check = 200
        let r = try check(httpConfig(), try silent().address, inter: 100, timeouts: t)
        XCTAssertEqual(r.code, .L7TOUT)
        XCTAssertGreaterThanOrEqual(r.durationMs, 199)
    }

    func testHTTPExpectStatus() throws {
        let okAddr = try server(ok).address
        let badAddr = try server(unavailable).address
        let st200 = httpConfig([.init(matcher: .status([200...200]))])
        XCTAssertEqual(try check(st200, okAddr).code, .L7OK)
        XCTAssertEqual(try check(st200, badAddr).reason, #"Layer7 wrong status, code: 503, info: "Service Unavailable""#)
        let not200 = httpConfig([.init(matcher: .status([200...200]), negated: true)])
        XCTAssertEqual(try check(not200, okAddr).reason, #"Layer7 wrong status, code: 200, info: "OK""#)
        let r5 = httpConfig([.init(matcher: .statusRegex("^5"))])
        XCTAssertEqual(try check(r5, badAddr).reason, "Layer7 check passed, code: 503")
    }

    func testHTTPExpectContent() throws {
        let okAddr = try server(ok).address
        let badAddr = try server(unavailable).address
        XCTAssertEqual(try check(httpConfig([.init(matcher: .string("ok"))]), okAddr).code, .L7OK)
        XCTAssertEqual(try check(httpConfig([.init(matcher: .string("zzz"))]), okAddr).reason,
                       #"Layer7 invalid response, info: "HTTP content check did not match""#)
        XCTAssertEqual(try check(httpConfig([.init(matcher: .string("ok"))]), badAddr).reason,
                       #"Layer7 invalid response, info: "HTTP content check could not find a response body""#)
        XCTAssertEqual(try check(httpConfig([.init(matcher: .string("ok"), negated: true)]), okAddr).reason,
                       #"Layer7 invalid response, info: "HTTP check matched unwanted content""#)
        XCTAssertEqual(try check(httpConfig([.init(matcher: .stringRegex("o.$"))]), okAddr).code, .L7OK)
    }

    // MARK: tcp-check

    func testTCPCheckSendExpect() throws {
        let pong = try server("+PONG\r\n")
        let rules: [HealthCheckConfig.TCPCheckRule] = [.send(bytes: Array("PING\r\n".utf8)), .expect(.init(matcher: .string("+PONG")))]
        XCTAssertEqual(try check(tcpCheck(rules), pong.address).reason, #"Layer7 check passed, code: 0, info: "(tcp-check)""#)
        XCTAssertEqual(pong.received.flatMap { $0 }, Array("PING\r\n".utf8))
        XCTAssertEqual(try check(tcpCheck(rules), try server("garbage\r\n").address).reason,
                       #"Layer7 invalid response, info: "TCPCHK did not match content '+PONG' at step 2""#)
        XCTAssertEqual(try check(tcpCheck(rules), try server("").address).reason,
                       #"Layer7 invalid response, info: "TCPCHK got an empty response at step 2""#)
    }

    func testTCPCheckRegexBinaryAndNegation() throws {
        let pong = try server("+PONG\r\n")
        let send: HealthCheckConfig.TCPCheckRule = .send(bytes: Array("PING\r\n".utf8))
        XCTAssertEqual(try check(tcpCheck([send, .expect(.init(matcher: .stringRegex("^\\+PO")))]), pong.address).code, .L7OK)
        XCTAssertEqual(try check(tcpCheck([send, .expect(.init(matcher: .binary([0x2B, 0x50, 0x4F])))]), pong.address).code, .L7OK)
        XCTAssertEqual(try check(tcpCheck([send, .expect(.init(matcher: .string("PON"), negated: true))]), pong.address).info,
                       "TCPCHK matched unwanted content 'PON' at step 2")
        XCTAssertEqual(try check(tcpCheck([send, .expect(.init(matcher: .string("ERR"), negated: true))]), pong.address).code, .L7OK)
        let bad = try server("garbage\r\n")
        XCTAssertEqual(try check(tcpCheck([send, .expect(.init(matcher: .stringRegex("^\\+PO")))]), bad.address).info,
                       "TCPCHK did not match content (regex) at step 2")
        XCTAssertEqual(try check(tcpCheck([send, .expect(.init(matcher: .binary([0x2B])))]), bad.address).info,
                       "TCPCHK did not match content (binary) at step 2")
    }

    func testTCPCheckComments() throws {
        let rules: [HealthCheckConfig.TCPCheckRule] = [
            .comment("hello"), .send(bytes: Array("PING\r\n".utf8)), .comment("world"), .expect(.init(matcher: .string("nope"))),
        ]
        XCTAssertEqual(try check(tcpCheck(rules), try server("+PONG\r\n").address).info,
                       "TCPCHK did not match content 'nope' at step 4 comment: world")
        let r = try check(tcpCheck(rules), try silent().address, inter: 100)
        XCTAssertEqual(r.reason, #"Layer7 timeout, info: " at step 4 of tcp-check (expect string 'nope') comment: 'world'""#)
    }

    func testTCPCheckWithoutRulesIsLayer4() throws {
        XCTAssertEqual(try check(tcpCheck([]), try silent().address).code, .L4OK)
    }

    func testTCPCheckSeveralConnections() throws {
        let pong = try server("+PONG\r\n")
        let web = try server(ok)
        let rules: [HealthCheckConfig.TCPCheckRule] = [
            .connect(port: pong.port, sendProxy: false), .send(bytes: Array("PING\r\n".utf8)), .expect(.init(matcher: .string("+PONG"))),
            .connect(port: web.port, sendProxy: false), .send(bytes: Array("GET / HTTP/1.0\r\n\r\n".utf8)),
            .expect(.init(matcher: .string("200"))),
        ]
        let target = try HealthCheckTestServer.closedPort(group: group)
        XCTAssertEqual(try check(tcpCheck(rules), target).code, .L7OK)
        let refused = target.port!
        let failing = Array(rules.prefix(3)) + [.connect(port: refused, sendProxy: false)]
        XCTAssertEqual(try check(tcpCheck(failing), target).info,
                       "Connection refused at step 4 of tcp-check (connect port \(refused))")
    }
}

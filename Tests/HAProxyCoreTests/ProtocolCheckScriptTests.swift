import HAProxyConfig
import XCTest

@testable import HAProxyCore

/// The protocol checks' bytes (as 2.6 sends them, recorded with a listening
/// socket) and their replies judged as 2.6 judges them, without sockets.
final class ProtocolCheckScriptTests: XCTestCase {
    private func hex(_ s: String) -> [UInt8] {
        var out: [UInt8] = []
        var i = s.startIndex
        while i < s.endIndex {
            let j = s.index(i, offsetBy: 2)
            out.append(UInt8(s[i..<j], radix: 16)!)
            i = j
        }
        return out
    }

    /// Plays `check`: returns what it sent and its result after `replies`
    /// (one per send, the first before any send when the check connects
    /// first), closing the connection when `close`.
    private func play(_ check: HealthCheckConfig.ProtocolCheck, _ replies: [[UInt8]], close: Bool = true)
        -> (sent: [[UInt8]], result: HealthCheckResult?)
    {
        var script = TCPCheckScript(protocolCheck: check)
        var sent: [[UInt8]] = []
        var pending = replies[...]
        var connected = false
        while true {
            switch script.next() {
            case .connect:
                XCTAssertFalse(connected, "one connection")
                connected = true
                script.connected()
            case .send(let bytes):
                sent.append(bytes)
            case .waitForData:
                if let reply = pending.popFirst() {
                    script.receivedBytes(reply)
                } else if close && !script.closed {
                    script.connectionClosed()
                } else {
                    return (sent, nil)
                }
            case .done(let result):
                return (sent, result)
            }
        }
    }

    private func mysqlPacket(_ body: [UInt8], sequence: UInt8) -> [UInt8] {
        [UInt8(body.count & 0xff), UInt8(body.count >> 8 & 0xff), UInt8(body.count >> 16), sequence] + body
    }

    // MARK: - Bytes

    func testRedisSendsPing() {
        let (sent, result) = play(.redis, [Array("+PONG\r\n".utf8)])
        XCTAssertEqual(sent, [hex("2a310d0a24340d0a50494e470d0a")])
        XCTAssertEqual(result, HealthCheckResult(code: .L7OK, statusCode: 0, info: "Redis server is ok"))
    }

    func testMySQLLoginPacketsAsIn26() {
        XCTAssertEqual(
            ProtocolCheckScript.mysqlLogin(user: "hap", post41: true),
            hex("25000001008200000080000121000000000000000000000000000000000000000000000068617000000100000001"))
        XCTAssertEqual(
            ProtocolCheckScript.mysqlLogin(user: "hap", post41: false), hex("0a000001008000000168617000000100000001"))
    }

    func testPgSQLStartupPacket() {
        XCTAssertEqual(ProtocolCheckScript.pgsqlStartup(user: "hap"), hex("000000120003000075736572006861700000"))
    }

    func testLDAPBindAndSSLHello() {
        XCTAssertEqual(ProtocolCheckScript.ldapBind, hex("300c020101600702010304008000"))
        let hello = ProtocolCheckScript.sslClientHello(unixTime: 0x6b15_b98d)
        XCTAssertEqual(
            hello,
            hex("16030000790100007503006b15b98d484150524f585953534c43484b0a484150524f585953534c43484b0a00004e"
                + "000100020003000400050006000700080009000a000b000c000d000e000f0010001100120013001400150016001700180019001a001b"
                + "002f0030003100320033003400350036003700380039003a0100"))
        XCTAssertEqual(hello.count, 0x79 + 5)
    }

    func testSMTPConversation() {
        let (sent, result) = play(
            .smtp(verb: "EHLO", domain: "foo.example"),
            [Array("220 hi\r\n".utf8), Array("250-ok\r\n250 more\r\n".utf8), Array("221 bye\r\n".utf8)])
        XCTAssertEqual(sent, [Array("EHLO foo.example\r\n".utf8), Array("QUIT\r\n".utf8)])
        XCTAssertEqual(result, HealthCheckResult(code: .L7OK, statusCode: 221, info: "bye"))
    }

    // MARK: - Replies

    func testRedisReplies() {
        XCTAssertEqual(play(.redis, [Array("-ERR foo\r\nbar".utf8)]).result,
                       HealthCheckResult(code: .L7STS, statusCode: 0, info: "-ERR foo"))
        XCTAssertEqual(play(.redis, [Array("xx+PONG\r\n".utf8)]).result?.code, .L7OK)
        // `+PONG` without its line end is not enough; the check waits.
        XCTAssertNil(play(.redis, [Array("+PONGX".utf8)], close: false).result)
        XCTAssertEqual(play(.redis, []).result,
                       HealthCheckResult(code: .L7STS, statusCode: 0, info: "TCPCHK got an empty response at step 2"))
    }

    func testSMTPReplies() {
        let smtp = HealthCheckConfig.ProtocolCheck.smtp(verb: "HELO", domain: "localhost")
        // The banner is judged at once.
        XCTAssertEqual(play(smtp, [Array("554 go away\r\n".utf8)], close: false).result,
                       HealthCheckResult(code: .L7STS, statusCode: 554, info: "go away"))
        XCTAssertEqual(play(smtp, [Array("xyz\r\n".utf8)], close: false).result,
                       HealthCheckResult(code: .L7RSP, info: "xyz"))
        XCTAssertEqual(play(smtp, [Array("220-hi\r\n".utf8)], close: false).result,
                       HealthCheckResult(code: .L7RSP, info: "220-hi"))
        // The HELO's answer waits for a match until the close.
        XCTAssertNil(play(smtp, [Array("220 hi\r\n".utf8), Array("550 no\r\n".utf8)], close: false).result)
        XCTAssertEqual(play(smtp, [Array("220 hi\r\n".utf8), Array("550 no\r\n".utf8)]).result,
                       HealthCheckResult(code: .L7STS, statusCode: 550, info: "no"))
        // The QUIT's answer is judged at once.
        XCTAssertEqual(
            play(smtp, [Array("220 hi\r\n".utf8), Array("250 ok\r\n".utf8), Array("500 what\r\n".utf8)], close: false).result,
            HealthCheckResult(code: .L7STS, statusCode: 500, info: "what"))
        XCTAssertEqual(play(smtp, []).result,
                       HealthCheckResult(code: .L7RSP, info: "TCPCHK got an empty response at step 2"))
    }

    func testPgSQLReplies() {
        let pgsql = HealthCheckConfig.ProtocolCheck.pgsql(user: "x")
        let ok = HealthCheckResult(code: .L7OK, statusCode: 0, info: "PostgreSQL server is ok")
        let unknown = HealthCheckResult(code: .L7STS, statusCode: 0, info: "PostgreSQL unknown error")
        for method: UInt8 in [0, 2, 3, 4, 5, 6, 7, 9, 10] {
            XCTAssertEqual(play(pgsql, [hex("5200000008000000") + [method]], close: false).result, ok, "method \(method)")
        }
        for method: UInt8 in [1, 8, 11, 12, 0x63] {
            XCTAssertEqual(play(pgsql, [hex("5200000008000000") + [method]], close: false).result, unknown)
        }
        XCTAssertEqual(play(pgsql, [hex("520000000c00000005")], close: false).result, ok)
        XCTAssertEqual(play(pgsql, [hex("580000000800000000")], close: false).result, unknown)
        XCTAssertEqual(play(pgsql, [hex("520000040800000000")], close: false).result, unknown)
        XCTAssertNil(play(pgsql, [hex("45000000")], close: false).result)
        // An error message: its severity.
        let error = hex("450000006a") + Array("SFATAL\0VFATAL\0C28000\0Mno\0\0".utf8)
        XCTAssertEqual(play(pgsql, [error]).result, HealthCheckResult(code: .L7RSP, info: "FATAL"))
        XCTAssertEqual(play(pgsql, []).result,
                       HealthCheckResult(code: .L7RSP, info: "TCPCHK got an empty response at step 3"))
    }

    func testMySQLReplies() {
        let greeting = mysqlPacket([0x0a] + Array("5.7.1-x".utf8) + [0], sequence: 0)
        var passed = HealthCheckResult(code: .L7OK, statusCode: 0, info: "5.7.1-x")
        passed.infoInStats = false
        XCTAssertEqual(play(.mysql(user: nil, post41: true), [greeting], close: false).result, passed)
        let blocked = mysqlPacket([0xff, 0x6a, 0x04] + Array("Host blocked".utf8), sequence: 0)
        XCTAssertEqual(play(.mysql(user: nil, post41: true), [blocked], close: false).result,
                       HealthCheckResult(code: .L7STS, statusCode: 1130, info: "Host blocked"))
        let user = HealthCheckConfig.ProtocolCheck.mysql(user: "u", post41: true)
        let ok = mysqlPacket(hex("0000000200000000"), sequence: 2)
        XCTAssertEqual(play(user, [greeting + ok], close: false).result, passed)
        XCTAssertEqual(play(user, [greeting, ok], close: false).result, passed)
        let denied = mysqlPacket([0xff, 0x15, 0x04] + Array("#28000denied".utf8), sequence: 2)
        XCTAssertEqual(play(user, [greeting + denied], close: false).result,
                       HealthCheckResult(code: .L7STS, statusCode: 1045, info: "#28000denied"))
        // Half a greeting: the check waits.
        XCTAssertNil(play(user, [Array(greeting.prefix(6))], close: false).result)
        XCTAssertEqual(play(user, []).result,
                       HealthCheckResult(code: .L7RSP, info: "TCPCHK got an empty response at step 3"))
    }

    func testLDAPReplies() {
        var passed = HealthCheckResult(code: .L7OK, statusCode: 0, info: "Success")
        passed.infoInStats = false
        XCTAssertEqual(play(.ldap, [hex("300c02010161070a010004000400")], close: false).result, passed)
        XCTAssertEqual(play(.ldap, [hex("3084000000100201016184000000070a010004000400")], close: false).result, passed)
        XCTAssertEqual(play(.ldap, [hex("300c02010161070a013104000400")], close: false).result,
                       HealthCheckResult(code: .L7STS, statusCode: 49,
                                         info: "See RFC: http://tools.ietf.org/html/rfc4511#section-4.1.9"))
        let invalid = HealthCheckResult(code: .L7RSP, info: "Not LDAPv3 protocol")
        XCTAssertEqual(play(.ldap, [hex("310c02010161070a010004000400")], close: false).result, invalid)
        XCTAssertEqual(play(.ldap, [hex("300c02010162070a010004000400")], close: false).result, invalid)
        XCTAssertNil(play(.ldap, [hex("300c02010161070a0100040004")], close: false).result)
    }

    func testSSLHelloReplies() {
        XCTAssertEqual(play(.sslHello, [hex("160303000102")], close: false).result, HealthCheckResult(code: .L6OK))
        XCTAssertEqual(play(.sslHello, [hex("150303000102")], close: false).result, HealthCheckResult(code: .L6OK))
        XCTAssertEqual(play(.sslHello, [hex("170303000102")], close: false).result, HealthCheckResult(code: .L6RSP))
        XCTAssertNil(play(.sslHello, [hex("16")], close: false).result)
        XCTAssertEqual(play(.sslHello, []).result,
                       HealthCheckResult(code: .L6RSP, info: "TCPCHK got an empty response at step 2"))
        XCTAssertEqual(ProtocolCheckScript.reporting(for: .sslHello).timeoutCode, .L6TOUT)
    }

    /// Connection failures and timeouts leave the step out.
    func testFailuresWithoutSteps() {
        var script = TCPCheckScript(protocolCheck: .pgsql(user: "x"))
        _ = script.next()
        XCTAssertEqual(script.connectFailureInfo(errorText: "Connection refused"), "Connection refused")
        XCTAssertNil(script.connectFailureInfo(errorText: ""))
        script.connected()
        _ = script.next()
        XCTAssertNil(script.timeoutInfo())
    }
}

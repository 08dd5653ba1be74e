import HAProxyConfig

/// The conversations of the protocol checks (`option mysql-check`,
/// `pgsql-check`, `redis-check`, `smtpchk`, `ldap-check`, `ssl-hello-chk`),
/// played by a `TCPCheckScript` as HAProxy 2.6 plays them: the same bytes
/// (recorded from 2.6 with a listening socket), the same steps (which
/// number the "empty response at step N" messages) and the replies judged
/// by `ProtocolReply`.
enum ProtocolCheckScript {
    /// How the script of `check` reports what does not come from a reply.
    struct Reporting: Equatable {
        /// The status of an empty answer (the connection closed first).
        var emptyCode: CheckResultCode
        /// The status of an answer that did not come in time.
        var timeoutCode: CheckResultCode
    }

    static func steps(for check: HealthCheckConfig.ProtocolCheck) -> [TCPCheckScript.Step] {
        switch check {
        case .redis:
            return [.send(redisPing), .reply(.redisPong)]
        case .smtp(let verb, let domain):
            return [
                .connect(port: nil),
                .reply(.smtpReply(continuation: false, early: true)),
                .reply(.smtpStatus(continuation: false, early: true, final: false)),
                .send(Array("\(verb) \(domain)\r\n".utf8)),
                .reply(.smtpReply(continuation: true, early: false)),
                .reply(.smtpStatus(continuation: true, early: false, final: false)),
                .send(Array("QUIT\r\n".utf8)),
                .reply(.smtpReply(continuation: true, early: true)),
                .reply(.smtpStatus(continuation: true, early: true, final: true)),
            ]
        case .pgsql(let user):
            return [.connect(port: nil), .send(pgsqlStartup(user: user)), .reply(.pgsqlNotError), .reply(.pgsqlAuthRequest)]
        case .mysql(nil, _):
            return [.connect(port: nil), .reply(.mysqlGreeting(final: true))]
        case .mysql(let user?, let post41):
            return [
                .connect(port: nil), .send(mysqlLogin(user: user, post41: post41)),
                .reply(.mysqlGreeting(final: false)), .reply(.mysqlLogin),
            ]
        case .ldap:
            return [.send(ldapBind), .reply(.ldapBind)]
        case .sslHello:
            return [.sendSSLHello, .reply(.sslHelloRecord)]
        }
    }

    static func reporting(for check: HealthCheckConfig.ProtocolCheck) -> Reporting {
        switch check {
        case .redis: return Reporting(emptyCode: .L7STS, timeoutCode: .L7TOUT)
        case .sslHello: return Reporting(emptyCode: .L6RSP, timeoutCode: .L6TOUT)
        default: return Reporting(emptyCode: .L7RSP, timeoutCode: .L7TOUT)
        }
    }

    /// `PING` as a RESP array.
    static let redisPing = Array("*1\r\n$4\r\nPING\r\n".utf8)

    /// A protocol 3.0 startup message with only the `user` parameter.
    static func pgsqlStartup(user: String) -> [UInt8] {
        var body: [UInt8] = [0x00, 0x03, 0x00, 0x00]
        body += Array("user".utf8) + [0] + Array(user.utf8) + [0, 0]
        let length = UInt32(body.count + 4)
        return withUnsafeBytes(of: length.bigEndian) { Array($0) } + body
    }

    /// A login packet without password (sequence 1) followed by COM_QUIT
    /// (sequence 0), as 2.6 sends them before reading the greeting.
    static func mysqlLogin(user: String, post41: Bool) -> [UInt8] {
        var body: [UInt8]
        if post41 {
            // Capabilities PROTOCOL_41 | SECURE_CONNECTION, max packet
            // 0x01008000, charset 0x21, 23 reserved bytes.
            body = [0x00, 0x82, 0x00, 0x00, 0x00, 0x80, 0x00, 0x01, 0x21] + [UInt8](repeating: 0, count: 23)
            body += Array(user.utf8) + [0, 0]
        } else {
            // Capabilities SECURE_CONNECTION, max packet 0x010000.
            body = [0x00, 0x80, 0x00, 0x00, 0x01] + Array(user.utf8) + [0, 0]
        }
        let header: [UInt8] = [UInt8(body.count & 0xff), UInt8((body.count >> 8) & 0xff), UInt8(body.count >> 16), 0x01]
        return header + body + [0x01, 0x00, 0x00, 0x00, 0x01]
    }

    /// An anonymous simple bind, LDAPv3, message ID 1.
    static let ldapBind: [UInt8] = [0x30, 0x0c, 0x02, 0x01, 0x01, 0x60, 0x07, 0x02, 0x01, 0x03, 0x04, 0x00, 0x80, 0x00]

    /// An SSLv3 client hello offering 2.6's 39 cipher suites, with the
    /// current time in the random's first four bytes.
    static func sslClientHello(unixTime: UInt32) -> [UInt8] {
        var hello: [UInt8] = [0x16, 0x03, 0x00, 0x00, 0x79, 0x01, 0x00, 0x00, 0x75, 0x03, 0x00]
        hello += withUnsafeBytes(of: unixTime.bigEndian) { Array($0) }
        hello += Array("HAPROXYSSLCHK\nHAPROXYSSLCHK\n".utf8)
        hello += [0x00, 0x00, 0x4e]
        for suite in Array(0x01...0x1b) + Array(0x2f...0x3a) { hello += [0x00, UInt8(suite)] }
        hello += [0x01, 0x00]
        return hello
    }
}

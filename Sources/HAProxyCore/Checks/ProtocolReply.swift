/// One reply a protocol check reads, judged as HAProxy 2.6 judges it: when
/// the bytes received so far settle the matter, the outcome; otherwise a
/// request for more (until the connection closes or the buffer is full).
///
/// The statuses and info texts are 2.6's, recorded against real servers
/// (redis-server, MariaDB, PostgreSQL) and small test servers: a server's
/// own error message becomes the info, its error code the `code`.
enum ProtocolReply: Equatable {
    /// Redis: `+PONG\r\n` anywhere passes ("Redis server is ok"); anything
    /// else, once complete, is L7STS with the reply's first line.
    case redisPong
    /// SMTP: a reply starts with three digits and a separator (`[ \r]` for
    /// the banner, `[- \r]` after a command); otherwise L7RSP with the line.
    /// `early`: judged on the first 4 bytes (the banner and the QUIT's
    /// answer, recorded); otherwise (the HELO's answer) a reply that does
    /// not match waits for more until the connection closes, as in 2.6.
    case smtpReply(continuation: Bool, early: Bool)
    /// SMTP: the reply's code is 2xx; otherwise L7STS with the code and the
    /// text after it. `final`: the QUIT's answer ends the check with L7OK.
    case smtpStatus(continuation: Bool, early: Bool, final: Bool)
    /// PostgreSQL: an `E` (error) message is L7RSP with its severity.
    case pgsqlNotError
    /// PostgreSQL: an authentication request `R` passes ("PostgreSQL server
    /// is ok"); anything else is L7STS "PostgreSQL unknown error".
    case pgsqlAuthRequest
    /// MySQL: the server's greeting. An error packet is L7STS with the
    /// error code and message; otherwise the version is kept and, when
    /// `final`, the check passes with it.
    case mysqlGreeting(final: Bool)
    /// MySQL: the answer to the login packet; an error packet fails as for
    /// the greeting, anything else passes with the greeting's version.
    case mysqlLogin
    /// LDAP: the bind response of an LDAPv3 message; result 0 passes
    /// ("Success"), another result is L7STS with the result as code.
    case ldapBind
    /// SSL: a handshake (0x16) or alert (0x15) record passes at layer 6.
    case sslHelloRecord

    enum Outcome: Equatable {
        case waitForData
        /// The reply is fine: go on with the next step, dropping `consumed`
        /// bytes (the ones that belonged to this reply).
        case next(consumed: Int)
        case done(HealthCheckResult)
    }

    /// - Parameters:
    ///   - bytes: what was received since the last send (minus what earlier
    ///     replies consumed); never empty (an empty answer is the script's).
    ///   - ended: no more bytes will come (closed, or buffer full).
    ///   - carried: a text an earlier reply kept (MySQL's version).
    func evaluate(_ bytes: [UInt8], ended: Bool, carried: inout String?) -> Outcome {
        switch self {
        case .redisPong:
            if ProtocolReply.contains(bytes, Array("+PONG\r\n".utf8)) {
                return .done(HealthCheckResult(code: .L7OK, statusCode: 0, info: "Redis server is ok"))
            }
            guard ended else { return .waitForData }
            return .done(HealthCheckResult(code: .L7STS, statusCode: 0, info: ProtocolReply.firstLine(bytes[...])))

        case .smtpReply(let continuation, let early):
            if bytes.count >= 4 && ProtocolReply.isDigit(bytes[0]) && ProtocolReply.isDigit(bytes[1])
                && ProtocolReply.isDigit(bytes[2]) && ProtocolReply.isSeparator(bytes[3], continuation: continuation)
            {
                return .next(consumed: 0)
            }
            guard ended || (early && bytes.count >= 4) else { return .waitForData }
            return .done(HealthCheckResult(code: .L7RSP, info: ProtocolReply.firstLine(bytes[...])))

        case .smtpStatus(let continuation, let early, let final):
            // The previous step saw three digits and a separator.
            let code = (Int(bytes[0]) - 48) * 100 + (Int(bytes[1]) - 48) * 10 + Int(bytes[2]) - 48
            var text = bytes[4...]
            while text.first == UInt8(ascii: " ") { text = text.dropFirst() }
            let info = ProtocolReply.firstLine(text)
            if bytes[0] == UInt8(ascii: "2") && ProtocolReply.isSeparator(bytes[3], continuation: continuation) {
                return final ? .done(HealthCheckResult(code: .L7OK, statusCode: code, info: info)) : .next(consumed: 0)
            }
            guard ended || early else { return .waitForData }
            return .done(HealthCheckResult(code: .L7STS, statusCode: code, info: info))

        case .pgsqlNotError:
            guard bytes.count >= 5 || ended else { return .waitForData }
            if bytes[0] == UInt8(ascii: "E") {
                let text = bytes.count > 6 ? bytes[6...].prefix { $0 != 0 } : []
                return .done(HealthCheckResult(code: .L7RSP, info: String(decoding: text, as: UTF8.self)))
            }
            return .next(consumed: 0)

        case .pgsqlAuthRequest:
            // R, length 8, 10 or 12, then an authentication method 2.6 knows.
            let known: Set<UInt8> = [0, 2, 3, 4, 5, 6, 7, 9, 10]
            if bytes.count >= 9 && bytes[0] == UInt8(ascii: "R") && bytes[1] == 0 && bytes[2] == 0 && bytes[3] == 0
                && [8, 10, 12].contains(bytes[4]) && bytes[5] == 0 && bytes[6] == 0 && bytes[7] == 0
                && known.contains(bytes[8])
            {
                return .done(HealthCheckResult(code: .L7OK, statusCode: 0, info: "PostgreSQL server is ok"))
            }
            guard bytes.count >= 9 || ended else { return .waitForData }
            return .done(HealthCheckResult(code: .L7STS, statusCode: 0, info: "PostgreSQL unknown error"))

        case .mysqlGreeting(let final):
            guard let packet = ProtocolReply.mysqlPacket(bytes) else {
                return ended ? .done(HealthCheckResult(code: .L7RSP)) : .waitForData
            }
            if let failure = ProtocolReply.mysqlError(bytes, packet) { return .done(failure) }
            let version = String(decoding: bytes[5..<packet.upperBound].prefix { $0 != 0 }, as: UTF8.self)
            if final { return .done(ProtocolReply.mysqlPassed(version)) }
            carried = version
            return .next(consumed: packet.upperBound)

        case .mysqlLogin:
            guard let packet = ProtocolReply.mysqlPacket(bytes) else {
                return ended ? .done(HealthCheckResult(code: .L7RSP)) : .waitForData
            }
            if let failure = ProtocolReply.mysqlError(bytes, packet) { return .done(failure) }
            return .done(ProtocolReply.mysqlPassed(carried ?? ""))

        case .ldapBind:
            switch ProtocolReply.ldapResult(bytes) {
            case .incomplete:
                return ended ? .done(HealthCheckResult(code: .L7RSP, info: "Not LDAPv3 protocol")) : .waitForData
            case .invalid:
                return .done(HealthCheckResult(code: .L7RSP, info: "Not LDAPv3 protocol"))
            case .result(0):
                var passed = HealthCheckResult(code: .L7OK, statusCode: 0, info: "Success")
                passed.infoInStats = false
                return .done(passed)
            case .result(let code):
                return .done(HealthCheckResult(
                    code: .L7STS, statusCode: code, info: "See RFC: http://tools.ietf.org/html/rfc4511#section-4.1.9"))
            }

        case .sslHelloRecord:
            guard bytes.count >= 5 || ended else { return .waitForData }
            if bytes[0] == 0x15 || bytes[0] == 0x16 { return .done(HealthCheckResult(code: .L6OK)) }
            return .done(HealthCheckResult(code: .L6RSP))
        }
    }

    // MARK: - Helpers

    static func isDigit(_ b: UInt8) -> Bool { b >= 48 && b <= 57 }

    static func isSeparator(_ b: UInt8, continuation: Bool) -> Bool {
        b == UInt8(ascii: " ") || b == UInt8(ascii: "\r") || (continuation && b == UInt8(ascii: "-"))
    }

    /// The bytes up to the first CR or LF, as text.
    static func firstLine(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes.prefix { $0 != 13 && $0 != 10 }, as: UTF8.self)
    }

    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard haystack.count >= needle.count else { return false }
        for start in 0...(haystack.count - needle.count)
        where haystack[start..<start + needle.count].elementsEqual(needle) {
            return true
        }
        return false
    }

    /// The range of the first complete MySQL packet (header included).
    static func mysqlPacket(_ bytes: [UInt8]) -> Range<Int>? {
        guard bytes.count >= 5 else { return nil }
        let length = Int(bytes[0]) | Int(bytes[1]) << 8 | Int(bytes[2]) << 16
        guard length >= 1, bytes.count >= 4 + length else { return nil }
        return 0..<(4 + length)
    }

    /// An error packet (0xff, code, message) as 2.6 reports it.
    static func mysqlError(_ bytes: [UInt8], _ packet: Range<Int>) -> HealthCheckResult? {
        guard bytes[4] == 0xff else { return nil }
        guard packet.upperBound >= 7 else { return HealthCheckResult(code: .L7RSP) }
        let code = Int(bytes[5]) | Int(bytes[6]) << 8
        let message = String(decoding: bytes[7..<packet.upperBound], as: UTF8.self)
        return HealthCheckResult(code: .L7STS, statusCode: code, info: message)
    }

    /// 2.6 logs the version but leaves it out of `last_chk`.
    static func mysqlPassed(_ version: String) -> HealthCheckResult {
        var passed = HealthCheckResult(code: .L7OK, statusCode: 0, info: version)
        passed.infoInStats = false
        return passed
    }

    enum LDAPResult: Equatable { case incomplete, invalid, result(Int) }

    /// Reads `SEQUENCE { messageID, bindResponse [APPLICATION 1] {
    /// resultCode ENUMERATED, ... } }` with short or long BER lengths.
    static func ldapResult(_ bytes: [UInt8]) -> LDAPResult {
        func length(at i: Int) -> (value: Int, next: Int)? {
            guard i < bytes.count else { return nil }
            let first = Int(bytes[i])
            guard first & 0x80 != 0 else { return (first, i + 1) }
            let count = first & 0x7f
            guard i + 1 + count <= bytes.count else { return nil }
            var value = 0
            for b in bytes[(i + 1)..<(i + 1 + count)] { value = value << 8 | Int(b) }
            return (value, i + 1 + count)
        }
        guard !bytes.isEmpty else { return .incomplete }
        guard bytes[0] == 0x30 else { return .invalid }
        guard let outer = length(at: 1) else { return .incomplete }
        guard bytes.count >= outer.next + outer.value else { return .incomplete }
        var i = outer.next
        // messageID INTEGER
        guard i + 1 < bytes.count, bytes[i] == 0x02 else { return .invalid }
        i += 2 + Int(bytes[i + 1])
        guard i < bytes.count, bytes[i] == 0x61, let op = length(at: i + 1) else { return .invalid }
        i = op.next
        guard i + 2 < bytes.count, bytes[i] == 0x0a, bytes[i + 1] == 0x01 else { return .invalid }
        return .result(Int(bytes[i + 2]))
    }
}

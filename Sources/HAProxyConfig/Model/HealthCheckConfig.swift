/// How a backend checks its servers: `option httpchk`, `http-check ...`,
/// `option tcp-check` and `tcp-check ...`, or one of the protocol checks
/// (`option mysql-check`, `pgsql-check`, `redis-check`, `smtpchk`,
/// `ldap-check`, `ssl-hello-chk`). Plain TCP connect when none.
public struct HealthCheckConfig: Sendable, Equatable {
    public enum Kind: Sendable, Equatable { case tcpConnect, http, tcpCheck, protocolCheck }

    /// A protocol check's own conversation (manual section 4.2, `option
    /// mysql-check` and the following ones).
    public enum ProtocolCheck: Sendable, Equatable {
        /// `option mysql-check [user U [pre-41|post-41]]`: without a user
        /// only the server's greeting is read; with one, a login packet
        /// (4.1 format unless `pre-41`) and a QUIT are sent.
        case mysql(user: String?, post41: Bool)
        /// `option pgsql-check user U`: a startup packet, then the
        /// authentication request or error read.
        case pgsql(user: String)
        /// `option redis-check`: PING, +PONG expected.
        case redis
        /// `option smtpchk [HELO|EHLO domain]` (HELO localhost by default).
        case smtp(verb: String, domain: String)
        /// `option ldap-check`: an anonymous LDAPv3 bind.
        case ldap
        /// `option ssl-hello-chk`: an SSLv3 client hello, a handshake or
        /// alert record expected.
        case sslHello

        /// The option that selects it, e.g. `redis-check`.
        public var optionName: String {
            switch self {
            case .mysql: return "mysql-check"
            case .pgsql: return "pgsql-check"
            case .redis: return "redis-check"
            case .smtp: return "smtpchk"
            case .ldap: return "ldap-check"
            case .sslHello: return "ssl-hello-chk"
            }
        }
    }

    public var kind: Kind = .tcpConnect
    /// Set with `kind == .protocolCheck`.
    public var protocolCheck: ProtocolCheck?
    /// `option httpchk [METH] [URI] [VER]` (defaults OPTIONS / HTTP/1.0).
    public var httpMethod = "OPTIONS"
    public var httpURI = "/"
    public var httpVersion = "HTTP/1.0"
    /// Extra header lines from `option httpchk ... VER\r\nHost:\ x` or `http-check send hdr`.
    public var httpHeaders: [(name: String, value: String)] = []
    public var httpBody: String?
    public var httpExpect: [Expect] = []
    /// `http-check disable-on-404`: a 404 puts a running server in NOLB
    /// (HTTP checks only, before any `expect`).
    public var disableOn404 = false
    /// `http-check send-state`: each HTTP check tells the server how it is
    /// seen (`x-haproxy-server-state`).
    public var sendState = false
    public var tcpRules: [TCPCheckRule] = []
    public var logHealthChecks = false

    public init() {}

    public static func == (a: Self, b: Self) -> Bool {
        a.kind == b.kind && a.httpMethod == b.httpMethod && a.httpURI == b.httpURI
            && a.httpVersion == b.httpVersion && a.httpBody == b.httpBody && a.httpExpect == b.httpExpect
            && a.disableOn404 == b.disableOn404 && a.sendState == b.sendState
            && a.tcpRules == b.tcpRules && a.protocolCheck == b.protocolCheck && a.httpHeaders.map(\.name) == b.httpHeaders.map(\.name)
            && a.httpHeaders.map(\.value) == b.httpHeaders.map(\.value)
    }

    /// `expect [!] status|rstatus|string|rstring|binary PATTERN`.
    public struct Expect: Sendable, Equatable {
        public enum Matcher: Sendable, Equatable {
            case status([ClosedRange<Int>])
            case statusRegex(String)
            case string(String)
            case stringRegex(String)
            case binary([UInt8])
        }
        public var matcher: Matcher
        public var negated = false

        public init(matcher: Matcher, negated: Bool = false) {
            self.matcher = matcher
            self.negated = negated
        }
    }

    public enum TCPCheckRule: Sendable, Equatable {
        case connect(port: Int?, sendProxy: Bool)
        case send(bytes: [UInt8])
        case expect(Expect)
        case comment(String)
    }
}

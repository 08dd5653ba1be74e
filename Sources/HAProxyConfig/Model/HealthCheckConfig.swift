/// How a backend checks its servers: `option httpchk`, `http-check ...`,
/// `option tcp-check` and `tcp-check ...`. Plain TCP connect when none.
public struct HealthCheckConfig: Sendable, Equatable {
    public enum Kind: Sendable, Equatable { case tcpConnect, http, tcpCheck }

    public var kind: Kind = .tcpConnect
    /// `option httpchk [METH] [URI] [VER]` (defaults OPTIONS / HTTP/1.0).
    public var httpMethod = "OPTIONS"
    public var httpURI = "/"
    public var httpVersion = "HTTP/1.0"
    /// Extra header lines from `option httpchk ... VER\r\nHost:\ x` or `http-check send hdr`.
    public var httpHeaders: [(name: String, value: String)] = []
    public var httpBody: String?
    public var httpExpect: [Expect] = []
    public var tcpRules: [TCPCheckRule] = []
    public var logHealthChecks = false

    public init() {}

    public static func == (a: Self, b: Self) -> Bool {
        a.kind == b.kind && a.httpMethod == b.httpMethod && a.httpURI == b.httpURI
            && a.httpVersion == b.httpVersion && a.httpBody == b.httpBody && a.httpExpect == b.httpExpect
            && a.tcpRules == b.tcpRules && a.httpHeaders.map(\.name) == b.httpHeaders.map(\.name)
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

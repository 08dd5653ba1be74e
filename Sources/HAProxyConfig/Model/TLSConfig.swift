/// A protocol version as `ssl-min-ver`, `ssl-max-ver`, `no-tlsv12`... name it.
public enum TLSVersion: Int, Sendable, Comparable, CaseIterable {
    case sslv3 = 0, tlsv10, tlsv11, tlsv12, tlsv13

    /// The name the configuration and the `ssl_fc_protocol` fetch use.
    public var name: String {
        switch self {
        case .sslv3: return "SSLv3"
        case .tlsv10: return "TLSv1.0"
        case .tlsv11: return "TLSv1.1"
        case .tlsv12: return "TLSv1.2"
        case .tlsv13: return "TLSv1.3"
        }
    }

    /// The suffix of `no-XXX` and `force-XXX`.
    public var optionSuffix: String {
        switch self {
        case .sslv3: return "sslv3"
        case .tlsv10: return "tlsv10"
        case .tlsv11: return "tlsv11"
        case .tlsv12: return "tlsv12"
        case .tlsv13: return "tlsv13"
        }
    }

    public init?(name: String) {
        guard let v = Self.allCases.first(where: { $0.name == name }) else { return nil }
        self = v
    }

    public static func < (a: TLSVersion, b: TLSVersion) -> Bool { a.rawValue < b.rawValue }

    /// 2.6's `ssl-min-ver` when none is configured.
    public static let defaultMinimum = TLSVersion.tlsv12
}

/// The protocol versions a bind line or a server allows: `ssl-min-ver`,
/// `ssl-max-ver`, `force-*` (both bounds) and `no-*` (ignored, with a
/// warning, when a bound is set: manual 5.1 `no-tlsv10`).
public struct TLSVersionRange: Sendable, Equatable {
    public var minimum: TLSVersion?
    public var maximum: TLSVersion?
    public var disabled: Set<TLSVersion> = []

    public init() {}

    /// Fills what `other` (the `ssl-default-*-options`) sets and this
    /// range leaves unset.
    public mutating func inherit(_ other: TLSVersionRange) {
        if minimum == nil { minimum = other.minimum }
        if maximum == nil { maximum = other.maximum }
        disabled.formUnion(other.disabled)
    }
}

/// The options both sides share: ciphers, versions, tickets, ALPN.
public struct TLSCommonOptions: Sendable, Equatable {
    public var ciphers: String?
    public var ciphersuites: String?
    public var curves: String?
    public var versions = TLSVersionRange()
    public var noTLSTickets = false
    public var alpn: [String]?
    /// NPN protocols a `bind` line advertises (`npn`), in its order.
    public var npn: [String]?

    public init() {}
}

/// `ssl-default-bind-options` / `ssl-default-server-options` (manual 3.1).
public struct TLSDefaultOptions: Sendable, Equatable {
    public var versions = TLSVersionRange()
    public var noTLSTickets = false
    public var preferClientCiphers = false
    public var strictSNI = false

    public init() {}
}

/// The options a `crt-list` line may give its certificate (`[alpn h2
/// ssl-min-ver TLSv1.2]`, manual 5.1 `crt-list`); unset ones are the bind
/// line's.
public struct TLSCertificateOptions: Sendable, Equatable {
    public var alpn: [String]?
    /// NPN protocols advertised for this certificate (`npn`).
    public var npn: [String]?
    public var ciphers: String?
    public var ciphersuites: String?
    public var curves: String?
    public var ecdhe: String?
    public var minimumVersion: TLSVersion?
    public var maximumVersion: TLSVersion?
    public var verify: TLSClientVerify?
    public var caFile: String?
    /// `ca-verify-file`: more CAs for verifying, not named to clients.
    public var caVerifyFile: String?
    public var crlFile: String?
    public var noCANames = false

    public init() {}

    public var isEmpty: Bool { self == TLSCertificateOptions() }

    /// The options as `show ssl crt-list` prints them, in 2.6's order
    /// (the NPN and ALPN lists end with the NUL byte 2.6 prints with them).
    public var listText: String {
        var parts: [String] = []
        if let npn { parts.append("npn " + npn.joined(separator: ",") + "\u{0}") }
        if let alpn { parts.append("alpn " + alpn.joined(separator: ",") + "\u{0}") }
        if let verify { parts.append("verify \(verify.rawValue)") }
        if noCANames { parts.append("no-ca-names") }
        if let caFile { parts.append("ca-file \(caFile)") }
        if let crlFile { parts.append("crl-file \(crlFile)") }
        if let ciphers { parts.append("ciphers \(ciphers)") }
        if let ciphersuites { parts.append("ciphersuites \(ciphersuites)") }
        if let curves { parts.append("curves \(curves)") }
        if let ecdhe { parts.append("ecdhe \(ecdhe)") }
        if let minimumVersion { parts.append("ssl-min-ver \(minimumVersion.name)") }
        if let maximumVersion { parts.append("ssl-max-ver \(maximumVersion.name)") }
        return parts.joined(separator: " ")
    }
}

/// One certificate source of a bind line: a `crt` argument, or a line of
/// a `crt-list` with its options and SNI filters.
public struct TLSCertificateLine: Sendable, Equatable {
    /// A PEM file or a directory of them, made absolute with `crt-base`.
    public var path: String
    public var options = TLSCertificateOptions()
    /// SNI filters (`*.example.org`, `!bad.example.org`): when some are
    /// positive they replace the certificate's own names; negative ones
    /// remove names.
    public var filters: [String] = []
    /// The filters as written (`show ssl crt-list`).
    public var writtenFilters: [String] = []
    /// The `crt-list` file the line comes from and its line number there
    /// (`show ssl crt-list -n`); nil for a `crt` argument.
    public var list: String?
    public var lineNumber = 0

    public init(path: String) { self.path = path }
}

/// The TLS side of one `bind` line (manual 5.1): the `ssl` keyword and
/// the certificate and protocol options that go with it.
public struct TLSBindConfig: Sendable, Equatable {
    /// `ssl`: the listener speaks TLS (without it, `crt` is ignored as 2.6 does).
    public var enabled = false
    /// `crt` arguments and `crt-list` lines in order (the first
    /// certificate is the default).
    public var certificates: [TLSCertificateLine] = []
    public var common = TLSCommonOptions()
    public var strictSNI = false
    public var preferClientCiphers = false
    /// `ecdhe <curve>`: the one named curve for ECDHE.
    public var ecdhe: String?
    /// `ca-file`: the CAs client certificates are verified with (made
    /// absolute with `ca-base`).
    public var caFile: String?
    /// `ca-verify-file`: CAs that verify client certificates too but are
    /// not named in the certificate request (the roots that end the
    /// chains, `ca-file` holding the intermediates).
    public var caVerifyFile: String?
    /// `verify`: whether a client certificate is requested (`optional`)
    /// or required; nil is `none`.
    public var verify: TLSClientVerify?
    /// `crl-file`: revocation lists checked for the whole client chain.
    public var crlFile: String?
    /// `ca-ignore-err` and `crt-ignore-err`: the verification errors
    /// (X509_V_ERR_* ids) not fatal in the CA chain (depth > 0) and on the
    /// client certificate itself (depth 0).
    public var caIgnoredErrors: TLSIgnoredErrors?
    public var certificateIgnoredErrors: TLSIgnoredErrors?
    /// `tls-ticket-keys`: the keys session tickets are made with.
    public var ticketKeys: TLSTicketKeyFile?
    /// The bind line's address as written (`127.0.0.1:443`), for messages.
    public var addressText = ""

    public init() {}
}

/// A `tls-ticket-keys` file (manual 5.1): one base64 key a line, all 48
/// bytes (AES-128) or all 80 (AES-256), at least three; the last three
/// are used, the one before the last encrypting.
public struct TLSTicketKeyFile: Sendable, Equatable {
    public var path: String
    /// The decoded keys in the file's order.
    public var keys: [[UInt8]]

    public init(path: String, keys: [[UInt8]]) {
        self.path = path
        self.keys = keys
    }
}

/// `verify none|optional|required` on a bind line (manual 5.1).
public enum TLSClientVerify: String, Sendable, Equatable {
    case none, optional, required
}

/// `verify none|required` on a server.
public enum TLSVerifyMode: String, Sendable, Equatable {
    case none, required
}

/// The TLS side of a `server` line (manual 5.2).
public struct TLSServerConfig: Sendable, Equatable {
    public var enabled = false
    public var verify: TLSVerifyMode?
    /// `ca-file`, made absolute with `ca-base`.
    public var caFile: String?
    /// `crl-file`, made absolute with `ca-base`: the server's chain is
    /// checked against its CRLs when verified.
    public var crlFile: String?
    /// `crt`: a client certificate, made absolute with `crt-base`.
    public var certificate: String?
    /// `sni <expr>`: the sample expression as written.
    public var sni: String?
    public var common = TLSCommonOptions()
    /// `check-ssl` (true) / `no-check-ssl` (false); nil: checks use TLS
    /// when the server does and they go to its own address and port.
    public var checkSSL: Bool?
    /// `check-sni`: the server name health checks send.
    public var checkSNI: String?
    /// `ssl-reuse` (default) / `no-ssl-reuse`: offer the last session again.
    public var reuseSessions = true

    public init() {}
}

/// The `ssl-*` and `tune.ssl.*` globals (manual 3.1, 3.2).
public struct TLSGlobalConfig: Sendable, Equatable {
    public var bindCiphers: String?
    public var bindCiphersuites: String?
    public var bindCurves: String?
    public var bindOptions = TLSDefaultOptions()
    public var serverCiphers: String?
    public var serverCiphersuites: String?
    public var serverOptions = TLSDefaultOptions()
    /// `ssl-server-verify`: what servers without `verify` do (2.6: required).
    public var serverVerify: TLSVerifyMode = .required
    /// `tune.ssl.default-dh-param`: nil leaves DHE ciphers unavailable.
    public var defaultDHParamBits: Int?
    /// `ssl-dh-param-file`: DH parameters for DHE ciphers (wins over
    /// `tune.ssl.default-dh-param`).
    public var dhParamFile: String?
    /// `tune.ssl.cachesize`: sessions kept for resumption (0: none).
    public var cacheSize = 20000
    /// `tune.ssl.lifetime`: how long a cached session lives, in seconds.
    public var sessionLifetime = 300
    /// `tune.ssl.maxrecord`: the largest TLS record sent (0: 16384).
    public var maxRecord = 0

    public init() {}
}

/// `ca-ignore-err` / `crt-ignore-err` (manual 5.1): `all`, or a list of
/// error ids between 1 and 94.
public enum TLSIgnoredErrors: Sendable, Equatable {
    case all
    case ids(Set<Int>)

    public func contains(_ id: Int) -> Bool {
        switch self {
        case .all: return true
        case .ids(let set): return set.contains(id)
        }
    }
}

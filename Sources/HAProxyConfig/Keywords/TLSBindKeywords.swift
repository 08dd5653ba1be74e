import HAProxyBase
import HAProxyRules

/// The TLS options of `bind` (manual 5.1): `ssl`, `crt`, `alpn`, protocol
/// versions, ciphers, curves, tickets and SNI.
extension KeywordRegistry {
    static let tlsBindOptions: [BindKeyword] = [
        BindKeyword("ssl") { _, b, _ in b.tls.enabled = true },
        BindKeyword("crt", arguments: 1, missing: "missing certificate location") { a, b, ctx in
            let path = resolve(a[1], base: ctx.config.global.crtBase)
            if let loader = ctx.tlsFiles {
                let error = loader.loadCertificates(at: path)
                for warning in loader.drainWarnings() { ctx.diagnostics.warning(warning) }
                if let error { throw KeywordError(error) }
            }
            b.tls.certificates.append(TLSCertificateLine(path: path))
        },
        BindKeyword("crt-list", arguments: 1, missing: "missing certificate location") { a, b, ctx in
            do {
                b.tls.certificates += try CertificateListParser.parse(a[1], &ctx)
            } catch let error as KeywordError {
                throw KeywordError("'crt-list' : \(error.message)")
            }
        },
        BindKeyword("alpn", arguments: 1, missing: "missing the comma-delimited ALPN protocol suite") { a, b, _ in
            b.tls.common.alpn = try alpnList(a[1])
        },
        BindKeyword("npn", arguments: 1, missing: "missing the comma-delimited NPN protocol suite") { a, b, _ in
            b.tls.common.npn = npnList(a[1])
        },
        BindKeyword("ciphers", arguments: 1, missing: "missing cipher suite") { a, b, _ in b.tls.common.ciphers = a[1] },
        BindKeyword("ciphersuites", arguments: 1, missing: "missing cipher suite") { a, b, _ in
            b.tls.common.ciphersuites = a[1]
        },
        BindKeyword("curves", arguments: 1, missing: "missing curve suite") { a, b, _ in b.tls.common.curves = a[1] },
        BindKeyword("ecdhe", arguments: 1, missing: "missing named curve") { a, b, _ in b.tls.ecdhe = a[1] },
        BindKeyword("ssl-min-ver", arguments: 1, missing: "missing the ssl/tls version") { a, b, _ in
            b.tls.common.versions.minimum = try tlsVersion(a[1])
        },
        BindKeyword("ssl-max-ver", arguments: 1, missing: "missing the ssl/tls version") { a, b, _ in
            b.tls.common.versions.maximum = try tlsVersion(a[1])
        },
        BindKeyword("ca-file", arguments: 1, missing: "missing CAfile path") { a, b, ctx in
            b.tls.caFile = try loadCAFile(a[1], keyword: "ca-file", &ctx)
        },
        BindKeyword("ca-verify-file", arguments: 1, missing: "missing CAfile path") { a, b, ctx in
            b.tls.caVerifyFile = try loadCAFile(a[1], keyword: "ca-verify-file", &ctx)
        },
        BindKeyword("crl-file", arguments: 1, missing: "missing CRLfile path") { a, b, ctx in
            let path = resolve(a[1], base: ctx.config.global.caBase)
            if let loader = ctx.tlsFiles, let error = loader.loadCRLFile(at: path) {
                ctx.diagnostics.alert(error, at: ctx.location)
                throw KeywordError("'crl-file' : unable to load \(path)")
            }
            b.tls.crlFile = path
        },
        BindKeyword("ca-ignore-err", arguments: 1, missing: "missing error IDs list") { a, b, _ in
            b.tls.caIgnoredErrors = try ignoredErrors(a[1], keyword: "ca-ignore-err")
        },
        BindKeyword("crt-ignore-err", arguments: 1, missing: "missing error IDs list") { a, b, _ in
            b.tls.certificateIgnoredErrors = try ignoredErrors(a[1], keyword: "crt-ignore-err")
        },
        BindKeyword("verify", arguments: 1, missing: "missing verify method") { a, b, _ in
            guard let mode = TLSClientVerify(rawValue: a[1]) else {
                throw KeywordError(
                    "'verify' : unknown verify method '\(a[1])', only 'none', 'optional', and 'required' are supported")
            }
            b.tls.verify = mode
        },
        BindKeyword("tls-ticket-keys", arguments: 1, missing: "missing TLS ticket keys file path") { a, b, _ in
            b.tls.ticketKeys = try ticketKeys(at: a[1])
        },
        BindKeyword("no-tls-tickets") { _, b, _ in b.tls.common.noTLSTickets = true },
        BindKeyword("strict-sni") { _, b, _ in b.tls.strictSNI = true },
        BindKeyword("prefer-client-ciphers") { _, b, _ in b.tls.preferClientCiphers = true },
    ]
        + TLSVersion.allCases.map { v in
            BindKeyword("no-\(v.optionSuffix)") { _, b, _ in b.tls.common.versions.disabled.insert(v) }
        }
        + TLSVersion.allCases.map { v in
            BindKeyword("force-\(v.optionSuffix)") { _, b, _ in
                b.tls.common.versions.minimum = v
                b.tls.common.versions.maximum = v
            }
        }

    /// Reads a `tls-ticket-keys` file, refused as 2.6 refuses it.
    static func ticketKeys(at path: String) throws -> TLSTicketKeyFile {
        guard let text = SystemFile.text(atPath: path) else {
            throw KeywordError("'\(path)' : unable to load ssl tickets keys file")
        }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() }
        var keys: [[UInt8]] = []
        for (index, line) in lines.enumerated() {
            let trimmed = line.hasSuffix("\r") ? line.dropLast() : line
            guard let key = Base64.decode(Array(trimmed.utf8), url: false) else {
                throw KeywordError("'\(path)' : unable to decode base64 key on line \(index + 1)")
            }
            guard key.count == (keys.first?.count ?? key.count), key.count == 48 || key.count == 80 else {
                throw KeywordError("'\(path)' : wrong sized key on line \(index + 1)")
            }
            keys.append(key)
        }
        guard keys.count >= 3 else {
            throw KeywordError("'\(path)' : please supply at least 3 keys in the tls-tickets-file")
        }
        return TLSTicketKeyFile(path: path, keys: keys)
    }

    /// A CA file (`ca-file`, `ca-verify-file`) made absolute with
    /// `ca-base` and loaded; an ALERT says why it cannot be.
    static func loadCAFile(_ text: String, keyword: String, _ ctx: inout ParseContext) throws -> String {
        let path = resolve(text, base: ctx.config.global.caBase)
        if let loader = ctx.tlsFiles, let error = loader.loadCAFile(at: path) {
            ctx.diagnostics.alert(error, at: ctx.location)
            throw KeywordError("'\(keyword)' : unable to load \(path)")
        }
        return path
    }

    /// `crt-base`/`ca-base` apply to relative paths.
    static func resolve(_ path: String, base: String?) -> String {
        guard let base, !path.hasPrefix("/") else { return path }
        return base.hasSuffix("/") ? base + path : base + "/" + path
    }

    /// `all` or `10,20`: each id is read as a number from its leading
    /// digits (none reads 0), and must lie between 1 and 94, as in 2.6.
    static func ignoredErrors(_ text: String, keyword: String) throws -> TLSIgnoredErrors {
        if text == "all" { return .all }
        var ids: Set<Int> = []
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            let digits = item.prefix { $0.isASCII && $0.isNumber }
            let id = digits.isEmpty ? 0 : (Int(digits) ?? Int.max)
            guard (1...94).contains(id) else {
                throw KeywordError("'\(keyword)' : ID '\(digits.isEmpty ? "0" : String(digits))' out of range (1..94) in error IDs list '\(text)'")
            }
            ids.insert(id)
        }
        return .ids(ids)
    }

    /// `h2,http/1.1`: the protocols in order.
    static func alpnList(_ text: String) throws -> [String] {
        let list = text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        for p in list where p.isEmpty || p.utf8.count > 255 {
            throw KeywordError("'alpn' : invalid empty or too long protocol name in '\(text)'")
        }
        return list
    }

    /// `spdy/2,http/1.1`: 2.6 takes any comma-separated list for NPN, empty
    /// names included.
    static func npnList(_ text: String) -> [String] {
        text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
    }

    /// `TLSv1.2`...; 2.6's wording for another word.
    static func tlsVersion(_ text: String) throws -> TLSVersion {
        guard let v = TLSVersion(name: text) else { throw KeywordError("'\(text)' : unknown ssl/tls version") }
        return v
    }

    /// What the `ssl-default-bind-*` globals give a bind line with `ssl`
    /// (the ones read before it, as 2.6 applies them as the line is parsed).
    static func applyTLSDefaults(_ tls: inout TLSBindConfig, _ global: TLSGlobalConfig) {
        if tls.common.ciphers == nil { tls.common.ciphers = global.bindCiphers }
        if tls.common.ciphersuites == nil { tls.common.ciphersuites = global.bindCiphersuites }
        if tls.common.curves == nil { tls.common.curves = global.bindCurves }
        tls.common.versions.inherit(global.bindOptions.versions)
        if global.bindOptions.noTLSTickets { tls.common.noTLSTickets = true }
        if global.bindOptions.preferClientCiphers { tls.preferClientCiphers = true }
    }
}

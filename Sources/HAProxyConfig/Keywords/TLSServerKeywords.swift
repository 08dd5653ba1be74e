import HAProxyRules

/// The TLS options of `server` and `default-server` (manual 5.2): `ssl`,
/// `verify`, `ca-file`, `crl-file`, `crt`, `sni`, `alpn`, ciphers and versions.
extension KeywordRegistry {
    static let tlsServerOptions: [ServerKeyword] = [
        ServerKeyword("ssl") { _, o, _ in o.tls.enabled = true },
        ServerKeyword("no-ssl") { _, o, _ in o.tls.enabled = false },
        ServerKeyword("verify", arguments: 1) { a, o, _ in
            guard !a[1].isEmpty else { throw KeywordError("'verify' : missing verify method") }
            guard let mode = TLSVerifyMode(rawValue: a[1]) else {
                throw KeywordError(
                    "'verify' : unknown verify method '\(a[1])', only 'none' and 'required' are supported")
            }
            o.tls.verify = mode
        },
        ServerKeyword("ca-file", arguments: 1) { a, o, _ in
            guard !a[1].isEmpty else { throw KeywordError("'ca-file' : missing CAfile path") }
            o.tls.caFile = a[1]
        },
        ServerKeyword("crl-file", arguments: 1) { a, o, _ in
            guard !a[1].isEmpty else { throw KeywordError("'crl-file' : missing CRLfile path") }
            o.tls.crlFile = a[1]
        },
        ServerKeyword("crt", arguments: 1) { a, o, _ in
            guard !a[1].isEmpty else { throw KeywordError("'crt' : missing certificate file path") }
            o.tls.certificate = a[1]
        },
        ServerKeyword("sni", arguments: 1) { a, o, _ in
            guard !a[1].isEmpty else { throw KeywordError("'sni' : missing sni expression") }
            do {
                _ = try SampleExpression.parse(a[1])
            } catch let error as SampleParseError {
                throw KeywordError("error detected while parsing sni expression : \(error.message)")
            }
            o.tls.sni = a[1]
        },
        ServerKeyword("alpn", arguments: 1) { a, o, _ in
            guard !a[1].isEmpty else { throw KeywordError("'alpn' : missing the comma-delimited ALPN protocol suite") }
            o.tls.common.alpn = try alpnList(a[1])
        },
        ServerKeyword("ciphers", arguments: 1) { a, o, _ in
            guard !a[1].isEmpty else { throw KeywordError("'ciphers' : missing cipher suite") }
            o.tls.common.ciphers = a[1]
        },
        ServerKeyword("ciphersuites", arguments: 1) { a, o, _ in
            guard !a[1].isEmpty else { throw KeywordError("'ciphersuites' : missing cipher suite") }
            o.tls.common.ciphersuites = a[1]
        },
        ServerKeyword("ssl-min-ver", arguments: 1) { a, o, _ in
            guard !a[1].isEmpty else { throw KeywordError("'ssl-min-ver' : missing the ssl/tls version") }
            o.tls.common.versions.minimum = try tlsVersion(a[1])
        },
        ServerKeyword("ssl-max-ver", arguments: 1) { a, o, _ in
            guard !a[1].isEmpty else { throw KeywordError("'ssl-max-ver' : missing the ssl/tls version") }
            o.tls.common.versions.maximum = try tlsVersion(a[1])
        },
        ServerKeyword("check-ssl") { _, o, _ in o.tls.checkSSL = true },
        ServerKeyword("no-check-ssl") { _, o, _ in o.tls.checkSSL = false },
        ServerKeyword("check-sni", arguments: 1) { a, o, _ in
            guard !a[1].isEmpty else { throw KeywordError("'check-sni' : missing SNI") }
            o.tls.checkSNI = a[1]
        },
        ServerKeyword("ssl-reuse") { _, o, _ in o.tls.reuseSessions = true },
        ServerKeyword("no-ssl-reuse") { _, o, _ in o.tls.reuseSessions = false },
        ServerKeyword("no-tls-tickets") { _, o, _ in o.tls.common.noTLSTickets = true },
        ServerKeyword("tls-tickets") { _, o, _ in o.tls.common.noTLSTickets = false },
    ]
        + TLSVersion.allCases.map { v in
            ServerKeyword("no-\(v.optionSuffix)") { _, o, _ in o.tls.common.versions.disabled.insert(v) }
        }
        + TLSVersion.allCases.map { v in
            ServerKeyword("force-\(v.optionSuffix)") { _, o, _ in
                o.tls.common.versions.minimum = v
                o.tls.common.versions.maximum = v
            }
        }
}

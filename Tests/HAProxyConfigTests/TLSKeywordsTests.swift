import Foundation
import XCTest

@testable import HAProxyConfig

/// `bind ... ssl`, `server ... ssl` and the TLS globals, parsed and worded
/// as 2.6 (checked with its `-c`).
final class TLSKeywordsTests: XCTestCase {
    private func load(_ text: String) -> (Configuration?, Diagnostics) {
        TestSupport.load(text)
    }

    /// `crl-file` (with `ca-base`), `ca-ignore-err` and `crt-ignore-err`.
    func testVerifyOptionsFillTheModel() throws {
        let (config, d) = load(
            """
            global
                ca-base /etc/ssl/ca
            frontend f
                bind :443 ssl crt /x.pem ca-file ca.pem crl-file revoked.pem verify optional ca-ignore-err all crt-ignore-err 10,20,94
            """)
        XCTAssertEqual(d.alerts.map(\.message), [])
        let tls = try XCTUnwrap(config?.proxies.first?.binds.first?.tls)
        XCTAssertEqual(tls.crlFile, "/etc/ssl/ca/revoked.pem")
        XCTAssertEqual(tls.caIgnoredErrors, .all)
        XCTAssertEqual(tls.certificateIgnoredErrors, .ids([10, 20, 94]))
        XCTAssertTrue(tls.certificateIgnoredErrors?.contains(20) ?? false)
        XCTAssertFalse(tls.certificateIgnoredErrors?.contains(21) ?? true)
    }

    func testBindOptionsFillTheModel() throws {
        let (config, d) = load(
            """
            global
                crt-base /etc/ssl/private
            frontend f
                bind :443,:8443 ssl crt site.pem crt /abs/other.pem alpn h2,http/1.1 ssl-min-ver TLSv1.2 ssl-max-ver TLSv1.3 ciphers ECDHE+AESGCM ciphersuites TLS_AES_128_GCM_SHA256 curves X25519:P-256 no-tls-tickets strict-sni prefer-client-ciphers no-tlsv11 ecdhe prime256v1
                bind :444 ssl crt x.pem force-tlsv12
            """)
        XCTAssertEqual(d.alerts.map(\.message), [])
        let binds = try XCTUnwrap(config?.proxies.first?.binds)
        XCTAssertEqual(binds.count, 3)
        let tls = binds[0].tls
        XCTAssertEqual(binds[1].tls, tls, "every address of a line shares its TLS options")
        XCTAssertTrue(tls.enabled)
        XCTAssertEqual(tls.certificates.map(\.path), ["/etc/ssl/private/site.pem", "/abs/other.pem"])
        XCTAssertEqual(tls.common.alpn, ["h2", "http/1.1"])
        XCTAssertEqual(tls.common.versions.minimum, .tlsv12)
        XCTAssertEqual(tls.common.versions.maximum, .tlsv13)
        XCTAssertEqual(tls.common.versions.disabled, [.tlsv11])
        XCTAssertEqual(tls.common.ciphers, "ECDHE+AESGCM")
        XCTAssertEqual(tls.common.ciphersuites, "TLS_AES_128_GCM_SHA256")
        XCTAssertEqual(tls.common.curves, "X25519:P-256")
        XCTAssertEqual(tls.ecdhe, "prime256v1")
        XCTAssertTrue(tls.common.noTLSTickets && tls.strictSNI && tls.preferClientCiphers)
        XCTAssertEqual(tls.addressText, ":443,:8443")
        XCTAssertEqual(binds[2].tls.common.versions.minimum, .tlsv12)
        XCTAssertEqual(binds[2].tls.common.versions.maximum, .tlsv12)
    }

    /// The `ssl-default-bind-*` globals read before a bind line fill what
    /// the line leaves unset (2.6 applies them as the line is parsed).
    func testDefaultBindOptionsApplyToSSLLines() throws {
        let (config, d) = load(
            """
            global
                ssl-default-bind-ciphers ECDHE+AESGCM
                ssl-default-bind-ciphersuites TLS_AES_256_GCM_SHA384
                ssl-default-bind-options ssl-min-ver TLSv1.2 no-tls-tickets prefer-client-ciphers
                tune.ssl.default-dh-param 2048
                tune.ssl.cachesize 100
                tune.ssl.lifetime 10m
                tune.ssl.maxrecord 1400
                ssl-dh-param-file /etc/haproxy/dh.pem
            frontend f
                bind :443 ssl crt /x.pem ciphers HIGH
                bind :80
            """)
        XCTAssertEqual(d.alerts.map(\.message), [])
        let c = try XCTUnwrap(config)
        XCTAssertEqual(c.global.tls.defaultDHParamBits, 2048)
        XCTAssertEqual(c.global.tls.cacheSize, 100)
        XCTAssertEqual(c.global.tls.sessionLifetime, 600)
        XCTAssertEqual(c.global.tls.maxRecord, 1400)
        XCTAssertEqual(c.global.tls.dhParamFile, "/etc/haproxy/dh.pem")
        let tls = c.proxies[0].binds[0].tls
        XCTAssertEqual(tls.common.ciphers, "HIGH", "the line's own value wins")
        XCTAssertEqual(tls.common.ciphersuites, "TLS_AES_256_GCM_SHA384")
        XCTAssertEqual(tls.common.versions.minimum, .tlsv12)
        XCTAssertTrue(tls.common.noTLSTickets && tls.preferClientCiphers)
        XCTAssertFalse(c.proxies[0].binds[1].tls.enabled)
        XCTAssertNil(c.proxies[0].binds[1].tls.common.ciphers, "a plain line takes nothing")
    }

    /// `tls-ticket-keys`: the keys decoded in order; the files 2.6 refuses
    /// are refused with its words (checked with its `-c`).
    func testTicketKeyFilesAreCheckedAs26() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tickets-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let k48 = Data(repeating: 1, count: 48).base64EncodedString()
        let k80 = Data(repeating: 2, count: 80).base64EncodedString()
        let files = [
            "good": [k80, k80, k80, k80].joined(separator: "\n") + "\n",
            "two": "\(k48)\n\(k48)\n",
            "mixed": "\(k80)\n\(k48)\n\(k48)\n",
            "bad": "!!!notbase64\n\(k48)\n",
            "blank": "\(k48)\n\(k48)\n\(k48)\n\n# comment\n",
            "short": Data(repeating: 3, count: 32).base64EncodedString() + "\n",
        ]
        for (name, text) in files { try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        func path(_ name: String) -> String { dir.appendingPathComponent(name).path }
        let (config, d) = load("frontend f\n    bind :443 ssl crt /x.pem tls-ticket-keys \(path("good"))\n")
        XCTAssertEqual(d.alerts.map(\.message), [])
        XCTAssertEqual(config?.proxies[0].binds[0].tls.ticketKeys?.keys, Array(repeating: Array(repeating: 2, count: 80), count: 4))
        let cases: [(String, String)] = [
            ("two", "please supply at least 3 keys in the tls-tickets-file"),
            ("mixed", "wrong sized key on line 2"),
            ("bad", "unable to decode base64 key on line 1"),
            ("blank", "wrong sized key on line 4"),
            ("short", "wrong sized key on line 1"),
            ("none", "unable to load ssl tickets keys file"),
        ]
        for (name, message) in cases {
            let (config, d) = load("frontend f\n    bind :443 ssl crt /x.pem tls-ticket-keys \(path(name))\n")
            XCTAssertNil(config, name)
            XCTAssertEqual(d.alerts.first?.message,
                           "parsing [test.cfg:2] : 'bind :443' in section 'frontend' : '\(path(name))' : \(message)", name)
        }
        let (_, missing) = load("frontend f\n    bind :443 ssl crt /x.pem tls-ticket-keys\n")
        XCTAssertEqual(missing.alerts.first?.message,
                       "parsing [test.cfg:2] : 'bind :443' in section 'frontend' : 'tls-ticket-keys' : missing TLS ticket keys file path")
    }

    func testBindErrorsAreWordedAs26() {
        let cases: [(String, String)] = [
            ("bind :443 ssl crt", "'crt' : missing certificate location"),
            ("bind :443 ssl crt /x.pem ciphers", "'ciphers' : missing cipher suite"),
            ("bind :443 ssl crt /x.pem ciphersuites", "'ciphersuites' : missing cipher suite"),
            ("bind :443 ssl crt /x.pem curves", "'curves' : missing curve suite"),
            ("bind :443 ssl crt /x.pem ecdhe", "'ecdhe' : missing named curve"),
            ("bind :443 ssl crt /x.pem ssl-max-ver", "'ssl-max-ver' : missing the ssl/tls version"),
            ("bind :443 ssl crt /x.pem ssl-min-ver FOO", "'FOO' : unknown ssl/tls version"),
            ("bind :443 ssl crt /x.pem alpn", "'alpn' : missing the comma-delimited ALPN protocol suite"),
            ("bind :443 ssl crt /x.pem npn", "'npn' : missing the comma-delimited NPN protocol suite"),
            ("bind :443 ssl crt /x.pem ca-verify-file", "'ca-verify-file' : missing CAfile path"),
            ("bind :443 ssl crt /x.pem crl-file", "'crl-file' : missing CRLfile path"),
            ("bind :443 ssl crt /x.pem ca-ignore-err", "'ca-ignore-err' : missing error IDs list"),
            ("bind :443 ssl crt /x.pem crt-ignore-err 3,95", "'crt-ignore-err' : ID '95' out of range (1..94) in error IDs list '3,95'"),
            ("bind :443 ssl crt /x.pem ca-ignore-err 3,,4", "'ca-ignore-err' : ID '0' out of range (1..94) in error IDs list '3,,4'"),
            ("bind :443 ssl crt /x.pem verify", "'verify' : missing verify method"),
            ("bind :443 ssl crt /x.pem verify maybe", "'verify' : unknown verify method 'maybe', only 'none', 'optional', and 'required' are supported"),
            ("bind :443 ssl crt /x.pem ca-file", "'ca-file' : missing CAfile path"),
        ]
        for (line, message) in cases {
            let (config, d) = load("frontend f\n    \(line)\n")
            XCTAssertNil(config, line)
            XCTAssertEqual(
                d.alerts.first?.message, "parsing [test.cfg:2] : 'bind :443' in section 'frontend' : \(message)", line)
        }
    }

    func testGlobalErrorsAreWordedAs26() {
        let cases: [(String, String)] = [
            ("ssl-default-bind-options foo", "unknown option 'foo' on global statement 'ssl-default-bind-options'."),
            ("ssl-default-bind-options strict-sni", "unknown option 'strict-sni' on global statement 'ssl-default-bind-options'."),
            ("ssl-default-bind-options ssl-min-ver FOO", "'FOO' : unknown ssl/tls version on global statement 'ssl-default-bind-options'."),
            ("ssl-default-bind-options ssl-min-ver", "'ssl-min-ver' : missing the ssl/tls version on global statement 'ssl-default-bind-options'."),
            ("ssl-default-bind-options", "global statement 'ssl-default-bind-options' expects an option as an argument."),
            ("ssl-default-server-options prefer-client-ciphers", "unknown option 'prefer-client-ciphers' on global statement 'ssl-default-server-options'."),
            ("ssl-default-bind-ciphers", "global statement 'ssl-default-bind-ciphers' expects a cipher suite as an argument."),
            ("tune.ssl.default-dh-param", "'tune.ssl.default-dh-param' expects an integer argument."),
            ("tune.ssl.default-dh-param 1000", "'tune.ssl.default-dh-param' expects a value >= 1024."),
            ("tune.ssl.default-dh-param 2048 4", "'tune.ssl.default-dh-param' cannot handle unexpected argument '4'."),
            ("ssl-server-verify bogus", "'ssl-server-verify' expects 'none' or 'required' as argument."),
            ("tune.ssl.cachesize", "'tune.ssl.cachesize' expects an integer argument."),
            ("tune.ssl.cachesize -1", "'tune.ssl.cachesize' expects a positive numeric value."),
            ("tune.ssl.lifetime", "'tune.ssl.lifetime' expects ssl sessions <lifetime> in seconds as argument."),
            ("tune.ssl.lifetime 5x", "unexpected character 'x' in argument to <tune.ssl.lifetime>."),
            ("tune.ssl.maxrecord", "'tune.ssl.maxrecord' expects an integer argument."),
            ("ssl-dh-param-file", "'ssl-dh-param-file' expects a file path as an argument."),
        ]
        for (line, message) in cases {
            let (config, d) = load("global\n    \(line)\n")
            XCTAssertNil(config, line)
            XCTAssertEqual(d.alerts.first?.message, "parsing [test.cfg:2] : \(message)", line)
        }
    }

    func testServerOptionsFillTheModel() throws {
        let (config, d) = load(
            """
            global
                ca-base /etc/ssl/certs
                ssl-server-verify none
                ssl-default-server-ciphers HIGH
                ssl-default-server-options ssl-min-ver TLSv1.2 no-tls-tickets
            backend b
                default-server ssl verify required ca-file ca.pem
                server s1 10.0.0.1:443 sni req.hdr(host) alpn http/1.1 ssl-max-ver TLSv1.3
                server s2 10.0.0.2:443 no-ssl
            """)
        XCTAssertEqual(d.alerts.map(\.message), [])
        let c = try XCTUnwrap(config)
        XCTAssertEqual(c.global.tls.serverVerify, TLSVerifyMode.none)
        let s1 = c.proxies[0].servers[0].options.tls
        XCTAssertTrue(s1.enabled)
        XCTAssertEqual(s1.verify, .required)
        XCTAssertEqual(s1.caFile, "/etc/ssl/certs/ca.pem")
        XCTAssertEqual(s1.sni, "req.hdr(host)")
        XCTAssertEqual(s1.common.alpn, ["http/1.1"])
        XCTAssertEqual(s1.common.ciphers, "HIGH")
        XCTAssertEqual(s1.common.versions.minimum, .tlsv12)
        XCTAssertEqual(s1.common.versions.maximum, .tlsv13)
        XCTAssertTrue(s1.common.noTLSTickets)
        XCTAssertFalse(c.proxies[0].servers[1].options.tls.enabled)
    }

    func testServerErrorsAreWordedAs26() {
        let cases: [(String, String)] = [
            ("ssl verify", "'verify' : missing verify method."),
            ("ssl verify maybe", "'verify' : unknown verify method 'maybe', only 'none' and 'required' are supported."),
            ("ssl verify none ca-file", "'ca-file' : missing CAfile path."),
            ("ssl verify none alpn", "'alpn' : missing the comma-delimited ALPN protocol suite."),
            ("ssl verify none crt", "'crt' : missing certificate file path."),
            ("ssl verify none sni", "'sni' : missing sni expression."),
            ("ssl verify none sni foo(bar)", "error detected while parsing sni expression : unknown fetch method 'foo'."),
            ("ssl verify none ssl-min-ver FOO", "'FOO' : unknown ssl/tls version."),
            ("check check-sni", "'check-sni' : missing SNI."),
        ]
        for (options, message) in cases {
            let (config, d) = load("backend b\n    server s1 127.0.0.1:443 \(options)\n")
            XCTAssertNil(config, options)
            XCTAssertEqual(d.alerts.first?.message, "[test.cfg:2] : 'server b/s1' : \(message)", options)
        }
    }

    func testCertificateListLinesWithOptionsAndFilters() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("crtlist-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let list = dir.appendingPathComponent("list.txt").path
        try """
            # certificates of the site
            site.pem
            /abs/wild.pem [alpn h2,http/1.1 ssl-min-ver TLSv1.3 ciphers HIGH verify optional ca-file ca.pem] *.Example.org !old.example.org

            other.pem [no-ca-names]   # a comment
            """.write(toFile: list, atomically: true, encoding: .utf8)
        let (config, d) = load(
            """
            global
                crt-base /etc/ssl/private
                ca-base /etc/ssl/certs
            frontend f
                bind :443 ssl crt first.pem crt-list \(list)
            """)
        XCTAssertEqual(d.alerts.map(\.message), [])
        let lines = try XCTUnwrap(config?.proxies.first?.binds.first?.tls.certificates)
        XCTAssertEqual(
            lines.map(\.path),
            ["/etc/ssl/private/first.pem", "/etc/ssl/private/site.pem", "/abs/wild.pem", "/etc/ssl/private/other.pem"])
        XCTAssertTrue(lines[1].options.isEmpty)
        XCTAssertEqual(lines[2].options.alpn, ["h2", "http/1.1"])
        XCTAssertEqual(lines[2].options.minimumVersion, .tlsv13)
        XCTAssertEqual(lines[2].options.ciphers, "HIGH")
        XCTAssertEqual(lines[2].options.verify, .optional)
        XCTAssertEqual(lines[2].options.caFile, "/etc/ssl/certs/ca.pem")
        XCTAssertEqual(lines[2].filters, ["*.example.org", "!old.example.org"])
        XCTAssertTrue(lines[3].options.noCANames)
        XCTAssertEqual(lines[3].filters, [])
    }

    func testCertificateListErrorsAreWordedAs26() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("crtlist-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let list = dir.appendingPathComponent("list.txt").path
        try "/x.pem\n/y.pem [foo bar]\n".write(toFile: list, atomically: true, encoding: .utf8)
        let prefix = "parsing [test.cfg:2] : 'bind :443' in section 'frontend' : 'crt-list' : "
        var (config, d) = load("frontend f\n    bind :443 ssl crt-list \(list)\n")
        XCTAssertNil(config)
        XCTAssertEqual(d.alerts.first?.message, prefix + "parsing [\(list):2]: unknown ssl keyword foo")
        (config, d) = load("frontend f\n    bind :443 ssl crt-list \(dir.path)/none.txt\n")
        XCTAssertEqual(
            d.alerts.first?.message, prefix + "cannot open file '\(dir.path)/none.txt' : No such file or directory")
        (config, d) = load("frontend f\n    bind :443 ssl crt-list\n")
        XCTAssertEqual(d.alerts.first?.message, prefix + "missing certificate location")
    }
}

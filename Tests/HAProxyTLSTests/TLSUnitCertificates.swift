import Foundation
import HAProxyConfig
import XCTest

@testable import HAProxyTLS

/// Certificates made for the record layer's unit tests (an RSA leaf for
/// localhost and www.example.test, an ECDSA wildcard for *.wild.test),
/// and the server and client contexts built on them.
final class TLSUnitCertificates {
    let directory: URL
    let pem: String
    let wildcardPem: String

    init() {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("tlsunit-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let script = """
            set -e; cd '\(directory.path)'
            openssl req -x509 -newkey rsa:2048 -nodes -keyout k.pem -out c.pem -days 2 -subj '/CN=localhost' \
                -addext 'subjectAltName=DNS:localhost,DNS:www.example.test' 2>/dev/null
            cat c.pem k.pem > leaf.pem
            openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout wk.pem -out wc.pem -days 2 \
                -subj '/CN=*.wild.test' 2>/dev/null
            cat wc.pem wk.pem > wild.pem
            """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", script]
        try? p.run()
        p.waitUntilExit()
        pem = directory.appendingPathComponent("leaf.pem").path
        wildcardPem = directory.appendingPathComponent("wild.pem").path
    }

    func remove() {
        try? FileManager.default.removeItem(at: directory)
    }

    func serverContext(strict: Bool = false, alpn: [String]? = nil, tls12Ciphers: String? = nil) throws
        -> TLSServerContext
    {
        var bind = TLSBindConfig()
        if let tls12Ciphers {
            bind.common.versions.maximum = .tlsv12
            bind.common.ciphers = tls12Ciphers
        }
        bind.enabled = true
        bind.certificates = [pem, wildcardPem].map { TLSCertificateLine(path: $0) }
        bind.strictSNI = strict
        bind.common.alpn = alpn
        bind.addressText = ":443"
        return try TLSServerContext.build(
            bind, global: TLSGlobalConfig(), httpMode: true, proxy: "fe", location: SourceLocation(file: "t.cfg", line: 1)
        ).context
    }

    func clientContext(alpn: [String]? = nil) throws -> TLSClientContext {
        var server = TLSServerConfig()
        server.enabled = true
        server.verify = TLSVerifyMode.none
        server.common.alpn = alpn
        return try TLSClientContext.build(server, global: TLSGlobalConfig(), backend: "be", server: "s1")
    }
}

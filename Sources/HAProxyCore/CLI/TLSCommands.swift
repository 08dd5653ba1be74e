import HAProxyTLS

/// The `ssl` commands of the runtime API (management guide 9.3): `show ssl
/// cert` lists the certificates in memory and details one; the others
/// (certificate updates, crt-lists, CA files, OCSP) are refused, naming
/// themselves.
enum TLSCommands {
    static let keywords: [CLIKeyword] = [
        CLIKeyword(["show", "ssl", "cert"], usage: "show ssl cert [<certfile>]",
                   help: "display the SSL certificates used in memory, or the details of a file") { request in
            let certificates = CertificateStore.shared.certificates
            let file = request[3]
            guard !file.isEmpty else {
                return "# filename\n" + certificates.map { $0.path + "\n" }.joined()
            }
            guard let entry = certificates.first(where: { $0.path == file }) else {
                return "Can't display the certificate: Not found or the certificate is a bundle!\n"
            }
            return entry.details
        },
    ] + refused.map { words in
        CLIKeyword(words, usage: nil, help: "", level: .admin) { _ in
            "'\(words.joined(separator: " "))' is not supported by this build.\n"
        }
    }

    /// The other `ssl` commands of 2.6.
    static let refused: [[String]] = [
        ["set", "ssl", "cert"], ["commit", "ssl", "cert"], ["abort", "ssl", "cert"], ["new", "ssl", "cert"],
        ["del", "ssl", "cert"], ["show", "ssl", "crt-list"], ["add", "ssl", "crt-list"], ["del", "ssl", "crt-list"],
        ["show", "ssl", "ca-file"], ["set", "ssl", "ca-file"], ["commit", "ssl", "ca-file"],
        ["abort", "ssl", "ca-file"], ["new", "ssl", "ca-file"], ["add", "ssl", "ca-file"], ["del", "ssl", "ca-file"],
        ["show", "ssl", "crl-file"], ["set", "ssl", "crl-file"], ["commit", "ssl", "crl-file"],
        ["abort", "ssl", "crl-file"], ["new", "ssl", "crl-file"], ["del", "ssl", "crl-file"],
        ["show", "ssl", "ocsp-response"], ["set", "ssl", "ocsp-response"], ["update", "ssl", "ocsp-response"],
        ["show", "ssl", "providers"], ["set", "ssl", "tls-key"], ["show", "tls-keys"],
    ]
}

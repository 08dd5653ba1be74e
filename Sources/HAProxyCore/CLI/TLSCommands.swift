import HAProxyConfig
import HAProxyTLS

/// The `ssl` commands of the runtime API (management guide 9.3): `show ssl
/// cert` lists and details the certificates in memory; `set ssl cert` with
/// a payload, then `commit` or `abort ssl cert`, renews one without a
/// reload; `new` and `del ssl cert`; `show|add|del ssl crt-list`; the
/// same transactions for CA and CRL files; `show ssl
/// ca-file|crl-file|ocsp-response|providers`; `set ssl ocsp-response`;
/// `show tls-keys` and `set ssl tls-key` for the `tls-ticket-keys` files.
enum TLSCommands {
    static var store: CertificateStore { .shared }

    static let keywords: [CLIKeyword] = [
        CLIKeyword(["show", "ssl", "cert"], usage: "show ssl cert [<certfile>]",
                   help: "display the SSL certificates used in memory, or the details of a file") { request in
            guard request.allows(.operator) else { return userLevelAnswer }
            return store.show(request[3])
        },
        CLIKeyword(["set", "ssl", "cert"], usage: "set ssl cert <certfile> <payload>",
                   help: "replace a certificate file", level: .admin) { request in
            guard !request[3].isEmpty, let payload = request.payload else {
                return "'set ssl cert expects a filename and a certificate as a payload\n"
            }
            return store.setCertificate(request[3], payload: payload)
        },
        CLIKeyword(["commit", "ssl", "cert"], usage: "commit ssl cert <certfile>",
                   help: "commit a certificate file", level: .admin) { request in
            guard !request[3].isEmpty else { return "'commit ssl cert expects a filename\n" }
            return store.commitTransaction(request[3])
        },
        CLIKeyword(["abort", "ssl", "cert"], usage: "abort ssl cert <certfile>",
                   help: "abort a transaction for a certificate file", level: .admin) { request in
            guard !request[3].isEmpty else { return "'abort ssl cert' expects a filename\n" }
            return store.abortTransaction(request[3])
        },
        CLIKeyword(["new", "ssl", "cert"], usage: "new ssl cert <certfile>",
                   help: "create a new certificate file to be used in a crt-list or a directory", level: .admin) { request in
            guard !request[3].isEmpty else { return "'new ssl cert' expects a filename\n" }
            return store.newCertificate(request[3])
        },
        CLIKeyword(["del", "ssl", "cert"], usage: "del ssl cert <certfile>",
                   help: "delete an unused certificate file", level: .admin) { request in
            guard !request[3].isEmpty else { return "'del ssl cert' expects a certificate name\n" }
            return store.deleteCertificate(request[3])
        },
        CLIKeyword(["show", "ssl", "crt-list"], usage: "show ssl crt-list [-n] [<list>]",
                   help: "show the list of crt-lists or the content of a crt-list file <list>", level: .admin) { request in
            store.showList(Array(request.args.dropFirst(3)))
        },
        CLIKeyword(["add", "ssl", "crt-list"], usage: "add ssl crt-list <list> <cert> [opts]*",
                   help: "add to crt-list file <list> a line <cert> or a payload", level: .admin) { request in
            guard !request[3].isEmpty, !request[4].isEmpty || request.payload != nil else {
                return "'add ssl crtlist' expects a filename and a certificate name\n"
            }
            // On the command line only the certificate counts (its options
            // and filters go in a payload line), as in 2.6.
            guard let payload = request.payload else {
                return store.addListLine(request[3], line: TLSCertificateLine(path: request[4]))
            }
            let lines = payload.split(separator: "\n").filter { !$0.allSatisfy { $0 == " " || $0 == "\t" } }
            guard lines.count == 1 else { return "Can't edit the crt-list: only one line of payload is supported!\n" }
            switch CertificateListParser.parseRuntimeLine(String(lines[0])) {
            case .success(let line?): return store.addListLine(request[3], line: line)
            case .success(nil): return "'add ssl crtlist' expects a filename and a certificate name\n"
            case .failure(let error): return "Can't edit the crt-list: \(error.message)\n"
            }
        },
        CLIKeyword(["del", "ssl", "crt-list"], usage: "del ssl crt-list <list> <cert[:line]>",
                   help: "delete a line <cert> from crt-list file <list>", level: .admin) { request in
            guard !request[3].isEmpty, !request[4].isEmpty else {
                return "'del ssl crtlist' expects a filename and a certificate name\n"
            }
            return store.deleteListLine(request[3], request[4])
        },
        CLIKeyword(["show", "ssl", "ca-file"], usage: "show ssl ca-file [<cafile>[:<index>]]",
                   help: "display the SSL CA files used in memory, or the details of a <cafile>, or a single certificate of index <index> of a CA file <cafile>") { request in
            guard request.allows(.operator) else { return userLevelAnswer }
            guard !request[3].isEmpty else { return store.caFileList() }
            guard let details = store.caFileDetails(request[3]) else {
                request.omitsEmptyLine = true
                return "wrong CA index after colons in '\(request[3])'!\n"
            }
            return details
        },
        CLIKeyword(["show", "ssl", "crl-file"], usage: "show ssl crl-file [<crlfile[:<index>>]]",
                   help: "display the SSL CRL files used in memory, or the details of a <crlfile>, or a single CRL of index <index> of CRL file <crlfile>") { request in
            guard request.allows(.operator) else { return userLevelAnswer }
            guard !request[3].isEmpty else { return store.crlFileList() }
            guard let details = store.crlFileDetails(request[3]) else {
                request.omitsEmptyLine = true
                return "wrong CRL index after colons in '\(request[3])'!\n"
            }
            return details
        },
        CLIKeyword(["set", "ssl", "ca-file"], usage: "set ssl ca-file <cafile> <payload>", help: "replace a CA file",
                   level: .admin) { request in
            guard !request[3].isEmpty, let payload = request.payload else {
                return "'set ssl ca-file expects a filename and CAs as a payload\n"
            }
            return store.setCAFile(request[3], payload: payload, crl: false)
        },
        CLIKeyword(["set", "ssl", "crl-file"], usage: "set ssl crl-file <crlfile> <payload>", help: "replace a CRL file",
                   level: .admin) { request in
            guard !request[3].isEmpty, let payload = request.payload else {
                return "'set ssl crl-file expects a filename and CRLs as a payload\n"
            }
            return store.setCAFile(request[3], payload: payload, crl: true)
        },
        CLIKeyword(["commit", "ssl", "ca-file"], usage: "commit ssl ca-file <cafile>", help: "commit a CA file",
                   level: .admin) { request in
            guard !request[3].isEmpty else { return "'commit ssl ca-file expects a filename\n" }
            return store.commitCAFile(request[3], crl: false)
        },
        CLIKeyword(["commit", "ssl", "crl-file"], usage: "commit ssl crl-file <crlfile>", help: "commit a CRL file",
                   level: .admin) { request in
            guard !request[3].isEmpty else { return "'commit ssl ca-file expects a filename\n" }
            return store.commitCAFile(request[3], crl: true)
        },
        CLIKeyword(["abort", "ssl", "ca-file"], usage: "abort ssl ca-file <cafile>", help: "abort a transaction for a CA file",
                   level: .admin) { request in
            guard !request[3].isEmpty else { return "'abort ssl ca-file' expects a filename\n" }
            return store.abortCAFile(request[3], crl: false)
        },
        CLIKeyword(["abort", "ssl", "crl-file"], usage: "abort ssl crl-file <crlfile>", help: "abort a transaction for a CRL file",
                   level: .admin) { request in
            guard !request[3].isEmpty else { return "'abort ssl crl-file' expects a filename\n" }
            return store.abortCAFile(request[3], crl: true)
        },
        CLIKeyword(["new", "ssl", "ca-file"], usage: "new ssl ca-file <cafile>",
                   help: "create a new CA file to be used in a crt-list", level: .admin) { request in
            guard !request[3].isEmpty else { return "'new ssl ca-file' expects a filename\n" }
            return store.newCAFile(request[3], crl: false)
        },
        CLIKeyword(["new", "ssl", "crl-file"], usage: "new ssl crlfile <crlfile>",
                   help: "create a new CRL file to be used in a crt-list", level: .admin) { request in
            guard !request[3].isEmpty else { return "'new ssl crl-file' expects a filename\n" }
            return store.newCAFile(request[3], crl: true)
        },
        CLIKeyword(["del", "ssl", "ca-file"], usage: "del ssl ca-file <cafile>", help: "delete an unused CA file",
                   level: .admin) { request in
            guard !request[3].isEmpty else { return "'del ssl ca-file' expects a CA file name\n" }
            return store.deleteCAFile(request[3], crl: false)
        },
        CLIKeyword(["del", "ssl", "crl-file"], usage: "del ssl crl-file <crlfile>", help: "delete an unused CRL file",
                   level: .admin) { request in
            guard !request[3].isEmpty else { return "'del ssl crl-file' expects a CRL file name\n" }
            return store.deleteCAFile(request[3], crl: true)
        },
        CLIKeyword(["show", "ssl", "ocsp-response"], usage: "show ssl ocsp-response [id]",
                   help: "display the IDs of the OCSP responses used in memory, or the details of a single OCSP response") { request in
            store.ocspResponses(request[3])
        },
        CLIKeyword(["set", "ssl", "ocsp-response"], usage: "set ssl ocsp-response <resp|payload>",
                   help: "update a certificate's OCSP Response from a base64-encode DER", level: .admin) { request in
            let text = request.payload ?? request[3]
            guard !text.isEmpty else { return "'set ssl ocsp-response' expects response in base64 encoding.\n" }
            return store.setOCSPResponse(text)
        },
        CLIKeyword(["show", "ssl", "providers"], usage: "show ssl providers", help: "show loaded SSL providers") { _ in
            CertificateStore.providers()
        },
        // TLS ticket keys (`tls-ticket-keys`): the files and ids, the keys.
        CLIKeyword(["show", "tls-keys"], usage: "show tls-keys [id|*]",
                   help: "show tls keys references or dump tls ticket keys when id specified") { request in
            let name = request[2]
            guard !name.isEmpty else {
                return "# id (file)\n" + TLSTicketKeys.all.map { "\($0.id) (\($0.keys.path))\n" }.joined()
            }
            let shown = name == "*" ? TLSTicketKeys.all : TLSTicketKeys.find(name).map { [$0] } ?? []
            if shown.isEmpty && name != "*" { return "'show tls-keys' unable to locate referenced filename\n" }
            return "# id secret\n" + shown.map { ref in
                "# \(ref.id) (\(ref.keys.path))\n"
                    + ref.keys.encodedKeys.enumerated().map { "\(ref.id).\($0.offset) \($0.element)\n" }.joined()
            }.joined()
        },
        CLIKeyword(["set", "ssl", "tls-key"], usage: "set ssl tls-key [id|file] <key>",
                   help: "set the next TLS key for the <id> or <file> listener to <key>") { request in
            // 2.6 asks for no level here: a `user` session may rotate keys.
            guard !request[3].isEmpty, !request[4].isEmpty else {
                return "'set ssl tls-key' expects a filename and the new TLS key in base64 encoding.\n"
            }
            guard let ref = TLSTicketKeys.find(request[3]) else {
                return "'set ssl tls-key' unable to locate referenced filename\n"
            }
            return ref.keys.push(base64: request[4])
        },
    ]

    /// What 2.6 answers a `user` level session asking to show certificates,
    /// CA or CRL files.
    static let userLevelAnswer = "Can't allocate memory!\n"
}

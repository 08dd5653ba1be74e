import COpenSSL

/// `set|commit|abort ssl ca-file` and `set|commit|abort ssl crl-file`
/// (management guide 9.3): a CA or CRL file's new content, checked, held
/// in a transaction (one for each kind, as in 2.6), then committed to
/// every bind context verifying client certificates with it.
extension CertificateStore {
    /// The ongoing transaction: its file, kind and new PEM content.
    struct FileTransaction {
        enum Kind { case ca, crl }
        let path: String
        let kind: Kind
        var content: String
    }

    /// The committed content of a CA or CRL file, if one was committed.
    func committedContent(of path: String) -> String? { committedFilesLock.withLock { committedFiles[path] } }

    /// `set ssl ca-file|crl-file <file>` with its payload.
    public func setCAFile(_ path: String, payload: String, crl: Bool) -> String {
        var certificates: Int32 = 0, crls: Int32 = 0
        let count = hap_pem_count(payload, Int32(payload.utf8.count), &certificates, &crls)
        OpenSSLErrors.drain()
        let kind: FileTransaction.Kind = crl ? .crl : .ca
        return lock.withLock {
            if let t = fileTransactions[kind], t.path != path {
                return "The ongoing transaction is about '\(t.path)' but you are trying to set '\(path)'\nCan't update \(path)!\n"
            }
            let referenced = crl ? crlFiles.contains(path) : caFiles[path] != nil
            guard referenced else {
                return "Can't replace a \(crl ? "CRL" : "CA") file which is not referenced by the configuration!\nCan't update \(path)!\n"
            }
            guard count > 0 else { return "Invalid payload\nCan't update \(path)!\n" }
            let what = crl ? "CRL" : "CA"
            if fileTransactions[kind] != nil {
                fileTransactions[kind]?.content = payload
                return "transaction updated for \(what) \(path)!\n"
            }
            fileTransactions[kind] = FileTransaction(path: path, kind: kind, content: payload)
            return "transaction created for \(what) \(path)!\n"
        }
    }

    /// `abort ssl ca-file|crl-file <file>`.
    public func abortCAFile(_ path: String, crl: Bool) -> String {
        lock.withLock {
            guard let t = fileTransactions[crl ? .crl : .ca] else { return "No ongoing transaction!\n" }
            guard t.path == path else {
                return "The ongoing transaction is about '\(t.path)' but you are trying to abort a transaction for '\(path)'\n"
            }
            fileTransactions[t.kind] = nil
            return "Transaction aborted for certificate '\(path)'!\n"
        }
    }

    /// `commit ssl ca-file|crl-file <file>`: the bind contexts verifying
    /// with the file are rebuilt with its new content.
    public func commitCAFile(_ path: String, crl: Bool) -> String {
        let kind: FileTransaction.Kind = crl ? .crl : .ca
        let committed: FileTransaction? = lock.withLock {
            guard let t = fileTransactions[kind], t.path == path else { return nil }
            committedFilesLock.withLock { committedFiles[path] = t.content }
            if t.kind == .ca {
                var certificates: Int32 = 0, crls: Int32 = 0
                _ = hap_pem_count(t.content, Int32(t.content.utf8.count), &certificates, &crls)
                caFiles[path] = Int(certificates)
            }
            fileTransactions[kind] = nil
            return t
        }
        guard committed != nil else {
            return lock.withLock {
                guard let t = fileTransactions[kind] else { return "No ongoing transaction! !\nCan't commit \(path)!\n" }
                return "The ongoing transaction is about '\(t.path)' but you are trying to set '\(path)'\nCan't commit \(path)!\n"
            }
        }
        OpenSSLErrors.drain()
        // A dot for each context rebuilt; from then on 2.6 shows the file as used.
        let rebuilt = bindContexts().reduce(0) { $0 + $1.reloadSlots(using: path) }
        if rebuilt > 0 { lock.withLock { _ = usedFiles.insert(path) } }
        return "Committing \(path)" + String(repeating: ".", count: rebuilt) + "\nSuccess!\n"
    }

    /// Every bind context still alive.
    private func bindContexts() -> [TLSServerContext] {
        lock.withLock {
            var seen: [ObjectIdentifier: TLSServerContext] = [:]
            for list in instances.values {
                for instance in list {
                    if let context = instance.context { seen[ObjectIdentifier(context)] = context }
                }
            }
            return Array(seen.values)
        }
    }

    /// The transaction's view for `show ssl ca-file|crl-file`: its file
    /// and content, when it is of that kind.
    func fileTransaction(crl: Bool) -> (path: String, content: String)? {
        lock.withLock {
            fileTransactions[crl ? .crl : .ca].map { ($0.path, $0.content) }
        }
    }

    /// `new ssl ca-file|crl-file <file>`: an empty file a transaction can
    /// fill, to be named by crt-list lines.
    public func newCAFile(_ path: String, crl: Bool) -> String {
        lock.withLock {
            let what = crl ? "CRL" : "CA"
            if crl ? crlFiles.contains(path) : caFiles[path] != nil { return "\(what) file '\(path)' already exists!\n" }
            if crl { crlFiles.insert(path) } else { caFiles[path] = 0 }
            committedFilesLock.withLock { committedFiles[path] = "" }
            return "New \(what) file created '\(path)'!\n"
        }
    }

    /// `del ssl ca-file|crl-file <file>`: the file leaves the list; the
    /// contexts built with it keep what they loaded.
    public func deleteCAFile(_ path: String, crl: Bool) -> String {
        lock.withLock {
            let what = crl ? "CRL" : "CA"
            guard crl ? crlFiles.contains(path) : caFiles[path] != nil else {
                return "Can't remove the \(what) file: \(what) file '\(path)' doesn't exist!\n\n"
            }
            if crl { crlFiles.remove(path) } else { caFiles[path] = nil }
            return "\(what) file '\(path)' deleted!\n"
        }
    }
}

import COpenSSL

/// The runtime API's certificate commands (management guide 9.3): `show
/// ssl cert`, the `set|commit|abort ssl cert` transaction, `new` and `del
/// ssl cert`.
extension CertificateStore {
    /// `show ssl cert [<file>|*<file>]` (management guide 9.3).
    public func show(_ name: String) -> String {
        lock.withLock {
            if name.isEmpty {
                var out = ""
                if let t = transaction { out += "# transaction\n*\(t.path)\n" }
                return out + "# filename\n" + files.keys.sorted(by: Self.byteOrder).map { $0 + "\n" }.joined()
            }
            if name.hasPrefix("*") {
                guard let t = transaction, t.path == name.dropFirst() else {
                    return "Can't display the certificate: Not found or the certificate is a bundle!\n"
                }
                return t.entry.details(name: name, status: t.entry.certificate == nil ? .empty : .unused)
            }
            guard let entry = files[name] else {
                return "Can't display the certificate: Not found or the certificate is a bundle!\n"
            }
            let status: CertificateEntry.Status = entry.certificate == nil ? .empty : isUsed(name) ? .used : .unused
            return entry.details(status: status)
        }
    }

    /// `set ssl cert <file>` with its payload: starts the transaction, or
    /// replaces the ongoing one's content (whatever file it names, as 2.6).
    public func setCertificate(_ path: String, payload: String) -> String {
        if path.hasSuffix(".key") { return setKey(path, payload: payload) }
        for part in [".issuer", ".ocsp", ".sctl"] where path.hasSuffix(part) {
            return setCompanion(path, base: String(path.dropLast(part.count)), part: part, payload: payload)
        }
        let referenced = lock.withLock { transaction != nil || files[path] != nil }
        guard referenced else {
            return "Can't replace a certificate which is not referenced by the configuration!\nCan't update \(path)!\n"
        }
        let parsed: CertificateEntry
        do {
            parsed = try Self.parse(payload: payload, path: path)
        } catch {
            return "\(error.message)\nCan't load the payload\nCan't update \(path)!\n"
        }
        return lock.withLock {
            if let t = transaction {
                transaction = (t.path, CertificateEntry(relabeling: parsed, as: t.path))
                return "Transaction updated for certificate \(t.path)!\n"
            }
            guard files[path] != nil else {
                return "Can't replace a certificate which is not referenced by the configuration!\nCan't update \(path)!\n"
            }
            transaction = (path, parsed)
            return "Transaction created for certificate \(path)!\n"
        }
    }

    /// `set ssl cert <file>.key`: a new key for the file's certificate, in
    /// the ongoing transaction or a new one made from the file's entry.
    private func setKey(_ path: String, payload: String) -> String {
        let base = String(path.dropLast(4))
        guard lock.withLock({ transaction != nil || files[base] != nil }) else {
            return "Can't replace a certificate which is not referenced by the configuration!\nCan't update \(path)!\n"
        }
        let bytes = Array(payload.utf8)
        let key: OpaquePointer? = bytes.withUnsafeBytes { raw in
            guard let bio = BIO_new_mem_buf(raw.baseAddress, Int32(raw.count)) else { return nil }
            defer { BIO_free(bio) }
            return PEM_read_bio_PrivateKey(bio, nil, noPassphrase, nil)
        }
        OpenSSLErrors.drain()
        guard let key else {
            return "unable to load private key from file '\(base)'.\nCan't load the payload\nCan't update \(path)!\n"
        }
        return lock.withLock {
            if let t = transaction {
                transaction = (t.path, CertificateEntry(copying: t.entry, key: key))
                return "Transaction updated for certificate \(t.path)!\n"
            }
            guard let entry = files[base] else {
                EVP_PKEY_free(key)
                return "Can't replace a certificate which is not referenced by the configuration!\nCan't update \(path)!\n"
            }
            transaction = (base, CertificateEntry(copying: entry, key: key))
            return "Transaction created for certificate \(base)!\n"
        }
    }

    /// `set ssl cert <file>.issuer|.ocsp|.sctl`: the file that goes with a
    /// certificate, in the ongoing transaction or a new one made from the
    /// file's entry (management guide 9.3). The issuer is a PEM
    /// certificate, the OCSP response base64 DER (its id is computed when
    /// the issuer is known; it is stapled once committed when it answers
    /// for the certificate), the SCT list its raw bytes, checked as 2.6
    /// checks a `.sctl` file.
    private func setCompanion(_ path: String, base: String, part: String, payload: String) -> String {
        guard lock.withLock({ transaction != nil || files[base] != nil }) else {
            return "Can't replace a certificate which is not referenced by the configuration!\nCan't update \(path)!\n"
        }
        let refused = "Can't load the payload\nCan't update \(path)!\n"
        var issuer: OpaquePointer?
        var ocsp: [UInt8]?
        var sctl: [UInt8]?
        switch part {
        case ".issuer":
            let bytes = Array(payload.utf8)
            issuer = bytes.withUnsafeBytes { raw -> OpaquePointer? in
                guard let bio = BIO_new_mem_buf(raw.baseAddress, Int32(raw.count)) else { return nil }
                defer { BIO_free(bio) }
                return PEM_read_bio_X509(bio, nil, noPassphrase, nil)
            }
            OpenSSLErrors.drain()
            guard issuer != nil else { return "'\(base)' cannot be read or parsed'.\n" + refused }
        case ".ocsp":
            let text = payload.utf8.filter { $0 != UInt8(ascii: "\n") && $0 != UInt8(ascii: "\r") }
            var der = [UInt8](repeating: 0, count: text.count)
            let n = text.withUnsafeBufferPointer { raw in
                raw.withMemoryRebound(to: CChar.self) { hap_base64_decode($0.baseAddress, Int32($0.count), &der, Int32(der.count)) }
            }
            guard n >= 0 else { return "Error reading OCSP response in base64 format" + refused }
            ocsp = Array(der.prefix(Int(n)))
        default:
            let bytes = Array(payload.utf8)
            guard Self.isSCTList(bytes) else { return refused }
            sctl = bytes
        }
        return lock.withLock {
            let name: String, current: CertificateEntry
            let created = transaction == nil
            if let t = transaction {
                (name, current) = (t.path, t.entry)
            } else if let entry = files[base] {
                (name, current) = (base, entry)
            } else {
                if let issuer { X509_free(issuer) }
                return "Can't replace a certificate which is not referenced by the configuration!\nCan't update \(path)!\n"
            }
            var renewed = CertificateEntry(copying: current, issuer: issuer, sctl: sctl)
            // A response (new, or the one held when the issuer changes) gets
            // its id from the issuer, and staples only if it answers for
            // this certificate.
            if let certificate = renewed.certificate, let der = ocsp ?? (issuer != nil ? renewed.ocspResponse : nil) {
                var id: [UInt8]?
                var stapled: [UInt8]?
                if let issuer = renewed.ocspIssuer {
                    var bytes = [UInt8](repeating: 0, count: 512)
                    let n = hap_ocsp_certid_der(certificate, issuer, &bytes, Int32(bytes.count))
                    id = n > 0 ? Array(bytes.prefix(Int(n))) : nil
                    stapled = hap_ocsp_check(der, der.count, certificate, issuer) == 0 ? der : nil
                    OpenSSLErrors.drain()
                }
                renewed = CertificateEntry(copying: renewed, ocsp: (stapled, id))
            }
            transaction = (name, renewed)
            return (created ? "Transaction created" : "Transaction updated") + " for certificate \(name)!\n"
        }
    }

    /// A `.sctl` file's content as 2.6 accepts it: a 2-byte length
    /// covering the rest, then SCTs each with a non-zero 2-byte length.
    static func isSCTList(_ bytes: [UInt8]) -> Bool {
        guard bytes.count >= 2, Int(bytes[0]) << 8 | Int(bytes[1]) == bytes.count - 2 else { return false }
        var i = 2
        while i < bytes.count {
            guard bytes.count - i >= 2 else { return false }
            let length = Int(bytes[i]) << 8 | Int(bytes[i + 1])
            guard length > 0, i + 2 + length <= bytes.count else { return false }
            i += 2 + length
        }
        return true
    }

    /// `abort ssl cert <file>`.
    public func abortTransaction(_ path: String) -> String {
        lock.withLock {
            guard let t = transaction else { return "No ongoing transaction!\n" }
            guard t.path == path else {
                return "The ongoing transaction is about '\(t.path)' but you are trying to abort a transaction for '\(path)'\n"
            }
            transaction = nil
            return "Transaction aborted for certificate '\(path)'!\n"
        }
    }

    /// `commit ssl cert <file>`: every context serving the file gets a new
    /// SSL context with the new certificate, for the connections that
    /// start from now on; those in progress keep the one they have.
    public func commitTransaction(_ path: String) -> String {
        lock.withLock {
            guard let t = transaction else { return "No ongoing transaction! !\nCan't commit \(path)!\n" }
            guard t.path == path else {
                return "The ongoing transaction is about '\(t.path)' but you are trying to set '\(path)'\nCan't commit \(path)!\n"
            }
            guard let certificate = t.entry.certificate, let key = t.entry.key else {
                return "The transaction must contain at least a certificate and a private key!\nCan't commit \(path)!\n"
            }
            if X509_check_private_key(certificate, key) != 1 {
                OpenSSLErrors.drain()
                return "inconsistencies between private key and certificate loaded '\(path)'.\nCan't commit \(path)!\n"
            }
            let live = (instances[path] ?? []).filter { $0.context?.serves(slot: $0.slot) ?? false }
            var built: [(TLSServerContext, Int, OpaquePointer)] = []
            for instance in live {
                guard let context = instance.context, let ctx = context.makeContext(slot: instance.slot, entry: t.entry) else {
                    for (_, _, ctx) in built { SSL_CTX_free(ctx) }
                    return "Unable to create the SSL context for '\(path)'.\nCan't commit \(path)!\n"
                }
                built.append((context, instance.slot, ctx))
            }
            for (context, slot, ctx) in built { context.replace(slot: slot, with: ctx, entry: t.entry) }
            let clients = (serverInstances[path] ?? []).compactMap(\.context)
            for client in clients { client.renew(with: t.entry) }
            files[path] = t.entry
            transaction = nil
            return "Committing \(path)" + String(repeating: ".", count: built.count + clients.count) + "\nSuccess!\n"
        }
    }

    /// `new ssl cert <file>`: an empty entry a transaction can fill.
    public func newCertificate(_ path: String) -> String {
        lock.withLock {
            if files[path] != nil { return "Certificate '\(path)' already exists!\n" }
            files[path] = CertificateEntry(emptyAt: path)
            return "New empty certificate store '\(path)'!\n"
        }
    }

    /// `del ssl cert <file>`: only a file no context uses and no
    /// transaction is about.
    public func deleteCertificate(_ path: String) -> String {
        lock.withLock {
            if let t = transaction, t.path == path {
                return "Can't remove the certificate: ongoing transaction for the certificate '\(path)'\n"
            }
            guard files[path] != nil else {
                return "Can't remove the certificate: certificate '\(path)' doesn't exist!\n\n"
            }
            if isUsed(path) {
                return "Can't remove the certificate: certificate '\(path)' in use, can't be deleted!\n\n"
            }
            files[path] = nil
            return "Certificate '\(path)' deleted!\n"
        }
    }

    /// `set ssl ocsp-response <base64>` (or a base64 payload): the response
    /// replaces the one stapled for the certificate it answers for (one
    /// loaded with a `.ocsp` file), on the connections that start from now.
    public func setOCSPResponse(_ base64: String) -> String {
        let text = Array(base64.utf8)
        var der = [UInt8](repeating: 0, count: text.count)
        let n = text.withUnsafeBufferPointer { raw in
            raw.withMemoryRebound(to: CChar.self) { hap_base64_decode($0.baseAddress, Int32($0.count), &der, Int32(der.count)) }
        }
        guard n >= 0 else { return "'set ssl ocsp-response' received invalid base64 encoded response.\n" }
        der.removeSubrange(Int(n)...)
        return lock.withLock {
            var parsed = false
            for path in files.keys.sorted(by: Self.byteOrder) {
                guard let entry = files[path], let id = entry.ocspCertificateID, entry.ocspResponse != nil else { continue }
                let rc = hap_ocsp_response_for_id(der, der.count, id, id.count)
                if rc == 1 { return "Unable to parse OCSP response.\n" }
                parsed = true
                guard rc == 0 else { continue }
                let renewed = CertificateEntry(copying: entry, ocsp: (der, entry.ocspCertificateID))
                for instance in instances[path] ?? [] {
                    guard let context = instance.context, context.serves(slot: instance.slot),
                          let ctx = context.makeContext(slot: instance.slot, entry: renewed)
                    else { continue }
                    context.replace(slot: instance.slot, with: ctx, entry: renewed)
                }
                files[path] = renewed
                return "OCSP Response updated!\n"
            }
            if !parsed && hap_ocsp_response_for_id(der, der.count, [], 0) == 1 { return "Unable to parse OCSP response.\n" }
            return "OCSP single response: Certificate ID does not match any certificate or issuer.\n"
        }
    }
}

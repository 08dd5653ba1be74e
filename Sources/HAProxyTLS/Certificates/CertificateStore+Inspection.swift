#if canImport(Glibc)
import Glibc
#endif
import COpenSSL

/// CA and CRL files, OCSP responses and providers as the runtime API
/// shows them (`show ssl ca-file|crl-file|ocsp-response|providers`).
extension CertificateStore {
    struct StoreCounts { let certificates: Int, crls: Int }

    struct StoreError: Error { let message: String }

    /// Reads a PEM file of certificates and CRLs, as 2.6 does for a CA or
    /// CRL file, and counts what it holds.
    static func readStore(_ path: String, kind: String) -> Result<StoreCounts, StoreError> {
        var st = stat()
        if stat(path, &st) != 0 {
            return .failure(StoreError(message: "Couldn't open the \(kind) '\(path)' (\(String(cString: strerror(errno)))).")) 
        }
        guard let store = X509_STORE_new() else { return .failure(StoreError(message: "out of memory")) }
        defer { X509_STORE_free(store) }
        if X509_STORE_load_file(store, path) != 1 {
            let reason = OpenSSLErrors.drain() ?? "unknown error"
            return .failure(StoreError(message: "Couldn't open the \(kind) '\(path)' (\(reason))."))
        }
        var certs: Int32 = 0, crls: Int32 = 0
        _ = hap_x509_store_count(store, &certs, &crls)
        return .success(StoreCounts(certificates: Int(certs), crls: Int(crls)))
    }

    /// `show ssl ca-file` (management guide 9.3): the CA files in memory
    /// with their number of certificates, `@system-ca` (the system's
    /// trusted CAs, which 2.6 loads for its HTTP client) among them.
    public func caFileList() -> String {
        var list = lock.withLock { caFiles }
        list["@system-ca"] = Self.systemCACount
        var out = ""
        if let t = fileTransaction(crl: false) {
            var certificates: Int32 = 0, crls: Int32 = 0
            _ = hap_pem_count(t.content, Int32(t.content.utf8.count), &certificates, &crls)
            out += "# transaction\n*\(t.path) - \(certificates) certificate(s)\n"
        }
        return out + "# filename\n" + list.keys.sorted(by: Self.byteOrder).map { "\($0) - \(list[$0]!) certificate(s)\n" }.joined()
    }

    /// Loads a CA or CRL file as it is in memory into `store`: `*<file>`
    /// is the transaction's content, a committed file its new content;
    /// false when there is no such file.
    private func load(_ name: String, crl: Bool, into store: OpaquePointer) -> Bool {
        if name.hasPrefix("*") {
            guard let t = fileTransaction(crl: crl), t.path == name.dropFirst() else { return false }
            return hap_x509_store_add_pem(store, t.content, Int32(t.content.utf8.count)) >= 0
        }
        if name == "@system-ca" && !crl {
            Self.loadSystemCAs(into: store)
            return true
        }
        guard lock.withLock({ crl ? crlFiles.contains(name) : caFiles[name] != nil }) else { return false }
        if let content = committedContent(of: name) {
            _ = hap_x509_store_add_pem(store, content, Int32(content.utf8.count))
        } else {
            _ = X509_STORE_load_file(store, name)
        }
        OpenSSLErrors.drain()
        return true
    }

    /// `<file>[:<index>]` of the show commands: the file and the index
    /// (from 1) if any; nil when the index is not a number from 1.
    private static func fileAndIndex(_ spec: String) -> (path: String, index: Int?)? {
        guard let colon = spec.lastIndex(of: ":") else { return (spec, nil) }
        guard let n = Int(spec[spec.index(after: colon)...]), n > 0 else { return nil }
        return (String(spec[..<colon]), n)
    }

    /// `show ssl ca-file <file>[:<index>]`: every certificate of a CA file
    /// in memory, or the one at `index` (from 1); nil when the index is
    /// not a number from 1 (2.6 then answers without the empty line).
    public func caFileDetails(_ spec: String) -> String? {
        guard let (path, index) = Self.fileAndIndex(spec) else { return nil }
        guard let store = X509_STORE_new() else { return "Can't display the CA file : Not found!\n" }
        defer { X509_STORE_free(store) }
        guard load(path, crl: false, into: store) else { return "Can't display the CA file : Not found!\n" }
        var out = "Filename: \(path)\nStatus: \(lock.withLock { usedFiles.contains(path) } ? "Used" : "Unused")\n"
        if let index {
            guard let certificate = hap_x509_store_certificate(store, Int32(index - 1)) else { return "" }
            return out + CertificateEntry.caDetails(certificate, number: index)
        }
        // An empty file (`new ssl ca-file`) shows nothing, as in 2.6.
        guard hap_x509_store_certificate(store, 0) != nil else { return "" }
        var i: Int32 = 0
        while let certificate = hap_x509_store_certificate(store, i) {
            i += 1
            out += CertificateEntry.caDetails(certificate, number: Int(i))
        }
        return out
    }

    /// `show ssl crl-file <file>[:<index>]`: every CRL of a CRL file in
    /// memory, or the one at `index` (from 1); nil when the index is not a
    /// number from 1.
    public func crlFileDetails(_ spec: String) -> String? {
        guard let (path, index) = Self.fileAndIndex(spec) else { return nil }
        guard let store = X509_STORE_new() else { return "Can't display the CRL file : Not found!\n" }
        defer { X509_STORE_free(store) }
        guard load(path, crl: true, into: store) else { return "Can't display the CRL file : Not found!\n" }
        // An empty file (`new ssl crl-file`), as 2.6 shows it.
        guard hap_x509_store_crl(store, 0) != nil else { return "Filename: \(path)\nStatus: Empty\n" }
        var out = "Filename: \(path)\nStatus: \(lock.withLock { usedFiles.contains(path) } ? "Used" : "Unused")\n"
        if let index {
            guard let crl = hap_x509_store_crl(store, Int32(index - 1)) else { return out }
            return out + CertificateEntry.crlDetails(crl, number: index)
        }
        var i: Int32 = 0
        while let crl = hap_x509_store_crl(store, i) {
            i += 1
            out += CertificateEntry.crlDetails(crl, number: Int(i))
        }
        return out
    }

    /// `show ssl ocsp-response [<id>]` (management guide 9.3): the ids of
    /// the OCSP responses in memory with their fields, or one response as
    /// OpenSSL prints it.
    public func ocspResponses(_ id: String) -> String {
        var responses: [String: [UInt8]] = [:]
        lock.withLock {
            for entry in files.values {
                if let response = entry.ocspResponse, let key = entry.ocspCertificateID {
                    responses[CertificateEntry.hex(key).lowercased()] = response
                }
            }
        }
        func text(_ length: Int, _ body: (UnsafeMutablePointer<CChar>, Int32) -> Int32) -> String {
            var buffer = [CChar](repeating: 0, count: length)
            let n = body(&buffer, Int32(buffer.count))
            return n > 0 ? String(decoding: buffer.prefix(Int(n)).map { UInt8(bitPattern: $0) }, as: UTF8.self) : ""
        }
        guard id.isEmpty else {
            guard let der = responses[id.lowercased()] else { return "Certificate ID does not match any certificate.\n" }
            // An empty line would end the answer: 2.6 writes a blank in it.
            let lines = text(1 << 16) { hap_ocsp_response_text(der, der.count, $0, $1) }
                .split(separator: "\n", omittingEmptySubsequences: false)
            return lines.dropLast().map { $0.isEmpty ? " \n" : $0 + "\n" }.joined() + (lines.last ?? "")
        }
        var out = "# Certificate IDs\n"
        for key in responses.keys.sorted() {
            out += "Certificate ID key : \(key)\n"
            var der: [UInt8] = []
            var i = key.utf8.makeIterator()
            while let h = i.next(), let l = i.next() {
                der.append(UInt8(String(decoding: [h, l], as: UTF8.self), radix: 16) ?? 0)
            }
            out += text(1024) { hap_ocsp_certid_text(der, der.count, $0, $1) }
        }
        return out
    }

    /// `show ssl providers`: the OpenSSL providers loaded.
    public static func providers() -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = hap_providers_text(&buffer, Int32(buffer.count))
        return "Loaded providers : \n"
            + (n > 0 ? String(decoding: buffer.prefix(Int(n)).map { UInt8(bitPattern: $0) }, as: UTF8.self) : "")
    }

    /// `show ssl crl-file`: the CRL files in memory.
    public func crlFileList() -> String {
        (fileTransaction(crl: true).map { "# transaction\n*\($0.path)\n" } ?? "") + "# filename\n" + lock.withLock { crlFiles }.sorted(by: Self.byteOrder).map { $0 + "\n" }.joined()
    }

    /// The distinct certificates of the system's CA directory.
    private static let systemCACount: Int = {
        guard let store = X509_STORE_new() else { return 0 }
        defer { X509_STORE_free(store) }
        loadSystemCAs(into: store)
        var certs: Int32 = 0, crls: Int32 = 0
        _ = hap_x509_store_count(store, &certs, &crls)
        return Int(certs)
    }()

    /// Every file of the system's CA directory (`@system-ca`).
    private static func loadSystemCAs(into store: OpaquePointer) {
        let dir = String(cString: hap_default_cert_dir())
        for name in directoryEntries(dir) {
            let file = dir + "/" + name
            var st = stat()
            guard stat(file, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { continue }
            _ = X509_STORE_load_file(store, file)
        }
        OpenSSLErrors.drain()
    }
}

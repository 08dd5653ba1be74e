#if canImport(Glibc)
import Glibc
#endif
import COpenSSL
import HAProxyConfig
import NIOConcurrencyHelpers

/// The certificates and CA files a configuration names, loaded once by
/// path while the configuration is parsed (so errors come with their line,
/// as in 2.6) and handed to the contexts the runtime builds from them.
public final class CertificateStore: TLSFileLoading, @unchecked Sendable {
    public static let shared = CertificateStore()

    private let lock = NIOLock()
    /// By `crt` argument: one entry for a file, one per PEM file for a directory.
    private var loaded: [String: [CertificateEntry]] = [:]
    /// The current entry of each certificate file (`show ssl cert`), which
    /// a committed `set ssl cert` replaces.
    private var files: [String: CertificateEntry] = [:]
    /// The contexts serving each certificate file (2.6's instances), and
    /// the files a server's `crt` uses.
    private var instances: [String: [Instance]] = [:]
    private var serverInstances: [String: [ServerInstance]] = [:]
    /// The ongoing `set ssl cert` transaction: its file and new entry.
    private var transaction: (path: String, entry: CertificateEntry)?
    /// CA files (`ca-file`) with the number of certificates in each, and
    /// CRL files (`crl-file`), for `show ssl ca-file|crl-file`.
    private var caFiles: [String: Int] = [:]
    private var crlFiles: Set<String> = []
    /// Warnings of the files loaded since the last `drainWarnings()`.
    private var warnings: [String] = []
    /// `crt-list` files: their lines in order (those added at run time at
    /// the end), and the bind contexts built from each.
    private var lists: [String: [TLSCertificateLine]] = [:]
    private var listServers: [String: [WeakServer]] = [:]
    private var lastLineNumber: [String: Int] = [:]
    struct WeakServer { weak var context: TLSServerContext? }
    /// `ssl-dh-param-file` parameters by path (EVP_PKEY*, owned).
    private var dhParameters: [String: OpaquePointer] = [:]

    /// One slot of a bind's context that serves a file.
    struct Instance {
        weak var context: TLSServerContext?
        let slot: Int
    }

    public init() {}

    public func loadCertificates(at path: String) -> String? {
        do {
            _ = try certificates(at: path)
            return nil
        } catch let error as TLSConfigurationError {
            return error.message
        } catch {
            return "\(error)"
        }
    }

    public func drainWarnings() -> [String] {
        lock.withLock {
            defer { warnings = [] }
            return warnings
        }
    }

    public func loadCAFile(at path: String) -> String? {
        switch Self.readStore(path, kind: "ca-file") {
        case .failure(let error): return error.message
        case .success(let counts):
            // One entry a path: a file first loaded as a CRL file stays one.
            lock.withLock { if !crlFiles.contains(path) { caFiles[path] = counts.certificates } }
            return nil
        }
    }

    public func loadCRLFile(at path: String) -> String? {
        switch Self.readStore(path, kind: "ca-file") {
        case .failure(let error): return error.message
        case .success:
            lock.withLock { if caFiles[path] == nil { crlFiles.insert(path) } }
            return nil
        }
    }

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
        return "# filename\n" + list.keys.sorted(by: Self.byteOrder).map { "\($0) - \(list[$0]!) certificate(s)\n" }.joined()
    }

    /// `show ssl ca-file <file>[:<index>]`: every certificate of a CA file
    /// in memory, or the one at `index` (from 1); nil when the index is
    /// not a number from 1 (2.6 then answers without the empty line).
    public func caFileDetails(_ spec: String) -> String? {
        var path = spec
        var index: Int?
        if let colon = spec.lastIndex(of: ":") {
            path = String(spec[..<colon])
            guard let n = Int(spec[spec.index(after: colon)...]), n > 0 else { return nil }
            index = n
        }
        let known = path == "@system-ca" || lock.withLock { caFiles[path] != nil }
        guard known, let store = X509_STORE_new() else { return "Can't display the CA file : Not found!\n" }
        defer { X509_STORE_free(store) }
        if path == "@system-ca" {
            Self.loadSystemCAs(into: store)
        } else {
            _ = X509_STORE_load_file(store, path)
        }
        OpenSSLErrors.drain()
        var out = "Filename: \(path)\nStatus: Unused\n"
        if let index {
            guard let certificate = hap_x509_store_certificate(store, Int32(index - 1)) else { return "" }
            return out + CertificateEntry.caDetails(certificate, number: index)
        }
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
        var path = spec
        var index: Int?
        if let colon = spec.lastIndex(of: ":") {
            path = String(spec[..<colon])
            guard let n = Int(spec[spec.index(after: colon)...]), n > 0 else { return nil }
            index = n
        }
        guard lock.withLock({ crlFiles.contains(path) }), let store = X509_STORE_new() else {
            return "Can't display the CRL file : Not found!\n"
        }
        defer { X509_STORE_free(store) }
        _ = X509_STORE_load_file(store, path)
        OpenSSLErrors.drain()
        var out = "Filename: \(path)\nStatus: Unused\n"
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
        "# filename\n" + lock.withLock { crlFiles }.sorted(by: Self.byteOrder).map { $0 + "\n" }.joined()
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

    static func byteOrder(_ a: String, _ b: String) -> Bool { Array(a.utf8).lexicographicallyPrecedes(Array(b.utf8)) }

    public func loadDHParameters(at path: String) -> Bool {
        dhParameters(at: path) != nil
    }

    /// DH parameters read from a PEM file, with a reference for the caller
    /// to hand over (SSL_CTX_set0_tmp_dh_pkey takes one).
    func dhParameters(at path: String) -> OpaquePointer? {
        if let key = lock.withLock({ dhParameters[path] }) { return key }
        guard let bio = BIO_new_file(path, "r") else {
            OpenSSLErrors.drain()
            return nil
        }
        defer { BIO_free(bio) }
        let key = PEM_read_bio_Parameters(bio, nil)
        OpenSSLErrors.drain()
        guard let key else { return nil }
        guard EVP_PKEY_is_a(key, "DH") == 1 else {
            EVP_PKEY_free(key)
            return nil
        }
        lock.withLock { dhParameters[path] = key }
        return key
    }

    /// The certificates of a `crt` argument: a PEM file, or each PEM file
    /// of a directory in name order (files ending in .key, .ocsp, .issuer
    /// and .sctl are the extra files 2.6 reads next to a certificate).
    public func certificates(at path: String) throws -> [CertificateEntry] {
        if let entries = lock.withLock({ loaded[path] }) { return entries }
        var st = stat()
        guard stat(path, &st) == 0 else {
            throw TLSConfigurationError(
                "unable to stat SSL certificate from file '\(path)' : \(String(cString: strerror(errno))).")
        }
        var entries: [CertificateEntry] = []
        var found: [String] = []
        if (st.st_mode & S_IFMT) == S_IFDIR {
            for name in Self.directoryEntries(path) {
                let file = path.hasSuffix("/") ? path + name : path + "/" + name
                var fst = stat()
                guard stat(file, &fst) == 0, (fst.st_mode & S_IFMT) == S_IFREG else { continue }
                entries.append(try Self.load(file, warnings: &found))
            }
        } else {
            entries.append(try Self.load(path, warnings: &found))
        }
        lock.withLock {
            warnings += found
            loaded[path] = entries
            for e in entries where files[e.path] == nil { files[e.path] = e }
        }
        return entries
    }

    /// The current entry of every certificate file, by name.
    public var certificates: [CertificateEntry] {
        lock.withLock { files.values.sorted { Self.byteOrder($0.path, $1.path) } }
    }

    /// The current entry of one file.
    func entry(at path: String) -> CertificateEntry? { lock.withLock { files[path] } }

    /// Records a bind context's slot serving `path`.
    func register(_ context: TLSServerContext, slot: Int, for path: String) {
        lock.withLock { instances[path, default: []].append(Instance(context: context, slot: slot)) }
    }

    /// A server's context presenting a file (`crt` on a server line).
    struct ServerInstance { weak var context: TLSClientContext? }

    /// Records a server's `crt`: the file is in use, and a commit renews it.
    func register(_ client: TLSClientContext, for path: String) {
        lock.withLock { serverInstances[path, default: []].append(ServerInstance(context: client)) }
    }

    private func isUsed(_ path: String) -> Bool {
        (serverInstances[path]?.contains { $0.context != nil } ?? false)
            || (instances[path]?.contains { $0.context?.serves(slot: $0.slot) ?? false } ?? false)
    }

    /// Records a `crt-list` line a bind context serves.
    func registerListLine(_ line: TLSCertificateLine, server: TLSServerContext) {
        guard let list = line.list else { return }
        lock.withLock {
            if !(lists[list] ?? []).contains(where: { $0.lineNumber == line.lineNumber && $0.path == line.path }) {
                lists[list, default: []].append(line)
            }
            if !(listServers[list] ?? []).contains(where: { $0.context === server }) {
                listServers[list, default: []].append(WeakServer(context: server))
            }
        }
    }

    /// `show ssl crt-list [-n] [<list>]` (management guide 9.3).
    public func showList(_ words: [String]) -> String {
        var words = words
        let numbered = words.first == "-n"
        if numbered { words.removeFirst() }
        return lock.withLock {
            guard let list = words.first, !list.isEmpty else {
                if numbered { return "'show ssl crt-list -n' expects a filename or a directory\n" }
                return lists.keys.sorted(by: Self.byteOrder).map { $0 + "\n" }.joined()
            }
            guard let lines = lists[list] else { return "didn't find the specified filename\n" }
            var out = "# \(list)\n"
            for line in lines {
                out += line.path + (numbered ? ":\(line.lineNumber)" : "")
                if !line.options.isEmpty { out += " [\(line.options.listText)]" }
                if !line.writtenFilters.isEmpty { out += " " + line.writtenFilters.joined(separator: " ") }
                out += "\n"
            }
            return out
        }
    }

    /// `add ssl crt-list <list> <certfile>`, or with a payload line: the
    /// certificate (in memory already) is served by every bind using the
    /// list, after its other lines.
    public func addListLine(_ list: String, line given: TLSCertificateLine) -> String {
        lock.withLock {
            guard let lines = lists[list] else {
                return "Can't edit the crt-list: crt-list '\(list)' does not exist!\n"
            }
            guard let entry = files[given.path] else {
                return "Can't edit the crt-list: certificate '\(given.path)' does not exist!\n"
            }
            guard entry.isComplete else { return "Can't edit the crt-list: certificate '\(given.path)' is empty!\n" }
            var line = given
            line.list = list
            // Numbers are never reused: one past the last line ever numbered.
            line.lineNumber = max(lastLineNumber[list] ?? 0, lines.map(\.lineNumber).max() ?? 0) + 1
            var added: [(TLSServerContext, Int)] = []
            for server in (listServers[list] ?? []).compactMap(\.context) {
                switch server.addSlot(line: line, entry: entry) {
                case .success(let slot):
                    added.append((server, slot))
                case .failure(let error):
                    for (server, slot) in added { server.removeSlot(slot) }
                    return "Can't edit the crt-list: \(error.message)\n"
                }
            }
            for (server, slot) in added { instances[line.path, default: []].append(Instance(context: server, slot: slot)) }
            lists[list, default: []].append(line)
            lastLineNumber[list] = line.lineNumber
            return "Inserting certificate '\(line.path)' in crt-list '\(list)'" + String(repeating: ".", count: added.count)
                + "\nSuccess!\n"
        }
    }

    /// `del ssl crt-list <list> <certfile[:line]>`: a line no bind uses as
    /// its default certificate.
    public func deleteListLine(_ list: String, _ spec: String) -> String {
        var path = spec
        var number: Int?
        if let colon = spec.lastIndex(of: ":"), let n = Int(spec[spec.index(after: colon)...]) {
            path = String(spec[..<colon])
            number = n
        }
        return lock.withLock {
            guard let lines = lists[list] else { return "Can't delete the entry: crt-list '\(list)' does not exist!\n" }
            let candidates = lines.filter { $0.path == path }
            guard !candidates.isEmpty else {
                return "Can't delete the entry: certificate '\(path)' can't be found in crt-list '\(list)'!\n"
            }
            let numbers = candidates.map { String($0.lineNumber) }.joined(separator: ", ")
            let target: TLSCertificateLine
            if let number {
                guard let line = candidates.first(where: { $0.lineNumber == number }) else {
                    return "Can't delete the entry: found a certificate '\(path)' but the line number is incorrect, please specify a correct line number preceded by colons (\(numbers))!\n"
                }
                target = line
            } else {
                guard candidates.count == 1 else {
                    return "Can't delete the entry: found the certificate '\(path)' in several entries, please specify a line number preceded by colons (\(numbers))!\n"
                }
                target = candidates[0]
            }
            let servers = (listServers[list] ?? []).compactMap(\.context)
            let defaults = servers.filter { $0.slots(ofList: list, line: target).contains(0) }
            if !defaults.isEmpty {
                return "Can't delete the entry: certificate '\(path)' cannot be deleted, it is used as default certificate by the following frontends:\n"
                    + defaults.map { "\t- \($0.location)\n" }.joined() + "\n"
            }
            for server in servers {
                for slot in server.slots(ofList: list, line: target) { server.removeSlot(slot) }
            }
            lists[list]?.removeAll { $0.lineNumber == target.lineNumber && $0.path == target.path }
            return "Entry '\(path)' deleted in crtlist '\(list)'!\n"
        }
    }

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
            return "'set ssl cert' for a '\(part)' file is not supported by this build.\nCan't update \(path)!\n"
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

    private static let extraFileSuffixes = [".key", ".ocsp", ".issuer", ".sctl"]

    private static func directoryEntries(_ path: String) -> [String] {
        guard let dir = opendir(path) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name.hasPrefix(".") || extraFileSuffixes.contains(where: { name.hasSuffix($0) }) { continue }
            names.append(name)
        }
        return names.sorted()
    }

    /// One PEM file: the key (or `<file>.key`), the certificate, its
    /// chain, and the OCSP response of `<file>.ocsp` (its issuer from the
    /// chain or `<file>.issuer`).
    static func load(_ path: String, warnings: inout [String]) throws -> CertificateEntry {
        guard let bio = BIO_new_file(path, "r") else {
            OpenSSLErrors.drain()
            throw TLSConfigurationError("unable to load certificate from file '\(path)'.")
        }
        defer { BIO_free(bio) }
        let pem = try read(bio, path: path)
        var key = pem.key
        func discard() {
            X509_free(pem.certificate)
            for c in pem.chain { X509_free(c) }
        }
        if key == nil {
            let keyPath = path + ".key"
            if let keyBIO = BIO_new_file(keyPath, "r") {
                key = PEM_read_bio_PrivateKey(keyBIO, nil, noPassphrase, nil)
                BIO_free(keyBIO)
            }
            OpenSSLErrors.drain()
            guard key != nil else {
                discard()
                throw TLSConfigurationError("No Private Key found in '\(keyPath)'.")
            }
        }
        guard let key else { preconditionFailure() }
        if X509_check_private_key(pem.certificate, key) != 1 {
            OpenSSLErrors.drain()
            discard()
            EVP_PKEY_free(key)
            throw TLSConfigurationError("inconsistencies between private key and certificate loaded '\(path)'.")
        }
        var ocsp: (response: [UInt8]?, id: [UInt8]?) = (nil, nil)
        if let der = readFile(path + ".ocsp") {
            guard let checked = ocspResponse(der, for: pem.certificate, chain: pem.chain, path: path, warnings: &warnings)
            else {
                discard()
                EVP_PKEY_free(key)
                throw TLSConfigurationError(
                    " '\(path).ocsp' is present and activates OCSP but it is impossible to compute the OCSP certificate ID (maybe the issuer could not be found)'.")
            }
            ocsp = checked
        }
        return CertificateEntry(
            path: path, certificate: pem.certificate, key: key, chain: pem.chain, ocspResponse: ocsp.response,
            ocspCertificateID: ocsp.id)
    }

    /// The PEM blocks of a file or payload: key (if any), certificate, chain.
    private static func read(
        _ bio: OpaquePointer, path: String
    ) throws(TLSConfigurationError) -> (key: OpaquePointer?, certificate: OpaquePointer, chain: [OpaquePointer]) {
        let key = PEM_read_bio_PrivateKey(bio, nil, noPassphrase, nil)
        OpenSSLErrors.drain()
        _ = BIO_ctrl(bio, BIO_CTRL_RESET, 0, nil)
        guard let certificate = PEM_read_bio_X509_AUX(bio, nil, noPassphrase, nil) else {
            OpenSSLErrors.drain()
            if let key { EVP_PKEY_free(key) }
            throw TLSConfigurationError("unable to load certificate from file '\(path)'.")
        }
        var chain: [OpaquePointer] = []
        while let c = PEM_read_bio_X509(bio, nil, noPassphrase, nil) { chain.append(c) }
        OpenSSLErrors.drain()
        return (key, certificate, chain)
    }

    /// A `set ssl cert` payload: the whole new content of the file (a
    /// payload without a key makes an entry commit refuses).
    static func parse(payload: String, path: String) throws(TLSConfigurationError) -> CertificateEntry {
        // A read-only memory BIO, which a reset rewinds (a read-write one it empties).
        let bytes = Array(payload.utf8)
        let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 1)
        defer { copy.deallocate() }
        copy.copyBytes(from: bytes)
        guard let bio = BIO_new_mem_buf(copy.baseAddress, Int32(bytes.count)) else {
            throw TLSConfigurationError("unable to load certificate from file '\(path)'.")
        }
        defer { BIO_free(bio) }
        let pem = try read(bio, path: path)
        return CertificateEntry(path: path, certificate: pem.certificate, key: pem.key, chain: pem.chain)
    }

    /// Checks an OCSP response for a certificate: an unreadable one, or one
    /// for another certificate, is ignored with 2.6's warning; nil when the
    /// certificate's issuer (in its chain or `<file>.issuer`) is missing.
    private static func ocspResponse(
        _ der: [UInt8], for certificate: OpaquePointer, chain: [OpaquePointer], path: String, warnings: inout [String]
    ) -> (response: [UInt8]?, id: [UInt8]?)? {
        var issuer = chain.first { X509_check_issued($0, certificate) == X509_V_OK }
        var ownedIssuer: OpaquePointer?
        if issuer == nil, let bio = BIO_new_file(path + ".issuer", "r") {
            ownedIssuer = PEM_read_bio_X509(bio, nil, noPassphrase, nil)
            BIO_free(bio)
            issuer = ownedIssuer
        }
        OpenSSLErrors.drain()
        defer { if let ownedIssuer { X509_free(ownedIssuer) } }
        var idBytes = [UInt8](repeating: 0, count: 512)
        guard let issuer else { return nil }
        let n = hap_ocsp_certid_der(certificate, issuer, &idBytes, Int32(idBytes.count))
        let id = n > 0 ? Array(idBytes.prefix(Int(n))) : nil
        let rc = hap_ocsp_check(der, der.count, certificate, issuer)
        OpenSSLErrors.drain()
        switch rc {
        case 0: return (der, id)
        case 1: warnings.append("Loading: Unable to parse OCSP response. Content will be ignored.")
        case 2: warnings.append("Loading: OCSP response status not successful. Content will be ignored.")
        case 3: warnings.append("Loading: Unable to parse OCSP response. Content will be ignored.")
        case 4:
            warnings.append("Loading: OCSP single response: Certificate ID does not match certificate and issuer. Content will be ignored.")
        default: warnings.append("Loading: OCSP single response: no longer valid. Content will be ignored.")
        }
        return (nil, id)
    }

    /// A whole file's bytes, or nil when it cannot be read.
    static func readFile(_ path: String) -> [UInt8]? {
        guard let f = fopen(path, "rb") else { return nil }
        defer { fclose(f) }
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = fread(&buffer, 1, buffer.count, f)
            if n <= 0 { break }
            out += buffer[0..<n]
        }
        return out
    }
}

/// Never asks for a pass phrase: an encrypted key is a key not found.
private func noPassphrase(
    _ buffer: UnsafeMutablePointer<CChar>?, _ size: Int32, _ rwflag: Int32, _ userdata: UnsafeMutableRawPointer?
) -> Int32 { 0 }

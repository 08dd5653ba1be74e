#if canImport(Glibc)
import Glibc
#endif
import COpenSSL
import HAProxyConfig
import NIOConcurrencyHelpers

/// The certificates and CA files a configuration names, loaded once by
/// path while the configuration is parsed (so errors come with their line,
/// as in 2.6) and handed to the contexts the runtime builds from them.
///
/// It also knows which contexts serve each file, so that the runtime API
/// can change them: certificate transactions (`+Transactions`), crt-list
/// lines (`+Lists`), and what `show ssl ...` prints (`+Inspection`).
public final class CertificateStore: TLSFileLoading, @unchecked Sendable {
    public static let shared = CertificateStore()

    let lock = NIOLock()
    /// By `crt` argument: one entry for a file, one per PEM file for a directory.
    private var loaded: [String: [CertificateEntry]] = [:]
    /// The current entry of each certificate file (`show ssl cert`), which
    /// a committed `set ssl cert` replaces.
    var files: [String: CertificateEntry] = [:]
    /// The contexts serving each certificate file (2.6's instances), and
    /// the files a server's `crt` uses.
    var instances: [String: [Instance]] = [:]
    var serverInstances: [String: [ServerInstance]] = [:]
    /// The ongoing `set ssl cert` transaction: its file and new entry.
    var transaction: (path: String, entry: CertificateEntry)?
    /// CA files (`ca-file`) with the number of certificates in each, and
    /// CRL files (`crl-file`), for `show ssl ca-file|crl-file`.
    var caFiles: [String: Int] = [:]
    var crlFiles: Set<String> = []
    /// The content a committed `set ssl ca-file|crl-file` put in place of
    /// a file's (under its own lock: contexts read it while they are built,
    /// which commits do under `lock`), and the ongoing transaction of each
    /// kind (CA, CRL).
    let committedFilesLock = NIOLock()
    var committedFiles: [String: String] = [:]
    var fileTransactions: [FileTransaction.Kind: FileTransaction] = [:]
    /// CA and CRL files `show ssl ca-file|crl-file` says are used: those a
    /// commit applied to some context.
    var usedFiles: Set<String> = []
    /// Warnings of the files loaded since the last `drainWarnings()`.
    var warnings: [String] = []
    /// `crt-list` files: their lines in order (those added at run time at
    /// the end), and the bind contexts built from each.
    var lists: [String: [TLSCertificateLine]] = [:]
    var listServers: [String: [WeakServer]] = [:]
    var lastLineNumber: [String: Int] = [:]
    struct WeakServer { weak var context: TLSServerContext? }
    /// `ssl-dh-param-file` parameters by path (EVP_PKEY*, owned), under
    /// their own lock: contexts read them while commits hold `lock`.
    private let dhLock = NIOLock()
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

    static func byteOrder(_ a: String, _ b: String) -> Bool { Array(a.utf8).lexicographicallyPrecedes(Array(b.utf8)) }

    public func loadDHParameters(at path: String) -> Bool {
        dhParameters(at: path) != nil
    }

    /// DH parameters read from a PEM file, with a reference for the caller
    /// to hand over (SSL_CTX_set0_tmp_dh_pkey takes one).
    func dhParameters(at path: String) -> OpaquePointer? {
        if let key = dhLock.withLock({ dhParameters[path] }) { return key }
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
        dhLock.withLock { dhParameters[path] = key }
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

    func isUsed(_ path: String) -> Bool {
        (serverInstances[path]?.contains { $0.context != nil } ?? false)
            || (instances[path]?.contains { $0.context?.serves(slot: $0.slot) ?? false } ?? false)
    }

    private static let extraFileSuffixes = [".key", ".ocsp", ".issuer", ".sctl"]

    static func directoryEntries(_ path: String) -> [String] {
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
    /// chain, the OCSP response of `<file>.ocsp` (its issuer from the
    /// chain or `<file>.issuer`) and the SCT list of `<file>.sctl`.
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
        var sctl: [UInt8]?
        if let list = readFile(path + ".sctl") {
            guard isSCTList(list) else {
                discard()
                EVP_PKEY_free(key)
                // 2.6's words, the suffix twice included.
                throw TLSConfigurationError(" '\(path).sctl.sctl' is present but cannot be read or parsed'.")
            }
            sctl = list
        }
        return CertificateEntry(
            path: path, certificate: pem.certificate, key: key, chain: pem.chain, ocspResponse: ocsp.response,
            ocspCertificateID: ocsp.id, sctl: sctl)
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
func noPassphrase(
    _ buffer: UnsafeMutablePointer<CChar>?, _ size: Int32, _ rwflag: Int32, _ userdata: UnsafeMutableRawPointer?
) -> Int32 { 0 }

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
    /// Certificate files in the order they were loaded (`show ssl cert`).
    private var loadOrder: [CertificateEntry] = []
    /// `ssl-dh-param-file` parameters by path (EVP_PKEY*, owned).
    private var dhParameters: [String: OpaquePointer] = [:]

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

    public func loadCAFile(at path: String) -> String? {
        var st = stat()
        if stat(path, &st) != 0 {
            return "Couldn't open the ca-file '\(path)' (\(String(cString: strerror(errno))))."
        }
        guard let store = X509_STORE_new() else { return "out of memory" }
        defer { X509_STORE_free(store) }
        if X509_STORE_load_file(store, path) != 1 {
            let reason = OpenSSLErrors.drain() ?? "unknown error"
            return "Couldn't open the ca-file '\(path)' (\(reason))."
        }
        return nil
    }

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
        if (st.st_mode & S_IFMT) == S_IFDIR {
            for name in Self.directoryEntries(path) {
                let file = path.hasSuffix("/") ? path + name : path + "/" + name
                var fst = stat()
                guard stat(file, &fst) == 0, (fst.st_mode & S_IFMT) == S_IFREG else { continue }
                entries.append(try Self.load(file))
            }
        } else {
            entries.append(try Self.load(path))
        }
        lock.withLock {
            loaded[path] = entries
            for e in entries where !loadOrder.contains(where: { $0.path == e.path }) { loadOrder.append(e) }
        }
        return entries
    }

    /// Every certificate file loaded, in load order.
    public var certificates: [CertificateEntry] { lock.withLock { loadOrder } }

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

    /// One PEM file: the key (or `<file>.key`), the certificate, its chain.
    static func load(_ path: String) throws -> CertificateEntry {
        guard let bio = BIO_new_file(path, "r") else {
            OpenSSLErrors.drain()
            throw TLSConfigurationError("unable to load certificate from file '\(path)'.")
        }
        defer { BIO_free(bio) }
        var key = PEM_read_bio_PrivateKey(bio, nil, noPassphrase, nil)
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
        func discard() {
            X509_free(certificate)
            for c in chain { X509_free(c) }
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
        if X509_check_private_key(certificate, key) != 1 {
            OpenSSLErrors.drain()
            discard()
            EVP_PKEY_free(key)
            throw TLSConfigurationError("inconsistencies between private key and certificate loaded '\(path)'.")
        }
        return CertificateEntry(path: path, certificate: certificate, key: key, chain: chain)
    }
}

/// Never asks for a pass phrase: an encrypted key is a key not found.
private func noPassphrase(
    _ buffer: UnsafeMutablePointer<CChar>?, _ size: Int32, _ rwflag: Int32, _ userdata: UnsafeMutableRawPointer?
) -> Int32 { 0 }

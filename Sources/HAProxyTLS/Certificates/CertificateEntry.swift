import COpenSSL

/// A certificate with its private key and chain, as loaded from one PEM
/// file (HAProxy's "ckch"), and the names SNI selects it by.
public final class CertificateEntry: @unchecked Sendable {
    /// The file it came from.
    public let path: String
    /// X509*, EVP_PKEY* and the chain's X509* (owned).
    let certificate: OpaquePointer
    let key: OpaquePointer
    let chain: [OpaquePointer]
    /// DNS names of the subjectAltName and the subject's CN, lowercased
    /// (`*.example.com` for a wildcard).
    public let names: [String]
    /// The key's size in bits (for `tune.ssl.default-dh-param`).
    let keyBits: Int

    init(path: String, certificate: OpaquePointer, key: OpaquePointer, chain: [OpaquePointer]) {
        self.path = path
        self.certificate = certificate
        self.key = key
        self.chain = chain
        self.names = Self.names(of: certificate)
        self.keyBits = Int(EVP_PKEY_get_bits(key))
    }

    deinit {
        X509_free(certificate)
        EVP_PKEY_free(key)
        for c in chain { X509_free(c) }
    }

    private final class NameList { var names: [String] = [] }

    private static func names(of certificate: OpaquePointer) -> [String] {
        let list = NameList()
        let box = Unmanaged.passUnretained(list).toOpaque()
        _ = hap_x509_each_name(certificate, box) { arg, bytes, count in
            guard let arg, let bytes, count > 0 else { return }
            let list = Unmanaged<NameList>.fromOpaque(arg).takeUnretainedValue()
            let raw = UnsafeRawBufferPointer(start: bytes, count: Int(count))
            let name = String(decoding: raw, as: UTF8.self).lowercased()
            if !list.names.contains(name) { list.names.append(name) }
        }
        return list.names
    }
}

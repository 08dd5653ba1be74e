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

    /// `show ssl cert <file>` (management guide 9.3), as 2.6 prints it.
    public var details: String {
        var out = "Filename: \(path)\nStatus: Used\n"
        if let serial = X509_get0_serialNumber(certificate), let data = ASN1_STRING_get0_data(serial) {
            let bytes = UnsafeBufferPointer(start: data, count: Int(ASN1_STRING_length(serial)))
            out += "Serial: \(Self.hex(Array(bytes)))\n"
        }
        out += "notBefore: \(Self.time(X509_get0_notBefore(certificate)))\n"
        out += "notAfter: \(Self.time(X509_get0_notAfter(certificate)))\n"
        var san = [CChar](repeating: 0, count: 4096)
        let sanLength = hap_x509_san_text(certificate, &san, Int32(san.count))
        if sanLength >= 0 {
            out += "Subject Alternative Name: "
                + String(decoding: san.prefix(Int(sanLength)).map { UInt8(bitPattern: $0) }, as: UTF8.self) + "\n"
        }
        out += "Algorithm: \(algorithm)\n"
        var digest = [UInt8](repeating: 0, count: 64)
        let n = hap_x509_sha1(certificate, &digest)
        if n > 0 { out += "SHA1 FingerPrint: \(Self.hex(Array(digest.prefix(Int(n)))))\n" }
        out += "Subject: \(Self.name(X509_get_subject_name(certificate)))\n"
        out += "Issuer: \(Self.name(X509_get_issuer_name(certificate)))\n"
        for c in chain {
            out += "Chain Subject: \(Self.name(X509_get_subject_name(c)))\n"
            out += "Chain Issuer: \(Self.name(X509_get_issuer_name(c)))\n"
        }
        out += "OCSP Response Key: \n"
        return out
    }

    /// `RSA2048`, `EC256`...
    private var algorithm: String {
        if EVP_PKEY_is_a(key, "RSA") == 1 { return "RSA\(keyBits)" }
        if EVP_PKEY_is_a(key, "EC") == 1 { return "EC\(keyBits)" }
        if EVP_PKEY_is_a(key, "DSA") == 1 { return "DSA\(keyBits)" }
        return "Unknown"
    }

    private static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func time(_ t: UnsafePointer<asn1_string_st>?) -> String {
        guard let t else { return "" }
        var buffer = [CChar](repeating: 0, count: 64)
        let n = hap_asn1_time_text(t, &buffer, Int32(buffer.count))
        return n > 0 ? String(decoding: buffer.prefix(Int(n)).map { UInt8(bitPattern: $0) }, as: UTF8.self) : ""
    }

    private static func name(_ name: OpaquePointer?) -> String {
        guard let name else { return "" }
        var buffer = [CChar](repeating: 0, count: 1024)
        let n = hap_x509_name_oneline(name, &buffer, Int32(buffer.count))
        return n >= 0 ? String(decoding: buffer.prefix(Int(n)).map { UInt8(bitPattern: $0) }, as: UTF8.self) : ""
    }
}

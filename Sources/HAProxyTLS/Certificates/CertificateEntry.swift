import COpenSSL

/// A certificate with its private key and chain, as loaded from one PEM
/// file (HAProxy's "ckch"), and the names SNI selects it by.
public final class CertificateEntry: @unchecked Sendable {
    /// The file it came from.
    public let path: String
    /// X509*, EVP_PKEY* and the chain's X509* (owned). An entry made by
    /// `new ssl cert` has none until a committed `set ssl cert` fills it;
    /// one set from a payload without a key has no key.
    let certificate: OpaquePointer?
    let key: OpaquePointer?
    let chain: [OpaquePointer]
    /// The DER OCSP response read from `<file>.ocsp`, stapled when the
    /// client asks (manual 5.1 `crt`), and its certificate id (DER), which
    /// `show ssl cert` prints as the OCSP response key.
    let ocspResponse: [UInt8]?
    let ocspCertificateID: [UInt8]?
    /// The issuer given by `set ssl cert <file>.issuer` (X509*, owned),
    /// for the OCSP certificate id when the chain does not hold it.
    let issuer: OpaquePointer?
    /// The SCT list of `<file>.sctl`, sent to TLS 1.2 clients asking.
    let sctl: [UInt8]?
    /// DNS names of the subjectAltName and the subject's CN, lowercased
    /// (`*.example.com` for a wildcard).
    public let names: [String]
    /// The key's size in bits (for `tune.ssl.default-dh-param`).
    let keyBits: Int

    init(
        path: String, certificate: OpaquePointer?, key: OpaquePointer?, chain: [OpaquePointer],
        ocspResponse: [UInt8]? = nil, ocspCertificateID: [UInt8]? = nil, issuer: OpaquePointer? = nil,
        sctl: [UInt8]? = nil
    ) {
        self.path = path
        self.certificate = certificate
        self.key = key
        self.chain = chain
        self.ocspResponse = ocspResponse
        self.ocspCertificateID = ocspCertificateID
        self.issuer = issuer
        self.sctl = sctl
        self.names = certificate.map { Self.names(of: $0) } ?? []
        if let key {
            self.keyBits = Int(EVP_PKEY_get_bits(key))
        } else if let certificate, let pub = X509_get0_pubkey(certificate) {
            self.keyBits = Int(EVP_PKEY_get_bits(pub))
        } else {
            self.keyBits = 0
        }
    }

    /// Another entry with some parts replaced, the others shared (they
    /// gain references): the file name (a `set ssl cert` naming another
    /// file while a transaction is open fills that transaction, as in 2.6),
    /// the key (`<file>.key`, owned), the issuer (`<file>.issuer`, owned),
    /// the OCSP response and its id (`<file>.ocsp`, `set ssl
    /// ocsp-response`), the SCT list (`<file>.sctl`).
    init(
        copying other: CertificateEntry, path: String? = nil, key: OpaquePointer? = nil, issuer: OpaquePointer? = nil,
        ocsp: (response: [UInt8]?, id: [UInt8]?)? = nil, sctl: [UInt8]? = nil
    ) {
        if let c = other.certificate { X509_up_ref(c) }
        for c in other.chain { X509_up_ref(c) }
        if key == nil, let k = other.key { EVP_PKEY_up_ref(k) }
        if issuer == nil, let i = other.issuer { X509_up_ref(i) }
        self.path = path ?? other.path
        self.certificate = other.certificate
        self.key = key ?? other.key
        self.chain = other.chain
        self.ocspResponse = ocsp.map { $0.response } ?? other.ocspResponse
        self.ocspCertificateID = ocsp.map { $0.id } ?? other.ocspCertificateID
        self.issuer = issuer ?? other.issuer
        self.sctl = sctl ?? other.sctl
        self.names = other.names
        self.keyBits = key.map { Int(EVP_PKEY_get_bits($0)) } ?? other.keyBits
    }

    convenience init(relabeling other: CertificateEntry, as path: String) {
        self.init(copying: other, path: path)
    }

    /// The issuer of its certificate: in its chain, else the one set.
    var ocspIssuer: OpaquePointer? {
        guard let certificate else { return nil }
        return chain.first { X509_check_issued($0, certificate) == X509_V_OK } ?? issuer
    }

    /// An empty entry (`new ssl cert`).
    convenience init(emptyAt path: String) {
        self.init(path: path, certificate: nil, key: nil, chain: [])
    }

    deinit {
        if let certificate { X509_free(certificate) }
        if let key { EVP_PKEY_free(key) }
        for c in chain { X509_free(c) }
        if let issuer { X509_free(issuer) }
    }

    /// Whether it holds a certificate and its key, as a context needs.
    var isComplete: Bool { certificate != nil && key != nil }

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

    /// How `show ssl cert` names an entry's state.
    public enum Status: String {
        case used = "Used", unused = "Unused", empty = "Empty"
    }

    /// `show ssl cert <file>` (management guide 9.3), as 2.6 prints it;
    /// `name` is `*<file>` for a transaction's entry.
    public func details(name: String? = nil, status: Status) -> String {
        var out = "Filename: \(name ?? path)\nStatus: \(status.rawValue)\n"
        guard let certificate else { return out + "OCSP Response Key: \n" }
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
        out += "OCSP Response Key: \(ocspCertificateID.map { Self.hex($0).lowercased() } ?? "")\n"
        return out
    }

    /// `RSA2048`, `EC256`...
    private var algorithm: String {
        guard let pub = key ?? certificate.flatMap({ X509_get0_pubkey($0) }) else { return "Unknown" }
        if EVP_PKEY_is_a(pub, "RSA") == 1 { return "RSA\(keyBits)" }
        if EVP_PKEY_is_a(pub, "EC") == 1 { return "EC\(keyBits)" }
        if EVP_PKEY_is_a(pub, "DSA") == 1 { return "DSA\(keyBits)" }
        return "Unknown"
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func time(_ t: UnsafePointer<asn1_string_st>?) -> String {
        guard let t else { return "" }
        var buffer = [CChar](repeating: 0, count: 64)
        let n = hap_asn1_time_text(t, &buffer, Int32(buffer.count))
        return n > 0 ? String(decoding: buffer.prefix(Int(n)).map { UInt8(bitPattern: $0) }, as: UTF8.self) : ""
    }

    static func name(_ name: OpaquePointer?) -> String {
        guard let name else { return "" }
        var buffer = [CChar](repeating: 0, count: 1024)
        let n = hap_x509_name_oneline(name, &buffer, Int32(buffer.count))
        return n >= 0 ? String(decoding: buffer.prefix(Int(n)).map { UInt8(bitPattern: $0) }, as: UTF8.self) : ""
    }
}

extension CertificateEntry {
    /// One certificate of a CA file as `show ssl ca-file <file>` prints it.
    static func caDetails(_ certificate: OpaquePointer, number: Int) -> String {
        var out = " \nCertificate #\(number):\n"
        if let serial = X509_get0_serialNumber(certificate), let data = ASN1_STRING_get0_data(serial) {
            out += "Serial: \(hex(Array(UnsafeBufferPointer(start: data, count: Int(ASN1_STRING_length(serial))))))\n"
        }
        out += "notBefore: \(time(X509_get0_notBefore(certificate)))\n"
        out += "notAfter: \(time(X509_get0_notAfter(certificate)))\n"
        var san = [CChar](repeating: 0, count: 4096)
        let sanLength = hap_x509_san_text(certificate, &san, Int32(san.count))
        out += "Subject Alternative Name: "
            + (sanLength > 0 ? String(decoding: san.prefix(Int(sanLength)).map { UInt8(bitPattern: $0) }, as: UTF8.self) : "")
            + "\n"
        let key = X509_get0_pubkey(certificate)
        let bits = key.map { Int(EVP_PKEY_get_bits($0)) } ?? 0
        let algorithm: String
        if let key, EVP_PKEY_is_a(key, "RSA") == 1 {
            algorithm = "RSA\(bits)"
        } else if let key, EVP_PKEY_is_a(key, "EC") == 1 {
            algorithm = "EC\(bits)"
        } else if let key, EVP_PKEY_is_a(key, "DSA") == 1 {
            algorithm = "DSA\(bits)"
        } else {
            algorithm = "Unknown"
        }
        out += "Algorithm: \(algorithm)\n"
        var digest = [UInt8](repeating: 0, count: 64)
        let n = hap_x509_sha1(certificate, &digest)
        if n > 0 { out += "SHA1 FingerPrint: \(hex(Array(digest.prefix(Int(n)))))\n" }
        out += "Subject: \(name(X509_get_subject_name(certificate)))\n"
        out += "Issuer: \(name(X509_get_issuer_name(certificate)))\n"
        return out
    }
}

extension CertificateEntry {
    /// One CRL of a CRL file as `show ssl crl-file <file>` prints it.
    static func crlDetails(_ crl: OpaquePointer, number: Int) -> String {
        var out = " \nCertificate Revocation List #\(number):\n"
        out += "Version \(X509_CRL_get_version(crl) + 1)\n"
        out += "Signature Algorithm: \(hap_crl_signature_name(crl).map { String(cString: $0) } ?? "")\n"
        out += "Issuer: \(name(X509_CRL_get_issuer(crl)))\n"
        out += "Last Update: \(time(X509_CRL_get0_lastUpdate(crl)))\n"
        out += "Next Update: \(X509_CRL_get0_nextUpdate(crl) == nil ? "NONE" : time(X509_CRL_get0_nextUpdate(crl)))\n"
        let count = hap_crl_revoked_count(crl)
        guard count > 0 else { return out + "No Revoked Certificates.\n" }
        out += "Revoked Certificates:\n"
        for i in 0..<count {
            guard let revoked = hap_crl_revoked(crl, i) else { continue }
            if let serial = X509_REVOKED_get0_serialNumber(revoked), let data = ASN1_STRING_get0_data(serial) {
                out += "    Serial Number: \(hex(Array(UnsafeBufferPointer(start: data, count: Int(ASN1_STRING_length(serial))))))\n"
            }
            out += "        Revocation Date: \(time(X509_REVOKED_get0_revocationDate(revoked)))\n"
        }
        return out
    }
}

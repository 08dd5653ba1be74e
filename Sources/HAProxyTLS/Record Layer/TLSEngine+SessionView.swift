import COpenSSL
import HAProxyRules

/// What the `ssl_fc*`, `ssl_bc*` and `ssl_c_*` fetches and the log's
/// `%sslv` and `%sslc` read from a connection.
extension TLSEngine {

    public var isEstablished: Bool { state == .established || (state == .closed && SSL_is_init_finished(ssl) == 1) }

    public var protocolVersion: String? {
        guard isEstablished, let v = SSL_get_version(ssl) else { return nil }
        return String(cString: v)
    }

    public var cipherName: String? {
        guard isEstablished, let c = SSL_get_current_cipher(ssl), let name = SSL_CIPHER_get_name(c) else { return nil }
        return String(cString: name)
    }

    public var cipherUsedBits: Int? {
        guard isEstablished, let c = SSL_get_current_cipher(ssl) else { return nil }
        return Int(SSL_CIPHER_get_bits(c, nil))
    }

    public var cipherAlgorithmBits: Int? {
        guard isEstablished, let c = SSL_get_current_cipher(ssl) else { return nil }
        var bits: Int32 = 0
        _ = SSL_CIPHER_get_bits(c, &bits)
        return Int(bits)
    }

    public var serverName: String? {
        guard let name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name) else { return nil }
        return String(cString: name)
    }

    public var alpnProtocol: String? { negotiatedProtocol(SSL_get0_alpn_selected) }

    public var npnProtocol: String? { negotiatedProtocol(SSL_get0_next_proto_negotiated) }

    /// The protocol an OpenSSL getter of the ALPN or NPN outcome reports;
    /// nil when none was agreed.
    private func negotiatedProtocol(
        _ get: (OpaquePointer?, UnsafeMutablePointer<UnsafePointer<UInt8>?>?, UnsafeMutablePointer<UInt32>?) -> Void
    ) -> String? {
        var data: UnsafePointer<UInt8>?
        var length: UInt32 = 0
        get(ssl, &data, &length)
        guard let data, length > 0 else { return nil }
        return String(decoding: UnsafeBufferPointer(start: data, count: Int(length)), as: UTF8.self)
    }

    public var isResumed: Bool { SSL_session_reused(ssl) == 1 }

    public var hasPeerCertificate: Bool { SSL_get0_peer_certificate(ssl) != nil }

    public var peerVerifyResult: Int { Int(SSL_get_verify_result(ssl)) }
    public var peerCertificateError: Int { Int(hap_ssl_crt_err(ssl)) }
    public var peerCAError: Int { Int(hap_ssl_ca_err(ssl)) }
    public var peerCAErrorDepth: Int { Int(hap_ssl_ca_err_depth(ssl)) }

    public func peerSubject(entry: String?) -> String? {
        guard let cert = SSL_get0_peer_certificate(ssl) else { return nil }
        return Self.text(of: X509_get_subject_name(cert), entry: entry)
    }

    public func peerIssuer(entry: String?) -> String? {
        guard let cert = SSL_get0_peer_certificate(ssl) else { return nil }
        return Self.text(of: X509_get_issuer_name(cert), entry: entry)
    }

    public var peerSerial: [UInt8]? {
        guard let cert = SSL_get0_peer_certificate(ssl), let serial = X509_get0_serialNumber(cert) else { return nil }
        return Self.bytes(of: serial)
    }

    public var peerNotBefore: String? {
        guard let cert = SSL_get0_peer_certificate(ssl), let t = X509_get0_notBefore(cert) else { return nil }
        return Self.bytes(of: t).map { String(decoding: $0, as: UTF8.self) }
    }

    public var peerNotAfter: String? {
        guard let cert = SSL_get0_peer_certificate(ssl), let t = X509_get0_notAfter(cert) else { return nil }
        return Self.bytes(of: t).map { String(decoding: $0, as: UTF8.self) }
    }

    private static func bytes(of string: UnsafePointer<asn1_string_st>) -> [UInt8]? {
        guard let data = ASN1_STRING_get0_data(string) else { return nil }
        return Array(UnsafeBufferPointer(start: data, count: Int(ASN1_STRING_length(string))))
    }

    private static func text(of name: OpaquePointer?, entry: String?) -> String? {
        guard let name else { return nil }
        var buffer = [CChar](repeating: 0, count: 1024)
        let n: Int32
        if let entry {
            n = hap_x509_name_entry(name, entry, &buffer, Int32(buffer.count))
        } else {
            n = hap_x509_name_oneline(name, &buffer, Int32(buffer.count))
        }
        guard n >= 0 else { return nil }
        return String(decoding: buffer.prefix(Int(n)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

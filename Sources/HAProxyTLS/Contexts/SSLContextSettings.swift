import COpenSSL
import HAProxyConfig

/// Settings both sides apply to an SSL_CTX: versions, ciphers, TLS 1.3
/// suites, curves and tickets. Each failure is named by what could not be
/// set, for the caller to word as 2.6 does.
enum SSLContextSettings {
    enum Failure: Error {
        case ciphers(String), ciphersuites(String), curves(String), namedCurve(String)
    }

    static func protocolNumber(_ v: TLSVersion) -> Int32 {
        switch v {
        case .sslv3: return SSL3_VERSION
        case .tlsv10: return TLS1_VERSION
        case .tlsv11: return TLS1_1_VERSION
        case .tlsv12: return TLS1_2_VERSION
        case .tlsv13: return TLS1_3_VERSION
        }
    }

    static func disableFlag(_ v: TLSVersion) -> UInt64 {
        switch v {
        case .sslv3: return hap_ssl_option(HAP_OP_NO_SSLv3)
        case .tlsv10: return hap_ssl_option(HAP_OP_NO_TLSv1)
        case .tlsv11: return hap_ssl_option(HAP_OP_NO_TLSv1_1)
        case .tlsv12: return hap_ssl_option(HAP_OP_NO_TLSv1_2)
        case .tlsv13: return hap_ssl_option(HAP_OP_NO_TLSv1_3)
        }
    }

    static func apply(
        _ common: TLSCommonOptions, versions: TLSVersionPolicy, ecdhe: String? = nil, extraOptions: UInt64 = 0,
        to ctx: OpaquePointer
    ) throws(Failure) {
        var options = hap_ssl_option(HAP_OP_NO_COMPRESSION) | hap_ssl_option(HAP_OP_NO_RENEGOTIATION) | extraOptions
        if common.noTLSTickets { options |= hap_ssl_option(HAP_OP_NO_TICKET) }
        for v in versions.disabled { options |= disableFlag(v) }
        _ = hap_ssl_ctx_set_options(ctx, options)
        _ = hap_ssl_ctx_set_mode(ctx, Int(SSL_MODE_RELEASE_BUFFERS))
        _ = hap_ssl_ctx_set_min_proto(ctx, protocolNumber(versions.minimum))
        _ = hap_ssl_ctx_set_max_proto(ctx, protocolNumber(versions.maximum))
        if let ciphers = common.ciphers, SSL_CTX_set_cipher_list(ctx, ciphers) != 1 {
            OpenSSLErrors.drain()
            throw .ciphers(ciphers)
        }
        if let suites = common.ciphersuites, SSL_CTX_set_ciphersuites(ctx, suites) != 1 {
            OpenSSLErrors.drain()
            throw .ciphersuites(suites)
        }
        if let curves = common.curves, hap_ssl_ctx_set_groups_list(ctx, curves) != 1 {
            OpenSSLErrors.drain()
            throw .curves(curves)
        }
        if let curve = ecdhe, common.curves == nil, hap_ssl_ctx_set_groups_list(ctx, curve) != 1 {
            OpenSSLErrors.drain()
            throw .namedCurve(curve)
        }
    }

    /// Installs a certificate, its key and its chain.
    static func use(_ entry: CertificateEntry, in ctx: OpaquePointer) -> Bool {
        guard let certificate = entry.certificate, let key = entry.key,
              SSL_CTX_use_certificate(ctx, certificate) == 1,
              SSL_CTX_use_PrivateKey(ctx, key) == 1
        else {
            OpenSSLErrors.drain()
            return false
        }
        for c in entry.chain where hap_ssl_ctx_add1_chain_cert(ctx, c) != 1 {
            OpenSSLErrors.drain()
            return false
        }
        return true
    }

    /// ALPN protocols in wire format (length-prefixed).
    static func alpnWire(_ list: [String]) -> [UInt8] {
        var wire: [UInt8] = []
        for p in list {
            wire.append(UInt8(p.utf8.count))
            wire += Array(p.utf8)
        }
        return wire
    }
}

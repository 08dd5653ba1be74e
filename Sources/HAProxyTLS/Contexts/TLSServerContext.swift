import COpenSSL
import HAProxyConfig

/// The TLS side of one `bind` line: one SSL_CTX per certificate (the
/// first is the default), chosen by the server name the client sends
/// (SNI) among each certificate's CN and DNS names, wildcards included
/// (manual 5.1 `crt`, `strict-sni`). Built once at configuration load.
public final class TLSServerContext: @unchecked Sendable {
    /// SSL_CTX* per certificate, in `crt` order.
    let contexts: [OpaquePointer]
    /// Lowercased exact names and wildcard suffixes (`example.com` for
    /// `*.example.com`) to the index of their certificate.
    let exactNames: [String: Int]
    let wildcardNames: [String: Int]
    let strictSNI: Bool
    /// The protocols ALPN may choose, in wire format; nil: no ALPN.
    let alpn: UnsafeMutableBufferPointer<UInt8>?

    /// What building a context found: the context, and 2.6's warnings.
    public struct Built {
        public let context: TLSServerContext
        public let warnings: [String]
    }

    /// - Parameters:
    ///   - httpMode: the frontend speaks HTTP: ALPN offers only what this
    ///     build's HTTP layer speaks (HTTP/1.x).
    ///   - proxy, location: for messages (`Proxy 'f': ... for bind 'ADDR' at [file:line]`).
    public static func build(
        _ tls: TLSBindConfig, global: TLSGlobalConfig, httpMode: Bool, proxy: String, location: SourceLocation,
        store: CertificateStore = .shared
    ) throws(TLSConfigurationError) -> Built {
        let suffix = "for bind '\(tls.addressText)' at [\(location)]"
        var warnings: [String] = []
        var entries: [CertificateEntry] = []
        for path in tls.certificates {
            do {
                entries += try store.certificates(at: path)
            } catch let error as TLSConfigurationError {
                throw TLSConfigurationError("parsing [\(location)] : 'bind \(tls.addressText)' : \(error.message)")
            } catch {
                throw TLSConfigurationError("\(error)")
            }
        }
        guard !entries.isEmpty else {
            throw TLSConfigurationError("Proxy '\(proxy)': no SSL certificate specified \(suffix) (use 'crt').")
        }
        guard let versions = TLSVersionPolicy.resolve(tls.common.versions) else {
            throw TLSConfigurationError("Proxy '\(proxy)': all SSL/TLS versions are disabled \(suffix).")
        }
        let verify = tls.verify ?? .none
        if verify != .none && tls.caFile == nil {
            throw TLSConfigurationError("Proxy '\(proxy)': verify is enabled but no CA file specified \(suffix).")
        }
        if versions.ignoredDisabled {
            warnings.append(
                "Proxy '\(proxy)': no-sslv3/no-tlsv1x are ignored \(suffix). Use only 'ssl-min-ver' and 'ssl-max-ver' to fix.")
        }
        if versions.loweredMinimum {
            warnings.append(
                "Proxy '\(proxy)': Ambiguous configuration for bind '\(tls.addressText)' at [\(location)]: the ssl-min-ver value is not configured and the ssl-max-ver value is lower than the default ssl-min-ver value (\(TLSVersion.defaultMinimum.name)). Setting the ssl-min-ver to \(versions.minimum.name). Use 'ssl-min-ver' to fix this."
            )
        }
        var alpnList = tls.common.alpn
        if httpMode, let list = alpnList {
            let served = list.filter { $0 == "http/1.1" || $0 == "http/1.0" }
            let dropped = list.filter { !served.contains($0) }
            if served.isEmpty {
                throw TLSConfigurationError(
                    "Proxy '\(proxy)': none of the ALPN protocols '\(list.joined(separator: ","))' \(suffix) is spoken by this build's HTTP layer (only http/1.1 and http/1.0 are).")
            }
            if !dropped.isEmpty {
                warnings.append(
                    "Proxy '\(proxy)': ALPN protocol(s) '\(dropped.joined(separator: ","))' not offered \(suffix): this build's HTTP layer speaks only HTTP/1.x, clients will use \(served[0]).")
            }
            alpnList = served
        }
        var extra = hap_ssl_option(HAP_OP_SINGLE_DH_USE) | hap_ssl_option(HAP_OP_SINGLE_ECDH_USE)
        if !tls.preferClientCiphers { extra |= hap_ssl_option(HAP_OP_CIPHER_SERVER_PREFERENCE) }
        var contexts: [OpaquePointer] = []
        var exact: [String: Int] = [:]
        var wildcard: [String: Int] = [:]
        func release() { for c in contexts { SSL_CTX_free(c) } }
        for (index, entry) in entries.enumerated() {
            guard let ctx = SSL_CTX_new(TLS_server_method()) else {
                release()
                throw TLSConfigurationError("Proxy '\(proxy)': unable to allocate SSL context \(suffix).")
            }
            contexts.append(ctx)
            do {
                try SSLContextSettings.apply(tls.common, versions: versions, ecdhe: tls.ecdhe, extraOptions: extra, to: ctx)
            } catch {
                release()
                switch error {
                case .ciphers(let c):
                    throw TLSConfigurationError("Proxy '\(proxy)': unable to set SSL cipher list to '\(c)' \(suffix).")
                case .ciphersuites(let c):
                    throw TLSConfigurationError("Proxy '\(proxy)': unable to set TLS 1.3 cipher suites to '\(c)' \(suffix).")
                case .curves(let c):
                    throw TLSConfigurationError("Proxy '\(proxy)': unable to set SSL curves list to '\(c)' \(suffix).")
                case .namedCurve(let c):
                    throw TLSConfigurationError("Proxy '\(proxy)': unable to set elliptic named curve to '\(c)' \(suffix).")
                }
            }
            guard SSLContextSettings.use(entry, in: ctx) else {
                release()
                throw TLSConfigurationError(
                    "Proxy '\(proxy)': unable to use the certificate '\(entry.path)' \(suffix).")
            }
            if let bits = global.defaultDHParamBits, let dh = hap_ffdhe_params(Int32(min(bits, max(entry.keyBits, 2048)))) {
                if SSL_CTX_set0_tmp_dh_pkey(ctx, dh) != 1 { EVP_PKEY_free(dh) }
            }
            if let caFile = tls.caFile {
                // The CAs verify client certificates and are named in the request.
                guard SSL_CTX_load_verify_locations(ctx, caFile, nil) == 1 else {
                    OpenSSLErrors.drain()
                    release()
                    throw TLSConfigurationError("Proxy '\(proxy)': unable to load the ca-file '\(caFile)' \(suffix).")
                }
                if let names = SSL_load_client_CA_file(caFile) { SSL_CTX_set_client_CA_list(ctx, names) }
                OpenSSLErrors.drain()
            }
            switch verify {
            case .none: SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nil)
            case .optional: SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_CLIENT_ONCE, nil)
            case .required:
                SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT | SSL_VERIFY_CLIENT_ONCE, nil)
            }
            _ = hap_ssl_ctx_set_session_cache_mode(ctx, Int(SSL_SESS_CACHE_SERVER))
            _ = "haproxy".withCString { SSL_CTX_set_session_id_context(ctx, UnsafeRawPointer($0).assumingMemoryBound(to: UInt8.self), 7) }
            for name in entry.names {
                if name.hasPrefix("*.") {
                    let key = String(name.dropFirst(2))
                    if wildcard[key] == nil { wildcard[key] = index }
                } else if exact[name] == nil {
                    exact[name] = index
                }
            }
        }
        var wire: UnsafeMutableBufferPointer<UInt8>?
        if let alpnList, !alpnList.isEmpty {
            let bytes = SSLContextSettings.alpnWire(alpnList)
            let buffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: bytes.count)
            _ = buffer.initialize(from: bytes)
            wire = buffer
        }
        let server = TLSServerContext(
            contexts: contexts, exactNames: exact, wildcardNames: wildcard, strictSNI: tls.strictSNI, alpn: wire)
        return Built(context: server, warnings: warnings)
    }

    private init(
        contexts: [OpaquePointer], exactNames: [String: Int], wildcardNames: [String: Int], strictSNI: Bool,
        alpn: UnsafeMutableBufferPointer<UInt8>?
    ) {
        self.contexts = contexts
        self.exactNames = exactNames
        self.wildcardNames = wildcardNames
        self.strictSNI = strictSNI
        self.alpn = alpn
        let arg = Unmanaged.passUnretained(self).toOpaque()
        for ctx in contexts {
            _ = hap_ssl_ctx_set_servername_callback(ctx, Self.serverNameCallback, arg)
            if alpn != nil { SSL_CTX_set_alpn_select_cb(ctx, Self.alpnCallback, arg) }
        }
    }

    deinit {
        for c in contexts { SSL_CTX_free(c) }
        alpn?.deallocate()
    }

    /// The certificate for a server name: exact first, then a wildcard
    /// covering its first label; nil when none matches.
    public func certificateIndex(forServerName name: String) -> Int? {
        let lower = name.lowercased()
        if let i = exactNames[lower] { return i }
        if let dot = lower.firstIndex(of: "."), let i = wildcardNames[String(lower[lower.index(after: dot)...])] {
            return i
        }
        return nil
    }

    /// A new connection's TLS state, on the default certificate.
    func newConnection() -> OpaquePointer? { SSL_new(contexts[0]) }

    private static let serverNameCallback: @convention(c) (OpaquePointer?, UnsafeMutablePointer<Int32>?, UnsafeMutableRawPointer?) -> Int32 = { ssl, alert, arg in
        guard let ssl, let arg else { return SSL_TLSEXT_ERR_NOACK }
        let server = Unmanaged<TLSServerContext>.fromOpaque(arg).takeUnretainedValue()
        guard let raw = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name) else {
            if server.strictSNI {
                alert?.pointee = SSL_AD_UNRECOGNIZED_NAME
                return SSL_TLSEXT_ERR_ALERT_FATAL
            }
            return SSL_TLSEXT_ERR_NOACK
        }
        guard let index = server.certificateIndex(forServerName: String(cString: raw)) else {
            if server.strictSNI {
                alert?.pointee = SSL_AD_UNRECOGNIZED_NAME
                return SSL_TLSEXT_ERR_ALERT_FATAL
            }
            return SSL_TLSEXT_ERR_OK
        }
        if index != 0 { _ = SSL_set_SSL_CTX(ssl, server.contexts[index]) }
        return SSL_TLSEXT_ERR_OK
    }

    private static let alpnCallback: @convention(c) (
        OpaquePointer?, UnsafeMutablePointer<UnsafePointer<UInt8>?>?, UnsafeMutablePointer<UInt8>?,
        UnsafePointer<UInt8>?, UInt32, UnsafeMutableRawPointer?
    ) -> Int32 = { _, out, outlen, clientList, clientLength, arg in
        guard let arg, let out, let outlen, let clientList else { return SSL_TLSEXT_ERR_NOACK }
        let server = Unmanaged<TLSServerContext>.fromOpaque(arg).takeUnretainedValue()
        guard let alpn = server.alpn else { return SSL_TLSEXT_ERR_NOACK }
        let rc = hap_select_alpn(out, outlen, alpn.baseAddress, UInt32(alpn.count), clientList, clientLength)
        return rc == OPENSSL_NPN_NEGOTIATED ? SSL_TLSEXT_ERR_OK : SSL_TLSEXT_ERR_NOACK
    }
}

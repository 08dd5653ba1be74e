import COpenSSL
import HAProxyConfig

/// The TLS side of one `bind` line: one SSL_CTX per certificate (the
/// first is the default), chosen by the server name the client sends
/// (SNI) among each certificate's CN and DNS names, wildcards included, or
/// among its `crt-list` filters (manual 5.1 `crt`, `crt-list`,
/// `strict-sni`). Built once at configuration load.
///
/// The choice is made in OpenSSL's client hello callback, before the
/// protocol version and the cipher are negotiated, so that a `crt-list`
/// line's own versions, ciphers, verify mode and ALPN apply to it.
public final class TLSServerContext: @unchecked Sendable {
    /// What a certificate's line sets on a connection switched to it.
    struct Slot {
        let context: OpaquePointer
        let versions: TLSVersionPolicy
        let ciphers: String?
        let ciphersuites: String?
        let curves: String?
        /// The protocols ALPN may choose, in wire format; nil: no ALPN.
        let alpn: UnsafeMutableBufferPointer<UInt8>?
    }

    let slots: [Slot]
    /// Each SSL_CTX's slot, for the ALPN callback.
    let slotByContext: [OpaquePointer: Int]
    /// Lowercased exact names and wildcard suffixes (`example.com` for
    /// `*.example.com`) to the index of their certificate.
    let exactNames: [String: Int]
    let wildcardNames: [String: Int]
    /// Names a `crt-list` line excludes (`!old.example.org`) from its
    /// certificates, wildcards included.
    let excludedNames: [String: Set<Int>]
    let strictSNI: Bool

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
        var loaded: [(line: TLSCertificateLine, entries: [CertificateEntry])] = []
        for line in tls.certificates {
            do {
                loaded.append((line, try store.certificates(at: line.path)))
            } catch let error as TLSConfigurationError {
                throw TLSConfigurationError("parsing [\(location)] : 'bind \(tls.addressText)' : \(error.message)")
            } catch {
                throw TLSConfigurationError("\(error)")
            }
        }
        guard loaded.contains(where: { !$0.entries.isEmpty }) else {
            throw TLSConfigurationError("Proxy '\(proxy)': no SSL certificate specified \(suffix) (use 'crt').")
        }
        guard let bindVersions = TLSVersionPolicy.resolve(tls.common.versions) else {
            throw TLSConfigurationError("Proxy '\(proxy)': all SSL/TLS versions are disabled \(suffix).")
        }
        if bindVersions.ignoredDisabled {
            warnings.append(
                "Proxy '\(proxy)': no-sslv3/no-tlsv1x are ignored \(suffix). Use only 'ssl-min-ver' and 'ssl-max-ver' to fix.")
        }
        if bindVersions.loweredMinimum {
            warnings.append(
                "Proxy '\(proxy)': Ambiguous configuration for bind '\(tls.addressText)' at [\(location)]: the ssl-min-ver value is not configured and the ssl-max-ver value is lower than the default ssl-min-ver value (\(TLSVersion.defaultMinimum.name)). Setting the ssl-min-ver to \(bindVersions.minimum.name). Use 'ssl-min-ver' to fix this."
            )
        }
        var extra = hap_ssl_option(HAP_OP_SINGLE_DH_USE) | hap_ssl_option(HAP_OP_SINGLE_ECDH_USE)
        if !tls.preferClientCiphers { extra |= hap_ssl_option(HAP_OP_CIPHER_SERVER_PREFERENCE) }
        var slots: [Slot] = []
        var exact: [String: Int] = [:]
        var wildcard: [String: Int] = [:]
        var excluded: [String: Set<Int>] = [:]
        func release() {
            for s in slots {
                SSL_CTX_free(s.context)
                s.alpn?.deallocate()
            }
        }
        for (line, entries) in loaded {
            let o = line.options
            var common = tls.common
            if let v = o.alpn { common.alpn = v }
            if let v = o.ciphers { common.ciphers = v }
            if let v = o.ciphersuites { common.ciphersuites = v }
            if let v = o.curves { common.curves = v }
            var versions = bindVersions
            if o.minimumVersion != nil || o.maximumVersion != nil {
                var range = tls.common.versions
                if let v = o.minimumVersion { range.minimum = v }
                if let v = o.maximumVersion { range.maximum = v }
                guard let v = TLSVersionPolicy.resolve(range) else {
                    release()
                    throw TLSConfigurationError("Proxy '\(proxy)': all SSL/TLS versions are disabled \(suffix).")
                }
                versions = v
            }
            let verify = o.verify ?? tls.verify ?? .none
            let caFile = o.caFile ?? tls.caFile
            if verify != .none && caFile == nil {
                release()
                throw TLSConfigurationError("Proxy '\(proxy)': verify is enabled but no CA file specified \(suffix).")
            }
            var alpnList = common.alpn
            if httpMode, let list = alpnList {
                let served = list.filter { $0 == "http/1.1" || $0 == "http/1.0" }
                let dropped = list.filter { !served.contains($0) }
                if served.isEmpty {
                    release()
                    throw TLSConfigurationError(
                        "Proxy '\(proxy)': none of the ALPN protocols '\(list.joined(separator: ","))' \(suffix) is spoken by this build's HTTP layer (only http/1.1 and http/1.0 are).")
                }
                let warning =
                    "Proxy '\(proxy)': ALPN protocol(s) '\(dropped.joined(separator: ","))' not offered \(suffix): this build's HTTP layer speaks only HTTP/1.x, clients will use \(served[0])."
                if !dropped.isEmpty && !warnings.contains(warning) { warnings.append(warning) }
                alpnList = served
            }
            for entry in entries {
                let index = slots.count
                guard let ctx = SSL_CTX_new(TLS_server_method()) else {
                    release()
                    throw TLSConfigurationError("Proxy '\(proxy)': unable to allocate SSL context \(suffix).")
                }
                var wire: UnsafeMutableBufferPointer<UInt8>?
                if let alpnList, !alpnList.isEmpty {
                    let bytes = SSLContextSettings.alpnWire(alpnList)
                    let buffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: bytes.count)
                    _ = buffer.initialize(from: bytes)
                    wire = buffer
                }
                slots.append(Slot(
                    context: ctx, versions: versions, ciphers: common.ciphers, ciphersuites: common.ciphersuites,
                    curves: common.curves ?? o.ecdhe ?? tls.ecdhe, alpn: wire))
                do {
                    try SSLContextSettings.apply(
                        common, versions: versions, ecdhe: o.ecdhe ?? tls.ecdhe, extraOptions: extra, to: ctx)
                } catch {
                    release()
                    switch error {
                    case .ciphers(let c):
                        throw TLSConfigurationError("Proxy '\(proxy)': unable to set SSL cipher list to '\(c)' \(suffix).")
                    case .ciphersuites(let c):
                        throw TLSConfigurationError(
                            "Proxy '\(proxy)': unable to set TLS 1.3 cipher suites to '\(c)' \(suffix).")
                    case .curves(let c):
                        throw TLSConfigurationError("Proxy '\(proxy)': unable to set SSL curves list to '\(c)' \(suffix).")
                    case .namedCurve(let c):
                        throw TLSConfigurationError(
                            "Proxy '\(proxy)': unable to set elliptic named curve to '\(c)' \(suffix).")
                    }
                }
                guard SSLContextSettings.use(entry, in: ctx) else {
                    release()
                    throw TLSConfigurationError("Proxy '\(proxy)': unable to use the certificate '\(entry.path)' \(suffix).")
                }
                if let file = global.dhParamFile, let dh = store.dhParameters(at: file), EVP_PKEY_up_ref(dh) == 1 {
                    if SSL_CTX_set0_tmp_dh_pkey(ctx, dh) != 1 { EVP_PKEY_free(dh) }
                } else if let bits = global.defaultDHParamBits,
                          let dh = hap_ffdhe_params(Int32(min(bits, max(entry.keyBits, 2048)))) {
                    if SSL_CTX_set0_tmp_dh_pkey(ctx, dh) != 1 { EVP_PKEY_free(dh) }
                }
                if global.maxRecord > 0 {
                    _ = hap_ssl_ctx_set_max_send_fragment(ctx, min(16384, max(512, global.maxRecord)))
                }
                SSL_CTX_set_timeout(ctx, Int(global.sessionLifetime))
                if let caFile {
                    // The CAs verify client certificates and are named in the request.
                    guard SSL_CTX_load_verify_locations(ctx, caFile, nil) == 1 else {
                        OpenSSLErrors.drain()
                        release()
                        throw TLSConfigurationError("Proxy '\(proxy)': unable to load the ca-file '\(caFile)' \(suffix).")
                    }
                    if !o.noCANames, let names = SSL_load_client_CA_file(caFile) { SSL_CTX_set_client_CA_list(ctx, names) }
                    OpenSSLErrors.drain()
                }
                switch verify {
                case .none: SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nil)
                case .optional: SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_CLIENT_ONCE, nil)
                case .required:
                    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT | SSL_VERIFY_CLIENT_ONCE, nil)
                }
                if global.cacheSize > 0 {
                    _ = hap_ssl_ctx_set_session_cache_mode(ctx, Int(SSL_SESS_CACHE_SERVER))
                    _ = hap_ssl_ctx_sess_set_cache_size(ctx, global.cacheSize)
                } else {
                    _ = hap_ssl_ctx_set_session_cache_mode(ctx, Int(SSL_SESS_CACHE_OFF))
                }
                _ = "haproxy".withCString {
                    SSL_CTX_set_session_id_context(ctx, UnsafeRawPointer($0).assumingMemoryBound(to: UInt8.self), 7)
                }
                for filter in line.filters where filter.hasPrefix("!") {
                    excluded[String(filter.dropFirst()), default: []].insert(index)
                }
                for name in names(of: entry, filters: line.filters) {
                    if name.hasPrefix("*.") {
                        let key = String(name.dropFirst(2))
                        if wildcard[key] == nil { wildcard[key] = index }
                    } else if exact[name] == nil {
                        exact[name] = index
                    }
                }
            }
        }
        let server = TLSServerContext(
            slots: slots, exactNames: exact, wildcardNames: wildcard, excludedNames: excluded, strictSNI: tls.strictSNI)
        return Built(context: server, warnings: warnings)
    }

    /// The names SNI selects a certificate by: the line's positive filters
    /// when it has some, else the certificate's own names; less the
    /// negative filters.
    static func names(of entry: CertificateEntry, filters: [String]) -> [String] {
        let excluded = Set(filters.filter { $0.hasPrefix("!") }.map { String($0.dropFirst()) })
        let positive = filters.filter { !$0.hasPrefix("!") }
        return (positive.isEmpty ? entry.names : positive).filter { !excluded.contains($0) }
    }

    private init(
        slots: [Slot], exactNames: [String: Int], wildcardNames: [String: Int], excludedNames: [String: Set<Int>],
        strictSNI: Bool
    ) {
        self.excludedNames = excludedNames
        self.slots = slots
        var byContext: [OpaquePointer: Int] = [:]
        for (i, s) in slots.enumerated() { byContext[s.context] = i }
        self.slotByContext = byContext
        self.exactNames = exactNames
        self.wildcardNames = wildcardNames
        self.strictSNI = strictSNI
        let arg = Unmanaged.passUnretained(self).toOpaque()
        for slot in slots {
            SSL_CTX_set_client_hello_cb(slot.context, Self.clientHelloCallback, arg)
            if slot.alpn != nil { SSL_CTX_set_alpn_select_cb(slot.context, Self.alpnCallback, arg) }
        }
    }

    deinit {
        for s in slots {
            SSL_CTX_free(s.context)
            s.alpn?.deallocate()
        }
    }

    /// The certificate for a server name: exact first, then a wildcard
    /// covering its first label; nil when none matches.
    public func certificateIndex(forServerName name: String) -> Int? {
        let lower = name.lowercased()
        if let i = exactNames[lower] { return i }
        if let dot = lower.firstIndex(of: "."), let i = wildcardNames[String(lower[lower.index(after: dot)...])],
           !(excludedNames[lower]?.contains(i) ?? false) {
            return i
        }
        return nil
    }

    /// A new connection's TLS state, on the default certificate.
    func newConnection() -> OpaquePointer? { SSL_new(slots[0].context) }

    /// Moves a connection to another certificate's context with what its
    /// line sets: SSL_set_SSL_CTX changes only the certificate.
    private func switchConnection(_ ssl: OpaquePointer, to index: Int) {
        let slot = slots[index]
        _ = SSL_set_SSL_CTX(ssl, slot.context)
        _ = hap_ssl_set_min_proto(ssl, SSLContextSettings.protocolNumber(slot.versions.minimum))
        _ = hap_ssl_set_max_proto(ssl, SSLContextSettings.protocolNumber(slot.versions.maximum))
        if let c = slot.ciphers { _ = SSL_set_cipher_list(ssl, c) }
        if let c = slot.ciphersuites { _ = SSL_set_ciphersuites(ssl, c) }
        if let c = slot.curves { _ = hap_ssl_set_groups_list(ssl, c) }
        SSL_set_verify(ssl, SSL_CTX_get_verify_mode(slot.context), nil)
        if let names = SSL_CTX_get_client_CA_list(slot.context), let copy = SSL_dup_CA_list(names) {
            SSL_set_client_CA_list(ssl, copy)
        }
        OpenSSLErrors.drain()
    }

    private static let clientHelloCallback: @convention(c) (OpaquePointer?, UnsafeMutablePointer<Int32>?, UnsafeMutableRawPointer?) -> Int32 = { ssl, alert, arg in
        guard let ssl, let arg else { return SSL_CLIENT_HELLO_SUCCESS }
        let server = Unmanaged<TLSServerContext>.fromOpaque(arg).takeUnretainedValue()
        var buffer = [CChar](repeating: 0, count: 256)
        let length = hap_client_hello_servername(ssl, &buffer, Int32(buffer.count))
        let index = length > 0 ? server.certificateIndex(forServerName: String(cString: buffer)) : nil
        guard let index else {
            if server.strictSNI {
                alert?.pointee = SSL_AD_UNRECOGNIZED_NAME
                return SSL_CLIENT_HELLO_ERROR
            }
            return SSL_CLIENT_HELLO_SUCCESS
        }
        if index != 0 { server.switchConnection(ssl, to: index) }
        return SSL_CLIENT_HELLO_SUCCESS
    }

    private static let alpnCallback: @convention(c) (
        OpaquePointer?, UnsafeMutablePointer<UnsafePointer<UInt8>?>?, UnsafeMutablePointer<UInt8>?,
        UnsafePointer<UInt8>?, UInt32, UnsafeMutableRawPointer?
    ) -> Int32 = { ssl, out, outlen, clientList, clientLength, arg in
        guard let ssl, let arg, let out, let outlen, let clientList else { return SSL_TLSEXT_ERR_NOACK }
        let server = Unmanaged<TLSServerContext>.fromOpaque(arg).takeUnretainedValue()
        guard let ctx = SSL_get_SSL_CTX(ssl), let index = server.slotByContext[ctx],
              let alpn = server.slots[index].alpn
        else { return SSL_TLSEXT_ERR_NOACK }
        let rc = hap_select_alpn(out, outlen, alpn.baseAddress, UInt32(alpn.count), clientList, clientLength)
        return rc == OPENSSL_NPN_NEGOTIATED ? SSL_TLSEXT_ERR_OK : SSL_TLSEXT_ERR_NOACK
    }
}

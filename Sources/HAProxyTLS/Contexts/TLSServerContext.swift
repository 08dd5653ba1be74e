import COpenSSL
import HAProxyConfig
import NIOConcurrencyHelpers

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
        var context: OpaquePointer
        let versions: TLSVersionPolicy
        let ciphers: String?
        let ciphersuites: String?
        let curves: String?
        /// The protocols ALPN may choose, in wire format; nil: no ALPN.
        let alpn: UnsafeMutableBufferPointer<UInt8>?
        /// The protocols NPN advertises, in wire format; nil: no NPN.
        let npn: UnsafeMutableBufferPointer<UInt8>?
        /// The certificate it serves and the line (`crt` or `crt-list`)
        /// that asked for it; a line deleted at run time serves no more.
        var entry: CertificateEntry
        let line: TLSCertificateLine
        /// The CA and CRL files its context verifies client certificates
        /// with (none without `verify`).
        let caFiles: [String]
        var removed = false

        var filters: [String] { line.filters }

        /// Frees the protocol lists (the slot's context is gone).
        func releaseProtocolLists() {
            alpn?.deallocate()
            npn?.deallocate()
        }
        /// Sets up an SSL context for a certificate as the line asks; the
        /// error message when it cannot.
        let configure: (OpaquePointer, CertificateEntry) -> String?
    }

    /// Makes a slot for a certificate and a line, with the warnings it
    /// gives, or the error that refuses it.
    typealias SlotMaker = (TLSCertificateLine, CertificateEntry) -> Result<(Slot, [String]), TLSConfigurationError>

    /// The slots and their SNI index, which `commit ssl cert` replaces.
    private struct State {
        var slots: [Slot]
        var names: NameIndex
        /// Each SSL_CTX's slot, for the ALPN callback (contexts replaced
        /// by a commit stay, for the handshakes that began on them).
        var slotByContext: [OpaquePointer: Int]
    }

    private let lock = NIOLock()
    private var state: State
    let strictSNI: Bool
    private let makeSlot: SlotMaker
    /// The bind line's `file:line` (`del ssl crt-list` names it).
    let location: String

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
        let ticketKeys = tls.ticketKeys.map(TLSTicketKeys.reference(for:))
        var extra = hap_ssl_option(HAP_OP_SINGLE_DH_USE) | hap_ssl_option(HAP_OP_SINGLE_ECDH_USE)
        if !tls.preferClientCiphers { extra |= hap_ssl_option(HAP_OP_CIPHER_SERVER_PREFERENCE) }
        /// A slot serving `entry` as `line` asks, with its SSL context set
        /// up; also what adds a line at run time (`add ssl crt-list`).
        let makeSlot: SlotMaker = { line, entry in
            let o = line.options
            var common = tls.common
            if let v = o.alpn { common.alpn = v }
            if let v = o.npn { common.npn = v }
            if let v = o.ciphers { common.ciphers = v }
            if let v = o.ciphersuites { common.ciphersuites = v }
            if let v = o.curves { common.curves = v }
            var versions = bindVersions
            if o.minimumVersion != nil || o.maximumVersion != nil {
                var range = tls.common.versions
                if let v = o.minimumVersion { range.minimum = v }
                if let v = o.maximumVersion { range.maximum = v }
                guard let v = TLSVersionPolicy.resolve(range) else {
                    return .failure(TLSConfigurationError("Proxy '\(proxy)': all SSL/TLS versions are disabled \(suffix)."))
                }
                versions = v
            }
            let verify = o.verify ?? tls.verify ?? .none
            let caFile = o.caFile ?? tls.caFile
            let caVerifyFile = o.caVerifyFile ?? tls.caVerifyFile
            if verify != .none && caFile == nil && caVerifyFile == nil {
                return .failure(TLSConfigurationError("Proxy '\(proxy)': verify is enabled but no CA file specified \(suffix)."))
            }
            var lineWarnings: [String] = []
            /// What ALPN or NPN may offer: in `mode http`, the HTTP/1.x
            /// names only (a WARNING names the others), never none.
            func offered(_ list: [String]?, _ kind: String) -> Result<[String]?, TLSConfigurationError> {
                guard httpMode, let list else { return .success(list) }
                let served = list.filter { $0 == "http/1.1" || $0 == "http/1.0" }
                let dropped = list.filter { !served.contains($0) }
                if served.isEmpty {
                    return .failure(TLSConfigurationError(
                        "Proxy '\(proxy)': none of the \(kind) protocols '\(list.joined(separator: ","))' \(suffix) is spoken by this build's HTTP layer (only http/1.1 and http/1.0 are)."))
                }
                if !dropped.isEmpty {
                    lineWarnings.append(
                        "Proxy '\(proxy)': \(kind) protocol(s) '\(dropped.joined(separator: ","))' not offered \(suffix): this build's HTTP layer speaks only HTTP/1.x, clients will use \(served[0]).")
                }
                return .success(served)
            }
            let alpnList: [String]?, npnList: [String]?
            switch (offered(common.alpn, "ALPN"), offered(common.npn, "NPN")) {
            case (.failure(let error), _), (_, .failure(let error)): return .failure(error)
            case (.success(let alpn), .success(let npn)): (alpnList, npnList) = (alpn, npn)
            }
            let ecdhe = o.ecdhe ?? tls.ecdhe
            let noCANames = o.noCANames
            let crlFile = o.crlFile ?? tls.crlFile
            let caIgnored = tls.caIgnoredErrors, crtIgnored = tls.certificateIgnoredErrors
            /// Everything this line sets on a certificate's SSL context;
            /// run again when `commit ssl cert` replaces the certificate.
            let configure: (OpaquePointer, CertificateEntry) -> String? = { ctx, entry in
                do {
                    try SSLContextSettings.apply(common, versions: versions, ecdhe: ecdhe, extraOptions: extra, to: ctx)
                } catch let error as SSLContextSettings.Failure {
                    switch error {
                    case .ciphers(let c):
                        return "Proxy '\(proxy)': unable to set SSL cipher list to '\(c)' \(suffix)."
                    case .ciphersuites(let c):
                        return "Proxy '\(proxy)': unable to set TLS 1.3 cipher suites to '\(c)' \(suffix)."
                    case .curves(let c):
                        return "Proxy '\(proxy)': unable to set SSL curves list to '\(c)' \(suffix)."
                    case .namedCurve(let c):
                        return "Proxy '\(proxy)': unable to set elliptic named curve to '\(c)' \(suffix)."
                    }
                } catch {
                    return "\(error)"
                }
                guard SSLContextSettings.use(entry, in: ctx) else {
                    return "Proxy '\(proxy)': unable to use the certificate '\(entry.path)' \(suffix)."
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
                    // The CAs verify client certificates and are named in the request
                    // (the content a `commit ssl ca-file` put in place of the file's).
                    if let pem = store.committedContent(of: caFile) {
                        guard hap_ssl_ctx_load_ca_pem(ctx, pem, Int32(pem.utf8.count), noCANames ? 0 : 1) > 0 else {
                            return "Proxy '\(proxy)': unable to load the ca-file '\(caFile)' \(suffix)."
                        }
                    } else {
                        guard SSL_CTX_load_verify_locations(ctx, caFile, nil) == 1 else {
                            OpenSSLErrors.drain()
                            return "Proxy '\(proxy)': unable to load the ca-file '\(caFile)' \(suffix)."
                        }
                        if !noCANames, let names = SSL_load_client_CA_file(caFile) { SSL_CTX_set_client_CA_list(ctx, names) }
                    }
                    OpenSSLErrors.drain()
                }
                // `ca-verify-file`: trusted for verifying, never named.
                if let caVerifyFile {
                    let loaded = store.committedContent(of: caVerifyFile).map {
                        hap_ssl_ctx_load_ca_pem(ctx, $0, Int32($0.utf8.count), 0) > 0
                    } ?? (SSL_CTX_load_verify_locations(ctx, caVerifyFile, nil) == 1)
                    OpenSSLErrors.drain()
                    guard loaded else {
                        return "Proxy '\(proxy)': unable to load the ca-verify-file '\(caVerifyFile)' \(suffix)."
                    }
                }
                if let crlFile {
                    let loaded = store.committedContent(of: crlFile).map { hap_ssl_ctx_load_crl_pem(ctx, $0, Int32($0.utf8.count)) }
                        ?? hap_ssl_ctx_load_crl(ctx, crlFile)
                    guard loaded == 1 else {
                        OpenSSLErrors.drain()
                        return "Proxy '\(proxy)': unable to configure CRL file '\(crlFile)' \(suffix)."
                    }
                }
                switch verify {
                case .none: hap_ssl_ctx_set_verify(ctx, SSL_VERIFY_NONE)
                case .optional: hap_ssl_ctx_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_CLIENT_ONCE)
                case .required:
                    hap_ssl_ctx_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT | SSL_VERIFY_CLIENT_ONCE)
                }
                if caIgnored != nil || crtIgnored != nil {
                    let ca = Self.bitmap(caIgnored), crt = Self.bitmap(crtIgnored)
                    _ = hap_ssl_ctx_set_verify_policy(
                        ctx, caIgnored == .all ? 1 : 0, ca.0, ca.1, crtIgnored == .all ? 1 : 0, crt.0, crt.1)
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
                if let ticketKeys, hap_ssl_ctx_set_ticket_keys(ctx, ticketKeys.ring) != 1 {
                    return "Proxy '\(proxy)': unable to set the TLS ticket keys of '\(ticketKeys.path)' \(suffix)."
                }
                if let sctl = entry.sctl, hap_ssl_ctx_set_sctl(ctx, sctl, sctl.count) != 1 {
                    OpenSSLErrors.drain()
                    return "Proxy '\(proxy)': unable to serve the SCT list of '\(entry.path)' \(suffix)."
                }
                let ocsp = entry.ocspResponse ?? []
                _ = hap_ssl_ctx_set_ocsp_response(ctx, ocsp, ocsp.count)
                return nil
            }

            guard let ctx = SSL_CTX_new(TLS_server_method()) else {
                return .failure(TLSConfigurationError("Proxy '\(proxy)': unable to allocate SSL context \(suffix)."))
            }
            if let message = configure(ctx, entry) {
                SSL_CTX_free(ctx)
                return .failure(TLSConfigurationError(message))
            }
            /// A protocol list in wire format, kept for the callbacks.
            func wire(_ list: [String]?) -> UnsafeMutableBufferPointer<UInt8>? {
                guard let list, !list.isEmpty else { return nil }
                let bytes = SSLContextSettings.alpnWire(list)
                let buffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: bytes.count)
                _ = buffer.initialize(from: bytes)
                return buffer
            }
            return .success((Slot(
                context: ctx, versions: versions, ciphers: common.ciphers, ciphersuites: common.ciphersuites,
                curves: common.curves ?? ecdhe, alpn: wire(alpnList), npn: wire(npnList), entry: entry, line: line,
                caFiles: verify == .none ? [] : [caFile, caVerifyFile, crlFile].compactMap { $0 },
                configure: configure), lineWarnings))
        }
        var slots: [Slot] = []
        for (line, entries) in loaded {
            for entry in entries {
                // A `crt` directory is a list named after it, each file a
                // line numbered 0, as 2.6 shows it (`show ssl crt-list`).
                var line = line
                if line.list == nil && entry.path != line.path {
                    var fileLine = TLSCertificateLine(path: entry.path)
                    fileLine.options = line.options
                    fileLine.list = line.path
                    line = fileLine
                }
                switch makeSlot(line, entry) {
                case .success(let (slot, slotWarnings)):
                    slots.append(slot)
                    for warning in slotWarnings where !warnings.contains(warning) { warnings.append(warning) }
                case .failure(let error):
                    for s in slots {
                        SSL_CTX_free(s.context)
                        s.releaseProtocolLists()
                    }
                    throw error
                }
            }
        }
        let server = TLSServerContext(
            slots: slots, strictSNI: tls.strictSNI, makeSlot: makeSlot, location: location.description)
        for (i, slot) in slots.enumerated() {
            store.register(server, slot: i, for: slot.entry.path)
            store.registerListLine(slot.line, server: server)
        }
        return Built(context: server, warnings: warnings)
    }

    /// An ignore list as two 64-bit maps of error ids.
    private static func bitmap(_ ignored: TLSIgnoredErrors?) -> (UInt64, UInt64) {
        guard case .ids(let ids)? = ignored else { return (0, 0) }
        var maps: (UInt64, UInt64) = (0, 0)
        for id in ids where id > 0 && id < 128 {
            if id < 64 { maps.0 |= 1 << UInt64(id) } else { maps.1 |= 1 << UInt64(id - 64) }
        }
        return maps
    }

    /// The SNI lookup tables of a set of slots: lowercased exact names and
    /// wildcard suffixes to the first slot serving them, and the names a
    /// line excludes from its slots.
    struct NameIndex {
        var exact: [String: Int] = [:]
        var wildcard: [String: Int] = [:]
        var excluded: [String: Set<Int>] = [:]

        init(_ slots: [Slot]) {
            for (index, slot) in slots.enumerated() where !slot.removed {
                for filter in slot.filters where filter.hasPrefix("!") {
                    excluded[String(filter.dropFirst()), default: []].insert(index)
                }
                for name in TLSServerContext.names(of: slot.entry, filters: slot.filters) {
                    if name.hasPrefix("*.") {
                        let key = String(name.dropFirst(2))
                        if wildcard[key] == nil { wildcard[key] = index }
                    } else if exact[name] == nil {
                        exact[name] = index
                    }
                }
            }
        }
    }

    /// The names SNI selects a certificate by: the line's positive filters
    /// when it has some, else the certificate's own names; less the
    /// negative filters.
    static func names(of entry: CertificateEntry, filters: [String]) -> [String] {
        let excluded = Set(filters.filter { $0.hasPrefix("!") }.map { String($0.dropFirst()) })
        let positive = filters.filter { !$0.hasPrefix("!") }
        return (positive.isEmpty ? entry.names : positive).filter { !excluded.contains($0) }
    }

    private init(slots: [Slot], strictSNI: Bool, makeSlot: @escaping SlotMaker, location: String) {
        var byContext: [OpaquePointer: Int] = [:]
        for (i, s) in slots.enumerated() { byContext[s.context] = i }
        self.state = State(slots: slots, names: NameIndex(slots), slotByContext: byContext)
        self.strictSNI = strictSNI
        self.makeSlot = makeSlot
        self.location = location
        for slot in slots { install(slot.context, for: slot) }
    }

    /// Serves one more line's certificate (`add ssl crt-list`): its slot
    /// index, or why it cannot.
    func addSlot(line: TLSCertificateLine, entry: CertificateEntry) -> Result<Int, TLSConfigurationError> {
        switch makeSlot(line, entry) {
        case .failure(let error):
            return .failure(error)
        case .success(let (slot, _)):
            install(slot.context, for: slot)
            return .success(lock.withLock {
                state.slots.append(slot)
                let index = state.slots.count - 1
                state.slotByContext[slot.context] = index
                state.names = NameIndex(state.slots)
                return index
            })
        }
    }

    /// Stops serving a slot (`del ssl crt-list`): SNI no longer finds it.
    func removeSlot(_ index: Int) {
        lock.withLock {
            state.slots[index].removed = true
            state.names = NameIndex(state.slots)
        }
    }

    /// Rebuilds the serving slots that verify with a CA or CRL file
    /// (`commit ssl ca-file|crl-file`), for the connections from now on;
    /// how many.
    func reloadSlots(using file: String) -> Int {
        let indices = lock.withLock {
            state.slots.indices.filter { !state.slots[$0].removed && state.slots[$0].caFiles.contains(file) }
        }
        for index in indices {
            let entry = lock.withLock { state.slots[index].entry }
            if let ctx = makeContext(slot: index, entry: entry) { replace(slot: index, with: ctx, entry: entry) }
        }
        return indices.count
    }

    /// Whether a slot still serves (not deleted at run time).
    func serves(slot index: Int) -> Bool { lock.withLock { !state.slots[index].removed } }

    /// The slots serving a `crt-list` line.
    func slots(ofList list: String, line target: TLSCertificateLine) -> [Int] {
        lock.withLock {
            state.slots.indices.filter {
                let line = state.slots[$0].line
                return !state.slots[$0].removed && line.list == list && line.lineNumber == target.lineNumber
                    && line.path == target.path
            }
        }
    }

    private func install(_ ctx: OpaquePointer, for slot: Slot) {
        let arg = Unmanaged.passUnretained(self).toOpaque()
        SSL_CTX_set_client_hello_cb(ctx, Self.clientHelloCallback, arg)
        if slot.alpn != nil { SSL_CTX_set_alpn_select_cb(ctx, Self.alpnCallback, arg) }
        if slot.npn != nil { SSL_CTX_set_next_protos_advertised_cb(ctx, Self.npnCallback, arg) }
    }

    deinit {
        for s in state.slots {
            SSL_CTX_free(s.context)
            s.releaseProtocolLists()
        }
    }

    /// A new SSL context for a slot with another certificate, set up as
    /// the slot's line asks; nil when it cannot be.
    func makeContext(slot index: Int, entry: CertificateEntry) -> OpaquePointer? {
        let slot = lock.withLock { state.slots[index] }
        guard let ctx = SSL_CTX_new(TLS_server_method()) else { return nil }
        if slot.configure(ctx, entry) != nil {
            SSL_CTX_free(ctx)
            return nil
        }
        install(ctx, for: slot)
        return ctx
    }

    /// Serves a slot's certificate from `ctx` (made by `makeContext`) to
    /// the connections that start from now on; the SNI index follows the
    /// new certificate's names.
    func replace(slot index: Int, with ctx: OpaquePointer, entry: CertificateEntry) {
        let old: OpaquePointer = lock.withLock {
            let old = state.slots[index].context
            state.slots[index].context = ctx
            state.slots[index].entry = entry
            state.slotByContext[ctx] = index
            state.names = NameIndex(state.slots)
            return old
        }
        // Connections holding the old context keep it alive until they end.
        SSL_CTX_free(old)
    }

    /// The certificate for a server name: exact first, then a wildcard
    /// covering its first label; nil when none matches.
    public func certificateIndex(forServerName name: String) -> Int? {
        let lower = name.lowercased()
        return lock.withLock {
            let names = state.names
            if let i = names.exact[lower] { return i }
            if let dot = lower.firstIndex(of: "."), let i = names.wildcard[String(lower[lower.index(after: dot)...])],
               !(names.excluded[lower]?.contains(i) ?? false) {
                return i
            }
            return nil
        }
    }

    /// A new connection's TLS state, on the default certificate.
    func newConnection() -> OpaquePointer? {
        let ctx = lock.withLock { state.slots[0].context }
        return SSL_new(ctx)
    }

    /// Moves a connection to another certificate's context with what its
    /// line sets: SSL_set_SSL_CTX changes only the certificate.
    private func switchConnection(_ ssl: OpaquePointer, to index: Int) {
        let slot = lock.withLock { state.slots[index] }
        _ = SSL_set_SSL_CTX(ssl, slot.context)
        _ = hap_ssl_set_min_proto(ssl, SSLContextSettings.protocolNumber(slot.versions.minimum))
        _ = hap_ssl_set_max_proto(ssl, SSLContextSettings.protocolNumber(slot.versions.maximum))
        if let c = slot.ciphers { _ = SSL_set_cipher_list(ssl, c) }
        if let c = slot.ciphersuites { _ = SSL_set_ciphersuites(ssl, c) }
        if let c = slot.curves { _ = hap_ssl_set_groups_list(ssl, c) }
        hap_ssl_set_verify(ssl, SSL_CTX_get_verify_mode(slot.context))
        if let names = SSL_CTX_get_client_CA_list(slot.context), let copy = SSL_dup_CA_list(names) {
            SSL_set_client_CA_list(ssl, copy)
        }
        OpenSSLErrors.drain()
    }

    private static let clientHelloCallback: @convention(c) (OpaquePointer?, UnsafeMutablePointer<Int32>?, UnsafeMutableRawPointer?) -> Int32 = { ssl, alert, arg in
        guard let ssl, let arg else { return SSL_CLIENT_HELLO_SUCCESS }
        let server = Unmanaged<TLSServerContext>.fromOpaque(arg).takeUnretainedValue()
        // The name on the stack: no allocation when the client sends none.
        let index = withUnsafeTemporaryAllocation(of: CChar.self, capacity: 256) { buffer -> Int? in
            let length = hap_client_hello_servername(ssl, buffer.baseAddress, 256)
            guard length > 0, let base = buffer.baseAddress else { return nil }
            return server.certificateIndex(forServerName: String(cString: base))
        }
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
        guard let ctx = SSL_get_SSL_CTX(ssl),
              let alpn = server.lock.withLock({ server.state.slotByContext[ctx].flatMap { server.state.slots[$0].alpn } })
        else { return SSL_TLSEXT_ERR_NOACK }
        let rc = hap_select_alpn(out, outlen, alpn.baseAddress, UInt32(alpn.count), clientList, clientLength)
        return rc == OPENSSL_NPN_NEGOTIATED ? SSL_TLSEXT_ERR_OK : SSL_TLSEXT_ERR_NOACK
    }

    /// The NPN protocols the connection's context advertises (`npn`).
    private static let npnCallback: @convention(c) (
        OpaquePointer?, UnsafeMutablePointer<UnsafePointer<UInt8>?>?, UnsafeMutablePointer<UInt32>?,
        UnsafeMutableRawPointer?
    ) -> Int32 = { ssl, out, outlen, arg in
        guard let ssl, let arg, let out, let outlen else { return SSL_TLSEXT_ERR_NOACK }
        let server = Unmanaged<TLSServerContext>.fromOpaque(arg).takeUnretainedValue()
        guard let ctx = SSL_get_SSL_CTX(ssl),
              let npn = server.lock.withLock({ server.state.slotByContext[ctx].flatMap { server.state.slots[$0].npn } })
        else { return SSL_TLSEXT_ERR_NOACK }
        out.pointee = UnsafePointer(npn.baseAddress)
        outlen.pointee = UInt32(npn.count)
        return SSL_TLSEXT_ERR_OK
    }
}

import COpenSSL
import HAProxyConfig
import NIOConcurrencyHelpers
import NIOCore

/// The TLS side of one `server` line (manual 5.2 `ssl`, `verify`,
/// `ca-file`, `crt`, `sni`, `alpn`): one SSL_CTX built at configuration
/// load, and the last session the server gave, offered again on the next
/// connection (2.6 reuses sessions by default).
public final class TLSClientContext: @unchecked Sendable {
    let context: OpaquePointer
    /// `verify required`: the certificate chain is checked against the
    /// CA file, and its name against the SNI sent.
    public let verifies: Bool
    /// `ssl-reuse`: the last session is offered again.
    let reusesSessions: Bool
    private let lock = NIOLock()
    private var session: OpaquePointer?
    /// The certificate a committed `set ssl cert` put in place of the one
    /// `crt` loaded: new connections present it.
    private var renewed: CertificateEntry?

    /// - Parameters:
    ///   - label: `'server b/s1'`, for messages.
    ///   - backend, server: for the versions message.
    public static func build(
        _ tls: TLSServerConfig, global: TLSGlobalConfig, backend: String, server: String,
        store: CertificateStore = .shared
    ) throws(TLSConfigurationError) -> TLSClientContext {
        let verify = tls.verify ?? global.serverVerify
        if verify == .required && tls.caFile == nil {
            let enabledBy = tls.verify == nil ? "by default " : ""
            throw TLSConfigurationError(
                "verify is enabled \(enabledBy)but no CA file specified. If you're running on a LAN where you're certain to trust the server's certificate, please set an explicit 'verify none' statement on the 'server' line, or use 'ssl-server-verify none' in the global section to disable server-side verifications by default."
            )
        }
        guard let versions = TLSVersionPolicy.resolve(tls.common.versions) else {
            throw TLSConfigurationError("backend '\(backend)': all SSL/TLS versions are disabled for server '\(server)'.")
        }
        guard let ctx = SSL_CTX_new(TLS_client_method()) else {
            throw TLSConfigurationError("unable to allocate SSL context.")
        }
        do {
            try SSLContextSettings.apply(tls.common, versions: versions, to: ctx)
        } catch {
            SSL_CTX_free(ctx)
            switch error {
            case .ciphers(let c): throw TLSConfigurationError("unable to set SSL cipher list to '\(c)'.")
            case .ciphersuites(let c): throw TLSConfigurationError("unable to set TLS 1.3 cipher suites to '\(c)'.")
            case .curves(let c), .namedCurve(let c): throw TLSConfigurationError("unable to set SSL curves list to '\(c)'.")
            }
        }
        if verify == .required, let caFile = tls.caFile {
            guard SSL_CTX_load_verify_locations(ctx, caFile, nil) == 1 else {
                OpenSSLErrors.drain()
                SSL_CTX_free(ctx)
                throw TLSConfigurationError("unable to load the ca-file '\(caFile)'.")
            }
            if let crlFile = tls.crlFile, hap_ssl_ctx_load_crl(ctx, crlFile) != 1 {
                OpenSSLErrors.drain()
                SSL_CTX_free(ctx)
                throw TLSConfigurationError("unable to configure CRL file '\(crlFile)'.")
            }
            SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nil)
        } else {
            SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nil)
        }
        if let crt = tls.certificate {
            do {
                guard let entry = try store.certificates(at: crt).first, SSLContextSettings.use(entry, in: ctx) else {
                    SSL_CTX_free(ctx)
                    throw TLSConfigurationError("unable to use the certificate '\(crt)'.")
                }
            } catch let error as TLSConfigurationError {
                SSL_CTX_free(ctx)
                throw error
            } catch {
                SSL_CTX_free(ctx)
                throw TLSConfigurationError("\(error)")
            }
        }
        if let alpn = tls.common.alpn, !alpn.isEmpty {
            let wire = SSLContextSettings.alpnWire(alpn)
            _ = SSL_CTX_set_alpn_protos(ctx, wire, UInt32(wire.count))
        }
        _ = hap_ssl_ctx_set_session_cache_mode(ctx, Int(SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE))
        let client = TLSClientContext(context: ctx, verifies: verify == .required, reusesSessions: tls.reuseSessions)
        if let crt = tls.certificate { store.register(client, for: crt) }
        return client
    }

    /// Presents `entry` on the connections that start from now on (`commit
    /// ssl cert`); the session kept for reuse is dropped, so that the
    /// server sees the new certificate at once.
    func renew(with entry: CertificateEntry) {
        lock.withLock {
            renewed = entry
            if let old = session { SSL_SESSION_free(old) }
            session = nil
        }
    }

    private init(context: OpaquePointer, verifies: Bool, reusesSessions: Bool) {
        self.context = context
        self.verifies = verifies
        self.reusesSessions = reusesSessions
        let arg = Unmanaged.passUnretained(self).toOpaque()
        SSL_CTX_set_ex_data(context, 0, arg)
        SSL_CTX_sess_set_new_cb(context, Self.newSessionCallback)
    }

    deinit {
        if let session { SSL_SESSION_free(session) }
        SSL_CTX_free(context)
    }

    /// A handler for a new connection to the server.
    /// - Parameters:
    ///   - serverName: sent as SNI (and checked against the certificate
    ///     under `verify required`); nil sends none.
    ///   - preamble: bytes sent in clear before the handshake (a PROXY
    ///     protocol header).
    public func makeHandler(serverName: String?, preamble: ByteBuffer? = nil) -> TLSHandler? {
        makeEngine(serverName: serverName, preamble: preamble).map(TLSHandler.init(engine:))
    }

    /// The record layer of a new connection to the server, for a transport
    /// other than a NIO channel (the I/O driver's); parameters as for
    /// `makeHandler`.
    public func makeEngine(serverName: String?, preamble: ByteBuffer? = nil) -> TLSEngine? {
        guard let ssl = newConnection(serverName: serverName) else { return nil }
        guard let engine = TLSEngine(ssl: ssl, isClient: true, owner: self, preamble: preamble) else {
            SSL_free(ssl)
            return nil
        }
        return engine
    }

    /// A new SSL for a connection to the server: its client certificate,
    /// SNI and name check, and the last session to resume.
    private func newConnection(serverName: String?) -> OpaquePointer? {
        guard let ssl = SSL_new(context) else { return nil }
        if let entry = lock.withLock({ renewed }), let certificate = entry.certificate, let key = entry.key {
            _ = SSL_use_certificate(ssl, certificate)
            _ = SSL_use_PrivateKey(ssl, key)
            _ = hap_ssl_clear_chain_certs(ssl)
            for c in entry.chain { _ = hap_ssl_add1_chain_cert(ssl, c) }
            OpenSSLErrors.drain()
        }
        if let name = serverName, !name.isEmpty {
            _ = hap_ssl_set_tlsext_host_name(ssl, name)
            if verifies { _ = SSL_set1_host(ssl, name) }
        }
        if reusesSessions {
            lock.withLock {
                if let session { _ = SSL_set_session(ssl, session) }
            }
        }
        return ssl
    }

    /// Keeps the newest session the server issued (TLS 1.3 tickets arrive
    /// after the handshake, so sessions are taken as they come).
    private func keep(_ new: OpaquePointer) {
        lock.withLock {
            if let old = session { SSL_SESSION_free(old) }
            session = new
        }
    }

    private static let newSessionCallback: @convention(c) (OpaquePointer?, OpaquePointer?) -> Int32 = { ssl, session in
        guard let ssl, let session, let ctx = SSL_get_SSL_CTX(ssl), let arg = SSL_CTX_get_ex_data(ctx, 0) else { return 0 }
        Unmanaged<TLSClientContext>.fromOpaque(arg).takeUnretainedValue().keep(session)
        // 1: the callback keeps the reference it was given.
        return 1
    }
}

extension TLSServerContext {
    /// A handler for a newly accepted connection on a NIO channel (the
    /// tests' TLS servers: the proxy's listeners use `makeEngine`).
    public func makeHandler() -> TLSHandler? {
        makeEngine().map(TLSHandler.init(engine:))
    }

    /// The record layer of a newly accepted connection, for a transport
    /// other than a NIO channel (the I/O driver's).
    public func makeEngine() -> TLSEngine? {
        guard let ssl = newConnection() else { return nil }
        guard let engine = TLSEngine(ssl: ssl, isClient: false, owner: self) else {
            SSL_free(ssl)
            return nil
        }
        return engine
    }
}

/// A connection's TLS layer as the `ssl_fc*`, `ssl_c_*` and `ssl_bc*`
/// fetches read it (manual 7.3.4). The TLS module implements it over the
/// live connection, so a value is read only when a rule asks for it.
public protocol TLSSessionView: AnyObject {
    /// Whether the handshake completed.
    var isEstablished: Bool { get }
    /// `TLSv1.3`, as OpenSSL names the negotiated version.
    var protocolVersion: String? { get }
    /// The negotiated cipher, as OpenSSL names it (`TLS_AES_256_GCM_SHA384`).
    var cipherName: String? { get }
    /// Symmetric key bits used (`ssl_fc_use_keysize`) and the algorithm's
    /// (`ssl_fc_alg_keysize`).
    var cipherUsedBits: Int? { get }
    var cipherAlgorithmBits: Int? { get }
    /// The server name the client sent (SNI).
    var serverName: String? { get }
    /// The protocol chosen by ALPN.
    var alpnProtocol: String? { get }
    /// The protocol the client chose by NPN.
    var npnProtocol: String? { get }
    /// The session was resumed (cache or ticket).
    var isResumed: Bool { get }
    /// The peer sent a certificate (`ssl_c_used`, `ssl_fc_has_crt`).
    var hasPeerCertificate: Bool { get }
    /// The peer certificate's subject and issuer (`ssl_c_s_dn`,
    /// `ssl_c_i_dn`): the whole DN as `/C=FR/CN=name`, or the first value
    /// of one entry (`CN`).
    func peerSubject(entry: String?) -> String?
    func peerIssuer(entry: String?) -> String?
    /// The peer certificate's serial number, big-endian (`ssl_c_serial`).
    var peerSerial: [UInt8]? { get }
    /// Its validity bounds as written in it (`YYMMDDhhmmssZ`).
    var peerNotBefore: String? { get }
    var peerNotAfter: String? { get }
    /// The result of the peer certificate's verification (`ssl_c_verify`,
    /// an X509_V_* code; 0 when it passed or none was asked for).
    var peerVerifyResult: Int { get }
    /// The first verification errors met on the client certificate itself
    /// (`ssl_c_err`) and in its CA chain (`ssl_c_ca_err`), and the depth of
    /// the latter (`ssl_c_ca_err_depth`); 0 when none (the errors
    /// `crt-ignore-err` / `ca-ignore-err` let through).
    var peerCertificateError: Int { get }
    var peerCAError: Int { get }
    var peerCAErrorDepth: Int { get }
}

extension TLSSessionView {
    public var peerCertificateError: Int { 0 }
    public var peerCAError: Int { 0 }
    public var peerCAErrorDepth: Int { 0 }
}

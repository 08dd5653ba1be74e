/// Bind options of HAProxy 2.6 this build does not implement (TLS, QUIC,
/// namespaces...): a line using one is refused with an ALERT.
enum BindKeywordSupport {
    static let knownUnsupported: [String] = [
        "accept-netscaler-cip", "allow-0rtt", "alpn", "ca-file", "ca-ignore-err", "ca-sign-file", "ca-sign-pass",
        "ca-verify-file", "ciphers", "ciphersuites", "client-sigalgs", "crl-file", "crt", "crt-ignore-err",
        "crt-list", "curves", "ecdhe", "expose-fd", "force-sslv3", "force-tlsv10", "force-tlsv11", "force-tlsv12",
        "force-tlsv13", "generate-certificates", "id", "interface", "level", "mss", "namespace", "nbconn", "nice",
        "no-ca-names", "no-sslv3", "no-tls-tickets", "no-tlsv10", "no-tlsv11", "no-tlsv12", "no-tlsv13", "npn",
        "prefer-client-ciphers", "process", "proto", "quic-cc-algo", "quic-force-retry", "severity-output",
        "sigalgs", "ssl", "ssl-max-ver", "ssl-min-ver", "strict-sni", "tcp-ut", "tfo", "thread",
        "tls-ticket-keys", "transparent", "verify",
    ]
}

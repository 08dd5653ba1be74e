/// Bind options of HAProxy 2.6 this build does not implement (client
/// certificates, QUIC, namespaces...): a line using one is
/// refused with an ALERT.
enum BindKeywordSupport {
    static let knownUnsupported: [String] = [
        "accept-netscaler-cip", "allow-0rtt", "ca-sign-file", "ca-sign-pass",
        "client-sigalgs", "expose-fd",
        "generate-certificates", "id", "interface", "level", "mss", "namespace", "nbconn", "nice", "no-ca-names",
        "process", "proto", "quic-cc-algo", "quic-force-retry", "severity-output", "sigalgs", "tcp-ut",
        "thread", "transparent",
    ]
}

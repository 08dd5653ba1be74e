/// Server choices recorded from haproxy 2.6.12 (Debian 12) for the same keys,
/// three servers a, b, c, one request per key in this order.
enum HAProxyReference {
    static let uris = [
        "/", "/a", "/b", "/c", "/index.html", "/img/logo.png", "/api/v1/users", "/api/v1/users?id=3",
        "/api/v2/items?x=1&y=2", "/static/css/site.css", "/x/y/z", "/hello", "/world", "/foo?bar",
        "/0", "/1", "/2", "/3", "/4", "/5", "/6", "/7", "/8", "/9", "/aa/bb/cc/dd",
        "/q?id=abc", "/q?id=abd", "/q?x=1&id=42", "/q?id=", "/longer/path/with/many/segments/file.txt",
    ]
    /// `balance uri`, weights 1,2,3.
    static let uriMap123 = "cacbacbbcbbccccacbcbcacbabbbbc"
    /// `balance uri` + `hash-type consistent` (sdbm + avalanche), weights 1,2,3.
    static let uriConsistent123 = "bbbacbbbbcabccccbacbccbcaccccb"
    /// `balance uri len 4`, weights 1,1,1.
    static let uriLen4 = "cabcbacccbbabbcabcabcabcbbbbba"
    /// `balance uri depth 2`, weights 1,1,1.
    static let uriDepth2 = "cabcaabbcbbabbcabcabcabcbbbbba"
    /// `balance uri whole`, weights 1,1,1.
    static let uriWhole = "cabcaacaacbabccabcabcabcacaabb"
    /// `balance uri` + `hash-type consistent wt6`, weights 5,1,2.
    static let uriConsistentWT6 = "aaaabaaaacaacaaaacccccaacaaaab"
    /// `balance uri` + `hash-type map-based crc32 avalanche`, weights 5,1,2.
    static let uriMapCRC32Avalanche = "caaaaaaaaaaabaaacbcacccaccccca"
    /// `balance url_param id`, weights 1,1,1 (round robin when absent).
    static let urlParamID = "abcabcaabcabcabcabcabcabccaaaa"

    /// Clients 127.0.0.1 … 127.0.0.30.
    static let sourceMap111 = "cabcabcabcabcabcabcabcabcabcab"
    static let sourceConsistent111 = "bacabacaacbcccaaacaaabbaaaacaa"

    static let hosts = [
        "a.example.com", "b.example.com", "haproxy.1wt.eu", "www.1wt.eu", "localhost", "example.org",
        "www.example.org:8080", "foo.bar.baz.qux", "x", "y", "z", "abc.def",
    ]
    /// `balance hdr(host) use_domain_only`, weights 1,1,1.
    static let hostDomainOnly = "bbbbabbaabcc"
    static let xKeys = ["k1", "k2", "k3", "k4", "k5", "k6", "k7", "k8", "k9", "k10", "user-123", "user-456", "alpha", "beta", "gamma"]
    /// `balance hdr(x-key)` + `hash-type map-based djb2`, weights 1,1,1.
    static let xKeyDJB2 = "bcabcabcaabbaaa"
}

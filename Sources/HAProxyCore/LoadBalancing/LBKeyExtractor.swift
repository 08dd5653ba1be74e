import HAProxyConfig

/// Finds the bytes that hashing algorithms hash, inside request data the
/// runtime already holds. Every function returns a range into its input, so
/// nothing is copied or allocated.
public enum LBKeyExtractor {
    private static let slash = UInt8(ascii: "/")
    private static let question = UInt8(ascii: "?")
    private static let ampersand = UInt8(ascii: "&")
    private static let equals = UInt8(ascii: "=")
    private static let dot = UInt8(ascii: ".")
    private static let colon = UInt8(ascii: ":")

    /// The part of a request URI hashed by `balance uri`.
    ///
    /// - Parameters:
    ///   - uri: the request target as received (origin or absolute form).
    ///   - whole: keep the query string; otherwise stop at the first '?'.
    ///   - length: consider at most this many bytes (`len`).
    ///   - depth: stop before the `depth + 1`-th '/' (`depth`).
    ///   - pathOnly: start at the path's first '/', skipping `scheme://authority`
    ///     of an absolute URI (`path-only`).
    public static func uri(
        _ uri: UnsafeRawBufferPointer,
        whole: Bool = false,
        length: Int? = nil,
        depth: Int? = nil,
        pathOnly: Bool = false
    ) -> Range<Int> {
        var start = 0
        if pathOnly {
            start = pathStart(uri)
        }
        var end = uri.count
        if let length, length < end - start {
            end = start + length
        }
        var slashes = 0
        var i = start
        while i < end {
            let c = uri[i]
            if c == slash {
                slashes += 1
                if let depth, slashes > depth { break }
            } else if c == question && !whole {
                break
            }
            i += 1
        }
        return start..<i
    }

    /// Offset of the path in a request target: 0 for origin form, after
    /// `scheme://authority` for absolute form (the end when there is no path).
    static func pathStart(_ uri: UnsafeRawBufferPointer) -> Int {
        guard let first = uri.first, first != slash else { return 0 }
        // Absolute form: find "://", then the next '/'.
        var i = 0
        while i + 2 < uri.count {
            if uri[i] == colon && uri[i + 1] == slash && uri[i + 2] == slash {
                var j = i + 3
                while j < uri.count && uri[j] != slash && uri[j] != question { j += 1 }
                return j < uri.count && uri[j] == slash ? j : uri.count
            }
            i += 1
        }
        return 0
    }

    /// The value of query parameter `name` for `balance url_param`, nil when
    /// the parameter is absent (an empty value, `?id=`, is a value).
    ///
    /// The query string starts after the first '?'; parameters are separated
    /// by '&' and the name must match exactly, case included.
    public static func urlParam(_ uri: UnsafeRawBufferPointer, name: UnsafeRawBufferPointer) -> Range<Int>? {
        guard let q = uri.firstIndex(of: question) else { return nil }
        return queryParam(uri, from: q + 1, name: name)
    }

    /// `url_param` over a query string or body that starts at `from`.
    public static func queryParam(_ bytes: UnsafeRawBufferPointer, from: Int, name: UnsafeRawBufferPointer) -> Range<Int>? {
        let count = bytes.count
        var p = from
        while p < count {
            // p is at the start of a parameter.
            if p + name.count < count, bytes[p + name.count] == equals, matches(bytes, at: p, name) {
                let valueStart = p + name.count + 1
                var e = valueStart
                while e < count && bytes[e] != ampersand { e += 1 }
                return valueStart..<e
            }
            while p < count && bytes[p] != ampersand { p += 1 }
            p += 1
        }
        return nil
    }

    private static func matches(_ bytes: UnsafeRawBufferPointer, at p: Int, _ name: UnsafeRawBufferPointer) -> Bool {
        for k in 0..<name.count where bytes[p + k] != name[k] { return false }
        return true
    }

    /// The part of a header value hashed by `balance hdr(name)`; nil when the
    /// value is empty, so that the caller falls back to round robin.
    ///
    /// With `use_domain_only`, only the label before the last dot is kept:
    /// "haproxy.1wt.eu" gives "1wt", "www.example.org:8080" gives "example";
    /// a value without a dot is kept whole.
    public static func header(_ value: UnsafeRawBufferPointer, useDomainOnly: Bool) -> Range<Int>? {
        guard !value.isEmpty else { return nil }
        guard useDomainOnly else { return 0..<value.count }
        guard let lastDot = value.lastIndex(of: dot) else { return 0..<value.count }
        var start = lastDot
        while start > 0 && value[start - 1] != dot { start -= 1 }
        return start..<lastDot
    }

    /// The hash of a client address for `balance source`: the address's
    /// 32-bit big-endian words (1 for IPv4, 4 for IPv6) xored together,
    /// then the avalanche mix when configured. The hash function of
    /// `hash-type` is not used for addresses, as in haproxy.
    public static func sourceHash(_ address: UnsafeRawBufferPointer, avalanche: Bool) -> UInt32 {
        var h: UInt32 = 0
        var i = 0
        while i + 4 <= address.count {
            h ^= UInt32(address[i]) << 24 | UInt32(address[i + 1]) << 16 | UInt32(address[i + 2]) << 8 | UInt32(address[i + 3])
            i += 4
        }
        return avalanche ? HashFunction.avalanche(h) : h
    }
}

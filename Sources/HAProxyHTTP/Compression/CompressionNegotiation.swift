import HAProxyConfig
import NIOCore

/// When HAProxy 2.6 compresses a response, decided from the request
/// (`Accept-Encoding`, version, method, `User-Agent`) and then from the
/// response (status, version, framing, headers); manual 4.2
/// "compression", with the details recorded from Debian's 2.6.
public enum CompressionNegotiation {
    /// The algorithm a request's `Accept-Encoding` values choose.
    ///
    /// Recorded from 2.6: the element with the highest q-value wins, the
    /// first one on a tie; an element names an algorithm by its token
    /// (case-insensitive; raw-deflate answers `deflate`) or `*`, which, like
    /// a token two configured algorithms share, means the one configured
    /// last. A q-value is `q=` (lowercase) in a parameter, read as 0 only
    /// when it is `0` followed by at most three zero decimals; anything
    /// else (`q=-1`, `q= 0`) counts as 1. Elements with q=0 choose nothing.
    /// With `identity` configured and nothing chosen, identity applies
    /// whatever the header says.
    ///
    /// - Parameters:
    ///   - values: the `Accept-Encoding` header values, in order, as
    ///     ranges of `p`.
    ///   - algorithms: the configured algorithms, in configuration order.
    public static func choose(
        _ values: [Range<Int>], in p: UnsafeRawBufferPointer, among algorithms: [CompressionAlgorithm]
    ) -> CompressionAlgorithm? {
        var best: CompressionAlgorithm?
        var bestQ = 0
        for value in values {
            HTTPBytes.forEachListToken(p, value) { start, end in
                var tokenEnd = start
                while tokenEnd < end, !HTTPBytes.isSPHT(p[tokenEnd]), p[tokenEnd] != 0x3B { tokenEnd += 1 }
                let q = qvalue(p, from: tokenEnd, to: end)
                guard q > bestQ else { return }
                let any = tokenEnd - start == 1 && p[start] == 0x2A
                for algorithm in algorithms.reversed() where any || matches(p, start, tokenEnd, algorithm.token) {
                    best = algorithm
                    bestQ = q
                    return
                }
            }
        }
        if best == nil, algorithms.contains(.identity) { return .identity }
        return best
    }

    /// The element's q-value in thousandths (1000 when it has none).
    static func qvalue(_ p: UnsafeRawBufferPointer, from start: Int, to end: Int) -> Int {
        var i = start
        while i < end {
            // The next parameter: after a `;` and blanks.
            while i < end, p[i] != 0x3B { i += 1 }
            i += 1
            while i < end, HTTPBytes.isSPHT(p[i]) { i += 1 }
            guard i + 1 < end, p[i] == 0x71, p[i + 1] == 0x3D else { continue }
            i += 2
            guard i < end, p[i] == 0x30 else { return 1000 }
            i += 1
            guard i < end, p[i] == 0x2E else { return 0 }
            i += 1
            var q = 0, scale = 100
            while i < end, scale > 0, p[i] >= 0x30, p[i] <= 0x39 {
                q += Int(p[i] - 0x30) * scale
                scale /= 10
                i += 1
            }
            return q
        }
        return 1000
    }

    static func matches(_ p: UnsafeRawBufferPointer, _ start: Int, _ end: Int, _ token: String) -> Bool {
        guard end - start == token.utf8.count else { return false }
        var i = start
        for c in token.utf8 {
            if HTTPBytes.lower(p[i]) != c { return false }
            i += 1
        }
        return true
    }

    /// Whether the request may get a compressed answer at all: HTTP/1.1 or
    /// later, not HEAD, and not an old browser (`User-Agent` starting with
    /// `Mozilla/4` is refused unless it is MSIE 7 or later, or MSIE 6 on
    /// XP SP2, marked `SV1`).
    public static func requestAllows(_ head: HTTPHead, in bytes: ByteBuffer) -> Bool {
        guard head.version.isPersistentByDefault, head.method != .head else { return false }
        guard let ua = head.firstHeaderValue(named: "user-agent".utf8, in: bytes) else { return true }
        return bytes.withUnsafeReadableBytes { p in
            let v = UnsafeRawBufferPointer(rebasing: p[ua])
            guard v.starts(with: "Mozilla/4".utf8) else { return true }
            guard let msie = find(v, "MSIE ".utf8), msie + 5 < v.count else { return false }
            let digit = v[msie + 5]
            if digit >= 0x37, digit <= 0x39 { return true }
            if digit == 0x36 { return find(v, "SV1".utf8) != nil }
            return false
        }
    }

    /// Where `needle` starts in `hay`.
    static func find(_ hay: UnsafeRawBufferPointer, _ needle: String.UTF8View) -> Int? {
        let n = Array(needle)
        guard hay.count >= n.count else { return nil }
        outer: for i in 0...(hay.count - n.count) {
            for j in 0..<n.count where hay[i + j] != n[j] { continue outer }
            return i
        }
        return nil
    }

    /// What the response needs for its body to be compressed: nil when
    /// it is not to be, else the index of a strong `ETag` to weaken.
    public struct ResponsePlan: Equatable, Sendable {
        public var strongETag: Int?
    }

    /// Whether the response is compressed (recorded from 2.6): HTTP/1.1 or
    /// later; status 200 to 203; a body of known size (a `Content-Length`
    /// above 0, or chunked); no `Content-Encoding` (whatever its value);
    /// no `no-transform` in `Cache-Control`; at most one `ETag`, quoted
    /// (`"x"` or `W/"x"`); a `Content-Type` (its first value) starting
    /// with one of `types`, or when there are none, no `multipart` type.
    public static func responsePlan(_ head: HTTPHead, in bytes: ByteBuffer, types: [[UInt8]]) -> ResponsePlan? {
        guard head.version.isPersistentByDefault, head.status >= 200, head.status <= 203 else { return nil }
        switch head.bodyFraming {
        case .chunked: break
        case .contentLength(let n) where n > 0: break
        default: return nil
        }
        return bytes.withUnsafeReadableBytes { p -> ResponsePlan? in
            var plan = ResponsePlan()
            var etags = 0
            var contentType: Range<Int>?
            for (index, h) in head.headers.enumerated() {
                let name = h.name
                if HTTPBytes.equalsLower(p, name.lowerBound, name.upperBound, "content-encoding") { return nil }
                if HTTPBytes.equalsLower(p, name.lowerBound, name.upperBound, "cache-control") {
                    var noTransform = false
                    HTTPBytes.forEachListToken(p, h.value) { s, e in
                        if HTTPBytes.equalsLower(p, s, e, "no-transform") { noTransform = true }
                    }
                    if noTransform { return nil }
                } else if HTTPBytes.equalsLower(p, name.lowerBound, name.upperBound, "etag") {
                    etags += 1
                    if etags > 1 { return nil }
                    let v = p[h.value]
                    guard v.count >= 2, v.last == 0x22 else { return nil }
                    if v.first == 0x22 {
                        plan.strongETag = index
                    } else if !(v.count >= 4 && v.starts(with: "W/\"".utf8)) {
                        return nil
                    }
                } else if contentType == nil, HTTPBytes.equalsLower(p, name.lowerBound, name.upperBound, "content-type") {
                    contentType = h.value
                }
            }
            let type = contentType.map { UnsafeRawBufferPointer(rebasing: p[$0]) }
            if types.isEmpty {
                if let type, type.count >= 9, HTTPBytes.equalsLower(type, 0, 9, "multipart") { return nil }
            } else {
                guard let type else { return nil }
                let listed = types.contains { prefix in
                    prefix.count <= type.count && zip(prefix, type).allSatisfy { $0 == HTTPBytes.lower($1) }
                }
                if !listed { return nil }
            }
            return plan
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Header and URI scanning shared by the layer 7 fetches: byte-wise, no
/// `String` built, names compared case-insensitively against a name
/// lowered once at parse time.
extension HTTPMessageReader {
    /// Calls `body` with each value of header `name` (every header when
    /// nil), split on commas unless `split` is false (`req.fhdr`), in
    /// order; stops when `body` returns true.
    func forEachHeaderValue(
        named name: [UInt8]?, split: Bool, _ body: (UnsafeRawBufferPointer) -> Bool
    ) {
        // One header's value (or its elements): whether to go on.
        func values(_ value: UnsafeRawBufferPointer) -> Bool {
            if !split { return !body(value) }
            var stop = false
            HTTPBytes.forEachListElement(value) { element in
                stop = body(element)
                return stop
            }
            return !stop
        }
        if let name {
            forEachHeader(named: name, values)
        } else {
            forEachHeader { _, value in values(value) }
        }
    }

    /// How many values `forEachHeaderValue` yields.
    func headerValueCount(named name: [UInt8]?, split: Bool) -> Int {
        var count = 0
        forEachHeaderValue(named: name, split: split) { _ in
            count += 1
            return false
        }
        return count
    }

    /// The value at `occurrence` (1 the first, -1 the last, 0 the last),
    /// copied out.
    func headerValue(named name: [UInt8]?, split: Bool, occurrence: Int) -> [UInt8]? {
        if occurrence == 0 {
            // The last one, in one pass (a header is rarely repeated).
            var last: [UInt8]? = nil
            forEachHeaderValue(named: name, split: split) { value in
                last = Array(value)
                return false
            }
            return last
        }
        var wanted = occurrence
        if occurrence <= 0 {
            let count = headerValueCount(named: name, split: split)
            wanted = count + (occurrence == 0 ? -1 : occurrence) + 1
            guard wanted >= 1 else { return nil }
        }
        var seen = 0
        var result: [UInt8]? = nil
        forEachHeaderValue(named: name, split: split) { value in
            seen += 1
            guard seen == wanted else { return false }
            result = Array(value)
            return true
        }
        return result
    }

    /// Calls `body` with the request target's path (no scheme, authority
    /// or query) and query (nil without `?`).
    func withPathAndQuery<R>(_ body: (_ path: UnsafeRawBufferPointer, _ query: UnsafeRawBufferPointer?) -> R) -> R {
        withURI { uri in
            let start = HTTPBytes.pathStart(uri)
            let end = HTTPBytes.index(of: UInt8(ascii: "?"), in: uri, from: start) ?? uri.count
            let path = UnsafeRawBufferPointer(rebasing: uri[start..<end])
            let query = end < uri.count ? UnsafeRawBufferPointer(rebasing: uri[(end + 1)...]) : nil
            return body(path, query)
        }
    }
}

/// Byte helpers for HTTP fetches.
enum HTTPBytes {
    /// Whether `bytes` equals `lowered` ignoring ASCII case.
    @inline(__always)
    static func equalsLowercased(_ bytes: UnsafeRawBufferPointer, _ lowered: [UInt8]) -> Bool {
        guard bytes.count == lowered.count else { return false }
        for i in 0..<bytes.count where lowercase(bytes[i]) != lowered[i] { return false }
        return true
    }

    /// Whether `bytes` equals `other`, byte for byte.
    @inline(__always)
    static func equals(_ bytes: UnsafeRawBufferPointer, _ other: [UInt8]) -> Bool {
        guard bytes.count == other.count else { return false }
        for i in 0..<other.count where bytes[i] != other[i] { return false }
        return true
    }

    @inline(__always)
    static func lowercase(_ c: UInt8) -> UInt8 { c >= 0x41 && c <= 0x5a ? c | 0x20 : c }

    static func lowercased(_ bytes: [UInt8]) -> [UInt8] { bytes.map(lowercase) }

    /// Splits a header value on commas, trimming blanks around elements.
    static func forEachListElement(_ value: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) -> Bool) {
        var start = 0
        while start <= value.count {
            let end = index(of: UInt8(ascii: ","), in: value, from: start) ?? value.count
            var a = start
            var b = end
            while a < b, value[a] == 0x20 || value[a] == 0x09 { a += 1 }
            while b > a, value[b - 1] == 0x20 || value[b - 1] == 0x09 { b -= 1 }
            if body(UnsafeRawBufferPointer(rebasing: value[a..<b])) { return }
            start = end + 1
        }
    }

    /// The first `byte` in `bytes` from `start` on (memchr: a vector scan,
    /// cheaper than a test per byte past a few bytes).
    @inline(__always)
    static func index(of byte: UInt8, in bytes: UnsafeRawBufferPointer, from start: Int) -> Int? {
        guard start < bytes.count, let base = bytes.baseAddress,
              let hit = memchr(base + start, Int32(byte), bytes.count - start)
        else { return nil }
        return base.distance(to: UnsafeRawPointer(hit))
    }

    /// Where the path starts in a request target: after `scheme://authority`
    /// for an absolute URI, at 0 otherwise.
    static func pathStart(_ uri: UnsafeRawBufferPointer) -> Int {
        guard let authority = authorityRange(uri) else { return 0 }
        return authority.upperBound
    }

    /// The authority of an absolute URI (`http://host:port/...`).
    static func authorityRange(_ uri: UnsafeRawBufferPointer) -> Range<Int>? {
        guard uri.first != UInt8(ascii: "/") else { return nil }
        var i = 0
        while i + 2 < uri.count {
            if uri[i] == UInt8(ascii: ":") && uri[i + 1] == UInt8(ascii: "/") && uri[i + 2] == UInt8(ascii: "/") {
                let start = i + 3
                var end = start
                while end < uri.count, uri[end] != UInt8(ascii: "/"), uri[end] != UInt8(ascii: "?") { end += 1 }
                return start..<end
            }
            if uri[i] == UInt8(ascii: "/") || uri[i] == UInt8(ascii: "?") { return nil }
            i += 1
        }
        return nil
    }

    /// The value of parameter `name` in a `&`-separated query (or any
    /// parameter, the first, when `name` is nil); `delimiters` replace `&`.
    static func parameter(
        _ query: UnsafeRawBufferPointer, name: [UInt8]?, delimiters: [UInt8], _ body: (UnsafeRawBufferPointer) -> Bool
    ) {
        var start = 0
        while start < query.count {
            var end = start
            while end < query.count, !delimiters.contains(query[end]) { end += 1 }
            var equals = start
            while equals < end, query[equals] != UInt8(ascii: "=") { equals += 1 }
            let paramName = UnsafeRawBufferPointer(rebasing: query[start..<equals])
            if name == nil || HTTPBytes.equals(paramName, name!) {
                let valueStart = min(equals + 1, end)
                if body(UnsafeRawBufferPointer(rebasing: query[valueStart..<end])) { return }
            }
            start = end + 1
        }
    }

    /// Calls `body` with each `name=value` of a `Cookie` header value
    /// (`;`-separated, blanks trimmed, `$`-attributes skipped).
    static func forEachCookie(
        _ value: UnsafeRawBufferPointer,
        _ body: (_ name: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) -> Bool
    ) -> Bool {
        var start = 0
        while start < value.count {
            var end = start
            while end < value.count, value[end] != UInt8(ascii: ";") { end += 1 }
            var a = start
            var b = end
            while a < b, value[a] == 0x20 || value[a] == 0x09 { a += 1 }
            while b > a, value[b - 1] == 0x20 || value[b - 1] == 0x09 { b -= 1 }
            if a < b, value[a] != UInt8(ascii: "$") {
                var equals = a
                while equals < b, value[equals] != UInt8(ascii: "=") { equals += 1 }
                if equals < b {
                    var nameEnd = equals
                    while nameEnd > a, value[nameEnd - 1] == 0x20 || value[nameEnd - 1] == 0x09 { nameEnd -= 1 }
                    var valueStart = equals + 1
                    while valueStart < b, value[valueStart] == 0x20 || value[valueStart] == 0x09 { valueStart += 1 }
                    if body(
                        UnsafeRawBufferPointer(rebasing: value[a..<nameEnd]),
                        UnsafeRawBufferPointer(rebasing: value[valueStart..<b]))
                    { return true }
                }
            }
            start = end + 1
        }
        return false
    }
}

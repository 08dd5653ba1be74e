/// Byte classes and byte-string constants shared by the HTTP/1 scanners.
///
/// HAProxy classifies bytes through a 256-entry table (`http_char_classes`
/// in http.c); this is the same idea, built once, so the scanners never
/// build a String. Constants are stored lowercased for case-insensitive
/// header-name matching.
@usableFromInline
enum HTTPBytes {
    @usableFromInline static let tokenBit: UInt8 = 1
    @usableFromInline static let uriBit: UInt8 = 2

    /// Class bits per byte: token (RFC 9110 tchar) and acceptable URI byte
    /// (HAProxy 2.6 default: visible ASCII and DEL, not `#`).
    @usableFromInline static let classes: [UInt8] = {
        var t = [UInt8](repeating: 0, count: 256)
        for c in UInt8(0x21)...UInt8(0x7F) { t[Int(c)] |= uriBit }
        t[Int(UInt8(ascii: "#"))] &= ~uriBit
        let tchar = Array("!#$%&'*+-.^_`|~".utf8)
        for c in tchar { t[Int(c)] |= tokenBit }
        for c in UInt8(ascii: "0")...UInt8(ascii: "9") { t[Int(c)] |= tokenBit }
        for c in UInt8(ascii: "a")...UInt8(ascii: "z") { t[Int(c)] |= tokenBit }
        for c in UInt8(ascii: "A")...UInt8(ascii: "Z") { t[Int(c)] |= tokenBit }
        return t
    }()

    @inlinable @inline(__always)
    static func isToken(_ c: UInt8) -> Bool { classes[Int(c)] & tokenBit != 0 }
    @inlinable @inline(__always)
    static func isURI(_ c: UInt8) -> Bool { classes[Int(c)] & uriBit != 0 }
    @inlinable @inline(__always)
    static func isSPHT(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 }
    @inlinable @inline(__always)
    static func lower(_ c: UInt8) -> UInt8 { (c >= 0x41 && c <= 0x5A) ? c | 0x20 : c }

    /// Exact comparison of `p[start..<end]` with `word`.
    @inlinable
    static func equals(_ p: UnsafeRawBufferPointer, _ start: Int, _ end: Int, _ word: StaticString) -> Bool {
        guard end - start == word.utf8CodeUnitCount else { return false }
        let w = word.utf8Start
        for i in 0..<(end - start) where p[start + i] != w[i] { return false }
        return true
    }

    /// Case-insensitive comparison of `p[start..<end]` with a lowercase `word`.
    @inlinable
    static func equalsLower(_ p: UnsafeRawBufferPointer, _ start: Int, _ end: Int, _ word: StaticString) -> Bool {
        guard end - start == word.utf8CodeUnitCount else { return false }
        let w = word.utf8Start
        for i in 0..<(end - start) where lower(p[start + i]) != w[i] { return false }
        return true
    }

    /// Whether `a` and `b` are the same ASCII name but for case.
    static func equalsIgnoringCase(_ a: UnsafeRawBufferPointer, _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        for i in 0..<b.count where lower(a[i]) != lower(b[i]) { return false }
        return true
    }

    static func equalsIgnoringCase(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        a.withUnsafeBytes { equalsIgnoringCase($0, b) }
    }

    /// Case-insensitive comparison of two byte ranges of the same buffer.
    @inlinable
    static func equalsLower(_ p: UnsafeRawBufferPointer, _ a: Range<Int>, _ b: Range<Int>) -> Bool {
        guard a.count == b.count else { return false }
        var i = a.lowerBound, j = b.lowerBound
        while i < a.upperBound {
            if lower(p[i]) != lower(p[j]) { return false }
            i += 1; j += 1
        }
        return true
    }

    /// Calls `body` with the bounds of each element of a comma-separated
    /// list in `p[list]` (RFC 9110 §5.6.1), blanks around it trimmed and
    /// empty elements skipped.
    @inlinable
    static func forEachListToken(_ p: UnsafeRawBufferPointer, _ list: Range<Int>, _ body: (Int, Int) -> Void) {
        var i = list.lowerBound
        while i < list.upperBound {
            if isSPHT(p[i]) || p[i] == 0x2C { i += 1; continue }
            var n = i
            while n < list.upperBound, p[n] != 0x2C { n += 1 }
            var e = n
            while e > i, isSPHT(p[e - 1]) { e -= 1 }
            body(i, e)
            i = n
        }
    }

    @usableFromInline static let trace: StaticString = "TRACE"
    @usableFromInline static let delete: StaticString = "DELETE"
    @usableFromInline static let options: StaticString = "OPTIONS"
    @usableFromInline static let connect: StaticString = "CONNECT"
}

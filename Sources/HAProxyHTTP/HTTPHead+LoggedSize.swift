import NIOCore

extension HTTPHead {
    /// Bytes HAProxy 2.6 counts for each HTTP message on top of its fields.
    public static let loggedMessageOverhead = 21

    /// The size HAProxy 2.6 counts for this head in `%B` and `%U` (and the
    /// stats `bin`/`bout`): not the bytes on the wire but the message's
    /// fields, as measured against 2.6.12 with varied heads.
    ///
    /// It counts the three start-line tokens without their separators, each
    /// header's name and trimmed value without `: ` and line break, plus
    /// `loggedMessageOverhead`. Fields that 2.6 drops on reception are not
    /// counted: the `close` and `keep-alive` tokens of `Connection` (the
    /// header goes when nothing else is left), `Content-Length` in a chunked
    /// message, and repeated `Content-Length` values (counted once, as the
    /// first one). The body adds its payload: `HTTPBodyFramer.loggedBytes`.
    ///
    /// - Parameter bytes: the head's bytes, the offsets' origin at its reader index.
    public func loggedSize(in bytes: ByteBuffer) -> Int {
        bytes.withUnsafeReadableBytes { p in
            var size = Self.loggedMessageOverhead + methodRange.count + uriRange.count + versionRange.count
            var contentLengthSeen = false
            for field in headers {
                switch field.kind {
                case .connection:
                    let value = Self.connectionValueLength(p, field.value)
                    if value > 0 { size += field.name.count + value }
                case .contentLength:
                    if isChunked || contentLengthSeen { continue }
                    contentLengthSeen = true
                    size += field.name.count + Self.firstListElement(p, field.value).count
                default:
                    size += field.name.count + field.value.count
                }
            }
            return size
        }
    }

    /// Length of a `Connection` value once 2.6 took out `close` and
    /// `keep-alive`: untouched when neither is there; otherwise the part
    /// before the first one stays as written and the tokens after it are
    /// joined with bare commas ("a, close ,  c" becomes "a,c").
    static func connectionValueLength(_ p: UnsafeRawBufferPointer, _ value: Range<Int>) -> Int {
        var length = 0
        var removed = false
        var start = value.lowerBound
        while start <= value.upperBound {
            var end = start
            while end < value.upperBound && p[end] != 0x2C { end += 1 }
            var first = start, last = end
            while first < last && HTTPBytes.isSPHT(p[first]) { first += 1 }
            while last > first && HTTPBytes.isSPHT(p[last - 1]) { last -= 1 }
            if HTTPBytes.equalsLower(p, first, last, "close") || HTTPBytes.equalsLower(p, first, last, "keep-alive") {
                removed = true
            } else if !removed {
                length = end - value.lowerBound
            } else if last > first {
                length += (length > 0 ? 1 : 0) + (last - first)
            }
            start = end + 1
        }
        return length
    }

    /// The first comma-separated element of a value, trimmed.
    static func firstListElement(_ p: UnsafeRawBufferPointer, _ value: Range<Int>) -> Range<Int> {
        var end = value.lowerBound
        while end < value.upperBound && p[end] != 0x2C { end += 1 }
        while end > value.lowerBound && HTTPBytes.isSPHT(p[end - 1]) { end -= 1 }
        return value.lowerBound..<end
    }
}

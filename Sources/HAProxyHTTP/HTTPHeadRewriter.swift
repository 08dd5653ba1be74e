import NIOCore

/// Edits to apply to a head while forwarding it: headers removed by index,
/// header lines appended at the end.
///
/// Appended lines are rendered once into a ByteBuffer; the removal set is a
/// fixed-size bit set (a head has at most 100 headers, see HTTPHeadLimits),
/// so building edits allocates only for the appended bytes.
public struct HTTPHeadEdits: Sendable {
    @usableFromInline var removedLow: UInt64 = 0
    @usableFromInline var removedHigh: UInt64 = 0
    /// Header lines to append, each `name: value\r\n`.
    public var appended: ByteBuffer = ByteBuffer()

    public init() {}

    /// Drops header number `index` of the parsed head.
    public mutating func remove(_ index: Int) {
        precondition(index >= 0 && index < 128)
        if index < 64 { removedLow |= 1 << UInt64(index) } else { removedHigh |= 1 << UInt64(index - 64) }
    }

    /// Drops every header of `kind` (for example `.connection`).
    public mutating func removeAll(_ kind: HTTPKnownHeader, in head: HTTPHead) {
        for (i, h) in head.headers.enumerated() where h.kind == kind { remove(i) }
    }

    /// True when nothing is removed or appended: the head can be forwarded as received.
    @inlinable public var isEmpty: Bool {
        removedLow == 0 && removedHigh == 0 && appended.readableBytes == 0
    }

    @inlinable public func isRemoved(_ index: Int) -> Bool {
        index < 64 ? removedLow & (1 << UInt64(index)) != 0 : removedHigh & (1 << UInt64(index - 64)) != 0
    }

    /// Appends `name: value`.
    public mutating func append(name: StaticString, value: StaticString) {
        appended.writeStaticString(name)
        appended.writeStaticString(": ")
        appended.writeStaticString(value)
        appended.writeStaticString("\r\n")
    }

    /// Appends `name: value` with a value given as bytes (an address, an id).
    public mutating func append(name: StaticString, value: ByteBuffer) {
        appended.writeStaticString(name)
        appended.writeStaticString(": ")
        var v = value
        appended.writeBuffer(&v)
        appended.writeStaticString("\r\n")
    }

    /// Appends `name: value` from Strings (configuration-time values).
    public mutating func append(name: String, value: String) {
        appended.writeString(name)
        appended.writeStaticString(": ")
        appended.writeString(value)
        appended.writeStaticString("\r\n")
    }
}

/// Writes a parsed head back out with edits, copying unchanged runs of the
/// original bytes.
///
/// The proxy forwards what the client sent (DESIGN.md, HTTP/1 mode): start
/// line and untouched headers are copied as contiguous slices; removed
/// headers are skipped; folded headers (obs-fold) are joined on one line
/// with spaces, as HAProxy does; appended headers go before the final CRLF.
/// Leading empty lines before a request line are dropped.
public enum HTTPHeadRewriter {
    /// - Parameters:
    ///   - head: the parsed head; its offsets are relative to `source.readerIndex`.
    ///   - source: the buffer the head was parsed from.
    ///   - edits: what to remove and add.
    ///   - out: receives the rewritten head.
    public static func write(_ head: HTTPHead, from source: ByteBuffer, edits: HTTPHeadEdits, into out: inout ByteBuffer) {
        source.withUnsafeReadableBytes { p in
            out.reserveCapacity(minimumWritableBytes: head.headersEnd - head.startLineStart + edits.appended.readableBytes + 2)
            var cursor = head.startLineStart
            for index in 0..<head.headers.count {
                let h = head.headers[index]
                let removed = edits.isRemoved(index)
                let folded = head.hasObsFold && Self.isFolded(p, h)
                if !removed && !folded { continue }
                out.writeBytes(UnsafeRawBufferPointer(rebasing: p[cursor..<h.line.lowerBound]))
                cursor = h.line.upperBound
                if folded && !removed {
                    out.writeBytes(UnsafeRawBufferPointer(rebasing: p[h.name]))
                    out.writeStaticString(": ")
                    for i in h.value {
                        let c = p[i]
                        out.writeInteger(c == 0x0D || c == 0x0A ? UInt8(0x20) : c)
                    }
                    out.writeStaticString("\r\n")
                }
            }
            out.writeBytes(UnsafeRawBufferPointer(rebasing: p[cursor..<head.headersEnd]))
            out.writeBytes(edits.appended.readableBytesView)
            out.writeStaticString("\r\n")
        }
    }

    static func isFolded(_ p: UnsafeRawBufferPointer, _ h: HTTPHeaderField) -> Bool {
        for i in h.value where p[i] == 0x0A { return true }
        return false
    }
}

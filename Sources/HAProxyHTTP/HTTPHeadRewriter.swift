import NIOCore

/// Edits to apply to a head while forwarding it: headers removed by index,
/// header lines appended at the end.
///
/// The rules' added lines are written from their arrays, the proxy's own
/// (`option forwardfor`...) rendered once into a ByteBuffer; the removal
/// set is a fixed-size bit set (a head has at most 100 headers, see
/// HTTPHeadLimits), so building edits allocates only for the proxy's lines.
public struct HTTPHeadEdits: Sendable {
    @usableFromInline var removedLow: UInt64 = 0
    @usableFromInline var removedHigh: UInt64 = 0
    /// The lines the rules added (`set-header`, `add-header`...), written
    /// first at the end of the head with lowercase names: straight from
    /// the rules' arrays, without a buffer of their own.
    public var addedLines: [(name: [UInt8], value: [UInt8])] = [] {
        didSet {
            addedLength = 0
            for i in addedLines.indices { addedLength += addedLines[i].name.count + addedLines[i].value.count + 4 }
        }
    }
    /// The bytes `addedLines` take once written.
    public private(set) var addedLength = 0
    /// Header lines to append after `addedLines`, each `name: value\r\n`;
    /// nil until the first (an empty `ByteBuffer` shares one storage
    /// object across the process, retained and released with every copy
    /// of the edits, from every thread).
    public private(set) var appended: ByteBuffer?
    /// New values of ordinary headers of the parsed head, by index
    /// (`replace-header` on a header the parser derives nothing from).
    public var replaced: [(index: Int, value: [UInt8])] = []
    /// The `connection` line the proxy states its choice with, written
    /// after the appended lines without a buffer of its own.
    public var connection: ConnectionToken?
    public enum ConnectionToken: Sendable {
        case close, keepAlive
    }

    /// The new value of header `index`, if an edit replaced it.
    @inlinable public func replacement(_ index: Int) -> [UInt8]? {
        for entry in replaced where entry.index == index { return entry.value }
        return nil
    }

    public init() {}

    /// Drops header number `index` of the parsed head.
    public mutating func remove(_ index: Int) {
        precondition(index >= 0 && index < 128)
        if index < 64 { removedLow |= 1 << UInt64(index) } else { removedHigh |= 1 << UInt64(index - 64) }
    }

    @inlinable public func isRemoved(_ index: Int) -> Bool {
        index < 64 ? removedLow & (1 << UInt64(index)) != 0 : removedHigh & (1 << UInt64(index - 64)) != 0
    }

    /// The buffer of the appended lines, moved out (to be put back) with
    /// room for `count` more bytes in one allocation, not one per piece
    /// written.
    private mutating func takeAppended(room count: Int) -> ByteBuffer {
        var taken: ByteBuffer?
        swap(&taken, &appended)
        guard var buffer = taken else { return ByteBufferAllocator().buffer(capacity: max(count, 64)) }
        if buffer.writableBytes < count { buffer.reserveCapacity(minimumWritableBytes: max(count, 64)) }
        return buffer
    }

    /// The bytes of the appended lines.
    var appendedByteCount: Int { appended?.readableBytes ?? 0 }

    /// Appends `name: value`.
    public mutating func append(name: StaticString, value: StaticString) {
        var out = takeAppended(room: name.utf8CodeUnitCount + value.utf8CodeUnitCount + 4)
        out.writeStaticString(name)
        out.writeStaticString(": ")
        out.writeStaticString(value)
        out.writeStaticString("\r\n")
        appended = out
    }

    /// Appends `name: value` with a value given as bytes (an address, an id).
    public mutating func append(name: StaticString, value: ByteBuffer) {
        var out = takeAppended(room: name.utf8CodeUnitCount + value.readableBytes + 4)
        out.writeStaticString(name)
        out.writeStaticString(": ")
        var v = value
        out.writeBuffer(&v)
        out.writeStaticString("\r\n")
        appended = out
    }

    /// Appends `name: value` with a value given as bytes (`unique-id-header`);
    /// the name goes out lowercase, like every forwarded header.
    public mutating func append(name: [UInt8], value: [UInt8]) {
        var out = takeAppended(room: name.count + value.count + 4)
        for c in name { out.writeInteger(HTTPBytes.lower(c)) }
        out.writeStaticString(": ")
        out.writeBytes(value)
        out.writeStaticString("\r\n")
        appended = out
    }

    /// Appends `name: value` from Strings (configuration-time values),
    /// the name lowercase.
    public mutating func append(name: String, value: String) {
        var out = takeAppended(room: name.utf8.count + value.utf8.count + 4)
        for c in name.utf8 { out.writeInteger(HTTPBytes.lower(c)) }
        out.writeStaticString(": ")
        out.writeString(value)
        out.writeStaticString("\r\n")
        appended = out
    }
}

/// Writes a parsed head out the way HAProxy 2.6 does, whatever the sender's
/// spelling, so that what one side sent odd never reaches the other:
///
/// - the start line with single spaces (`HTTP/1.1 200 ` keeps the space
///   before an empty reason);
/// - each header as `name: value` with a lowercase name, the value trimmed,
///   obs-fold line breaks turned into spaces, CRLF line ends;
/// - `close` and `keep-alive` removed from `Connection` (the proxy states
///   its own choice in an appended header), other tokens kept, joined by
///   `,`, and the header dropped when nothing is left;
/// - no `Content-Length` when the body is chunked (RFC 9112 §6.3: a
///   smuggling defence), otherwise one, with a list like `5, 5` reduced
///   to its value; a repeated `Host` of a request written once;
/// - headers removed by `edits` skipped and its appended lines added last.
///
/// Leading empty lines before a request line are dropped.
public enum HTTPHeadRewriter {
    /// - Parameters:
    ///   - head: the parsed head; its offsets are relative to `source.readerIndex`.
    ///   - source: the buffer the head was parsed from.
    ///   - edits: what to remove and add.
    ///   - out: receives the rewritten head.
    public static func write(_ head: HTTPHead, from source: ByteBuffer, edits: HTTPHeadEdits, into out: inout ByteBuffer) {
        // Each line grows by at most 2 bytes (": " and CRLF), the start line by 2.
        var bound = head.headersEnd - head.startLineStart + 2 * head.headers.count + 6 + edits.addedLength
            + edits.appendedByteCount + (edits.connection == nil ? 0 : 24)
        for entry in edits.replaced { bound += entry.value.count }
        out.reserveCapacity(minimumWritableBytes: bound)
        let written = source.withUnsafeReadableBytes { p in
            out.withUnsafeMutableWritableBytes { w in
                var o = Writer(base: w.baseAddress!)
                writeStartLine(head, p, &o)
                var wroteLength = false, wroteHost = false
                // Recorded: a 204 response loses its framing headers.
                let noFraming = !head.isRequest && head.status == 204
                for index in 0..<head.headers.count where !edits.isRemoved(index) {
                    let h = head.headers[index]
                    switch h.kind {
                    case .transferEncoding where noFraming:
                        continue
                    case .contentLength:
                        if head.isChunked || wroteLength || noFraming { continue }
                        wroteLength = true
                        o.lowercase(p, h.name)
                        o.colonSpace()
                        if let n = head.contentLength, Self.isList(p, h.value) { o.decimal(n) } else { o.copy(p, h.value) }
                        o.crlf()
                        continue
                    case .host where head.isRequest:
                        if wroteHost { continue }
                        wroteHost = true
                    case .connection:
                        let mark = o.count
                        o.lowercase(p, h.name)
                        o.colonSpace()
                        var kept = 0
                        HTTPBytes.forEachListToken(p, h.value) { s, e in
                            if HTTPBytes.equalsLower(p, s, e, "close") || HTTPBytes.equalsLower(p, s, e, "keep-alive") { return }
                            if kept > 0 { o.byte(0x2C) }
                            o.copy(p, s..<e)
                            kept += 1
                        }
                        if kept == 0 { o.count = mark } else { o.crlf() }
                        continue
                    default:
                        break
                    }
                    o.lowercase(p, h.name)
                    o.colonSpace()
                    if !edits.replaced.isEmpty, let value = edits.replacement(index) {
                        value.withUnsafeBytes { o.copy($0, 0..<$0.count) }
                    } else if head.hasObsFold {
                        o.unfolded(p, h.value)
                    } else {
                        o.copy(p, h.value)
                    }
                    o.crlf()
                }
                for i in edits.addedLines.indices {
                    o.lowercasedBytes(edits.addedLines[i].name)
                    o.colonSpace()
                    o.bytes(edits.addedLines[i].value)
                    o.crlf()
                }
                edits.appended?.withUnsafeReadableBytes { o.copy($0, 0..<$0.count) }
                switch edits.connection {
                case .close?: o.copy("connection: close\r\n")
                case .keepAlive?: o.copy("connection: keep-alive\r\n")
                case nil: break
                }
                o.crlf()
                return o.count
            }
        }
        out.moveWriterIndex(forwardBy: written)
    }

    /// The version goes out as `HTTP/1.1` or `HTTP/1.0`, whatever the peer
    /// spelt (recorded: `HTTP/1.2` and `HTTP/2.0` requests and an `HTTX/1.1`
    /// response reach the other side as `HTTP/1.1`).
    static func writeStartLine(_ head: HTTPHead, _ p: UnsafeRawBufferPointer, _ o: inout Writer) {
        let version: StaticString = head.version.isPersistentByDefault ? "HTTP/1.1" : "HTTP/1.0"
        if head.isRequest {
            o.copy(p, head.methodRange)
            o.byte(0x20)
            o.copy(p, head.uriRange)
            o.byte(0x20)
            if head.forwardsVersionAsWritten { o.copy(p, head.versionRange) } else { o.copy(version) }
        } else {
            // Recorded: a response below 1.1 keeps its version token as the
            // server wrote it (`HTTX/1.0`), a later one goes out as HTTP/1.1.
            if head.version.isPersistentByDefault { o.copy(version) } else { o.copy(p, head.methodRange) }
            o.byte(0x20)
            o.copy(p, head.uriRange)
            o.byte(0x20)
            o.copy(p, head.versionRange)
        }
        o.crlf()
    }

    /// A `Content-Length` value holding more than one element (`5, 5`).
    static func isList(_ p: UnsafeRawBufferPointer, _ v: Range<Int>) -> Bool {
        for i in v where p[i] == 0x2C { return true }
        return false
    }

    /// Appends bytes at a raw pointer whose capacity the caller reserved.
    struct Writer {
        let base: UnsafeMutableRawPointer
        var count = 0

        @inline(__always) mutating func byte(_ c: UInt8) {
            base.storeBytes(of: c, toByteOffset: count, as: UInt8.self)
            count += 1
        }

        @inline(__always) mutating func copy(_ p: UnsafeRawBufferPointer, _ r: Range<Int>) {
            guard !r.isEmpty else { return }
            (base + count).copyMemory(from: p.baseAddress! + r.lowerBound, byteCount: r.count)
            count += r.count
        }

        @inline(__always) mutating func bytes(_ a: [UInt8]) {
            a.withUnsafeBytes { copy($0, 0..<$0.count) }
        }

        /// `a` in lowercase, byte by byte (a rule's header name: short,
        /// and not known to be a token).
        @inline(__always) mutating func lowercasedBytes(_ a: [UInt8]) {
            for i in a.indices { base.storeBytes(of: HTTPBytes.lower(a[i]), toByteOffset: count + i, as: UInt8.self) }
            count += a.count
        }

        /// A non-negative integer in decimal.
        @inline(__always) mutating func decimal(_ value: Int) {
            var v = value < 0 ? 0 : value
            var digits = 1
            var scale = 10
            while v >= scale && digits < 19 {
                digits += 1
                scale = scale &* 10
            }
            var i = digits
            while i > 0 {
                i -= 1
                base.storeBytes(of: UInt8(v % 10) + 0x30, toByteOffset: count + i, as: UInt8.self)
                v /= 10
            }
            count += digits
        }

        @inline(__always) mutating func copy(_ s: StaticString) {
            (base + count).copyMemory(from: s.utf8Start, byteCount: s.utf8CodeUnitCount)
            count += s.utf8CodeUnitCount
        }

        /// Copies `p[r]` with ASCII letters lowercased, eight bytes at a time.
        @inline(__always) mutating func lowercase(_ p: UnsafeRawBufferPointer, _ r: Range<Int>) {
            let src = p.baseAddress! + r.lowerBound
            let dst = base + count
            var i = 0
            let n = r.count
            while i + 8 <= n {
                let w = src.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                // 0x80 in each byte that is 'A'...'Z' (bytes are ASCII here:
                // header names are tokens).
                let upper = ((w &+ 0x3F3F_3F3F_3F3F_3F3F) & ~(w &+ 0x2525_2525_2525_2525)) & 0x8080_8080_8080_8080
                dst.storeBytes(of: w | (upper >> 2), toByteOffset: i, as: UInt64.self)
                i += 8
            }
            while i < n {
                dst.storeBytes(of: HTTPBytes.lower(src.load(fromByteOffset: i, as: UInt8.self)), toByteOffset: i, as: UInt8.self)
                i += 1
            }
            count += n
        }

        /// Copies a header value, obs-fold CR and LF bytes becoming spaces.
        @inline(__always) mutating func unfolded(_ p: UnsafeRawBufferPointer, _ r: Range<Int>) {
            for i in r {
                let c = p[i]
                byte(c == 0x0D || c == 0x0A ? 0x20 : c)
            }
        }

        @inline(__always) mutating func colonSpace() { byte(0x3A); byte(0x20) }
        @inline(__always) mutating func crlf() { byte(0x0D); byte(0x0A) }

        mutating func decimal(_ n: UInt64) {
            var d: UInt64 = 1
            while d <= n / 10 { d *= 10 }
            var v = n
            while d > 0 {
                byte(UInt8(truncatingIfNeeded: v / d) + 0x30)
                v %= d
                d /= 10
            }
        }
    }
}

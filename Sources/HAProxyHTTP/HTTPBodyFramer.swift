import NIOCore

/// Finds where a message body ends as its bytes pass, without copying them.
///
/// The proxy streams bodies (it never gathers one): for each received buffer
/// `consume(_:)` says how many of its readable bytes belong to the current
/// message and whether the message is complete; the caller forwards exactly
/// that slice and keeps the rest for the next message. Chunked bodies are
/// decoded for framing only, following HAProxy 2.6's h1_parse_chunk_size
/// (at most 13 hex digits, optional spaces, `;` extensions, bare LF
/// accepted), then trailers up to the empty line. State survives any split
/// of the input, down to one byte at a time.
public struct HTTPBodyFramer: Sendable {
    /// How far a `consume` call got.
    public struct Progress: Equatable, Sendable {
        /// Bytes at the front of the input that belong to this message.
        public var length: Int
        /// The message ended within those bytes.
        public var isComplete: Bool
        public init(length: Int, isComplete: Bool) { self.length = length; self.isComplete = isComplete }
    }

    @usableFromInline enum State: Sendable, Equatable {
        case remaining(UInt64)
        case untilClose
        case chunkSize(digits: Int, value: UInt64)
        case chunkSizeSpace(UInt64)
        case chunkExtension(UInt64)
        case chunkSizeLF(UInt64)
        case chunkData(UInt64)
        case chunkDataEnd
        case chunkDataLF
        case trailerLineStart
        case trailerName(length: Int)
        case trailerValue
        case trailerValueLF
        case lastLF
        case done
    }

    @usableFromInline var state: State
    /// Status for framing errors: 400 for a request body, 502 for a response.
    public let errorStatus: Int
    /// Body bytes counted so far, framing bytes of chunked encoding included.
    public private(set) var consumed: UInt64 = 0
    /// What HAProxy 2.6 counts of the body so far for `%B`/`%U` (see
    /// `HTTPHead.loggedSize(in:)`): the payload without chunk framing, each
    /// trailer's name and trimmed value, and 1 once a chunked body ends.
    public private(set) var loggedBytes: UInt64 = 0
    /// Within a trailer value: a non-blank byte was seen, and the blanks
    /// since the last one (counted only if more text follows).
    @usableFromInline var trailerValueStarted = false
    @usableFromInline var trailerBlanks: UInt64 = 0
    /// Re-encoding (`reencode(_:into:)`): chunk data ranges of the current
    /// input, and the raw trailer section gathered until the body ends.
    @usableFromInline var segments: [Range<Int>] = []
    @usableFromInline var recording = false
    @usableFromInline var trailerBytes: ByteBuffer? = nil

    /// - Parameters:
    ///   - framing: from the parsed head (`HTTPHead.bodyFraming`).
    ///   - isRequest: chooses the error status (400 request, 502 response).
    public init(framing: HTTPBodyFraming, isRequest: Bool) {
        errorStatus = isRequest ? 400 : 502
        switch framing {
        case .none: state = .done
        case .contentLength(let n): state = n == 0 ? .done : .remaining(n)
        case .chunked: state = .chunkSize(digits: 0, value: 0)
        case .untilClose, .tunnel: state = .untilClose
        }
    }

    /// The body has fully passed.
    @inlinable public var isComplete: Bool { state == .done }

    /// Accounts for the readable bytes of `buffer` (its reader index is not moved).
    public mutating func consume(_ buffer: ByteBuffer) throws(HTTPParseError) -> Progress {
        try buffer.withUnsafeReadableBytes { (p) throws(HTTPParseError) -> Progress in try self.consume(bytes: p) }
    }

    /// Accounts for `p`, which starts where the previous call stopped.
    public mutating func consume(bytes p: UnsafeRawBufferPointer) throws(HTTPParseError) -> Progress {
        let n = p.count
        var i = 0
        var trailerFrom: Int? = isInTrailers ? 0 : nil
        defer {
            if recording, let t = trailerFrom, t < i {
                if trailerBytes == nil { trailerBytes = ByteBuffer() }
                trailerBytes!.writeBytes(UnsafeRawBufferPointer(rebasing: p[t..<i]))
            }
        }
        loop: while i < n {
            switch state {
            case .done:
                break loop
            case .untilClose:
                loggedBytes &+= UInt64(n - i)
                i = n
            case .remaining(let r):
                let take = UInt64(n - i) < r ? UInt64(n - i) : r
                i += Int(take)
                loggedBytes &+= take
                state = take == r ? .done : .remaining(r - take)
            case .chunkData(let r):
                let take = UInt64(n - i) < r ? UInt64(n - i) : r
                if recording { segments.append(i..<(i + Int(take))) }
                i += Int(take)
                loggedBytes &+= take
                state = take == r ? .chunkDataEnd : .chunkData(r - take)
            case .chunkSize(let digits, let value):
                let c = p[i]
                if let h = Self.hex(c) {
                    let v = value << 4 | UInt64(h)
                    if v & 0xF0_0000_0000_0000 != 0 { throw fail(.invalidChunkSize, i) }
                    state = .chunkSize(digits: digits + 1, value: v)
                    i += 1
                    continue
                }
                if digits == 0 { throw fail(.invalidChunkSize, i) }
                state = .chunkSizeSpace(value)
            case .chunkSizeSpace(let value):
                let c = p[i]
                if HTTPBytes.isSPHT(c) {
                    i += 1
                } else if c == 0x3B {
                    state = .chunkExtension(value); i += 1
                } else if c == 0x0D {
                    state = .chunkSizeLF(value); i += 1
                } else if c == 0x0A {
                    state = .chunkSizeLF(value)
                } else {
                    throw fail(.invalidChunkSize, i)
                }
            case .chunkExtension(let value):
                let c = p[i]
                if c == 0x0D { state = .chunkSizeLF(value) } else if c == 0x0A { state = .chunkSizeLF(value); continue }
                i += 1
            case .chunkSizeLF(let value):
                if p[i] != 0x0A { throw fail(.invalidChunkSize, i) }
                i += 1
                if value == 0 {
                    state = .trailerLineStart
                    trailerFrom = i
                } else {
                    state = .chunkData(value)
                }
            case .chunkDataEnd:
                let c = p[i]
                if c == 0x0D { state = .chunkDataLF; i += 1 } else if c == 0x0A { state = .chunkDataLF } else {
                    throw fail(.invalidChunkTerminator, i)
                }
            case .chunkDataLF:
                if p[i] != 0x0A { throw fail(.invalidChunkTerminator, i) }
                i += 1
                state = .chunkSize(digits: 0, value: 0)
            case .trailerLineStart:
                let c = p[i]
                if c == 0x0D { state = .lastLF; i += 1 } else if c == 0x0A { state = .lastLF } else {
                    state = .trailerName(length: 0)
                }
            case .trailerName(let length):
                let c = p[i]
                if HTTPBytes.isToken(c) {
                    state = .trailerName(length: length + 1)
                } else if c == 0x3A && length > 0 {
                    loggedBytes &+= UInt64(length)
                    trailerValueStarted = false
                    trailerBlanks = 0
                    state = .trailerValue
                } else {
                    throw fail(.invalidTrailer, i)
                }
                i += 1
            case .trailerValue:
                let c = p[i]
                if c == 0x0D { state = .trailerValueLF; i += 1 } else if c == 0x0A { state = .trailerValueLF } else {
                    if HTTPBytes.isSPHT(c) {
                        if trailerValueStarted { trailerBlanks += 1 }
                    } else {
                        loggedBytes &+= trailerBlanks + 1
                        trailerBlanks = 0
                        trailerValueStarted = true
                    }
                    i += 1
                }
            case .trailerValueLF:
                if p[i] != 0x0A { throw fail(.invalidTrailer, i) }
                i += 1
                state = .trailerLineStart
            case .lastLF:
                if p[i] != 0x0A { throw fail(.invalidTrailer, i) }
                i += 1
                loggedBytes &+= 1
                state = .done
            }
        }
        consumed &+= UInt64(i)
        return Progress(length: i, isComplete: state == .done)
    }

    /// Between the last chunk and the end of the body.
    @usableFromInline var isInTrailers: Bool {
        switch state {
        case .trailerLineStart, .trailerName, .trailerValue, .trailerValueLF, .lastLF: return true
        default: return false
        }
    }

    /// Like `consume(_:)` for a chunked body, but writes to `out` what the
    /// proxy forwards instead of the received bytes, as HAProxy 2.6 does:
    /// the chunk data of this input as one chunk (size in uppercase hex,
    /// extensions dropped), then at the end `0`, the trailers as
    /// `name: value` with lowercase names, and the empty line. A sender's
    /// odd chunk framing never reaches the other side.
    public mutating func reencode(_ buffer: ByteBuffer, into out: inout ByteBuffer) throws(HTTPParseError) -> Progress {
        segments.removeAll(keepingCapacity: true)
        recording = true
        defer { recording = false }
        return try buffer.withUnsafeReadableBytes { (p) throws(HTTPParseError) -> Progress in
            let progress = try self.consume(bytes: p)
            var total = 0
            for s in segments { total += s.count }
            if total > 0 {
                out.reserveCapacity(minimumWritableBytes: total + 24)
                Self.writeHex(total, into: &out)
                out.writeStaticString("\r\n")
                for s in segments { out.writeBytes(UnsafeRawBufferPointer(rebasing: p[s])) }
                out.writeStaticString("\r\n")
            }
            if progress.isComplete {
                out.writeStaticString("0\r\n")
                if let trailers = trailerBytes { Self.writeTrailers(trailers, into: &out) }
                trailerBytes = nil
                out.writeStaticString("\r\n")
            }
            return progress
        }
    }

    /// Like `consume(_:)`, but hands `body` the payload of this input (a
    /// chunked body's chunk data without its framing; its trailers are
    /// kept for `takeTrailers()`), for a body the proxy encodes anew
    /// (`compression`).
    public mutating func decode(
        _ buffer: ByteBuffer, _ body: (UnsafeRawBufferPointer) -> Void
    ) throws(HTTPParseError) -> Progress {
        let chunked: Bool
        switch state {
        case .remaining, .untilClose, .done: chunked = false
        default: chunked = true
        }
        if chunked {
            segments.removeAll(keepingCapacity: true)
            recording = true
        }
        defer {
            if chunked { recording = false }
        }
        return try buffer.withUnsafeReadableBytes { (p) throws(HTTPParseError) -> Progress in
            let progress = try self.consume(bytes: p)
            if chunked {
                for s in segments where !s.isEmpty { body(UnsafeRawBufferPointer(rebasing: p[s])) }
            } else if progress.length > 0 {
                body(UnsafeRawBufferPointer(rebasing: p[0..<progress.length]))
            }
            return progress
        }
    }

    /// The raw trailer section `decode` gathered once the body ended
    /// (nil without trailers); see `writeTrailers`.
    public mutating func takeTrailers() -> ByteBuffer? {
        defer { trailerBytes = nil }
        return trailerBytes
    }

    static func writeHex(_ value: Int, into out: inout ByteBuffer) {
        let digits: StaticString = "0123456789ABCDEF"
        var shift = (Int.bitWidth - value.leadingZeroBitCount + 3) / 4 * 4 - 4
        if shift < 0 { shift = 0 }
        while shift >= 0 {
            out.writeInteger(digits.utf8Start[(value >> shift) & 0xF])
            shift -= 4
        }
    }

    /// Rewrites a trailer section the framer validated (`name:value`
    /// lines, then the empty line) as `name: value` with lowercase names
    /// and trimmed values.
    static func writeTrailers(_ raw: ByteBuffer, into out: inout ByteBuffer) {
        raw.withUnsafeReadableBytes { p in
            var i = 0
            while i < p.count {
                var end = i
                while end < p.count, p[end] != 0x0A { end += 1 }
                var lineEnd = end
                if lineEnd > i, p[lineEnd - 1] == 0x0D { lineEnd -= 1 }
                if lineEnd > i {
                    var colon = i
                    while colon < lineEnd, p[colon] != 0x3A { colon += 1 }
                    for c in p[i..<colon] { out.writeInteger(HTTPBytes.lower(c)) }
                    out.writeStaticString(": ")
                    var vs = colon + 1, ve = lineEnd
                    while vs < ve, HTTPBytes.isSPHT(p[vs]) { vs += 1 }
                    while ve > vs, HTTPBytes.isSPHT(p[ve - 1]) { ve -= 1 }
                    out.writeBytes(UnsafeRawBufferPointer(rebasing: p[vs..<ve]))
                    out.writeStaticString("\r\n")
                }
                i = end + 1
            }
        }
    }

    @inline(__always)
    func fail(_ reason: HTTPParseError.Reason, _ offset: Int) -> HTTPParseError {
        HTTPParseError(status: errorStatus, reason: reason, offset: offset)
    }

    @inline(__always)
    static func hex(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x41...0x46: return c - 0x41 + 10
        case 0x61...0x66: return c - 0x61 + 10
        default: return nil
        }
    }
}

import NIOCore

/// The part of a request body that has arrived, as the `req.body*`
/// fetches and `wait-for-body` see it (manual 7.3.6 `req.body`): the
/// payload without chunk framing, at most what one buffer holds next to
/// the head.
///
/// It is a view on the received bytes that follow the head: nothing is
/// copied unless a chunked body has to be decoded.
public struct HTTPRequestBody {
    /// The received bytes after the head (the next pipelined request may follow).
    public var bytes: ByteBuffer
    public let framing: HTTPBodyFraming
    /// Most payload bytes a buffer keeps for the rules.
    public let limit: Int

    public init(bytes: ByteBuffer, framing: HTTPBodyFraming, limit: Int) {
        self.bytes = bytes
        self.framing = framing
        self.limit = max(limit, 0)
    }

    /// The payload bytes kept for `head` with `limits`: HAProxy 2.6 stops
    /// buffering when the head's HTX blocks and one data block fill the
    /// buffer up to its reserve (recorded with heads of several sizes).
    public static func limit(for head: HTTPHead, _ limits: HTTPHeadLimits) -> Int {
        limits.htxBudget - head.htxSize - 8
    }

    /// How much of the body is here.
    public struct Status: Equatable, Sendable {
        /// Payload bytes arrived, up to `limit`.
        public var available: Int
        /// The whole body arrived.
        public var isComplete: Bool
        /// The chunked framing that arrived is invalid.
        public var isMalformed: Bool
        /// No more bytes are kept for the rules (the buffer is full).
        public var isFull: Bool
    }

    public var status: Status {
        switch framing {
        case .none:
            return Status(available: 0, isComplete: true, isMalformed: false, isFull: false)
        case .contentLength(let n):
            let available = min(Int(clamping: n), bytes.readableBytes)
            return Status(available: min(available, limit), isComplete: UInt64(available) == n,
                          isMalformed: false, isFull: available >= limit)
        case .chunked:
            var framer = HTTPBodyFramer(framing: .chunked, isRequest: true)
            var payload: [UInt8] = []
            do {
                let progress = try framer.decode(bytes, into: &payload)
                return Status(available: min(payload.count, limit), isComplete: progress.isComplete,
                              isMalformed: false, isFull: payload.count >= limit)
            } catch {
                return Status(available: min(payload.count, limit), isComplete: false, isMalformed: true, isFull: false)
            }
        case .untilClose, .tunnel:
            let available = bytes.readableBytes
            return Status(available: min(available, limit), isComplete: false, isMalformed: false,
                          isFull: available >= limit)
        }
    }

    /// Calls `body` with the payload that arrived, up to `limit` bytes.
    public func withPayload<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        switch framing {
        case .none:
            return body(UnsafeRawBufferPointer(start: nil, count: 0))
        case .contentLength(let n):
            let count = min(Int(clamping: n), bytes.readableBytes, limit)
            return bytes.withUnsafeReadableBytes { body(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
        case .chunked:
            var framer = HTTPBodyFramer(framing: .chunked, isRequest: true)
            var payload: [UInt8] = []
            _ = try? framer.decode(bytes, into: &payload)
            if payload.count > limit { payload.removeLast(payload.count - limit) }
            return payload.withUnsafeBytes(body)
        case .untilClose, .tunnel:
            let count = min(bytes.readableBytes, limit)
            return bytes.withUnsafeReadableBytes { body(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
        }
    }
}

extension HTTPBodyFramer {
    /// Like `consume(_:)` for a chunked body, appending the chunk data of
    /// the input (the payload, without framing or trailers) to `payload`.
    public mutating func decode(_ buffer: ByteBuffer, into payload: inout [UInt8]) throws(HTTPParseError) -> Progress {
        segments.removeAll(keepingCapacity: true)
        recording = true
        defer {
            recording = false
            trailerBytes = nil
        }
        return try buffer.withUnsafeReadableBytes { (p) throws(HTTPParseError) -> Progress in
            defer {
                for s in segments { payload.append(contentsOf: UnsafeRawBufferPointer(rebasing: p[s])) }
            }
            return try self.consume(bytes: p)
        }
    }
}

extension HTTPHead {
    /// The room HAProxy 2.6 gives the head in its buffer (HTX blocks): the
    /// start line's three tokens and each header's name and value, with 8
    /// bytes per block and 40 for the start line and the end of headers.
    public var htxSize: Int {
        var size = 40 + methodRange.count + uriRange.count + versionRange.count + 8
        for field in headers { size += 8 + field.name.count + field.value.count }
        return size
    }
}

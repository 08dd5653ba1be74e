import NIOCore

/// Bytes for one side of an HTTP stream, assembled before a single write:
/// a head as the proxy writes it, then the body bytes that came with it.
///
/// The storage is reused from one message to the next once the connection
/// has written the previous batch and let go of it, so a keep-alive
/// exchange of small messages costs no allocation and one write per
/// message. Large body runs go out as slices of the received buffer
/// instead of being copied.
struct OutgoingBatch {
    /// Body runs up to this size are copied behind the head; longer ones
    /// are written as slices.
    static let copyLimit = 4096
    /// Storage grown past this is not kept between messages (idle memory).
    static let keptCapacity = 8192

    /// `buffer` when its storage is worth keeping for a later stream, an
    /// empty buffer without storage otherwise.
    static func kept(_ buffer: ByteBuffer) -> ByteBuffer {
        buffer.capacity > keptCapacity ? ByteBufferAllocator().buffer(capacity: 0) : buffer
    }

    private var buffer: ByteBuffer
    private let allocator: ByteBufferAllocator

    init(allocator: ByteBufferAllocator) {
        self.allocator = allocator
        buffer = allocator.buffer(capacity: 0)
    }

    /// A batch writing into `storage`, the empty storage of a batch
    /// that ended (see `takeStorage`).
    init(allocator: ByteBufferAllocator, storage: ByteBuffer) {
        self.allocator = allocator
        buffer = storage
    }

    /// Hands the storage over, emptied, and keeps none: for the batch of
    /// another stream, which writes over it (or copies it first while a
    /// connection still holds the bytes last taken).
    mutating func takeStorage() -> ByteBuffer {
        var storage = allocator.buffer(capacity: 0)
        swap(&storage, &buffer)
        storage.clear()
        return storage
    }

    /// Makes the storage writable without copying bytes already sent: while
    /// the connection still holds the last batch, fresh storage is taken.
    private mutating func prepare() {
        if buffer.readableBytes == 0 { buffer.clear() }
    }

    /// Appends `head` as `HTTPHeadRewriter` writes it, with `edits`, its
    /// names respelt by `headerCase` when the peer wants that.
    mutating func appendHead(_ head: HTTPHead, from source: ByteBuffer, edits: HTTPHeadEdits, headerCase: HTTPHeaderCase?) {
        prepare()
        let start = buffer.writerIndex
        HTTPHeadRewriter.write(head, from: source, edits: edits, into: &buffer)
        headerCase?.respell(&buffer, headAt: start)
    }

    /// Appends bytes as they are (a locally built answer).
    mutating func append(_ bytes: ByteBuffer) {
        prepare()
        var bytes = bytes
        buffer.writeBuffer(&bytes)
    }

    /// Takes the next body bytes of `input` as `framer` delimits them:
    /// chunked bodies re-encoded into the batch, others copied behind it
    /// when short. A longer run is returned as a slice, to be written
    /// after what the batch holds.
    mutating func appendBody(
        _ framer: inout HTTPBodyFramer, chunked: Bool, from input: inout ByteBuffer
    ) throws(HTTPParseError) -> ByteBuffer? {
        if chunked {
            prepare()
            let progress = try framer.reencode(input, into: &buffer)
            input.moveReaderIndex(forwardBy: progress.length)
            return nil
        }
        let length = try framer.consume(input).length
        guard length > 0 else { return nil }
        if length <= Self.copyLimit {
            prepare()
            var run = input.readSlice(length: length)!
            buffer.writeBuffer(&run)
            return nil
        }
        return input.readSlice(length: length)!
    }

    /// Takes the next body bytes of `input` as `framer` delimits them and
    /// appends them encoded by `compressor`, as chunks; at the body's end,
    /// the encoding's end, the last chunk and the trailers the server sent
    /// (written as `reencode` writes them; recorded: 2.6 keeps them).
    mutating func appendCompressedBody(
        _ framer: inout HTTPBodyFramer, compressor: ZlibCompressor, from input: inout ByteBuffer
    ) throws(HTTPParseError) {
        prepare()
        let progress = try framer.decode(input) { compressor.compress($0, into: &buffer) }
        input.moveReaderIndex(forwardBy: progress.length)
        if progress.isComplete {
            compressor.finish(into: &buffer)
            buffer.writeStaticString("0\r\n")
            if let trailers = framer.takeTrailers() { HTTPBodyFramer.writeTrailers(trailers, into: &buffer) }
            buffer.writeStaticString("\r\n")
        }
    }

    /// What was assembled, to be written now; nil when nothing was.
    mutating func take() -> ByteBuffer? {
        guard buffer.readableBytes > 0 else { return nil }
        let out = buffer
        if buffer.capacity > Self.keptCapacity {
            buffer = allocator.buffer(capacity: 0)
        } else {
            buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
        }
        return out
    }
}

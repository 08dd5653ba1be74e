import HAProxyConfig
import NIOCore

/// `compression`: the request chooses an algorithm, the response decides
/// whether its body is encoded with it (see `CompressionNegotiation`).
extension HTTPStreamStateMachine {
    /// Reads the request's `Accept-Encoding` for the algorithm; with
    /// `compression offload`, the header does not reach the server once
    /// one is chosen.
    mutating func chooseCompression(_ backend: HTTPBackendPolicy, _ edits: inout HTTPHeadEdits, _ bytes: ByteBuffer) {
        let combined = CompressionPolicy.combined(frontend: policy.compression, backend: backend.compression)
        guard let (chosen, indices) = negotiate(combined.algorithms, bytes) else { return }
        compressionChoice = (chosen, combined.types)
        if combined.offload {
            for index in indices { edits.remove(index) }
        }
    }

    /// The algorithm the request chooses among `algorithms`, with the
    /// indices of its `Accept-Encoding` headers; nil when none applies.
    private func negotiate(
        _ algorithms: [CompressionAlgorithm], _ bytes: ByteBuffer
    ) -> (CompressionAlgorithm, [Int])? {
        guard !algorithms.isEmpty, CompressionNegotiation.requestAllows(request, in: bytes) else { return nil }
        var values: [Range<Int>] = []
        var indices: [Int] = []
        let chosen = bytes.withUnsafeReadableBytes { p -> CompressionAlgorithm? in
            for (index, h) in request.headers.enumerated()
            where HTTPBytes.equalsLower(p, h.name.lowerBound, h.name.upperBound, "accept-encoding") {
                values.append(h.value)
                indices.append(index)
            }
            return CompressionNegotiation.choose(values, in: p, among: algorithms)
        }
        return chosen.map { ($0, indices) }
    }

    /// Whether the response as the server sent it is to be compressed.
    func compressionAllowed(_ head: HTTPHead, _ bytes: ByteBuffer) -> Bool {
        guard let choice = compressionChoice else { return false }
        return CompressionNegotiation.responsePlan(head, in: bytes, types: choice.types) != nil
    }

    /// Sets up the encoder and the head's edits (on the head as the
    /// response rules left it; see `addCompressionEdits`).
    mutating func startCompression(
        _ algorithm: CompressionAlgorithm, _ head: HTTPHead, _ bytes: ByteBuffer, _ edits: inout HTTPHeadEdits
    ) {
        guard let compressor = ZlibCompressor(algorithm: algorithm, level: policy.compressionLevel) else {
            responseCompressor = nil
            return
        }
        responseCompressor = compressor
        Self.addCompressionEdits(algorithm, head, bytes, &edits)
    }

    /// The edits 2.6 makes to a compressed response's head: no
    /// `Content-Length`, chunked, a strong `ETag` made weak, then
    /// `Vary: Accept-Encoding` and `Content-Encoding` (none for identity)
    /// after the other headers.
    static func addCompressionEdits(
        _ algorithm: CompressionAlgorithm, _ head: HTTPHead, _ bytes: ByteBuffer, _ edits: inout HTTPHeadEdits
    ) {
        bytes.withUnsafeReadableBytes { p in
            for (index, h) in head.headers.enumerated() where !edits.isRemoved(index) {
                if h.kind == .contentLength {
                    edits.remove(index)
                } else if HTTPBytes.equalsLower(p, h.name.lowerBound, h.name.upperBound, "etag"),
                          edits.replacement(index) == nil, h.value.count >= 2, p[h.value.lowerBound] == 0x22 {
                    edits.replaced.append((index: index, value: Array("W/".utf8) + Array(p[h.value])))
                }
            }
        }
        if !head.isChunked { edits.append(name: "transfer-encoding", value: "chunked") }
        edits.append(name: "vary", value: "Accept-Encoding")
        switch algorithm {
        case .identity: break
        case .gzip: edits.append(name: "content-encoding", value: "gzip")
        case .deflate, .rawDeflate: edits.append(name: "content-encoding", value: "deflate")
        }
    }

    /// The encoder of a service's answer (the statistics page, the
    /// Prometheus exporter), which 2.6 compresses like a server's response
    /// (recorded; its `http-request return` answers and error pages it
    /// does not). nil when the request chooses no algorithm.
    func serviceAnswerEncoder() -> LocalAnswerEncoder? {
        guard policy.compression != nil || backend?.compression != nil, let bytes = requestBytes else { return nil }
        let combined = CompressionPolicy.combined(frontend: policy.compression, backend: backend?.compression)
        guard let (algorithm, _) = negotiate(combined.algorithms, bytes) else { return nil }
        return LocalAnswerEncoder(
            algorithm: algorithm, types: combined.types, level: policy.compressionLevel, method: request.method)
    }
}

/// Compresses an answer the proxy built whole (head and body), as a
/// server's response is compressed.
struct LocalAnswerEncoder {
    let algorithm: CompressionAlgorithm
    let types: [[UInt8]]
    let level: Int32
    let method: HTTPMethod

    /// The answer compressed, with the bytes given to the encoder and
    /// those it produced; nil when the answer is not to be compressed.
    func encode(_ answer: ByteBuffer) -> (bytes: ByteBuffer, bytesIn: UInt64, bytesOut: UInt64)? {
        var parser = HTTPHeadParser.response(to: method)
        guard case .complete(let head) = parser.parse(answer),
              CompressionNegotiation.responsePlan(head, in: answer, types: types) != nil,
              let compressor = ZlibCompressor(algorithm: algorithm, level: level)
        else { return nil }
        var edits = HTTPHeadEdits()
        if head.connection.contains(.close) {
            edits.connection = .close
        } else if head.connection.contains(.keepAlive) {
            edits.connection = .keepAlive
        }
        HTTPStreamStateMachine.addCompressionEdits(algorithm, head, answer, &edits)
        let body = answer.getSlice(at: answer.readerIndex + head.length, length: answer.readableBytes - head.length)!
        var out = ByteBufferAllocator().buffer(capacity: head.length + 128 + body.readableBytes / 2)
        HTTPHeadRewriter.write(head, from: answer, edits: edits, into: &out)
        var framer = HTTPBodyFramer(framing: head.bodyFraming, isRequest: false)
        guard (try? framer.decode(body, { compressor.compress($0, into: &out) })) != nil else { return nil }
        compressor.finish(into: &out)
        out.writeStaticString("0\r\n\r\n")
        return (out, compressor.bytesIn, compressor.bytesOut)
    }
}

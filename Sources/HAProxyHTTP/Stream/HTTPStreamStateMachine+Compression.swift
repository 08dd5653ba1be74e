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
        guard !combined.algorithms.isEmpty, CompressionNegotiation.requestAllows(request, in: bytes) else { return }
        var values: [Range<Int>] = []
        var indices: [Int] = []
        let chosen = bytes.withUnsafeReadableBytes { p -> CompressionAlgorithm? in
            for (index, h) in request.headers.enumerated()
            where HTTPBytes.equalsLower(p, h.name.lowerBound, h.name.upperBound, "accept-encoding") {
                values.append(h.value)
                indices.append(index)
            }
            return CompressionNegotiation.choose(values, in: p, among: combined.algorithms)
        }
        guard let chosen else { return }
        compressionChoice = (chosen, combined.types)
        if combined.offload {
            for index in indices { edits.remove(index) }
        }
    }

    /// Whether the response as the server sent it is to be compressed.
    func compressionAllowed(_ head: HTTPHead, _ bytes: ByteBuffer) -> Bool {
        guard let choice = compressionChoice else { return false }
        return CompressionNegotiation.responsePlan(head, in: bytes, types: choice.types) != nil
    }

    /// Sets up the encoder and the head's edits 2.6 makes (on the head as
    /// the response rules left it): no `Content-Length`, chunked, a strong
    /// `ETag` made weak, then `Vary: Accept-Encoding` and
    /// `Content-Encoding` (none for identity) after the other headers.
    mutating func startCompression(
        _ algorithm: CompressionAlgorithm, _ head: HTTPHead, _ bytes: ByteBuffer, _ edits: inout HTTPHeadEdits
    ) {
        guard let compressor = ZlibCompressor(algorithm: algorithm, level: policy.compressionLevel) else {
            responseCompressor = nil
            return
        }
        responseCompressor = compressor
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
}

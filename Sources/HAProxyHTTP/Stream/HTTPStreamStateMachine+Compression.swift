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

    /// Sets up the encoder when the response qualifies, and the head's
    /// edits 2.6 makes: no `Content-Length`, chunked, a strong `ETag`
    /// made weak, then `Vary: Accept-Encoding` and `Content-Encoding`
    /// (none for identity) after the other headers.
    mutating func startCompression(
        _ choice: (algorithm: CompressionAlgorithm, types: [[UInt8]]), _ head: HTTPHead, _ bytes: ByteBuffer,
        _ edits: inout HTTPHeadEdits
    ) {
        guard let plan = CompressionNegotiation.responsePlan(head, in: bytes, types: choice.types),
              let compressor = ZlibCompressor(algorithm: choice.algorithm)
        else { return }
        responseCompressor = compressor
        for (index, h) in head.headers.enumerated() where h.kind == .contentLength { edits.remove(index) }
        if let index = plan.strongETag {
            let value = bytes.withUnsafeReadableBytes { Array("W/".utf8) + Array($0[head.headers[index].value]) }
            edits.replaced.append((index: index, value: value))
        }
        if !head.isChunked { edits.append(name: "transfer-encoding", value: "chunked") }
        edits.append(name: "vary", value: "Accept-Encoding")
        switch choice.algorithm {
        case .identity: break
        case .gzip: edits.append(name: "content-encoding", value: "gzip")
        case .deflate, .rawDeflate: edits.append(name: "content-encoding", value: "deflate")
        }
    }
}

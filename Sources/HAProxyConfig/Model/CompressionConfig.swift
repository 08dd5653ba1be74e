/// An encoding of `compression algo` (manual 4.2).
public enum CompressionAlgorithm: String, Sendable, Equatable, CaseIterable {
    case identity
    case deflate
    case rawDeflate = "raw-deflate"
    case gzip

    /// The `Accept-Encoding` token it answers and the `Content-Encoding`
    /// it announces: raw-deflate answers `deflate` too (manual 4.2).
    public var token: String {
        switch self {
        case .identity: return "identity"
        case .deflate, .rawDeflate: return "deflate"
        case .gzip: return "gzip"
        }
    }
}

/// A proxy's `compression algo`, `compression type` and `compression
/// offload` lines. Lines add to what earlier ones (and the defaults
/// section) gave.
public struct CompressionConfig: Sendable, Equatable {
    /// The algorithms in the order of the configuration (repeats kept).
    public var algorithms: [CompressionAlgorithm] = []
    /// The MIME types whose responses are compressed; none: any type but
    /// `multipart/*`.
    public var types: [String] = []
    /// `compression offload`: the request's `Accept-Encoding` is removed
    /// once an algorithm is chosen, so the server answers uncompressed.
    public var offload = false

    public init() {}
}

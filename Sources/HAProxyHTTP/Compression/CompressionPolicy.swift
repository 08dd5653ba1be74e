import HAProxyConfig

/// A proxy's `compression` lines as the HTTP streams use them, built once.
public final class CompressionPolicy: Sendable {
    /// The algorithms in configuration order.
    public let algorithms: [CompressionAlgorithm]
    /// `compression type` values, lowercase, matched as prefixes of the
    /// response's `Content-Type`.
    public let types: [[UInt8]]
    public let offload: Bool

    /// nil when the proxy has no `compression` line.
    public init?(_ config: CompressionConfig?) {
        guard let config else { return nil }
        algorithms = config.algorithms
        types = config.types.map { Array($0.lowercased().utf8) }
        offload = config.offload
    }

    /// What a transaction between `frontend` and `backend` compresses
    /// with, as 2.6 combines them: the backend's algorithms when it has
    /// some, else the frontend's; the same for the types; offload when
    /// either asks for it.
    public static func combined(
        frontend: CompressionPolicy?, backend: CompressionPolicy?
    ) -> (algorithms: [CompressionAlgorithm], types: [[UInt8]], offload: Bool) {
        let algorithms = (backend?.algorithms.isEmpty ?? true) ? frontend?.algorithms ?? [] : backend!.algorithms
        let types = (backend?.types.isEmpty ?? true) ? frontend?.types ?? [] : backend!.types
        return (algorithms, types, (frontend?.offload ?? false) || (backend?.offload ?? false))
    }
}

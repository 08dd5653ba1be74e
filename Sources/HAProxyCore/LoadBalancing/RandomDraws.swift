/// `balance random(N)`: N random keys on the consistent ring, and the least
/// loaded (relative to weight) of the servers they land on.
///
/// Drawing two is the "power of two random choices": it avoids the most
/// loaded server without any shared ordering between pickers. Weights are
/// respected through the ring and weight changes apply at once. The default
/// generator is seeded once from the system; tests pass a seed.
public final class RandomDraws: LoadBalancingAlgorithm {
    public let draws: Int
    private let ring: ConsistentHash
    private var generator: SplitMix64

    /// - Parameters:
    ///   - balanceFactor, backendServers: `hash-balance-factor`, which 2.6
    ///     applies to the ring lookups of `random` too.
    public init(draws: Int = 2, seed: UInt64? = nil, balanceFactor: Int = 0, backendServers: [LBServer] = []) {
        self.draws = max(1, draws)
        ring = ConsistentHash(balanceFactor: balanceFactor, backendServers: backendServers)
        var system = SystemRandomNumberGenerator()
        generator = SplitMix64(seed: seed ?? system.next())
    }

    public var isDynamic: Bool { true }

    public func setEligible(_ servers: [LBServer]) { ring.setEligible(servers) }

    public func weightChanged(_ server: LBServer) { ring.weightChanged(server) }

    public func pick(hash: UInt32?, avoiding: LBServer?) -> LBServer? {
        var best: LBServer?
        for _ in 0..<draws {
            let key = UInt32(truncatingIfNeeded: generator.next() >> 32)
            guard let s = ring.lookup(key, avoiding: avoiding) else { return nil }
            if let b = best, b !== s {
                // Keep the previous choice if it carries less load per weight.
                if s.load * b.weight > b.load * s.weight { continue }
            }
            best = s
        }
        return best
    }
}

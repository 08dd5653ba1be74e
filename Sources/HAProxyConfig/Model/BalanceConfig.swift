/// The load-balancing algorithm of a backend (`balance` keyword).
///
/// Manual section 4.2, `balance`. `hash` (sample expressions) and
/// `rdp-cookie` are recognised by the parser but rejected as unsupported.
public enum BalanceAlgorithm: Equatable, Sendable {
    case roundRobin
    case staticRoundRobin
    case leastConn
    case first
    case source
    /// `balance uri [len N] [depth N] [whole] [path-only]`.
    case uri(whole: Bool, length: Int?, depth: Int?, pathOnly: Bool)
    /// `balance url_param <name> [check_post [max_wait]]`. `checkPost` is nil
    /// without `check_post`, otherwise the (ignored) max_wait value or 0.
    case urlParam(name: String, checkPost: Int?)
    /// `balance hdr(name) [use_domain_only]`.
    case header(name: String, useDomainOnly: Bool)
    /// `balance random` / `balance random(N)`; `draws` defaults to 2.
    case random(draws: Int)

    /// Whether the algorithm selects a server from a hash of request data.
    public var isHashBased: Bool {
        switch self {
        case .source, .uri, .urlParam, .header: return true
        default: return false
        }
    }
}

/// `hash-type <method>`: how a hash designates a server.
public enum HashType: Equatable, Sendable {
    /// Static table of servers repeated by weight; `hash % total weight`.
    case mapBased
    /// A ring of weight-proportional points per server; the closest wins.
    case consistent
}

/// `hash-type <method> <function>`: the function applied to the key bytes.
public enum HashFunction: Equatable, Sendable {
    case sdbm, djb2, wt6, crc32
}

/// A backend's balancing settings: `balance` plus `hash-type`.
public struct BalanceConfig: Equatable, Sendable {
    public var algorithm: BalanceAlgorithm
    public var hashType: HashType
    public var hashFunction: HashFunction
    /// The `avalanche` modifier: mix the 32-bit hash once more before use.
    public var avalanche: Bool
    /// `hash-balance-factor`: with `hash-type consistent` (and `balance
    /// random`), no server takes more than this percentage of its share of
    /// the backend's connections; 0 (the default) for no bound.
    public var hashBalanceFactor = 0

    public init(
        algorithm: BalanceAlgorithm = .roundRobin,
        hashType: HashType = .mapBased,
        hashFunction: HashFunction = .sdbm,
        avalanche: Bool = false
    ) {
        self.algorithm = algorithm
        self.hashType = hashType
        self.hashFunction = hashFunction
        self.avalanche = avalanche
    }

    /// The result of `hash-type`: method, function and modifier together.
    public struct HashSettings: Equatable, Sendable {
        public var hashType: HashType
        public var hashFunction: HashFunction
        public var avalanche: Bool

        public init(hashType: HashType, hashFunction: HashFunction, avalanche: Bool) {
            self.hashType = hashType
            self.hashFunction = hashFunction
            self.avalanche = avalanche
        }
    }

    /// Applies the result of `hash-type` to this configuration.
    public mutating func apply(_ settings: HashSettings) {
        hashType = settings.hashType
        hashFunction = settings.hashFunction
        avalanche = settings.avalanche
    }
}

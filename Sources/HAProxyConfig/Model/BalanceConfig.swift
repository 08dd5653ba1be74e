// Placeholder until the load-balancing branch lands its version of this file.
public enum BalanceAlgorithm: Equatable, Sendable {
    case roundRobin, staticRoundRobin, leastConn, first, source
    case uri(whole: Bool, length: Int?, depth: Int?, pathOnly: Bool)
    case urlParam(name: String, checkPost: Int?)
    case header(name: String, useDomainOnly: Bool)
    case random(draws: Int)
}
public enum HashType: Equatable, Sendable { case mapBased, consistent }
public enum HashFunction: Equatable, Sendable { case sdbm, djb2, wt6, crc32 }
public struct BalanceConfig: Equatable, Sendable {
    public var algorithm: BalanceAlgorithm = .roundRobin
    public var hashType: HashType = .mapBased
    public var hashFunction: HashFunction = .sdbm
    public var avalanche = false
    public init() {}
}

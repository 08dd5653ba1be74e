import HAProxyConfig
import HAProxyCore

/// Builds servers named a, b, c… with the given weights.
func makeServers(_ weights: [Int], backups: Set<Int> = [], maxconn: [Int]? = nil, ids: [Int]? = nil) -> [LBServer] {
    weights.enumerated().map { i, w in
        LBServer(
            index: i,
            id: ids?[i],
            name: String(UnicodeScalar(UInt8(ascii: "a") + UInt8(i))),
            weight: w,
            isBackup: backups.contains(i),
            maxConnections: maxconn?[i] ?? 0
        )
    }
}

extension LoadBalancer {
    convenience init(_ algorithm: BalanceAlgorithm, _ servers: [LBServer], hashType: HashType = .mapBased,
                     function: HashFunction = .sdbm, avalanche: Bool = false, allBackups: Bool = false, seed: UInt64? = 42) {
        self.init(servers: servers,
                  config: BalanceConfig(algorithm: algorithm, hashType: hashType, hashFunction: function, avalanche: avalanche),
                  allBackups: allBackups, randomSeed: seed)
    }

    /// Names of `count` successive keyless picks, concatenated ("-" for none).
    func sequence(_ count: Int) -> String {
        (0..<count).map { _ in pick()?.name ?? "-" }.joined()
    }

    /// Pick counts per server name over `count` keyless picks.
    func counts(_ count: Int) -> [String: Int] {
        var result: [String: Int] = [:]
        for _ in 0..<count { result[pick()?.name ?? "-", default: 0] += 1 }
        return result
    }

    func pick(_ key: String) -> LBServer? { pick(key: Array(key.utf8)) }
}

/// Runs `body` with the bytes of `string`.
func withBytes<R>(_ string: String, _ body: (UnsafeRawBufferPointer) -> R) -> R {
    Array(string.utf8).withUnsafeBytes(body)
}

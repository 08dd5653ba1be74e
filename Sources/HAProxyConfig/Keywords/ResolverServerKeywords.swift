/// Server options that tie a server to a `resolvers` section (manual 5.2):
/// `resolvers`, `resolve-prefer`, `resolve-net`, `resolve-opts`, `init-addr`.
extension KeywordRegistry {
    static let resolverServerOptions: [ServerKeyword] = [
        ServerKeyword("resolvers", arguments: 1) { a, o, _ in
            guard !a[1].isEmpty else { throw KeywordError("'resolvers' expects <resolvers_id> as argument") }
            o.resolvers = a[1]
        },
        ServerKeyword("resolve-prefer", arguments: 1) { a, o, _ in
            switch a[1] {
            case "ipv4": o.resolvePreferIPv4 = true
            case "ipv6": o.resolvePreferIPv4 = false
            default: throw KeywordError("'resolve-prefer' expects either ipv4 or ipv6 as argument.")
            }
        },
        ServerKeyword("resolve-net", arguments: 1) { a, o, _ in
            var networks: [ResolveNetwork] = []
            for item in a[1].split(separator: ",", omittingEmptySubsequences: false) {
                guard let network = parseNetwork(String(item)) else {
                    throw KeywordError("'resolve-net' invalid network '\(item)'.")
                }
                networks.append(network)
            }
            o.resolveNetworks = networks
        },
        ServerKeyword("resolve-opts", arguments: 1) { a, o, _ in
            for item in a[1].split(separator: ",", omittingEmptySubsequences: false) {
                switch item {
                case "allow-dup-ip": o.allowDuplicateIP = true
                case "prevent-dup-ip": o.allowDuplicateIP = false
                case "ignore-weight": o.ignoreServiceWeight = true
                default:
                    throw KeywordError(
                        "'resolve-opts' : unknown resolve-opts option '\(item)', supported methods are 'allow-dup-ip', 'ignore-weight', and 'prevent-dup-ip'.")
                }
            }
        },
        ServerKeyword("init-addr", arguments: 1) { a, o, _ in
            var methods: [InitAddrMethod] = []
            for item in a[1].split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
                switch item {
                case "libc": methods.append(.libc)
                case "none": methods.append(.none)
                case "last": methods.append(.last)
                default:
                    guard ipAddressBytes(item) != nil else {
                        throw KeywordError(
                            "'init-addr' : unknown init-addr method '\(item)', supported methods are 'libc', 'last', 'none'.")
                    }
                    methods.append(.address(item))
                }
            }
            o.initAddr = methods
        },
    ]

    /// `<ip>/<prefix>` or `<ipv4>/<dotted mask>`; a bare address is a host.
    static func parseNetwork(_ text: String) -> ResolveNetwork? {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        guard let bytes = ipAddressBytes(parts[0]) else { return nil }
        let bits = bytes.count * 8
        guard parts.count == 2 else { return ResolveNetwork(bytes: bytes, prefixLength: bits) }
        if let n = Int(parts[1]) {
            guard (0...bits).contains(n) else { return nil }
            return ResolveNetwork(bytes: bytes, prefixLength: n)
        }
        guard bytes.count == 4, let mask = ipAddressBytes(parts[1]), mask.count == 4 else { return nil }
        let value = mask.reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        let ones = value.nonzeroBitCount
        guard value == (ones == 0 ? 0 : UInt32.max << (32 - ones)) else { return nil }
        return ResolveNetwork(bytes: bytes, prefixLength: ones)
    }
}

/// Which address each server sharing a name gets from the answers
/// (manual 5.2 `resolve-opts`, `resolve-net`; `server-template`), as 2.6
/// chooses (observed on it with dnsmasq).
///
/// Servers pick in turn. An address is "used" when a server already served
/// took it or a server not served yet holds it. A server keeps its address
/// while the answers still hold it (even when a `resolve-net` address
/// appears, or when another server shares it through `allow-dup-ip`).
/// Otherwise it scores each address: in a `resolve-net` network 4, unused
/// 2; a used address is left out without `allow-dup-ip`. The best score
/// wins, the last address of the answers on a tie. A server left without
/// an address gets nil.
public enum AddressAssignment {
    public struct Member: Sendable, Equatable {
        public var current: [UInt8]?
        public var allowDuplicates: Bool
        /// `resolve-net`: preferred networks (address bytes, prefix length).
        public var preferredNetworks: [(bytes: [UInt8], prefix: Int)]

        public init(current: [UInt8]?, allowDuplicates: Bool = false, preferredNetworks: [(bytes: [UInt8], prefix: Int)] = []) {
            self.current = current
            self.allowDuplicates = allowDuplicates
            self.preferredNetworks = preferredNetworks
        }

        public static func == (a: Member, b: Member) -> Bool {
            a.current == b.current && a.allowDuplicates == b.allowDuplicates
                && a.preferredNetworks.map(\.bytes) == b.preferredNetworks.map(\.bytes)
                && a.preferredNetworks.map(\.prefix) == b.preferredNetworks.map(\.prefix)
        }
    }

    public static func assign(_ members: [Member], available: [[UInt8]]) -> [[UInt8]?] {
        var result: [[UInt8]?] = []
        result.reserveCapacity(members.count)
        for (i, member) in members.enumerated() {
            func used(_ address: [UInt8]) -> Bool {
                result.contains { $0 == address } || members[(i + 1)...].contains { $0.current == address }
            }
            if let current = member.current, available.contains(current) {
                result.append(current)
                continue
            }
            var best: [UInt8]?
            var bestScore = -1
            for candidate in available {
                var score = inNetworks(candidate, member.preferredNetworks) ? 4 : 0
                if used(candidate) {
                    guard member.allowDuplicates else { continue }
                } else {
                    score += 2
                }
                if score >= bestScore {
                    best = candidate
                    bestScore = score
                }
            }
            result.append(best)
        }
        return result
    }

    static func inNetworks(_ address: [UInt8], _ networks: [(bytes: [UInt8], prefix: Int)]) -> Bool {
        networks.contains { net in
            guard net.bytes.count == address.count else { return false }
            var bits = net.prefix
            for i in 0..<address.count where bits > 0 {
                let mask: UInt8 = bits >= 8 ? 0xff : ~(0xff >> UInt8(bits))
                if address[i] & mask != net.bytes[i] & mask { return false }
                bits -= 8
            }
            return true
        }
    }
}

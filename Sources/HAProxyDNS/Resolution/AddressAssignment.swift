/// Which address each server sharing a name gets from the answers
/// (manual 5.2 `resolve-opts`, `resolve-net`; `server-template`).
///
/// A server keeps its address while the answers still hold it; the others
/// take, in server order, the first address no other server of the group
/// has (unless they allow duplicates), addresses in a `resolve-net`
/// network first. A server left without one gets nil.
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
        var result: [[UInt8]?] = members.map { m in
            guard let current = m.current, available.contains(current) else { return nil }
            return current
        }
        for (i, member) in members.enumerated() where result[i] == nil {
            let ordered = available.filter { inNetworks($0, member.preferredNetworks) }
                + available.filter { !inNetworks($0, member.preferredNetworks) }
            result[i] = ordered.first { candidate in
                member.allowDuplicates || !result.contains { $0 == candidate }
            }
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

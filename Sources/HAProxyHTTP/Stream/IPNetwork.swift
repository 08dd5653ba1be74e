import NIOCore

/// An address with a mask, as `option forwardfor except` and `option
/// originalto except` take it: `127.0.0.1`, `10.0.0.0/8`,
/// `10.0.0.0/255.0.0.0`, `2001:db8::/32`.
public struct IPNetwork: Sendable, Equatable {
    /// Address bytes (4 or 16) and how many leading bits must match.
    let bytes: [UInt8]
    let prefixLength: Int

    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1).map(String.init)
        guard let address = try? SocketAddress(ipAddress: parts[0], port: 0) else { return nil }
        let raw = address.withAddressBytes { Array($0) }
        bytes = raw
        let bits = raw.count * 8
        guard parts.count == 2 else {
            prefixLength = bits
            return
        }
        if let n = Int(parts[1]), (0...bits).contains(n) {
            prefixLength = n
        } else if raw.count == 4, let mask = try? SocketAddress(ipAddress: parts[1], port: 0) {
            // A dotted mask: its leading ones.
            let m = mask.withAddressBytes { Array($0) }
            guard m.count == 4 else { return nil }
            let value = m.reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            prefixLength = value.nonzeroBitCount
            guard value == (prefixLength == 0 ? 0 : ~UInt32(0) << (32 - prefixLength)) else { return nil }
        } else {
            return nil
        }
    }

    /// Whether `address` is in the network (an IPv4 address never matches
    /// an IPv6 network and the other way round).
    public func contains(_ address: SocketAddress?) -> Bool {
        guard let address else { return false }
        let raw = address.withAddressBytes { Array($0) }
        guard raw.count == bytes.count else { return false }
        var left = prefixLength
        for i in 0..<bytes.count where left > 0 {
            let take = min(8, left)
            let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - take))
            if raw[i] & mask != bytes[i] & mask { return false }
            left -= take
        }
        return true
    }
}

extension SocketAddress {
    /// Calls `body` with the raw IPv4 (4) or IPv6 (16) address bytes.
    public func withAddressBytes<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        switch self {
        case .v4(let a):
            var addr = a.address.sin_addr
            return withUnsafeBytes(of: &addr) { body($0) }
        case .v6(let a):
            var addr = a.address.sin6_addr
            return withUnsafeBytes(of: &addr) { body($0) }
        default:
            return body(UnsafeRawBufferPointer(start: nil, count: 0))
        }
    }
}

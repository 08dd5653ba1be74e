/// Converters on addresses and host names (manual 7.3.1): `ipmask`,
/// `host_only`, `port_only`, and `nbsrv` on a backend name.
enum AddressConverters {
    static let keywords: [SampleConverterKeyword] = [
        SampleConverterKeyword("ipmask", [.ipv4Mask, .ipv6Mask], mandatory: 1, .address, .address) { args, sample in
            // A v4-mapped IPv6 address is masked as IPv4; other IPv6
            // addresses need the IPv6 mask ("fail to convert for
            // backwards compatibility reasons").
            var sample = sample
            if case .ipv6(let v6) = sample, let v4 = v6.ipv4 { sample = .ipv4(v4) }
            switch sample {
            case .ipv4(let address):
                guard case .ipv4Mask(let mask)? = args[argument: 0] else { return nil }
                return .ipv4(IPv4Address(address.value & mask.value))
            case .ipv6(let address):
                guard case .ipv6Mask(let mask)? = args[argument: 1] else { return nil }
                return .ipv6(IPv6Address(high: address.high & mask.high, low: address.low & mask.low))
            default:
                return nil
            }
        },
        SampleConverterKeyword("host_only", .string, .string) { _, sample in
            sample.stringBytes.map { .string(HTTPBytes.lowercased(Array(splitHost($0).host))) }
        },
        SampleConverterKeyword("port_only", .string, .int) { _, sample in
            guard let bytes = sample.stringBytes, let port = splitHost(bytes).port else { return nil }
            return Sample.parseLeadingInt(Array(port)).map { .int($0) }
        },
        SampleConverterKeyword("nbsrv", .string, .int, compile: { _ in
            SampleConversion { sample, context in
                guard let name = sample.stringBytes,
                      let state = context.backendState(named: String(decoding: name, as: UTF8.self))
                else { return nil }
                return .int(Int64(state.usableServers))
            }
        }),
    ]

    /// A Host value's host and port: `name`, `name:80`, `[::1]:80`.
    static func splitHost(_ bytes: [UInt8]) -> (host: ArraySlice<UInt8>, port: ArraySlice<UInt8>?) {
        if bytes.first == UInt8(ascii: "["), let close = bytes.firstIndex(of: UInt8(ascii: "]")) {
            let rest = bytes[(close + 1)...]
            let port = rest.first == UInt8(ascii: ":") ? rest.dropFirst() : nil
            return (bytes[...close], port)
        }
        if let colon = bytes.lastIndex(of: UInt8(ascii: ":")) {
            return (bytes[..<colon], bytes[(colon + 1)...])
        }
        return (bytes[...], nil)
    }
}

/// A query as a resolvers section sends it: one question, recursion
/// desired, and an EDNS0 OPT record announcing `accepted_payload_size`
/// (manual 5.3.2; RFC 1035 4.1, RFC 6891 6.1.2).
public struct DNSQuery: Sendable, Equatable {
    public var id: UInt16
    public var name: String
    public var type: DNSRecordType
    /// The UDP payload size announced in the OPT record.
    public var payloadSize: Int

    public init(id: UInt16, name: String, type: DNSRecordType, payloadSize: Int = 512) {
        self.id = id
        self.name = name
        self.type = type
        self.payloadSize = payloadSize
    }

    /// The query's wire form; nil when the name cannot be encoded (a label
    /// longer than 63 bytes, an empty label inside the name, or a name
    /// longer than 255 bytes).
    public func encoded() -> [UInt8]? {
        guard let qname = DNSName.encode(name) else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(12 + qname.count + 4 + 11)
        func u16(_ v: UInt16) {
            out.append(UInt8(v >> 8))
            out.append(UInt8(v & 0xff))
        }
        u16(id)
        u16(0x0100)  // standard query, recursion desired
        u16(1)  // QDCOUNT
        u16(0)  // ANCOUNT
        u16(0)  // NSCOUNT
        u16(1)  // ARCOUNT: the OPT record
        out += qname
        u16(type.rawValue)
        u16(1)  // class IN
        out.append(0)  // OPT: root name
        u16(DNSRecordType.opt.rawValue)
        u16(UInt16(clamping: payloadSize))
        out += [0, 0, 0, 0]  // extended RCODE, version, flags
        u16(0)  // no options
        return out
    }
}

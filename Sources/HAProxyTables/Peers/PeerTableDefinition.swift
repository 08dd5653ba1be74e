/// A table as a peer announces it (the table definition message): the
/// sender's id for it, its name, its key type and length, the data types
/// its updates carry, its `expire`, and the period of each rate.
public struct PeerTableDefinition: Equatable, Sendable {
    public var senderID: UInt64
    /// The name both sides know the table by: the proxy's name, or for a
    /// `table` line of a peers section `/<name>` (as 2.6 sends it).
    public var name: [UInt8]
    /// 2.6's sample types: 2 integer, 4 IPv4, 5 IPv6, 6 string, 7 binary.
    public var keyType: UInt64
    /// The key's length (strings: the longest plus one).
    public var keyLength: UInt64
    /// Bit N set: data type N (`StickDataType.rawValue`) is in each update,
    /// in increasing order.
    public var dataTypes: UInt64
    public var expire: UInt64
    /// The period in milliseconds of each rate type, by type.
    public var periods: [(type: UInt64, period: UInt64)]
    /// The number of elements of each array type (`gpc(3)`: 3).
    public var lengths: [(type: UInt64, count: UInt64)]

    public init(
        senderID: UInt64, name: [UInt8], keyType: UInt64, keyLength: UInt64, dataTypes: UInt64, expire: UInt64,
        periods: [(type: UInt64, period: UInt64)], lengths: [(type: UInt64, count: UInt64)] = []
    ) {
        self.senderID = senderID
        self.name = name
        self.keyType = keyType
        self.keyLength = keyLength
        self.dataTypes = dataTypes
        self.expire = expire
        self.periods = periods
        self.lengths = lengths
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.senderID == b.senderID && a.name == b.name && a.keyType == b.keyType && a.keyLength == b.keyLength
            && a.dataTypes == b.dataTypes && a.expire == b.expire && a.periods.map(\.type) == b.periods.map(\.type)
            && a.periods.map(\.period) == b.periods.map(\.period) && a.lengths.map(\.type) == b.lengths.map(\.type)
            && a.lengths.map(\.count) == b.lengths.map(\.count)
    }

    /// The elements of `type` in each update: its announced length for an
    /// array, else 1 (nil for an array announced without one).
    public func count(of type: Int) -> Int? {
        guard StickDataType(rawValue: type)?.isArray == true else { return 1 }
        return lengths.first { $0.type == UInt64(type) }.map { Int(clamping: $0.count) }
    }

    /// The data types in the order updates carry them.
    public var types: [Int] { (0..<64).filter { dataTypes & (1 << UInt64($0)) != 0 } }

    func encode(into out: inout [UInt8]) {
        PeerVarint.encode(senderID, into: &out)
        PeerVarint.encode(UInt64(name.count), into: &out)
        out += name
        PeerVarint.encode(keyType, into: &out)
        PeerVarint.encode(keyLength, into: &out)
        PeerVarint.encode(dataTypes, into: &out)
        PeerVarint.encode(expire, into: &out)
        // As 2.6 sends them, in type order: each array's type and length,
        // each rate's type and period (an array of rates: both).
        for type in types {
            let length = lengths.first { $0.type == UInt64(type) }
            let period = periods.first { $0.type == UInt64(type) }
            guard length != nil || period != nil else { continue }
            PeerVarint.encode(UInt64(type), into: &out)
            if let length { PeerVarint.encode(length.count, into: &out) }
            if let period { PeerVarint.encode(period.period, into: &out) }
        }
    }

    static func decode(_ body: ArraySlice<UInt8>) -> PeerTableDefinition? {
        var i = body.startIndex
        guard let id = PeerVarint.decode(body, at: &i), let length = PeerVarint.decode(body, at: &i),
              length <= UInt64(body.endIndex - i)
        else { return nil }
        let name = Array(body[i..<(i + Int(length))])
        i += Int(length)
        guard let keyType = PeerVarint.decode(body, at: &i), let keyLength = PeerVarint.decode(body, at: &i),
              let types = PeerVarint.decode(body, at: &i)
        else { return nil }
        // Older senders stop here; 2.6 adds the expire and the periods.
        let expire = PeerVarint.decode(body, at: &i) ?? 0
        var periods: [(type: UInt64, period: UInt64)] = []
        var lengths: [(type: UInt64, count: UInt64)] = []
        while i < body.endIndex {
            guard let type = PeerVarint.decode(body, at: &i) else { return nil }
            let known = type < 64 ? StickDataType(rawValue: Int(type)) : nil
            if known?.isArray == true {
                guard let count = PeerVarint.decode(body, at: &i) else { return nil }
                lengths.append((type, count))
                if known?.isRate == false { continue }
            }
            guard let period = PeerVarint.decode(body, at: &i) else { return nil }
            periods.append((type, period))
        }
        return PeerTableDefinition(
            senderID: id, name: name, keyType: keyType, keyLength: keyLength, dataTypes: types, expire: expire,
            periods: periods, lengths: lengths)
    }
}

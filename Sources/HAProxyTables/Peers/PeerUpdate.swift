/// The body of an entry update (peers-v2.0.txt 3.a): its update id
/// (unless incremental), its remaining lifetime (timed updates), its key,
/// then each data type of the table's definition in order.
public struct PeerUpdate: Equatable, Sendable {
    public var id: UInt32?
    /// Milliseconds left before the entry expires (timed updates).
    public var expire: UInt32?
    public var key: StickKey
    /// One value per type of the definition, in its order.
    public var values: [PeerValue]

    public init(id: UInt32?, expire: UInt32?, key: StickKey, values: [PeerValue]) {
        self.id = id
        self.expire = expire
        self.key = key
        self.values = values
    }

    /// Reads `body` as an update of kind `kind` of a table announced as
    /// `definition`; nil when it does not match it.
    public static func decode(_ body: ArraySlice<UInt8>, kind: PeerUpdateKind, definition: PeerTableDefinition) -> PeerUpdate? {
        var i = body.startIndex
        var id: UInt32?, expire: UInt32?
        if kind.hasID {
            guard body.endIndex - i >= 4 else { return nil }
            id = readUInt32(body, at: &i)
        }
        if kind.isTimed {
            guard body.endIndex - i >= 4 else { return nil }
            expire = readUInt32(body, at: &i)
        }
        guard let key = decodeKey(body, at: &i, definition: definition) else { return nil }
        var values: [PeerValue] = []
        for type in definition.types {
            guard let kind = PeerValue.Kind(type: type), let count = definition.count(of: type),
                  count <= StickDataType.maxArrayLength
            else { return nil }
            if StickDataType(rawValue: type)?.isArray == true {
                // An array: its elements one after the other, no length
                // (the definition gave it).
                var elements: [PeerValue] = []
                elements.reserveCapacity(count)
                for _ in 0..<count {
                    guard let v = decodeValue(kind, body, at: &i) else { return nil }
                    elements.append(v)
                }
                values.append(.array(elements))
            } else {
                guard let v = decodeValue(kind, body, at: &i) else { return nil }
                values.append(v)
            }
        }
        return PeerUpdate(id: id, expire: expire, key: key, values: values)
    }

    static func decodeValue(_ kind: PeerValue.Kind, _ body: ArraySlice<UInt8>, at i: inout Int) -> PeerValue? {
        switch kind {
        case .integer:
            return PeerVarint.decode(body, at: &i).map { .integer($0) }
        case .rate:
            guard let age = PeerVarint.decode(body, at: &i), let current = PeerVarint.decode(body, at: &i),
                  let previous = PeerVarint.decode(body, at: &i)
            else { return nil }
            return .rate(age: age, current: current, previous: previous)
        case .dictionary:
            // An encoded length, then that many bytes (the cache id and,
            // the first time, the value).
            guard let length = PeerVarint.decode(body, at: &i), length <= UInt64(body.endIndex - i) else { return nil }
            defer { i += Int(length) }
            return .dictionary(Array(body[i..<(i + Int(length))]))
        }
    }

    static func encodeValue(_ value: PeerValue, into out: inout [UInt8]) {
        switch value {
        case .integer(let v): PeerVarint.encode(v, into: &out)
        case .rate(let age, let current, let previous):
            PeerVarint.encode(age, into: &out)
            PeerVarint.encode(current, into: &out)
            PeerVarint.encode(previous, into: &out)
        case .dictionary(let bytes):
            PeerVarint.encode(UInt64(bytes.count), into: &out)
            out += bytes
        case .array(let elements):
            for element in elements { encodeValue(element, into: &out) }
        }
    }

    /// The body of this update for a table announced as `definition`.
    public func encode(keyType: UInt64, keyLength: UInt64, into out: inout [UInt8]) {
        if let id { Self.appendUInt32(id, into: &out) }
        if let expire { Self.appendUInt32(expire, into: &out) }
        Self.encodeKey(key, keyType: keyType, keyLength: keyLength, into: &out)
        for value in values { Self.encodeValue(value, into: &out) }
    }

    static func decodeKey(_ body: ArraySlice<UInt8>, at i: inout Int, definition: PeerTableDefinition) -> StickKey? {
        switch definition.keyType {
        case PeerKeyType.integer, PeerKeyType.ipv4:
            guard body.endIndex - i >= 4 else { return nil }
            return StickKey(low: UInt64(readUInt32(body, at: &i)))
        case PeerKeyType.ipv6:
            guard body.endIndex - i >= 16 else { return nil }
            let key = StickKey.fromIPv6Bytes(Array(body[i..<(i + 16)]))
            i += 16
            return key
        case PeerKeyType.string:
            guard let length = PeerVarint.decode(body, at: &i), length <= UInt64(body.endIndex - i) else { return nil }
            let bytes = Array(body[i..<(i + Int(length))])
            i += Int(length)
            return StickKey(bytes: bytes)
        case PeerKeyType.binary:
            let length = Int(definition.keyLength)
            guard body.endIndex - i >= length else { return nil }
            let bytes = Array(body[i..<(i + length)])
            i += length
            return StickKey(bytes: bytes)
        default:
            return nil
        }
    }

    static func encodeKey(_ key: StickKey, keyType: UInt64, keyLength: UInt64, into out: inout [UInt8]) {
        switch keyType {
        case PeerKeyType.integer, PeerKeyType.ipv4:
            appendUInt32(UInt32(truncatingIfNeeded: key.low), into: &out)
        case PeerKeyType.ipv6:
            for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: key.high >> UInt64(shift))) }
            for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: key.low >> UInt64(shift))) }
        case PeerKeyType.string:
            let bytes = key.bytes ?? []
            PeerVarint.encode(UInt64(bytes.count), into: &out)
            out += bytes
        default:
            var bytes = Array((key.bytes ?? []).prefix(Int(keyLength)))
            if bytes.count < Int(keyLength) { bytes += [UInt8](repeating: 0, count: Int(keyLength) - bytes.count) }
            out += bytes
        }
    }

    static func readUInt32(_ bytes: ArraySlice<UInt8>, at i: inout Int) -> UInt32 {
        let v = UInt32(bytes[i]) << 24 | UInt32(bytes[i + 1]) << 16 | UInt32(bytes[i + 2]) << 8 | UInt32(bytes[i + 3])
        i += 4
        return v
    }

    static func appendUInt32(_ v: UInt32, into out: inout [UInt8]) {
        out += [UInt8(v >> 24), UInt8(truncatingIfNeeded: v >> 16), UInt8(truncatingIfNeeded: v >> 8), UInt8(truncatingIfNeeded: v)]
    }
}

/// The key types of table definitions (2.6's sample types).
public enum PeerKeyType {
    public static let integer: UInt64 = 2
    public static let ipv4: UInt64 = 4
    public static let ipv6: UInt64 = 5
    public static let string: UInt64 = 6
    public static let binary: UInt64 = 7

    /// The code and the announced length of a table's key type.
    public static func of(_ type: StickKeyType) -> (code: UInt64, length: UInt64) {
        switch type {
        case .ip: return (ipv4, 4)
        case .ipv6: return (ipv6, 16)
        case .integer: return (integer, 4)
        case .string(let length): return (string, UInt64(length + 1))
        case .binary(let length): return (binary, UInt64(length))
        }
    }
}

/// One data value of an update, by the wire form of its type.
public enum PeerValue: Equatable, Sendable {
    /// Counters and tags (`conn_cnt`, `gpt0`, `server_id`...).
    case integer(UInt64)
    /// A rate: milliseconds since its period started, its current and its
    /// previous period's counts.
    case rate(age: UInt64, current: UInt64, previous: UInt64)
    /// A dictionary entry (`server_key`), kept as its bytes.
    case dictionary([UInt8])
    /// The elements of an array type (`gpc(3)`), in order, each sent as
    /// its element type is.
    indirect case array([PeerValue])

    /// How each data type travels; a new data type adds its case here.
    public enum Kind {
        case integer, rate, dictionary

        /// nil for a type this build cannot read (its table is then not
        /// learned from that peer).
        public init?(type: Int) {
            guard let t = StickDataType(rawValue: type) else { return nil }
            if t == .serverKey {
                self = .dictionary
            } else {
                self = t.isRate ? .rate : .integer
            }
        }
    }
}

/// One message of the peers protocol v2.1 as HAProxy 2.6 speaks it
/// (peers-v2.0.txt, plus the heartbeat and the timed updates of 2.1):
/// a class byte, a type byte, and for types from 128 an encoded length
/// and that many bytes.
public enum PeerMessage: Equatable, Sendable {
    case resyncRequest
    case resyncFinished
    case resyncPartial
    case resyncConfirm
    case heartbeat
    /// Class 1: the peer saw a protocol error (0) or an oversized message (1).
    case error(UInt8)
    case tableDefinition(PeerTableDefinition)
    /// The table the next updates are about, by the sender's id.
    case tableSwitch(UInt64)
    /// An entry of the current table; its body is read with the table's
    /// definition (`PeerUpdate.decode`).
    case update(PeerUpdateKind, ArraySlice<UInt8>)
    /// The last update of the table `tableID` (the receiver's id) applied.
    case ack(tableID: UInt64, update: UInt32)
    /// A message of a class or type this side does not know (skipped).
    case unknown(UInt8, UInt8)

    static let controlClass: UInt8 = 0, errorClass: UInt8 = 1, tableClass: UInt8 = 10

    public enum DecodeError: Error, Equatable { case malformed }

    /// Reads the message at `index`: nil when more bytes are needed (the
    /// index is then left alone).
    public static func decode(_ bytes: ArraySlice<UInt8>, at index: inout Int) throws -> PeerMessage? {
        var i = index
        guard bytes.endIndex - i >= 2 else { return nil }
        let cls = bytes[i], type = bytes[i + 1]
        i += 2
        var body = bytes[i..<i]
        if type >= 128 {
            guard let length = PeerVarint.decode(bytes, at: &i) else {
                // An unfinished length, or one that cannot be.
                if bytes.endIndex - i > 10 { throw DecodeError.malformed }
                return nil
            }
            guard length <= UInt64(bytes.endIndex - i) else { return nil }
            body = bytes[i..<(i + Int(length))]
            i += Int(length)
        }
        index = i
        switch (cls, type) {
        case (controlClass, 0): return .resyncRequest
        case (controlClass, 1): return .resyncFinished
        case (controlClass, 2): return .resyncPartial
        case (controlClass, 3): return .resyncConfirm
        case (controlClass, 4): return .heartbeat
        case (errorClass, let t): return .error(t)
        case (tableClass, 0x82):
            guard let definition = PeerTableDefinition.decode(body) else { throw DecodeError.malformed }
            return .tableDefinition(definition)
        case (tableClass, 0x83):
            var at = body.startIndex
            guard let id = PeerVarint.decode(body, at: &at) else { throw DecodeError.malformed }
            return .tableSwitch(id)
        case (tableClass, 0x84):
            var at = body.startIndex
            guard let id = PeerVarint.decode(body, at: &at), body.endIndex - at == 4 else { throw DecodeError.malformed }
            return .ack(tableID: id, update: PeerUpdate.readUInt32(body, at: &at))
        case (tableClass, let t):
            if let kind = PeerUpdateKind(rawValue: t) { return .update(kind, body) }
            return .unknown(cls, type)
        default:
            return .unknown(cls, type)
        }
    }

    /// Appends the message's bytes to `out`.
    public func encode(into out: inout [UInt8]) {
        switch self {
        case .resyncRequest: out += [Self.controlClass, 0]
        case .resyncFinished: out += [Self.controlClass, 1]
        case .resyncPartial: out += [Self.controlClass, 2]
        case .resyncConfirm: out += [Self.controlClass, 3]
        case .heartbeat: out += [Self.controlClass, 4]
        case .error(let t): out += [Self.errorClass, t]
        case .tableDefinition(let d):
            var body: [UInt8] = []
            d.encode(into: &body)
            Self.frame(0x82, body, into: &out)
        case .tableSwitch(let id):
            var body: [UInt8] = []
            PeerVarint.encode(id, into: &body)
            Self.frame(0x83, body, into: &out)
        case .update(let kind, let body):
            Self.frame(kind.rawValue, Array(body), into: &out)
        case .ack(let id, let update):
            var body: [UInt8] = []
            PeerVarint.encode(id, into: &body)
            PeerUpdate.appendUInt32(update, into: &body)
            Self.frame(0x84, body, into: &out)
        case .unknown(let c, let t): out += [c, t]
        }
    }

    /// A table-class message of type `type` with its length.
    public static func frame(_ type: UInt8, _ body: [UInt8], into out: inout [UInt8]) {
        out.append(tableClass)
        out.append(type)
        PeerVarint.encode(UInt64(body.count), into: &out)
        out += body
    }
}

/// The four forms of an entry update: with its update id or the previous
/// one plus one (incremental), with the entry's remaining lifetime
/// (timed: sent when teaching a whole table) or not.
public enum PeerUpdateKind: UInt8, Sendable {
    case update = 0x80
    case incremental = 0x81
    case timed = 0x85
    case incrementalTimed = 0x86

    public var hasID: Bool { self == .update || self == .timed }
    public var isTimed: Bool { self == .timed || self == .incrementalTimed }
}

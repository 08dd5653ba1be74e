/// The dictionary cache of a peer session, each way: `server_key` travels
/// as an id the first time followed by the server's name, then as the id
/// alone. The value of such a data type is an encoded length, then the
/// encoded id, then (the first time) the encoded length of the name and
/// the name, as 2.6 sends it:
/// `07 01 05 61 6c 70 68 61` (id 1, "alpha"), later `01 01`.
public struct PeerDictionary: Sendable {
    /// The ids this side gives, 1 to `capacity`, reused in turn.
    public static let capacity = 128
    private var sentIDs: [[UInt8]: UInt64] = [:]
    private var sentNames: [UInt64: [UInt8]] = [:]
    private var lastSent: UInt64 = 0
    private var received: [UInt64: [UInt8]] = [:]

    public init() {}

    /// The wire bytes (without the outer length) for `name`; empty for an
    /// entry without one.
    public mutating func encode(_ name: [UInt8]) -> [UInt8] {
        guard !name.isEmpty else { return [] }
        var out: [UInt8] = []
        if let id = sentIDs[name] {
            PeerVarint.encode(id, into: &out)
            return out
        }
        lastSent = lastSent % UInt64(Self.capacity) + 1
        if let old = sentNames[lastSent] { sentIDs[old] = nil }
        sentNames[lastSent] = name
        sentIDs[name] = lastSent
        PeerVarint.encode(lastSent, into: &out)
        PeerVarint.encode(UInt64(name.count), into: &out)
        out += name
        return out
    }

    /// The name `bytes` stand for (learning it when they carry it); empty
    /// for none or an id never given.
    public mutating func decode(_ bytes: [UInt8]) -> [UInt8] {
        var i = 0
        guard let id = PeerVarint.decode(bytes[...], at: &i) else { return [] }
        if i < bytes.count {
            guard let length = PeerVarint.decode(bytes[...], at: &i), length == UInt64(bytes.count - i) else { return [] }
            received[id] = Array(bytes[i...])
        }
        return received[id] ?? []
    }

    /// `values` with each dictionary value turned by `body`.
    public static func map(_ values: [PeerValue], _ body: ([UInt8]) -> [UInt8]) -> [PeerValue] {
        values.map { value in
            if case .dictionary(let bytes) = value { return .dictionary(body(bytes)) }
            return value
        }
    }
}
